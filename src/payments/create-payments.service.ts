import { sql, type Kysely, type RawBuilder } from 'kysely';
import { runChunkOnce } from '../batch/run-chunk-once.ts';
import { findBranch } from '../codes/bank-codes.ts';
import type { DB } from '../db/schema.ts';
import { householdsWaitingForReview } from '../review/decision-review-items.ts';
import { planHouseholdPayments } from './payment-plan.ts';
import type { MonthlySchedule, Prescription } from './payment-schedule.ts';
import {
  accountKey,
  accountsOf,
  addReviewItems,
  cancelLines,
  holdLines,
  missingAccountItem,
  openMissingAccounts,
  planDecisions,
  planLines,
  planRecoveries,
  resolveFailedTransfers,
  resolveMissingAccounts,
  upsertLines,
  type AccountRow,
  type LineUpsert,
  type NewReviewItem,
} from './payment.repository.ts';

export interface CreatePaymentsJob {
  runId: number;
  stage: string;
  chunk: number;
  municipalityCode: string;
  program: string;
  periodKind: 'monthly' | 'once';
  baseDate?: string;
  paymentDate: string;
  lastPeriodStart: string;
  /** monthly: the program's payment schedule, and its 時効 with the municipality's payment day. */
  schedule?: MonthlySchedule;
  prescription?: Prescription;
  /** Households and the first period to look at for each. */
  households: { id: string; from: string }[];
}

export interface ChunkResult {
  payments_created: number;
  review_items: number;
  /** Periods (per recipient) not paid because of 時効, and what they would have paid. */
  lapsed_periods: number;
  lapsed_yen: number;
}

/** The account payments go to: one registered with the municipality first, else the 公金受取口座. */
export function usableAccount(accounts: AccountRow[], failed: ReadonlySet<string>): AccountRow | undefined {
  const order = { registered: 0, koukin: 1 };
  return [...accounts]
    .sort((a, b) => order[a.source] - order[b.source])
    .find((a) => findBranch(a.bank_code, a.branch_code) && !failed.has(`${a.person_id}|${accountKey(a)}`));
}

/**
 * Brings one chunk of households' payment lines for one program and payment date in line with
 * their decisions, once (runChunkOnce). The plan is computed from what is stored, and the
 * unique indexes hold against a concurrent duplicate.
 */
export async function createPaymentsChunk(db: Kysely<DB>, job: CreatePaymentsJob): Promise<ChunkResult> {
  return runChunkOnce(db, job, async (trx) => {
    const m = job.municipalityCode;
    const ids = job.households.map((h) => h.id);
    // A household waiting for staff keeps its lines on hold until someone releases them.
    const waiting = await householdsWaitingForReview(trx, m, job.program, ids);
    await holdLines(trx, m, job.program, [...waiting]);
    const [decisions, lines, recoveries, openMissing] = await Promise.all([
      planDecisions(trx, m, job.program, ids),
      planLines(trx, m, job.program, ids),
      planRecoveries(trx, m, job.program, ids),
      openMissingAccounts(trx, m, job.program, ids),
    ]);
    const persons = new Set<string>();
    for (const list of decisions.values()) for (const d of list) if (d.recipient_person_id) persons.add(d.recipient_person_id);
    for (const list of lines.values()) for (const l of list) persons.add(l.recipient_person_id);
    const { byPerson, failed } = await accountsOf(trx, m, [...persons]);
    const accountOf = (person: string) => {
      const account = usableAccount(byPerson.get(person) ?? [], failed);
      return account && accountKey(account);
    };

    const upserts: LineUpsert[] = [];
    const cancels: number[] = [];
    const items: NewReviewItem[] = [];
    const paid: { household_id: string; person_id: string }[] = [];
    const reissued: number[] = [];
    const lapsed: { amount_yen: number }[] = [];
    for (const { id: household, from } of job.households) {
      if (waiting.has(household)) continue;
      const plan = planHouseholdPayments({
        periodKind: job.periodKind,
        baseDate: job.baseDate,
        from,
        schedule: job.schedule,
        prescription: job.prescription,
        lastPeriodStart: job.lastPeriodStart,
        paymentDate: job.paymentDate,
        decisions: decisions.get(household) ?? [],
        lines: lines.get(household) ?? [],
        recoveries: recoveries.get(household) ?? [],
        accountOf,
      });
      for (const l of plan.lines) {
        upserts.push({ household_id: household, recipient_person_id: l.recipient_person_id, period_start: l.period.start, period_end: l.period.end, kind: l.kind, amount_yen: l.amount_yen, decision_id: l.decision_id, reissue_of: null });
        paid.push({ household_id: household, person_id: l.recipient_person_id });
      }
      for (const f of plan.reissues) {
        upserts.push({ household_id: household, recipient_person_id: f.recipient_person_id, period_start: f.period_start, period_end: f.period_end, kind: 'reissue', amount_yen: f.amount_yen, decision_id: f.decision_id, reissue_of: f.id });
        reissued.push(f.id);
      }
      cancels.push(...plan.cancel);
      lapsed.push(...plan.lapsed);
      for (const r of plan.recoveries) {
        items.push({
          kind: 'recovery', item_key: [job.program, household, r.person_id, r.period.start, r.decision_id].join('|'), program: job.program, household_id: household,
          person_id: r.person_id, decision_id: r.decision_id, payment_line_id: null, period_start: r.period.start, amount_yen: r.amount_yen,
          detail: { period_end: r.period.end },
        });
      }
      for (const r of plan.missingAccounts) {
        if (openMissing.has(`${household}|${r.person_id}`)) continue;
        openMissing.add(`${household}|${r.person_id}`);
        items.push(
          missingAccountItem({
            program: job.program, household_id: household, person_id: r.person_id, decision_id: r.decision_id, payment_line_id: null,
            period_start: r.period.start, amount_yen: r.amount_yen, detail: { period_end: r.period.end },
          }),
        );
      }
    }
    const created = await upsertLines(trx, m, job.program, job.paymentDate, upserts);
    await cancelLines(trx, cancels);
    await resolveMissingAccounts(trx, m, job.program, paid);
    await resolveFailedTransfers(trx, m, reissued);
    return {
      payments_created: created,
      review_items: await addReviewItems(trx, m, items),
      lapsed_periods: lapsed.length,
      lapsed_yen: lapsed.reduce((a, l) => a + l.amount_yen, 0),
    };
  });
}

/** What paymentCandidates looks for, for one program. */
export interface CandidateQuery {
  program: string;
  /** The start of the program's last computation; null: none yet. */
  since: Date | null;
  /** A payment period not computed before (everyone with a benefit in it is a candidate); null: none. */
  newPeriod: { start: string; end: string } | null;
}

/**
 * The households whose payments may have to change, by program, each with the first period to
 * look at: those with decisions made since the program's last computation (from the earliest
 * month they take effect), on a new payment period everyone with a benefit in it, those with
 * lines cancelled since (kept out of a file for review) or transfers failed since, and those
 * whose review items staff acted on since. Those still waiting for an account, or for a failed
 * transfer to be paid again, wait for their data to change (an account registered): they are
 * planned again when a change touched the household since `changesSince`, the last run's
 * knowledge time, or always when it is null (a first or full run). Re-planning every one of
 * them every night cost 62,000 households a night at 450,000 households (docs/performance.md).
 * Every program in one statement: one per program found the touched households and scanned
 * the decisions made since once each (6 programs: 0.45 s each a night at 450,000 households).
 */
export async function paymentCandidates(db: Kysely<DB>, m: string, queries: CandidateQuery[], changesSince: Date | null): Promise<Map<string, { id: string; from: string }[]>> {
  const out = new Map<string, { id: string; from: string }[]>(queries.map((q) => [q.program, []]));
  if (queries.length === 0) return out;
  const programs = queries.map((q) => q.program);
  // Those waiting for an account or a transfer paid again: on a first or full run all of them;
  // else those of the households a change touched, each looked up by index. A join with the
  // touched households was planned as a nested loop over both (their statistics are a night old,
  // or none) and took 26 s for one program at 450,000 households.
  const waiting = changesSince
    ? sql`
      select r.program, r.household_id, r.period_start from touched t
      cross join lateral (
        select program, household_id, period_start from review_items
        where municipality_code = ${m} and program = any(${programs}::text[]) and household_id = t.household_id
          and kind = 'missing_account' and status = 'open' offset 0
      ) r
      union all
      select l.program, l.household_id, l.period_start from touched t
      cross join lateral (
        select id, program, household_id, period_start from payment_lines
        where municipality_code = ${m} and program = any(${programs}::text[]) and household_id = t.household_id and status = 'failed' offset 0
      ) l
      where not exists (select from payment_lines r where r.reissue_of = l.id)`
    : sql`
      select program, household_id, period_start from review_items
      where municipality_code = ${m} and program = any(${programs}::text[]) and kind = 'missing_account' and status = 'open'
      union all
      select program, household_id, period_start from payment_lines p
      where municipality_code = ${m} and program = any(${programs}::text[]) and status = 'failed'
        and not exists (select from payment_lines r where r.reissue_of = p.id)`;
  // Each row compared with its own program's last computation. Not joined with a list of the
  // programs: PostgreSQL then looked up each program's decisions through its index (390,000 rows
  // a program) rather than the few made since through the time range index (docs/performance.md).
  const sinces = queries.map((q) => q.since ?? new Date(0));
  const since = (program: RawBuilder<unknown>, time: RawBuilder<unknown>) =>
    sql`${time} > (${sinces}::timestamptz[])[array_position(${programs}::text[], ${program})]`;
  const earliest = new Date(Math.min(...sinces.map((t) => t.getTime())));
  // On a new payment period, everyone with a benefit in it: one part per program that has one,
  // with its dates as values, so a night without one plans no scan for it.
  const periods = queries.flatMap(({ program, newPeriod }) => newPeriod ? [sql`
      union all
      select ${program}::text, household_id, ${newPeriod.start}::date from (
        select distinct on (household_id) household_id, outcome from decisions
        where municipality_code = ${m} and program = ${program} and effective_from <= ${newPeriod.start}::date
        order by household_id, effective_from desc, id desc
      ) in_force where outcome = 'eligible'
      union all
      select ${program}::text, household_id, ${newPeriod.start}::date from decisions
      where municipality_code = ${m} and program = ${program} and effective_from between ${newPeriod.start}::date and ${newPeriod.end}::date`] : []);
  const { rows } = await sql<{ program: string; id: string; from: string }>`
    with touched as materialized (
      select distinct household_id from household_changes
      where municipality_code = ${m} and recorded_at > ${changesSince ?? new Date(0)}
    ),
    candidates as (
      -- A new decision matters if it pays, or if something was paid before (it may recover):
      -- a household never eligible has nothing to plan (most of a one-off program's households).
      select d.program, d.household_id, min(d.effective_from) as from_date from decisions d
      where d.municipality_code = ${m} and d.program = any(${programs}::text[]) and d.decided_at > ${earliest}
        and ${since(sql.ref('d.program'), sql.ref('d.decided_at'))}
        and (d.outcome = 'eligible' or exists (select from payment_lines p
             where p.municipality_code = ${m} and p.program = d.program and p.household_id = d.household_id))
      group by d.program, d.household_id
      ${sql.join(periods, sql``)}
      union all
      ${waiting}
      union all
      select p.program, p.household_id, p.period_start from payment_lines p
      where p.municipality_code = ${m} and p.program = any(${programs}::text[]) and p.status = 'failed'
        and ${since(sql.ref('p.program'), sql.ref('p.updated_at'))}
        and not exists (select from payment_lines r where r.reissue_of = p.id)
      union all
      -- Lines cancelled since (an export kept them back for review, or withdrew them): planned
      -- again, for the next payment date.
      select program, household_id, period_start from payment_lines
      where municipality_code = ${m} and program = any(${programs}::text[]) and status = 'cancelled'
        and ${since(sql.ref('program'), sql.ref('updated_at'))}
      union all
      -- Staff acted (an item the engine opened or closed itself changes nothing to plan).
      select r.program, r.household_id, coalesce(r.period_start, d.effective_from) from review_actions a
      join review_items r on r.id = a.review_item_id
      left join decisions d on d.decision_id = r.decision_id
      where a.municipality_code = ${m} and a.created_at > ${earliest} and r.program = any(${programs}::text[])
        and ${since(sql.ref('r.program'), sql.ref('a.created_at'))}
    )
    select program, household_id as id, to_char(min(from_date), 'YYYY-MM-DD') as from from candidates
    where from_date is not null group by program, household_id order by program, household_id`.execute(db);
  for (const { program, ...candidate } of rows) out.get(program)!.push(candidate);
  return out;
}
