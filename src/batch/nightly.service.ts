import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { decideHouseholds } from '../decisions/decide.service.ts';
import { firstOfMonth } from '../engine/calendar.ts';
import type { CompiledProgram } from '../engine/evaluate-household.ts';
import { ConflictError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import {
  allHouseholds,
  changedHouseholds,
  countAppliedChanges,
  finishRun,
  householdsChangedEffectiveFrom,
  householdsWithOpenMonthlyDecisions,
  lastFinishedRun,
  municipalityCodes,
  pendingChanges,
  startRun,
} from './batch.repository.ts';

const CHUNK = 1000;
const WAIT_FOR_CHANGES_MS = 10 * 60_000;

export interface NightlySummary {
  date: string;
  full: boolean;
  changes_applied: number;
  households_evaluated: number;
  decisions_created: number;
  payments_created: number;
  notices_created: number;
  review_items: number;
  decisions_by_kind: Record<string, number>;
  seconds: Record<string, number>;
}

export interface NightlyContext {
  db: Kysely<DB>;
  logger: Logger;
  programs: CompiledProgram[];
}

/**
 * The nightly batch as of `date`: waits until every change received so far is applied, then
 * re-decides the households those changes touched (all with `full`, and on a new month those
 * whose monthly benefits may move with the calendar), recording decisions only where something
 * changed. Running it again for the same date changes nothing.
 */
export async function runNightly(ctx: NightlyContext, date: string, full: boolean, onProgress?: (done: number, total: number) => void): Promise<NightlySummary> {
  const seconds: Record<string, number> = {};
  const timed = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      seconds[stage] = Math.round((performance.now() - start) / 10) / 100 + (seconds[stage] ?? 0);
    }
  };
  const knownAt = new Date();
  await timed('changes', () => waitForChanges(ctx.db, knownAt));
  const summary: NightlySummary = {
    date, full, changes_applied: 0, households_evaluated: 0, decisions_created: 0, payments_created: 0, notices_created: 0,
    review_items: 0, decisions_by_kind: {}, seconds,
  };
  for (const m of await municipalityCodes(ctx.db)) {
    const last = await lastFinishedRun(ctx.db, m);
    const households = await timed('select', () => householdsToDecide(ctx, m, date, full, knownAt, last));
    summary.changes_applied += await countAppliedChanges(ctx.db, m, last?.known_at ?? new Date(0), knownAt);
    const runId = await startRun(ctx.db, m, date, full || !last, knownAt);
    await timed('evaluate', async () => {
      for (let i = 0; i < households.length; i += CHUNK) {
        const r = await decideHouseholds(ctx.db, ctx.programs, m, households.slice(i, i + CHUNK), date, knownAt);
        summary.decisions_created += r.created;
        summary.review_items += r.review;
        for (const [k, n] of Object.entries(r.byKind)) summary.decisions_by_kind[k] = (summary.decisions_by_kind[k] ?? 0) + n;
        onProgress?.(Math.min(i + CHUNK, households.length), households.length);
      }
    });
    summary.households_evaluated += households.length;
    await finishRun(ctx.db, runId, { ...summary });
    ctx.logger.info({ municipality: m, date, households: households.length }, 'nightly municipality done');
  }
  return summary;
}

async function householdsToDecide(
  { db, programs }: NightlyContext,
  m: string,
  date: string,
  full: boolean,
  knownAt: Date,
  last: Awaited<ReturnType<typeof lastFinishedRun>>,
): Promise<string[]> {
  // A one-off program whose base date passed since the last run is decided for everyone once.
  if (full || !last) return allHouseholds(db, m);
  const baseDatePassed = programs.some(({ program: { spec } }) => spec.period_kind === 'once' && spec.base_date! > last.run_date && spec.base_date! <= date);
  if (baseDatePassed) return allHouseholds(db, m);
  const set = new Set(await changedHouseholds(db, m, last.known_at, knownAt));
  if (last.run_date.slice(0, 7) !== date.slice(0, 7)) {
    // A new month: benefits move with the calendar (a child reaching 3), and events of last month
    // (a birth, a move-in) start their entitlement now.
    const monthly = [...(await householdsWithOpenMonthlyDecisions(db, m)), ...(await householdsChangedEffectiveFrom(db, m, firstOfMonth(last.run_date)))];
    for (const h of monthly) set.add(h);
  }
  return [...set].sort();
}

async function waitForChanges(db: Kysely<DB>, knownAt: Date): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_CHANGES_MS;
  for (;;) {
    const pending = await pendingChanges(db, knownAt);
    if (pending === 0) return;
    if (Date.now() > deadline) {
      throw new ConflictError('changes_pending', `${pending} received changes are still not applied after ${WAIT_FOR_CHANGES_MS / 60000} minutes: is a 'benefit worker' running?`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
