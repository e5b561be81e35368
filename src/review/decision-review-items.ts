import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * A change of at least this many yen (per month for monthly programs) is shown to staff: such
 * jumps are more often a data error than a real change. It takes effect meanwhile (push: the
 * resident is not kept waiting); staff may hold the payment or override it.
 */
export const LARGE_CHANGE_YEN = 10_000;

/**
 * Opens a review item for every engine decision known after `since` that a person must look
 * at: the engine could not decide (`review`: nothing is paid until staff decide), a stop, or a
 * large change of amount. An open item whose decision a newer engine decision (known after
 * `since`) has superseded is closed: the newer decision is what counts. Idempotent: the item's
 * key is its decision.
 */
export async function createDecisionReviewItems(db: Kysely<DB>, m: string, since: Date): Promise<number> {
  // Only decisions made since can have superseded an open item's decision: an item is opened for
  // a decision nothing supersedes yet. From their households (few, by the decisions_known_at
  // index), not from every open item (100,000 at 450,000 households: 1.1-2.3 s a night), each
  // household's items looked up by index (LATERAL … OFFSET 0): with the open items' statistics
  // out of date, the planner otherwise read all of them once per decision (14 s). Not from the
  // decisions they superseded: reading those (older, spread over the table) took 0.5 s a night
  // of 8,500 decisions, for the few that have an item.
  await sql`
    with items as materialized (
      select i.id from (
        select distinct program, household_id from decisions
        where municipality_code = ${m} and known_at > ${since} and decided_by is null
      ) h
      cross join lateral (
        select id, decision_id from review_items
        where municipality_code = ${m} and program = h.program and household_id = h.household_id
          and status <> 'resolved' and kind in ('decision_review', 'large_change', 'stop')
        offset 0
      ) i
      where exists (
        select from decisions d join decisions n on n.supersedes = d.id
        where d.decision_id = i.decision_id and n.known_at > ${since} and n.decided_by is null
      )
    )
    update review_items r set status = 'resolved', resolved_at = now(), updated_at = now(),
      detail = r.detail || '{"superseded": true}'
    from items where r.id = items.id`.execute(db);
  const result = await sql`
    insert into review_items (municipality_code, kind, item_key, program, household_id, person_id, decision_id, amount_yen, detail)
    select d.municipality_code,
           case when d.outcome = 'review' then 'decision_review' when d.change_kind = 'stopped' then 'stop' else 'large_change' end,
           d.decision_id, d.program, d.household_id,
           coalesce(d.recipient_person_id, p.recipient_person_id,
             d.head_person_id),
           d.decision_id, d.amount_yen,
           jsonb_build_object('previous_amount_yen', p.amount_yen, 'effective_from', d.effective_from)
    from decisions d left join decisions p on p.id = d.supersedes
    where d.municipality_code = ${m} and d.known_at > ${since} and d.decided_by is null
      and not exists (select from decisions n where n.supersedes = d.id)
      and (d.outcome = 'review' or d.change_kind = 'stopped'
           or (d.change_kind = 'amount_changed' and abs(d.amount_yen - p.amount_yen) >= ${LARGE_CHANGE_YEN}))
    on conflict (municipality_code, kind, item_key) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Households whose payments for a program wait for a person: the engine could not decide (the
 * lines already made are neither recovered nor paid again until staff do), or staff hold them.
 */
export async function householdsWaitingForReview(db: Kysely<DB>, m: string, program: string, households: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('review_items')
    .select('household_id')
    .where('municipality_code', '=', m)
    .where('program', '=', program)
    .where('household_id', '=', sql<string>`any(${households}::text[])`)
    .where((eb) => eb.or([eb('status', '=', 'held'), eb.and([eb('status', '=', 'open'), eb('kind', '=', 'decision_review')])]))
    .execute();
  return new Set(rows.map((r) => r.household_id));
}
