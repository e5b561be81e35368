import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ConflictError } from '../errors.ts';

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

/** The latest date a nightly finished for, over every municipality, with the municipality. */
export async function latestFinishedRunDate(db: Kysely<DB>): Promise<{ run_date: string; municipality_code: string } | undefined> {
  return db
    .selectFrom('batch_runs')
    .select(['run_date', 'municipality_code'])
    .where('finished_at', 'is not', null)
    .orderBy('run_date', 'desc')
    .orderBy('municipality_code')
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

/** Households a change recorded in (after, upTo] touched with effect before `before`, each with its earliest such date. */
export async function householdsChangedBefore(db: Kysely<DB>, m: string, after: Date, upTo: Date, before: string): Promise<{ household_id: string; effective_date: string }[]> {
  const { rows } = await sql<{ household_id: string; effective_date: string }>`
    select household_id, min(effective_date) as effective_date from household_changes
    where municipality_code = ${m} and recorded_at > ${after} and recorded_at <= ${upTo} and effective_date < ${before}::date
    group by household_id order by household_id`.execute(db);
  return rows;
}

/** The first month a monthly program was decided for in this municipality (its go-live). */
export async function firstMonthlyDecision(db: Kysely<DB>, m: string): Promise<string | undefined> {
  const { rows } = await sql<{ first: string | null }>`
    select min(effective_from) as first from decisions where municipality_code = ${m} and period_kind = 'monthly'`.execute(db);
  return rows[0].first ?? undefined;
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

export interface StartedRun {
  runId: number;
  attempt: number;
  knownAt: Date;
  full: boolean;
}

/**
 * The municipality's unfinished run for `date`, resumed (its known_at and plans kept, its attempt
 * counted), or a new run. An unfinished run of another date must be finished first: its plans
 * were made from the facts of its own night.
 */
export async function startOrResumeRun(db: Kysely<DB>, m: string, date: string, full: boolean, knownAt: Date): Promise<StartedRun> {
  const unfinished = await db.selectFrom('batch_runs').selectAll().where('municipality_code', '=', m).where('finished_at', 'is', null).orderBy('id', 'desc').executeTakeFirst();
  if (unfinished && unfinished.run_date !== date) {
    throw new ConflictError(
      'unfinished_run',
      `the nightly run of ${unfinished.run_date} for ${m} did not finish: run 'benefit nightly --date ${unfinished.run_date}${unfinished.full_run ? ' --full' : ''}' to finish it first`,
    );
  }
  if (unfinished) {
    const row = await db.updateTable('batch_runs').set({ attempt: sql`attempt + 1` }).where('id', '=', unfinished.id).returning('attempt').executeTakeFirstOrThrow();
    return { runId: unfinished.id, attempt: row.attempt, knownAt: unfinished.known_at, full: unfinished.full_run };
  }
  const row = await db.insertInto('batch_runs').values({ municipality_code: m, run_date: date, full_run: full, known_at: knownAt }).returning('id').executeTakeFirstOrThrow();
  return { runId: row.id, attempt: 1, knownAt, full };
}

/** The households a run decides as of one date, for every program that decides then or only for `programs`. */
export interface DecidePlan {
  asOf: string;
  households: string[];
  /** Program ids: only these are decided for these households (a law change re-decides everyone for its program only). */
  programs?: string[];
}

/** What a run's plan was made from: the rule version of each program folder, and why it re-decides everyone for a program. */
export interface PlanBasis {
  ruleVersions: Record<string, string>;
  fullReasons: string[];
}

const DECIDE = 'decide:';
// Not a stage: the plan's basis, stored with the plan so the next run compares rule versions.
const BASIS = 'plan-basis';

/** A decide plan's stage name: `decide:2024-10-11`, or `decide:2024-10-11+child-allowance` for some programs only (sorts after the date's own). */
export function decideStage(plan: DecidePlan): string {
  return DECIDE + plan.asOf + (plan.programs ? `+${plan.programs.join(',')}` : '');
}

/** Stores a run's decide plans and their basis, all or none. */
export async function storeDecidePlans(db: Kysely<DB>, runId: number, plans: DecidePlan[], basis: PlanBasis): Promise<{ plans: DecidePlan[]; basis: PlanBasis }> {
  await db.transaction().execute(async (trx) => {
    for (const p of plans) {
      await trx.insertInto('batch_plans').values({ run_id: runId, stage: decideStage(p), items: JSON.stringify(p.households) }).execute();
    }
    await trx.insertInto('batch_plans').values({ run_id: runId, stage: BASIS, items: JSON.stringify(basis) }).execute();
  });
  return { plans, basis };
}

/** A resumed run's decide plans in date order (each date's own plan before its plans for some programs) and their basis; undefined before they were stored. */
export async function storedDecidePlans(db: Kysely<DB>, runId: number): Promise<{ plans: DecidePlan[]; basis: PlanBasis } | undefined> {
  const rows = await db.selectFrom('batch_plans').selectAll().where('run_id', '=', runId).where('stage', 'like', `${DECIDE}%`).orderBy('stage').execute();
  if (rows.length === 0) return undefined;
  const plans = rows.map((r) => {
    const [asOf, programs] = r.stage.slice(DECIDE.length).split('+');
    return { asOf, households: r.items as string[], ...(programs ? { programs: programs.split(',') } : {}) };
  });
  return { plans, basis: (await planBasis(db, runId)) ?? { ruleVersions: {}, fullReasons: [] } };
}

/** The basis a run's plan was made from; undefined for a run planned before bases were stored. */
export async function planBasis(db: Kysely<DB>, runId: number): Promise<PlanBasis | undefined> {
  const row = await db.selectFrom('batch_plans').select('items').where('run_id', '=', runId).where('stage', '=', BASIS).executeTakeFirst();
  return row?.items as unknown as PlanBasis | undefined;
}

export async function finishRun(db: Kysely<DB>, id: number, summary: Record<string, unknown>): Promise<void> {
  await db.updateTable('batch_runs').set({ finished_at: new Date(), summary: JSON.stringify(summary) }).where('id', '=', id).execute();
}

/**
 * The households, on `membership`, of everyone who belonged to a household whose decision of
 * one of `programs` was made after `since` (this run's, or a staff decision since the last
 * run): a program that reads those decisions may decide them differently now. "Made after" is
 * by knowledge time: the last run's own decisions were made after its knowledge time too, but
 * its readers read them (as known at that time), so they must not send the next night's readers
 * to every household those decisions concern (a tenth of the municipality: issue 15).
 */
export async function householdsOfMembersDecidedSince(db: Kysely<DB>, m: string, programs: string[], since: Date, membership: string): Promise<string[]> {
  const { rows } = await sql<{ household_id: string }>`
    select distinct h.household_id
    from (
      -- Everyone ever registered in the decided households: a few more than were members on the
      -- decision's membership date (the decision no longer stores them), which only re-decides more.
      select distinct member.person_id from decisions d
      join person_history member on member.municipality_code = d.municipality_code and member.household_id = d.household_id
      where d.municipality_code = ${m} and d.program = any(${programs}::text[]) and d.known_at > ${since}
    ) p
    cross join lateral (
      select household_id, status from person_history
      where municipality_code = ${m} and person_id = p.person_id and valid_from <= ${membership}::date
      order by valid_from desc, recorded_at desc, change_row desc limit 1
    ) h
    where h.status = 'resident'
    order by 1`.execute(db);
  return rows.map((r) => r.household_id);
}
