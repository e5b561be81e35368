import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export async function municipalityCodes(db: Kysely<DB>): Promise<string[]> {
  const rows = await db.selectFrom('municipalities').select('municipality_code').orderBy('municipality_code').execute();
  return rows.map((r) => r.municipality_code);
}

export async function lastFinishedRun(db: Kysely<DB>, municipalityCode: string) {
  return db
    .selectFrom('batch_runs')
    .selectAll()
    .where('municipality_code', '=', municipalityCode)
    .where('finished_at', 'is not', null)
    .orderBy('known_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Every household the municipality has ever registered or decided. */
export async function allHouseholds(db: Kysely<DB>, m: string): Promise<string[]> {
  const { rows } = await sql<{ household_id: string }>`
    select household_id from person_history where municipality_code = ${m}
    union
    select household_id from decisions where municipality_code = ${m}
    order by 1`.execute(db);
  return rows.map((r) => r.household_id);
}

/** Households a change recorded in (after, upTo] may affect. */
export async function changedHouseholds(db: Kysely<DB>, m: string, after: Date, upTo: Date): Promise<string[]> {
  const { rows } = await sql<{ household_id: string }>`
    select distinct household_id from household_changes
    where municipality_code = ${m} and recorded_at > ${after} and recorded_at <= ${upTo}`.execute(db);
  return rows.map((r) => r.household_id);
}

/** Households touched by changes that take effect on or after `date` (entitlement starts the month after). */
export async function householdsChangedEffectiveFrom(db: Kysely<DB>, m: string, date: string): Promise<string[]> {
  const { rows } = await sql<{ household_id: string }>`
    select distinct household_id from household_changes where municipality_code = ${m} and effective_date >= ${date}::date`.execute(db);
  return rows.map((r) => r.household_id);
}

/**
 * Households whose monthly decisions may change with the calendar alone (a child reaching 3,
 * leaving 高校生年代): those with a monthly decision that pays or awaits review.
 */
export async function householdsWithOpenMonthlyDecisions(db: Kysely<DB>, m: string): Promise<string[]> {
  const { rows } = await sql<{ household_id: string; outcome: string }>`
    select distinct on (program, household_id) household_id, outcome from decisions
    where municipality_code = ${m} and period_kind = 'monthly'
    order by program, household_id, effective_from desc, id desc`.execute(db);
  return [...new Set(rows.filter((r) => r.outcome !== 'ineligible').map((r) => r.household_id))];
}

export async function countAppliedChanges(db: Kysely<DB>, m: string, after: Date, upTo: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from changes
    where municipality_code = ${m} and status = 'applied' and received_at > ${after} and received_at <= ${upTo}`.execute(db);
  return rows[0].n;
}

export async function pendingChanges(db: Kysely<DB>, upTo: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from changes where status = 'received' and received_at <= ${upTo}`.execute(db);
  return rows[0].n;
}

export async function startRun(db: Kysely<DB>, m: string, date: string, full: boolean, knownAt: Date): Promise<number> {
  const row = await db.insertInto('batch_runs').values({ municipality_code: m, run_date: date, full_run: full, known_at: knownAt }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function finishRun(db: Kysely<DB>, id: number, summary: Record<string, unknown>): Promise<void> {
  await db.updateTable('batch_runs').set({ finished_at: new Date(), summary: JSON.stringify(summary) }).where('id', '=', id).execute();
}
