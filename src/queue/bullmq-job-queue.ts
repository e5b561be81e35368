import { FlowProducer, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { UnusableInputError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { JobHandlers, JobQueue } from './job-queue.ts';
import { QUEUE, type JobName, type JobRequest, type QueueName } from './queue-names.ts';

const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** How long a producer waits for Redis to answer one call (ioredis itself waits for ever for a connection). */
const REDIS_ANSWER_MS = 30_000;

/** Redis did not answer in time: down, restarting, or unreachable. */
export class RedisUnansweredError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** `call`, or a RedisUnansweredError once Redis has not answered for `ms`. */
async function answered<T>(call: Promise<T>, what: string, ms = REDIS_ANSWER_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnansweredError(`Redis did not answer within ${ms / 1000} s (${what})`)), ms);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface BullOptions {
  redisUrl: string;
  prefix: string;
}

/** Producer side: adds jobs in bulk to the named queues. */
export class BullJobQueue implements JobQueue {
  readonly kind = 'bullmq';
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private flows?: FlowProducer;

  constructor(private readonly options: BullOptions, private readonly logger: Logger) {
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.options.prefix, defaultJobOptions: JOB_OPTIONS });
      // The command that meets a Redis error rejects with it; unheard, the event would end the process.
      q.on('error', (error) => this.logger.warn({ queue: name, err: error.message }, 'queue connection error'));
      this.queues.set(name, q);
    }
    return q;
  }

  async enqueue(jobs: JobRequest[]): Promise<void> {
    const byQueue = new Map<QueueName, JobRequest[]>();
    for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
    for (const [name, list] of byQueue) {
      await answered(this.queue(name).addBulk(list.map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.jobId } }))), `queuing ${list.length} ${name} jobs`);
    }
  }

  async enqueueFlow(parent: JobRequest, children: JobRequest[]): Promise<void> {
    if (!this.flows) {
      this.flows = new FlowProducer({ connection: this.connection, prefix: this.options.prefix });
      this.flows.on('error', (error) => this.logger.warn({ err: error.message }, 'flow producer connection error'));
    }
    const node = (j: JobRequest) => ({ name: j.name, queueName: j.queue, data: j.data, opts: { ...JOB_OPTIONS, jobId: j.jobId } });
    await answered(this.flows.add({ ...node(parent), children: children.map(node) }), `queuing ${parent.jobId}`);
  }

  async whyStuck(jobs: JobRequest[]): Promise<string | undefined> {
    for (const j of jobs) {
      const state = await answered(this.queue(j.queue).getJobState(j.jobId), `the state of ${j.jobId}`);
      if (state === 'unknown') return `job ${j.jobId} is gone from Redis`;
      if (state === 'failed') {
        const job = await answered(this.queue(j.queue).getJob(j.jobId), `job ${j.jobId}`);
        return `job ${j.jobId} failed after ${job?.attemptsMade ?? '?'} attempt(s): ${job?.failedReason ?? 'no reason recorded'}`;
      }
    }
    return undefined;
  }

  async jobsToRun(queue: QueueName): Promise<number> {
    return answered(this.queue(queue).getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'), `the jobs of ${queue}`);
  }

  async close(): Promise<void> {
    // With Redis away, closing would wait for it for ever: the command has said what it had to.
    await answered(Promise.all([this.flows?.close(), ...[...this.queues.values()].map((q) => q.close())]), 'closing the queues', 5000).catch(() => {});
    this.connection.disconnect();
  }
}

/**
 * Consumer side: one BullMQ worker per queue, calling the same handlers as the in-process
 * runner. Bad input that no retry can fix fails the job at once.
 */
export function startWorkers(
  options: BullOptions & { concurrency?: number; lockSeconds?: number },
  handlers: JobHandlers,
  logger: Logger,
): { close(): Promise<void> } {
  const workers = (Object.values(QUEUE) as QueueName[]).map((name) => {
    // Workers block on Redis; they must never give up on a slow command.
    const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(
      name,
      async (job) => {
        const start = performance.now();
        try {
          const result = await handlers[name]({ name: job.name as JobName, data: job.data });
          // Where a night's time goes, job by job (LOG_LEVEL=debug); ids name the run, stage and chunk.
          logger.debug({ queue: name, jobId: job.id, ms: Math.round(performance.now() - start) }, 'job done');
          return result;
        } catch (error) {
          if (error instanceof UnusableInputError) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency ?? 1,
        // A dead worker's job is found stalled at the next check after its lock expired.
        ...(options.lockSeconds && { lockDuration: options.lockSeconds * 1000, stalledInterval: options.lockSeconds * 1000 }),
      },
    );
    worker.on('failed', (job, error) => {
      // An attempt that BullMQ retries (PostgreSQL restarting, say) is a warning; the last one an error.
      const retried = job !== undefined && job.attemptsMade < (job.opts.attempts ?? 1) && !(error instanceof UnrecoverableError);
      if (retried) logger.warn({ queue: name, jobId: job.id, attempt: job.attemptsMade, err: error.message }, 'job attempt failed: it will be retried');
      else logger.error({ queue: name, jobId: job?.id, err: error.message }, 'job failed');
    });
    worker.on('error', (error) => logger.error({ queue: name, err: error.message }, 'worker error'));
    return { worker, connection };
  });
  return {
    async close() {
      await Promise.all(workers.map((w) => w.worker.close()));
      for (const w of workers) w.connection.disconnect();
    },
  };
}
