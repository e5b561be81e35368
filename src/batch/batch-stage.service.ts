import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { JOB, QUEUE, type JobRequest } from '../queue/queue-names.ts';
import { ConflictError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { retryWhileUnreachable } from './server-errors.ts';
import { waitFor } from './wait-for.ts';

/** A run of the nightly batch: its id, and which start of it this is (1, or more when resumed). */
export interface RunRef {
  runId: number;
  attempt: number;
}

export interface StageContext {
  db: Kysely<DB>;
  jobs: JobQueue;
  /** Called as chunks finish: the stage, chunks done, chunks in all. */
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Where a stage says that it waits for a server or queues lost jobs again. */
  logger?: Logger;
}

export interface FinishStageJob {
  runId: number;
  stage: string;
  chunks: number;
}

/** Counts summed over a stage's chunks (nested objects of counts key by key; lists joined). */
export type Totals = { [key: string]: number | string[] | Totals };

export interface StageSpec<I> {
  /** The stage's items; asked for only on its first start, then read back from batch_plans. */
  items: () => Promise<I[]>;
  chunkSize: number;
  /** The job for one chunk of items. */
  job: (items: I[], chunk: number) => Omit<JobRequest, 'jobId'>;
}

/**
 * One stage of a batch run (deciding a month, creating one program's payments) as a BullMQ flow:
 * one child job per chunk of items, and a parent that records the stage done once every child
 * has completed. The items are stored before any job is queued, so a resumed run splits them
 * into the same chunks and queues only those not done yet; a stage already done is not queued
 * again. Returns the chunks' totals.
 */
export async function runStage<I>(ctx: StageContext, run: RunRef, stage: string, spec: StageSpec<I>): Promise<Totals> {
  const { db } = ctx;
  const finished = await stageResult(db, run.runId, stage);
  if (finished) return finished;
  const start = performance.now();
  const items = await plannedItems(db, run.runId, stage, spec.items);
  const planned = performance.now();
  const size = await plannedChunkSize(db, run.runId, stage, chunkSizeFor(items.length, spec.chunkSize), spec.chunkSize);
  const chunks = Math.ceil(items.length / size);
  // Job ids carry the attempt: jobs an earlier attempt left in the queue must not stand in for
  // this attempt's flow, whose parent waits for its own children only. A flow queued again in
  // this attempt (its jobs lost or failed) carries its round too.
  const base = `${run.runId}-a${run.attempt}-${stage}`.replaceAll(':', '_');
  let round = 0;
  let flow: QueuedFlow;
  const queueFlow = async () => {
    const done = new Set(await doneChunks(db, run.runId, stage));
    const id = round ? `${base}-r${round}` : base;
    const children = new Map<number, JobRequest>();
    for (let chunk = 0; chunk < chunks; chunk++) {
      if (done.has(chunk)) continue;
      children.set(chunk, { ...spec.job(items.slice(chunk * size, (chunk + 1) * size), chunk), jobId: `${id}-${chunk}` } as JobRequest);
    }
    const parent: JobRequest<typeof JOB.finishStage> = { queue: QUEUE.stages, name: JOB.finishStage, data: { runId: run.runId, stage, chunks }, jobId: `stage-${id}` };
    flow = { parent, children };
    // A Redis restarting: the same ids again add nothing twice.
    await retryWhileUnreachable(
      () => ctx.jobs.enqueueFlow(parent, [...children.values()]),
      (error) => ctx.logger?.warn({ stage, err: error.message }, 'cannot queue the stage yet: retrying'),
    );
  };
  await queueFlow();
  await waitFor(
    async () => {
      if (await stageResult(db, run.runId, stage)) return 0;
      const n = (await doneChunks(db, run.runId, stage)).length;
      ctx.onProgress?.(stage, n, chunks);
      // The parent is one more piece of work after the last chunk.
      return chunks - n + 1;
    },
    `chunks of ${stage}`,
    {
      check: () => requeueIfStuck(ctx, run, stage, flow, async () => {
        round++;
        await queueFlow();
      }, round),
      onUnreachable: (error) => ctx.logger?.warn({ stage, err: error.message }, 'the database cannot be reached: waiting for it'),
      // A poll is two lookups by key, and a stage of one chunk (most stages of a night with few
      // changes) ends a fraction of a second after it starts: a 500 ms pause would be most of it.
      maxDelayMs: 100,
    },
  );
  ctx.onProgress?.(stage, chunks, chunks);
  ctx.logger?.debug({ stage, chunks, plan_ms: Math.round(planned - start), ms: Math.round(performance.now() - start) }, 'stage done');
  return (await stageResult(db, run.runId, stage))!;
}

/** A stage of fewer items than this many full chunks is cut into this many smaller ones. */
export const MIN_CHUNKS = 8;
/**
 * ...but none smaller than this: a chunk's own statements (two or three per program) would cost
 * a tenth of its work and more. A stage of at most this many items stays one chunk.
 */
export const MIN_CHUNK_ITEMS = 500;

/**
 * The items a chunk of a stage takes: `max`, or fewer in a small stage, so that its chunks are
 * shared among every worker's job slots. With 2 workers of 2 jobs, a night of 9,893 households
 * in chunks of 2,000 ran four chunks at once and then the fifth alone; in eight of 1,237 it
 * decided in 3.4–3.5 s instead of 4.1–4.5 s (docs/performance.md).
 */
export function chunkSizeFor(items: number, max: number): number {
  return Math.min(max, Math.max(MIN_CHUNK_ITEMS, Math.ceil(items / MIN_CHUNKS)));
}

/** A stage's flow as queued: its parent, and its children by chunk. */
interface QueuedFlow {
  parent: JobRequest;
  children: Map<number, JobRequest>;
}

/** Rounds of re-queuing a stage's lost or failed jobs before the run stops and says why. */
const MAX_ROUNDS = 3;

/**
 * When nothing has moved for a while: are the flow's parent and its children whose chunks are
 * not done still queued? A Redis restarted without its data has lost them, and a chunk that
 * failed every attempt (PostgreSQL away for longer than the retries last) leaves its parent
 * waiting for ever. Then the chunks not done are queued again as a new flow: a chunk runs once
 * whatever is delivered twice. A Redis that cannot be reached is waited for (UNREACHABLE_MS).
 */
async function requeueIfStuck(ctx: StageContext, run: RunRef, stage: string, flow: QueuedFlow, requeue: () => Promise<void>, round: number): Promise<void> {
  if (!ctx.jobs.whyStuck) return;
  const done = new Set(await doneChunks(ctx.db, run.runId, stage));
  // Only the chunks not done: a done chunk's job may be gone already (removeOnComplete).
  const pending = [...flow.children].filter(([chunk]) => !done.has(chunk)).map(([, job]) => job);
  const why = await retryWhileUnreachable(
    () => ctx.jobs.whyStuck!([flow.parent, ...pending]),
    (error) => ctx.logger?.warn({ stage, err: error.message }, 'Redis cannot be reached: waiting for it'),
  );
  if (!why) return;
  if (round >= MAX_ROUNDS) {
    throw new ConflictError(
      'stage_stuck',
      `stage ${stage} of run ${run.runId} cannot finish: ${why} (its jobs were queued again ${round} times). ` +
        `The 'benefit worker' logs say why jobs failed; once that is fixed, run the same command again: it resumes the run`,
    );
  }
  ctx.logger?.warn({ stage, run: run.runId, why, chunks_left: pending.length }, 'queuing the chunks not done again');
  await requeue();
}

/** The flow's parent: sums the chunks' results and marks the stage done. */
export async function finishStage(db: Kysely<DB>, job: FinishStageJob): Promise<Totals> {
  const rows = await db.selectFrom('batch_chunks').select('result').where('run_id', '=', job.runId).where('stage', '=', job.stage).execute();
  if (rows.length < job.chunks) {
    throw new Error(`stage ${job.stage} of run ${job.runId}: ${rows.length} of ${job.chunks} chunks done`);
  }
  const totals = rows.reduce<Totals>((sum, r) => addTotals(sum, r.result as Totals), {});
  await db
    .insertInto('batch_stages')
    .values({ run_id: job.runId, stage: job.stage, result: JSON.stringify(totals) })
    .onConflict((c) => c.doNothing())
    .execute();
  return totals;
}

export function addTotals(a: Totals, b: Totals): Totals {
  const sum: Totals = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = sum[k];
    sum[k] =
      typeof v === 'number'
        ? ((prev as number | undefined) ?? 0) + v
        : Array.isArray(v)
          ? [...((prev as string[] | undefined) ?? []), ...v]
          : addTotals((prev as Totals | undefined) ?? {}, v);
  }
  return sum;
}

async function stageResult(db: Kysely<DB>, runId: number, stage: string): Promise<Totals | undefined> {
  const row = await db.selectFrom('batch_stages').select('result').where('run_id', '=', runId).where('stage', '=', stage).executeTakeFirst();
  return row?.result as Totals | undefined;
}

async function doneChunks(db: Kysely<DB>, runId: number, stage: string): Promise<number[]> {
  const rows = await db.selectFrom('batch_chunks').select('chunk').where('run_id', '=', runId).where('stage', '=', stage).execute();
  return rows.map((r) => r.chunk);
}

/**
 * The chunk size of a stage's plan: `size` on its first start, kept with its items, so a resumed
 * run cuts the same chunks and queues again exactly those not done, whatever its settings. A plan
 * an earlier version stored without a size, with chunks already done, was cut in `configured`.
 */
export async function plannedChunkSize(db: Kysely<DB>, runId: number, stage: string, size: number, configured: number): Promise<number> {
  const { rows } = await sql<{ chunk_size: number }>`
    update batch_plans set chunk_size = coalesce(chunk_size,
      case when exists (select from batch_chunks where run_id = ${runId} and stage = ${stage}) then ${configured}::integer else ${size}::integer end)
    where run_id = ${runId} and stage = ${stage}
    returning chunk_size`.execute(db);
  return rows[0].chunk_size;
}

/**
 * A stage's items, computed and stored on its first start (`items`), read back after: runStage
 * calls it, and a caller may call it first, to plan several stages before any of them writes.
 */
export async function plannedItems<I>(db: Kysely<DB>, runId: number, stage: string, items: () => Promise<I[]>): Promise<I[]> {
  const planned = await db.selectFrom('batch_plans').select('items').where('run_id', '=', runId).where('stage', '=', stage).executeTakeFirst();
  if (planned) return planned.items as I[];
  const fresh = await items();
  await sql`insert into batch_plans (run_id, stage, items) values (${runId}, ${stage}, ${JSON.stringify(fresh)}::jsonb)`.execute(db);
  return fresh;
}
