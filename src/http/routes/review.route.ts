import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB, ReviewItemKind } from '../../db/schema.ts';
import { accessLogForStaff, checkedPurpose, PURPOSES } from '../../review/access-log.service.ts';
import { decisionView, householdView, listDecisions, QUEUE_SORTS, reviewQueue, searchPersons, type QueueSort, type QueueStatus } from '../../review/case-reads.service.ts';
import { actOnReviewItem, confirmOverride, type ActionInput } from '../../review/review-action.service.ts';
import { NotFoundError } from '../../errors.ts';
import { MAX_AMOUNT_YEN, MAX_PAGE } from '../input.ts';
import { staffOnly } from '../session-auth.ts';

const purpose = { type: 'string', enum: Object.keys(PURPOSES), description: 'why the person\'s data is read; recorded in their access log' } as const;
const page = { type: 'integer', minimum: 1, maximum: MAX_PAGE } as const;
const rowId = { type: 'object', properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } } } as const;
const text = { type: 'string', maxLength: 200 } as const;
const actionBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['approve', 'reject', 'hold', 'request_info', 'override'] },
    reason: { type: 'string', maxLength: 2000 },
    outcome: { type: 'string', enum: ['eligible', 'ineligible'] },
    amount_yen: { type: 'integer', minimum: 0, maximum: MAX_AMOUNT_YEN },
  },
} as const;

/**
 * The review API: the queue, decisions with their explanations, households, search, the
 * actions, and a person's access log. Reads of a person's data need a `purpose`.
 */
export function reviewRoutes(app: FastifyInstance, db: Kysely<DB>): void {
  const viewer = staffOnly(db);
  const reviewer = staffOnly(db, 'reviewer');

  app.get<{ Querystring: { kind?: ReviewItemKind; status?: QueueStatus; program?: string; sort?: QueueSort; page?: number } }>(
    '/v1/review-items',
    {
      ...viewer,
      schema: {
        summary: 'The review queue (open and held items unless a status is given), 50 a page, with the 世帯主 and the amount at stake',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['decision_review', 'large_change', 'stop', 'failed_transfer', 'missing_account', 'recovery'] },
            // awaiting_reply: open or held, the last action a 照会 waiting for the resident's answer.
            status: { type: 'string', enum: ['open', 'held', 'resolved', 'awaiting_reply'] },
            program: text,
            sort: { type: 'string', enum: [...QUEUE_SORTS] },
            page,
          },
        },
      },
    },
    async (request) => reviewQueue(db, request.session!.user, request.query),
  );

  app.get<{ Querystring: { program?: string; outcome?: 'eligible' | 'ineligible' | 'review'; household?: string; needs_review?: boolean; page?: number; purpose: string } }>(
    '/v1/decisions',
    {
      ...viewer,
      schema: {
        summary: 'The decisions in force (the last of each household\'s chain), filtered, 50 a page',
        querystring: {
          type: 'object',
          required: ['purpose'],
          additionalProperties: false,
          properties: { program: text, outcome: { type: 'string', enum: ['eligible', 'ineligible', 'review'] }, household: text, needs_review: { type: 'boolean' }, page, purpose },
        },
      },
    },
    async (request) => listDecisions(db, request.session!.user, request.query, checkedPurpose(request.query.purpose)),
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } }>(
    '/v1/decisions/:id',
    { ...viewer, schema: { summary: 'One decision with its explanation, sources, previous decision, review, payments and notices', querystring: { type: 'object', required: ['purpose'], properties: { purpose } } } },
    async (request) => decisionView(db, request.session!.user, request.params.id, checkedPurpose(request.query.purpose)),
  );

  app.post<{ Params: { id: string }; Body: ActionInput }>(
    '/v1/decisions/:id/review',
    { ...reviewer, schema: { summary: 'Act on the open review item of a decision (approve, reject, hold, request_info, override)', body: actionBody } },
    async (request) => {
      const view = await decisionView(db, request.session!.user, request.params.id, 'review');
      const item = view.items.find((i) => i.status !== 'resolved');
      if (!item) throw new NotFoundError('no_open_item', `decision ${request.params.id} has no open review item`);
      return actOnReviewItem(db, request.session!.user, item.id, request.body);
    },
  );

  app.post<{ Params: { id: number }; Body: ActionInput }>(
    '/v1/review-items/:id/actions',
    { ...reviewer, schema: { summary: 'Act on a review item', params: rowId, body: actionBody } },
    async (request) => actOnReviewItem(db, request.session!.user, request.params.id, request.body),
  );

  app.post<{ Params: { id: number } }>(
    '/v1/review-actions/:id/confirm',
    { ...staffOnly(db, 'supervisor'), schema: { summary: 'Confirm another person\'s override (supervisors)', params: rowId } },
    async (request) => confirmOverride(db, request.session!.user, request.params.id),
  );

  app.get<{ Params: { id: string }; Querystring: { purpose: string } }>(
    '/v1/households/:id',
    { ...viewer, schema: { summary: 'A household: members with their circumstances, decisions, payments, notices, review items', querystring: { type: 'object', required: ['purpose'], properties: { purpose } } } },
    async (request) => householdView(db, request.session!.user, request.params.id, checkedPurpose(request.query.purpose)),
  );

  app.get<{ Querystring: { q?: string; address?: string; birth_date?: string; page?: number; purpose: string } }>(
    '/v1/persons',
    {
      ...viewer,
      schema: {
        summary: 'Search residents by 宛名番号 or name (kanji, hiragana or katakana; 異体字, widths and spaces folded), address and birth date; 50 a page with the total',
        querystring: {
          type: 'object',
          required: ['purpose'],
          additionalProperties: false,
          properties: { q: text, address: text, birth_date: { type: 'string', maxLength: 40 }, page, purpose },
        },
      },
    },
    async (request) => searchPersons(db, request.session!.user, request.query, checkedPurpose(request.query.purpose)),
  );

  app.get<{ Params: { id: string }; Querystring: { purpose?: string } }>(
    '/v1/persons/:id/access-log',
    { ...viewer, schema: { summary: 'Every access by staff to this person\'s data (who, when, what, why)', querystring: { type: 'object', properties: { purpose } } } },
    async (request) => ({
      person_id: request.params.id,
      entries: await accessLogForStaff(db, request.session!.user, request.params.id, checkedPurpose(request.query.purpose ?? 'disclosure')),
    }),
  );
}
