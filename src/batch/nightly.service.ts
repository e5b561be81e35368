import { sql, type Kysely } from 'kysely';
import { pendingRanges } from '../changes/change.repository.ts';
import { assertNoAbandonedImports } from '../changes/import-recovery.ts';
import type { DB } from '../db/schema.ts';
import { inDecisionOrder, snapshotDates, type DecideResult } from '../decisions/decide.service.ts';
import { recordRuleVersion } from '../decisions/decision.repository.ts';
import { firstOfMonth } from '../engine/calendar.ts';
import type { CompiledProgram } from '../engine/evaluate-household.ts';
import { ConflictError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { municipalitySettings } from '../municipalities/municipality.service.ts';
import { runNotices } from '../notices/notice-run.service.ts';
import { runPayments } from '../payments/payment-run.service.ts';
import { addMonths, monthlySchedule, nextPaymentDate, periodOf } from '../payments/payment-schedule.ts';
import { createDecisionReviewItems } from '../review/decision-review-items.ts';
import { changesSinceRun, ruleDate } from '../rules/program-changes.ts';
import { appliesTo } from '../rules/program-loader.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { JOB, QUEUE, type JobRequest } from '../queue/queue-names.ts';
import { acquireBatchLock, type BatchLock } from './batch-lock.service.ts';
import { runStage } from './batch-stage.service.ts';
import { retryWhileUnreachable } from './server-errors.ts';
import {
  allHouseholds,
  changedHouseholds,
  countAppliedChanges,
  decideStage,
  finishRun,
  firstMonthlyDecision,
  householdsChangedBefore,
  householdsChangedEffectiveFrom,
  householdsOfMembersDecidedSince,
  householdsWithOpenMonthlyDecisions,
  lastFinishedRun,
  municipalityCodes,
  pendingChanges,
  planBasis,
  startOrResumeRun,
  storeDecidePlans,
  storedDecidePlans,
  type DecidePlan,
  type PlanBasis,
} from './batch.repository.ts';

const DEFAULT_CHUNK = 1000;
/** Decisions written by a night after which their statistics are refreshed (see the analyze below). */
const ANALYZE_AFTER_DECISIONS = 20_000;
const WAIT_FOR_CHANGES_MS = 10 * 60_000;
/** No change applied for this long and no job left to apply them: the jobs were lost, queue them again. */
const REQUEUE_CHANGES_AFTER_MS = 10_000;
const REQUEUE_CHANGES_CHUNK = 2000;

export interface NightlySummary {
  date: string;
  full: boolean;
  changes_applied: number;
  households_evaluated: number;
  decisions_created: number;
  payments_created: number;
  notices_created: number;
  /** New items for staff: decisions that need a person (undecided, stops, large changes), missing accounts, recoveries. */
  review_items: number;
  decisions_by_kind: Record<string, number>;
  /** Why the run re-decided every household for a program (a law change, a changed program folder, --full, the first run); no personal data. */
  full_reasons: string[];
  /** Print manifests written for the sealed-postcard vendor. */
  manifests: string[];
  /** Municipalities whose payments and notices were not made, and why. */
  skipped: { municipality_code: string; reason: string }[];
  seconds: Record<string, number>;
}

export interface NightlyContext {
  db: Kysely<DB>;
  logger: Logger;
  programs: CompiledProgram[];
  jobs: JobQueue;
  noticesDir: string;
  /** Households per job on the decide and payments queues. */
  chunkHouseholds?: number;
  /** False: create the notices but leave rendering them to a later run. Default true. */
  renderNotices?: boolean;
}

/** Called as a stage's chunks finish: the stage (`decide:2024-12-13`, `payments:…`), done, in all. */
export type NightlyProgress = (stage: string, done: number, total: number) => void;

/**
 * The nightly batch as of `date`: waits until every change received so far is applied, then,
 * per municipality under its batch lock, re-decides the households those changes touched (all
 * with `full`, and on a new month those whose monthly benefits may move with the calendar) on
 * the decide workers, recording decisions only where something changed; then the payment lines
 * and the notices. A run interrupted anywhere is resumed by the next call (same date): it keeps
 * its known_at and its stored plans, and queues only the chunks not done. Running it again for
 * the same date changes nothing.
 */
export async function runNightly(ctx: NightlyContext, date: string, full: boolean, onProgress?: NightlyProgress): Promise<NightlySummary> {
  const seconds: Record<string, number> = {};
  const timed = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      seconds[stage] = Math.round((performance.now() - start) / 10) / 100 + (seconds[stage] ?? 0);
    }
  };
  await assertNoAbandonedImports(ctx.db);
  await timed('changes', () => waitForChanges(ctx, new Date()));
  const summary: NightlySummary = {
    date, full, changes_applied: 0, households_evaluated: 0, decisions_created: 0, payments_created: 0, notices_created: 0,
    review_items: 0, decisions_by_kind: {}, full_reasons: [], manifests: [], skipped: [], seconds,
  };
  for (const m of await municipalityCodes(ctx.db)) {
    const lock = await acquireBatchLock(ctx.db, m);
    try {
      await nightlyFor(ctx, m, date, full, { summary, timed, lock, onProgress });
    } finally {
      await lock.release();
    }
  }
  return summary;
}

async function nightlyFor(
  ctx: NightlyContext,
  m: string,
  date: string,
  full: boolean,
  { summary, timed, lock, onProgress }: { summary: NightlySummary; timed: <T>(stage: string, fn: () => Promise<T>) => Promise<T>; lock: BatchLock; onProgress?: NightlyProgress },
): Promise<void> {
  const { db } = ctx;
  const last = await lastFinishedRun(db, m);
  const run = await startOrResumeRun(db, m, date, full || !last, new Date());
  if (run.attempt > 1) ctx.logger.info({ municipality: m, date, run: run.runId, attempt: run.attempt }, 'resuming an interrupted nightly run');
  const knownAt = run.knownAt;
  const { settings, problem } = await municipalitySettings(db, m);
  summary.changes_applied += await countAppliedChanges(db, m, last?.known_at ?? new Date(0), knownAt);
  const { plans, basis } = await timed('select', async () => {
    const stored = await storedDecidePlans(db, run.runId);
    if (stored) return stored;
    const planned = await decidePlans(ctx, m, date, run.full, knownAt, last, settings?.payment_day);
    return storeDecidePlans(db, run.runId, planned.plans, planned.basis);
  });
  if (basis.fullReasons.length) ctx.logger.info({ municipality: m, date, run: run.runId, full_reasons: basis.fullReasons }, 'deciding every household for these programs');
  for (const reason of basis.fullReasons) if (!summary.full_reasons.includes(reason)) summary.full_reasons.push(reason);
  for (const { program } of ctx.programs) await recordRuleVersion(db, program);
  const stageCtx = { db, jobs: ctx.jobs, onProgress, logger: ctx.logger };
  const createdBefore = summary.decisions_created;
  const chunkSize = ctx.chunkHouseholds ?? DEFAULT_CHUNK;
  await timed('evaluate', async () => {
    // Earlier months first, so each household's chain stays in date order.
    for (const plan of plans) {
      const { asOf, households } = plan;
      lock.assertHeld();
      const deciding = ctx.programs.filter(
        (p) => (asOf === date || p.program.spec.period_kind === 'monthly') && (!plan.programs || plan.programs.includes(p.program.spec.id)),
      );
      // Programs that read other programs' decisions are decided in the first pass only for
      // households whose members lived in the chunk's own households on the read programs' dates.
      // The others (a member then in a household of another chunk) wait for a second pass, once
      // every chunk of the first has written its decisions; so do households not planned whose
      // members' earlier households had a decision of a read program since the last run.
      const readers = deciding.filter((p) => p.program.spec.reads_decisions.length);
      const passes = [
        { stage: decideStage(plan), programs: deciding, deferReaders: readers.length > 0 },
        { stage: `${decideStage(plan)}:readers`, programs: readers, deferReaders: false },
      ];
      let first: Partial<DecideResult> = {};
      for (const [i, { stage, programs, deferReaders }] of passes.entries()) {
        if (programs.length === 0) continue;
        const totals = (await runStage(stageCtx, run, stage, {
          items: async () => {
            if (i === 0) return households;
            // A first pass whose chunks did not all say which households they left (a worker of an
            // earlier version, or a run it began) leaves every planned household to this one.
            const left = first.checked === households.length ? (first.deferred ?? []) : households;
            const planned = new Set(households);
            const others = run.full ? [] : (await readersAffected(db, m, programs, asOf, last?.known_at)).filter((h) => !planned.has(h));
            return [...new Set([...left, ...others])].sort();
          },
          chunkSize,
          job: (list, chunk): Omit<JobRequest<typeof JOB.decideHouseholds>, 'jobId'> => ({
            queue: QUEUE.decide,
            name: JOB.decideHouseholds,
            data: {
              runId: run.runId, stage, chunk, municipalityCode: m, asOf, knownAt: knownAt.toISOString(),
              programs: programs.map((p) => ({ id: p.program.spec.id, ruleVersion: p.program.ruleVersion })), households: list,
              ...(deferReaders && { deferReaders }),
            },
          }),
        })) as unknown as Partial<DecideResult>;
        if (i === 0) first = totals;
        summary.decisions_created += totals.created ?? 0;
        for (const [k, n] of Object.entries(totals.byKind ?? {})) summary.decisions_by_kind[k] = (summary.decisions_by_kind[k] ?? 0) + n;
      }
    }
  });
  // The run date's plans are disjoint: its own, and everyone else for the programs a law change concerns.
  const decidedOnDate = plans.filter((p) => p.asOf === date).reduce((n, p) => n + p.households.length, 0);
  summary.households_evaluated += decidedOnDate;
  lock.assertHeld();
  // A first run writes most of the table at once, faster than autovacuum refreshes its
  // statistics; with stale ones the planner sorts every remaining decision for each page. A
  // night that decided a few households leaves them fresh enough, and skips the 1-2 s it takes.
  const wroteMuch = run.full || basis.fullReasons.length > 0 || summary.decisions_created - createdBefore > ANALYZE_AFTER_DECISIONS;
  if (wroteMuch) {
    await timed('review', async () => {
      await sql`analyze decisions`.execute(db);
      // The time ranges of the pages just written, for the next night's "decided since" reads
      // (migrations/0016_decision_time_ranges.ts).
      await sql`select brin_summarize_new_values('decisions_known_at'), brin_summarize_new_values('decisions_decided_at')`.execute(db);
    });
  }
  const since = last?.known_at ?? new Date(0);
  summary.review_items += await timed('review', () => createDecisionReviewItems(db, m, since));
  if (settings) {
    const programs = ctx.programs.map((p) => p.program);
    const changesSince = run.full ? null : (last?.known_at ?? null);
    const payments = await timed('payments', () => runPayments({ ...ctx, onProgress }, { run, municipalityCode: m, date, settings, programs, changesSince }));
    summary.payments_created += payments.payments_created;
    summary.review_items += payments.review_items;
    lock.assertHeld();
    // The same for the review items and payment lines such a run has just written, which the
    // letters look up per household: on statistics from before them, the planner found a
    // household's open missing-account item by scanning every open one (13.7 s for a chunk of
    // 1,000 letters at 450,000 households, 9 ms after the analyze).
    if (wroteMuch) await timed('notices', () => sql`analyze review_items, payment_lines`.execute(db));
    const notices = await timed('notices', () =>
      runNotices({ ...ctx, onProgress }, run, {
        runId: run.runId, municipalityCode: m, issuedOn: date, since, settings,
        programs: new Map(programs.map((p) => [p.spec.id, p.spec])), paymentDates: payments.paymentDates,
      }),
    );
    summary.notices_created += notices.notices_created;
    if (notices.manifest) summary.manifests.push(notices.manifest);
  } else {
    summary.skipped.push({ municipality_code: m, reason: problem });
    ctx.logger.warn({ municipality: m }, 'payments and notices skipped: settings incomplete');
  }
  await finishRun(db, run.runId, { ...summary, full_reasons: basis.fullReasons });
  ctx.logger.info({ municipality: m, date, households: decidedOnDate }, 'nightly municipality done');
}

/**
 * Besides the planned households, those whose members' earlier households had a decision of a
 * program these read made since the last run (this run's first pass, or staff): the planner's
 * knowledge that a decision of X can change a decision of the programs that read X.
 */
async function readersAffected(db: NightlyContext['db'], m: string, readers: NightlyContext['programs'], asOf: string, since: Date | undefined): Promise<string[]> {
  const found = new Set<string>();
  for (const { program } of readers) {
    const membership = snapshotDates(program, asOf)?.membership;
    if (!membership) continue;
    for (const h of await householdsOfMembersDecidedSince(db, m, program.spec.reads_decisions, since ?? new Date(0), membership)) found.add(h);
  }
  return [...found];
}

/**
 * What a run decides, month by month in date order, the run's own date last: the households to
 * decide as of each date, and the basis of the plan (the programs' rule versions, and why
 * everyone is decided for some programs). Stored with the run before anything is decided, so a
 * resumed run decides exactly what the interrupted one planned.
 */
async function decidePlans(
  ctx: NightlyContext,
  m: string,
  date: string,
  full: boolean,
  knownAt: Date,
  last: Awaited<ReturnType<typeof lastFinishedRun>>,
  paymentDay: number | undefined,
): Promise<{ plans: DecidePlan[]; basis: PlanBasis }> {
  const ruleVersions = Object.fromEntries(ctx.programs.map(({ program }) => [program.spec.id, program.ruleVersion]));
  if (full || !last) {
    const households = await allHouseholds(ctx.db, m);
    const earlier = await earlierMonths(ctx, m, date, knownAt, last, paymentDay, households);
    const plans = [...[...earlier].map(([asOf, list]) => ({ asOf, households: list })), { asOf: date, households }];
    return { plans, basis: { ruleVersions, fullReasons: [last ? 'every program: --full' : 'every program: the first run'] } };
  }
  const households = await changedHouseholdsToDecide(ctx, m, date, knownAt, last);
  const earlier = await earlierMonths(ctx, m, date, knownAt, last, paymentDay, households);
  const plans: DecidePlan[] = [...[...earlier].map(([asOf, list]) => ({ asOf, households: list })), { asOf: date, households }];
  const reasons = await programsToDecideForEveryone(ctx, m, date, last);
  if (reasons.size) {
    const everyone = await allHouseholds(ctx.db, m);
    const deciding = ctx.programs.filter(({ program }) => appliesTo(program, m) && ruleDate(program, date) !== undefined);
    if (deciding.every(({ program }) => reasons.has(program.spec.id))) {
      plans[plans.length - 1] = { asOf: date, households: [...new Set([...everyone, ...households])].sort() };
    } else {
      // The others for these programs only: a municipal program's new parameter must not re-decide everyone's child allowance.
      const planned = new Set(households);
      const rest = everyone.filter((h) => !planned.has(h));
      if (rest.length) plans.push({ asOf: date, households: rest, programs: [...reasons.keys()].sort() });
    }
  }
  return { plans, basis: { ruleVersions, fullReasons: [...reasons.values()].flat() } };
}

/**
 * The programs whose decisions may change for anyone since the last run, with why: a version or
 * a parameter value comes into force or ends between the last run's rule date and this run's
 * (for a monthly program, a change of the month being decided; for a one-off program, its base
 * date reached), or the program folder differs from the one the last run planned with (a
 * correction, a new program). Only programs that decide as of `date` in this municipality.
 */
async function programsToDecideForEveryone(
  { db, programs }: NightlyContext,
  m: string,
  date: string,
  last: NonNullable<Awaited<ReturnType<typeof lastFinishedRun>>>,
): Promise<Map<string, string[]>> {
  const lastVersions = (await planBasis(db, last.id))?.ruleVersions;
  const reasons = new Map<string, string[]>();
  for (const { program } of programs) {
    if (!appliesTo(program, m) || ruleDate(program, date) === undefined) continue;
    const id = program.spec.id;
    const list: string[] = [];
    const was = lastVersions?.[id];
    // A run planned before plans recorded their rule versions: whether the folder changed is unknown.
    if (!lastVersions) list.push(`${id}: the rule versions of the last run (${last.run_date}) are not recorded`);
    else if (!was) list.push(`${id}: a program folder the last run (${last.run_date}) did not have`);
    else if (was !== program.ruleVersion) list.push(`${id}: the program folder changed since the last run (rule_version ${was} → ${program.ruleVersion})`);
    const changes = changesSinceRun(program, last.run_date, date);
    if (changes.length) {
      const more = changes.length > 1 ? ` (and ${changes.length - 1} more change(s) of its versions or parameters up to ${changes.at(-1)!.date})` : '';
      list.push(`${id}: ${changes[0].what}${more}`);
    }
    if (list.length) reasons.set(id, list);
  }
  // A program that reads the decisions of one re-decided for everyone may change for anyone too.
  for (const { program } of inDecisionOrder(programs)) {
    const id = program.spec.id;
    const sources = program.spec.reads_decisions.filter((source) => reasons.has(source));
    if (!sources.length || reasons.has(id) || !appliesTo(program, m) || ruleDate(program, date) === undefined) continue;
    reasons.set(id, [`${id}: reads the decisions of ${sources.join(', ')}, which are decided again for everyone`]);
  }
  return reasons;
}

/** Households whose own data changed since the last run, and on a new month those whose benefits move with the calendar. */
async function changedHouseholdsToDecide(
  { db }: NightlyContext,
  m: string,
  date: string,
  knownAt: Date,
  last: NonNullable<Awaited<ReturnType<typeof lastFinishedRun>>>,
): Promise<string[]> {
  const set = new Set(await changedHouseholds(db, m, last.known_at, knownAt));
  if (last.run_date.slice(0, 7) !== date.slice(0, 7)) {
    // A new month: benefits move with the calendar (a child reaching 3), and events of last month
    // (a birth, a move-in) start their entitlement now.
    const monthly = [...(await householdsWithOpenMonthlyDecisions(db, m)), ...(await householdsChangedEffectiveFrom(db, m, firstOfMonth(last.run_date)))];
    for (const h of monthly) set.add(h);
  }
  return [...set].sort();
}

/**
 * The months before `date`'s month that monthly programs must (re)decide, each with its
 * households. On the first run: the months of the next payment (the December payment covers
 * October and November), for everyone. Later: from the month a retroactive change takes effect,
 * for the households it touched, but never before the first month ever decided.
 */
async function earlierMonths(
  { db, programs }: NightlyContext,
  m: string,
  date: string,
  knownAt: Date,
  last: Awaited<ReturnType<typeof lastFinishedRun>>,
  paymentDay: number | undefined,
  households: string[],
): Promise<Map<string, string[]>> {
  const months = new Map<string, string[]>();
  const monthly = programs.filter(({ program }) => program.spec.period_kind === 'monthly' && appliesTo(program, m));
  const thisMonth = firstOfMonth(date);
  if (!last) {
    for (const { program } of monthly) {
      if (!paymentDay) continue;
      const next = nextPaymentDate(program.spec.payment.schedule, paymentDay, date, new Set());
      const paid = periodOf(monthlySchedule(program.spec.payment.schedule), addMonths(next.month, -1));
      for (let month = paid.start; month < thisMonth; month = addMonths(month, 1)) months.set(month, households);
    }
    return months;
  }
  const changed = await householdsChangedBefore(db, m, last.known_at, knownAt, thisMonth);
  // Most nights nothing takes effect in an earlier month, and the go-live month (which reads
  // every decision of the municipality) is not needed.
  const firstDecided = changed.length ? await firstMonthlyDecision(db, m) : undefined;
  if (!firstDecided) return months;
  for (const { household_id, effective_date } of changed) {
    const from = firstOfMonth(effective_date) > firstDecided ? firstOfMonth(effective_date) : firstDecided;
    for (let month = from; month < thisMonth; month = addMonths(month, 1)) {
      const list = months.get(month);
      if (list) list.push(household_id);
      else months.set(month, [household_id]);
    }
  }
  return new Map([...months].sort(([a], [b]) => a.localeCompare(b)));
}

async function waitForChanges(ctx: NightlyContext, knownAt: Date): Promise<void> {
  const { db } = ctx;
  const deadline = Date.now() + WAIT_FOR_CHANGES_MS;
  let last = Infinity;
  let movedAt = Date.now();
  let rounds = 0;
  for (;;) {
    const pending = await retryWhileUnreachable(
      () => pendingChanges(db, knownAt),
      (error) => ctx.logger.warn({ err: error.message }, 'the database cannot be reached: waiting for it'),
    );
    if (pending === 0) return;
    if (last === Infinity) ctx.logger.info({ pending }, 'waiting for received changes to be applied');
    if (pending < last) {
      last = pending;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > REQUEUE_CHANGES_AFTER_MS) {
      // An import that stopped while we waited (killed, crashed) never queues its rows: say so now.
      await assertNoAbandonedImports(db);
      if (rounds < 3 && ctx.jobs.jobsToRun && (await ctx.jobs.jobsToRun(QUEUE.changes)) === 0) {
        // Changes received, their import finished (so it queued them), yet no job left to apply
        // them: a Redis that lost its data, or jobs that failed every attempt. Applying is idempotent.
        const jobs = await requeueReceivedChanges(ctx, knownAt, ++rounds);
        ctx.logger.warn({ pending, jobs: jobs.length, round: rounds }, 'received changes without a job to apply them: queued again');
        movedAt = Date.now();
      }
    }
    if (Date.now() > deadline) {
      throw new ConflictError('changes_pending', `${pending} received changes are still not applied after ${WAIT_FOR_CHANGES_MS / 60000} minutes: is a 'benefit worker' running?`);
    }
    // A night's changes are often still being applied when it starts: every 100 ms, as the
    // stages poll (a count through the index of received changes).
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Queues again, in chunks, the received changes of finished imports (an import still running queues its own at its end). */
async function requeueReceivedChanges(ctx: NightlyContext, knownAt: Date, round: number): Promise<JobRequest[]> {
  const { rows } = await sql<{ import_id: number }>`
    select distinct c.import_id from changes c join imports i on i.id = c.import_id
    where c.status = 'received' and c.received_at <= ${knownAt} and i.finished_at is not null order by 1`.execute(ctx.db);
  const jobs: JobRequest[] = [];
  for (const { import_id } of rows) {
    for (const r of await pendingRanges(ctx.db, import_id, REQUEUE_CHANGES_CHUNK)) {
      jobs.push({
        queue: QUEUE.changes, name: JOB.applyChanges, data: { municipalityCode: r.municipality_code, fromId: r.from_id, toId: r.to_id },
        jobId: `apply-${r.municipality_code}-${r.from_id}-${r.to_id}-r${round}`,
      });
    }
  }
  await ctx.jobs.enqueue(jobs);
  return jobs;
}
