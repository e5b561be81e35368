import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { withMunicipality } from '../db/tenant.ts';
import type { DB, ReviewAction, ReviewItemKind, ReviewItemTable } from '../db/schema.ts';
import { changeKind } from '../decisions/decide.service.ts';
import { withFullExplanations } from '../decisions/stored-explanation.ts';
import type { Explanation } from '../engine/evaluate-household.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, UnusableInputError } from '../errors.ts';
import { exportedHoldMessage, holdLines } from '../payments/payment.repository.ts';
import { roleAtLeast, type StaffUser } from '../staff/staff.service.ts';

export interface ActionInput {
  action: Exclude<ReviewAction, 'confirm'>;
  reason?: string;
  /** override: the outcome staff decide instead of the engine's. */
  outcome?: 'eligible' | 'ineligible';
  /** override to eligible: the amount (per month for monthly programs). */
  amount_yen?: number;
}

export interface ActionResult {
  action_id: number;
  item_status: 'open' | 'held' | 'resolved';
  /** The staff decision the action made, if it made one. */
  decision_id?: string;
  /** hold: the payments already in a Zengin file, which the hold cannot stop, and the 組戻し path. */
  warning_ja?: string;
}

const MAX_REASON = 2000;
/** What the decisions' integer amount column holds. */
const MAX_AMOUNT_YEN = 2_147_483_647;
const NEEDS_REASON: ReviewAction[] = ['reject', 'hold', 'request_info', 'override'];

type Item = Pick<ReviewItemTable, 'kind' | 'program' | 'household_id' | 'decision_id'> & { id: number; status: 'open' | 'held' | 'resolved' };

/**
 * What a reviewer does with an item of the queue. Every action is recorded (who, when, what,
 * why) and the next nightly run acts on it:
 * - approve: for a case the engine could not decide, staff decide it eligible with the amount
 *   the rules computed; for anything else, staff have checked it. Held payments are released.
 * - reject (a case the engine could not decide): staff decide it ineligible, with the reason.
 * - hold: the household's payments for the program wait until the item is approved.
 * - request_info: a letter asks the resident (the reason is its text); the item stays open.
 * - override: staff replace the engine's outcome or amount; it takes effect only when a
 *   supervisor other than its author confirms it (confirmOverride).
 */
export async function actOnReviewItem(db: Kysely<DB>, actor: StaffUser, itemId: number, input: ActionInput, bulk?: { kind: ReviewItemKind }): Promise<ActionResult> {
  if (!roleAtLeast(actor.role, 'reviewer')) throw new ForbiddenError('role', `acting on the review queue needs the reviewer role; you are ${actor.role}`);
  const reason = checkedReason(input);
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    const item = await openItem(trx, itemId);
    if (bulk) await checkBulk(trx, item, bulk.kind);
    let status = item.status;
    let decisionId: string | undefined;
    let warning: string | undefined;
    if (input.action === 'approve' || input.action === 'reject') {
      if (item.kind === 'decision_review') {
        const reviewed = await reviewedDecision(trx, item);
        const explanation = reviewed.explanation as unknown as Explanation;
        if (input.action === 'approve' && !reviewed.recipient_person_id) {
          throw new UnusableInputError('no_recipient', 'the engine found no recipient for this household: use an override naming the outcome and amount');
        }
        decisionId = await insertStaffDecision(trx, actor, reviewed, {
          outcome: input.action === 'approve' ? 'eligible' : 'ineligible',
          amount_yen: input.action === 'approve' ? explanation.amount.total_yen : 0,
          reason: reason ?? '職員が記録を確認しました',
        });
      } else if (input.action === 'reject') {
        throw new UnusableInputError('reject_not_applicable', 'only a case the engine could not decide can be rejected; to change what the engine decided, use an override');
      }
      status = 'resolved';
    } else if (input.action === 'hold') {
      status = 'held';
      warning = exportedHoldMessage(await holdLines(trx, actor.municipalityCode, item.program, [item.household_id], item.id));
    } else if (input.action === 'override') {
      if (!item.decision_id) throw new UnusableInputError('override_not_applicable', 'only an item about a decision can be overridden');
      if (!input.outcome) throw new UnusableInputError('outcome_required', 'an override names the outcome: eligible or ineligible');
      if (input.outcome === 'eligible' && !(Number.isInteger(input.amount_yen) && input.amount_yen! > 0 && input.amount_yen! <= MAX_AMOUNT_YEN)) {
        throw new UnusableInputError('amount_required', `an override to eligible needs a whole positive amount in yen, at most ${MAX_AMOUNT_YEN}`);
      }
      await reviewedDecision(trx, item);
    }
    const actionId = await recordAction(trx, actor, item.id, {
      action: input.action,
      reason,
      outcome: input.action === 'override' ? input.outcome! : null,
      amount_yen: input.action === 'override' ? (input.outcome === 'eligible' ? input.amount_yen! : 0) : null,
    });
    await setStatus(trx, item, status);
    return { action_id: actionId, item_status: status, decision_id: decisionId, ...(warning && { warning_ja: warning }) };
  });
}

export const BULK_MAX = 100;

export interface BulkResult {
  approved: number[];
  /** Items left as they were, each with why (in Japanese, for the page). */
  skipped: { id: number; why: string }[];
}

/**
 * Approves many items of one kind at once, each recorded as its own approval with the shared
 * reason, as if approved one by one. The four-eyes rule stays whole: an item with an override
 * waiting for a second supervisor is left for that supervisor (approving it would set the
 * override aside without anyone confirming it), and overrides are never made in bulk. An item
 * of another kind, on hold, already resolved, or replaced by a newer decision is skipped and said so.
 */
export async function bulkApprove(db: Kysely<DB>, actor: StaffUser, kind: ReviewItemKind, ids: number[], reason: string | undefined): Promise<BulkResult> {
  if (!roleAtLeast(actor.role, 'reviewer')) throw new ForbiddenError('role', `acting on the review queue needs the reviewer role; you are ${actor.role}`);
  if (!reason?.trim()) throw new UnusableInputError('reason_required', 'a bulk approval needs a reason');
  if (ids.length === 0) throw new UnusableInputError('nothing_selected', 'select the items to approve');
  if (ids.length > BULK_MAX) throw new UnusableInputError('too_many_items', `at most ${BULK_MAX} items at once`);
  const result: BulkResult = { approved: [], skipped: [] };
  for (const id of [...new Set(ids)]) {
    try {
      await actOnReviewItem(db, actor, id, { action: 'approve', reason }, { kind });
      result.approved.push(id);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result.skipped.push({ id, why: BULK_SKIPPED[error.code] ?? '承認できませんでした' });
    }
  }
  return result;
}

const BULK_SKIPPED: Record<string, string> = {
  other_kind: '選んだ種類と違う項目です',
  pending_override: '上書きが監督者の確認を待っています',
  item_closed: 'すでに処理されています',
  item_held: '保留中です（保留を解く承認は項目ごとに行ってください）',
  review_item_not_found: '見つかりません',
  newer_decision: '新しい決定に置き換えられています',
  no_recipient: '受給者が見つからないため、上書きで判定してください',
};

/**
 * What a bulk approval takes: the item is of the chosen kind, not on hold (someone held it on
 * purpose: releasing it is a decision of its own), and no override of it waits for a second person.
 */
async function checkBulk(trx: Transaction<DB>, item: Item, kind: ReviewItemKind): Promise<void> {
  if (item.kind !== kind) throw new UnusableInputError('other_kind', `review item ${item.id} is not of kind ${kind}`);
  if (item.status === 'held') throw new ConflictError('item_held', `review item ${item.id} is on hold; approve it on its own page`);
  const pending = await trx
    .selectFrom('review_actions as o')
    .select('o.id')
    .where('o.review_item_id', '=', item.id)
    .where('o.action', '=', 'override')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('review_actions as c').select('c.id').whereRef('c.confirms', '=', 'o.id'))))
    .executeTakeFirst();
  if (pending) throw new ConflictError('pending_override', `review item ${item.id} has an override waiting for a second supervisor`);
}

/**
 * A supervisor confirms another person's override: the override becomes a staff decision in
 * the household's chain, and the item is resolved.
 */
export async function confirmOverride(db: Kysely<DB>, actor: StaffUser, overrideId: number): Promise<ActionResult> {
  if (!roleAtLeast(actor.role, 'supervisor')) throw new ForbiddenError('role', `confirming an override needs the supervisor role; you are ${actor.role}`);
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    const override = await trx.selectFrom('review_actions').selectAll().where('id', '=', overrideId).where('action', '=', 'override').executeTakeFirst();
    if (!override) throw new NotFoundError('override_not_found', `no override ${overrideId}`);
    if (override.staff_user_id === actor.id) throw new ForbiddenError('own_override', 'an override must be confirmed by someone other than its author');
    const confirmed = await trx.selectFrom('review_actions').select('id').where('confirms', '=', overrideId).executeTakeFirst();
    if (confirmed) throw new ConflictError('already_confirmed', `override ${overrideId} is already confirmed`);
    const item = await openItem(trx, override.review_item_id);
    const reviewed = await reviewedDecision(trx, item);
    const decisionId = await insertStaffDecision(trx, actor, reviewed, { outcome: override.outcome!, amount_yen: override.amount_yen!, reason: override.reason! });
    const actionId = await recordAction(trx, actor, item.id, { action: 'confirm', reason: null, outcome: override.outcome, amount_yen: override.amount_yen, confirms: overrideId });
    await setStatus(trx, item, 'resolved');
    return { action_id: actionId, item_status: 'resolved', decision_id: decisionId };
  });
}

function checkedReason(input: ActionInput): string | null {
  const reason = input.reason?.trim() || null;
  if (!reason && NEEDS_REASON.includes(input.action)) throw new UnusableInputError('reason_required', `${input.action} needs a reason`);
  if (reason && reason.length > MAX_REASON) throw new UnusableInputError('reason_too_long', `a reason is at most ${MAX_REASON} characters`);
  return reason;
}

/** The item, locked; row-level security makes another municipality's items not found. */
async function openItem(trx: Transaction<DB>, id: number): Promise<Item> {
  const item = await trx
    .selectFrom('review_items')
    .select(['id', 'kind', 'program', 'household_id', 'decision_id', 'status'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!item) throw new NotFoundError('review_item_not_found', `no review item ${id}`);
  if (item.status === 'resolved') throw new ConflictError('item_closed', `review item ${id} is already resolved`);
  return item as Item;
}

/** The decision an item is about; staff decide only on the last one of a household's chain. */
async function reviewedDecision(trx: Transaction<DB>, item: Item) {
  if (!item.decision_id) throw new UnusableInputError('no_decision', `review item ${item.id} is not about a decision`);
  const [decision] = await withFullExplanations(trx, [await trx.selectFrom('decisions').selectAll().where('decision_id', '=', item.decision_id).executeTakeFirstOrThrow()]);
  const newer = await trx.selectFrom('decisions').select('decision_id').where('supersedes', '=', decision.id).executeTakeFirst();
  if (newer) throw new ConflictError('newer_decision', `decision ${newer.decision_id} has replaced this one; review that one`);
  return decision;
}

/** Whether any decision of the reviewed decision's chain was eligible (a benefit after it is 再開). */
async function everEligible(trx: Transaction<DB>, reviewed: { municipality_code: string; program: string; household_id: string; subject_person_id: string }): Promise<boolean> {
  const row = await trx
    .selectFrom('decisions')
    .select('id')
    .where('municipality_code', '=', reviewed.municipality_code)
    .where('program', '=', reviewed.program)
    .where('household_id', '=', reviewed.household_id)
    .where('subject_person_id', '=', reviewed.subject_person_id)
    .where('outcome', '=', 'eligible')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Whether staff deciding a 要審査 case ineligible ends a benefit that was being paid: the last
 * decision of the chain before the engine could not decide was eligible. Its letter is then a
 * 支給事由消滅 (change_kind 'stopped'), not a 不支給 of a benefit never granted.
 */
async function endsPaidBenefit(trx: Transaction<DB>, reviewed: { id: number; outcome: string; municipality_code: string; program: string; household_id: string; subject_person_id: string }, outcome: string): Promise<boolean> {
  if (outcome !== 'ineligible' || reviewed.outcome !== 'review') return false;
  const before = await trx
    .selectFrom('decisions')
    .select('outcome')
    .where('municipality_code', '=', reviewed.municipality_code)
    .where('program', '=', reviewed.program)
    .where('household_id', '=', reviewed.household_id)
    .where('subject_person_id', '=', reviewed.subject_person_id)
    .where('id', '<', reviewed.id)
    .where('outcome', '<>', 'review')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return before?.outcome === 'eligible';
}

/**
 * A staff decision joins the chain after the one it decides on, from the same date, so the
 * next payment run and notice run follow it like any other. Its explanation is the engine's,
 * with who decided, why, and (for a changed amount) the amount staff set.
 */
async function insertStaffDecision(
  trx: Transaction<DB>,
  actor: StaffUser,
  reviewed: Awaited<ReturnType<typeof reviewedDecision>>,
  result: { outcome: 'eligible' | 'ineligible'; amount_yen: number; reason: string },
): Promise<string> {
  const engine = reviewed.explanation as unknown as Explanation;
  const staff = { login: actor.login, reason: result.reason };
  const steps =
    result.outcome === 'eligible' && result.amount_yen !== engine.amount.total_yen
      ? [{ component: 'staff', text_ja: '職員が決定した額', value_yen: result.amount_yen, citation: { title: '職員による決定', article: result.reason } }]
      : engine.amount.steps;
  const explanation = { ...engine, outcome: result.outcome, staff, amount: { ...engine.amount, total_yen: result.outcome === 'eligible' ? result.amount_yen : engine.amount.total_yen, paid: result.outcome === 'eligible', steps } };
  const decided = { outcome: result.outcome, amount_yen: result.outcome === 'eligible' ? result.amount_yen : 0, recipient_person_id: reviewed.recipient_person_id };
  const decisionId = `S${createHash('sha256').update([reviewed.decision_id, actor.id, decided.outcome, decided.amount_yen].join('\0')).digest('hex').slice(0, 20)}`;
  await trx
    .insertInto('decisions')
    .values({
      decision_id: decisionId,
      municipality_code: actor.municipalityCode,
      program: reviewed.program,
      household_id: reviewed.household_id,
      subject_person_id: reviewed.subject_person_id,
      change_kind: (await endsPaidBenefit(trx, reviewed, decided.outcome)) ? 'stopped' : (changeKind({ ...reviewed, ever_eligible: await everEligible(trx, reviewed) }, decided) ?? 'confirmed'),
      ...decided,
      period_kind: reviewed.period_kind,
      effective_from: reviewed.effective_from,
      rule_version: reviewed.rule_version,
      engine_version: reviewed.engine_version,
      as_of: reviewed.as_of,
      known_at: new Date(),
      inputs: JSON.stringify(reviewed.inputs),
      inputs_hash: reviewed.inputs_hash,
      head_person_id: reviewed.head_person_id,
      explanation: JSON.stringify(explanation),
      explanation_text: `職員（${actor.login}）が決定しました。理由: ${result.reason}\n${reviewed.explanation_text}`,
      supersedes: reviewed.id,
      decided_by: actor.id,
    })
    .execute();
  return decisionId;
}

async function recordAction(
  trx: Transaction<DB>,
  actor: StaffUser,
  itemId: number,
  action: { action: ReviewAction; reason: string | null; outcome: 'eligible' | 'ineligible' | null; amount_yen: number | null; confirms?: number },
): Promise<number> {
  const row = await trx
    .insertInto('review_actions')
    .values({ municipality_code: actor.municipalityCode, review_item_id: itemId, staff_user_id: actor.id, staff_login: actor.login, confirms: null, ...action })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Resolving an item releases its household's held lines: the next run plans them afresh. */
async function setStatus(trx: Transaction<DB>, item: Item, status: Item['status']): Promise<void> {
  if (status === item.status) return;
  await trx
    .updateTable('review_items')
    .set({ status, updated_at: new Date(), resolved_at: status === 'resolved' ? new Date() : null })
    .where('id', '=', item.id)
    .execute();
  if (item.status === 'held' && status === 'resolved') {
    await trx
      .updateTable('payment_lines')
      .set({ status: 'cancelled', updated_at: new Date() })
      .where('program', '=', item.program)
      .where('household_id', '=', item.household_id)
      .where('status', '=', 'held')
      .execute();
  }
}
