import type { FastifyInstance } from 'fastify';
import type { IngestContext } from '../../changes/import.service.ts';
import { CIRCUMSTANCES } from '../../changes/record-schemas.ts';
import { checkedPurpose, PURPOSES } from '../../review/access-log.service.ts';
import { recordCircumstance, type CircumstanceInput } from '../../review/circumstance.service.ts';
import { staffOnly } from '../session-auth.ts';

/**
 * POST /v1/persons/{id}/circumstances: a reviewer records a circumstance (a returned 確認書, a
 * 辞退届), validated and stored as circumstances.csv's rows are, for the next nightly.
 */
export function circumstanceRoutes(app: FastifyInstance, ctx: IngestContext): void {
  app.post<{ Params: { id: string }; Body: Omit<CircumstanceInput, 'person_id'> & { purpose: string } }>(
    '/v1/persons/:id/circumstances',
    {
      ...staffOnly(ctx.db, 'reviewer'),
      schema: {
        summary: 'Record a circumstance of a person (public_servant, facility_placement, supported_student, declined), as a row of circumstances.csv; recorded in their access log',
        body: {
          type: 'object',
          required: ['circumstance', 'active', 'effective_date', 'purpose'],
          additionalProperties: false,
          properties: {
            circumstance: { type: 'string', enum: [...CIRCUMSTANCES] },
            active: { type: 'boolean', description: 'true: from effective_date on; false: it stops on effective_date' },
            program: { type: ['string', 'null'], description: 'the program id it concerns; required for declined' },
            effective_date: { type: 'string', description: 'YYYY-MM-DD' },
            note: { type: ['string', 'null'], description: 'free text, at most 200 characters; never logged' },
            purpose: { type: 'string', enum: Object.keys(PURPOSES), description: 'why; recorded in the person\'s access log' },
          },
        },
      },
    },
    async (request) => {
      const { purpose, ...input } = request.body;
      return recordCircumstance(ctx, request.session!.user, { ...input, person_id: request.params.id }, checkedPurpose(purpose));
    },
  );
}
