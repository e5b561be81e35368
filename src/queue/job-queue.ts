import type { JobData, JobName, JobRequest, QueueName } from './queue-names.ts';

/** What a job handler is given: its name and data, whichever runner delivers it. */
export interface Job<N extends JobName = JobName> {
  name: N;
  data: JobData[N];
}

export type JobHandler = (job: Job) => Promise<unknown>;
export type JobHandlers = Record<QueueName, JobHandler>;

/**
 * Where services put work. BullMQ with Redis (REDIS_URL) or in this process without; nothing
 * above this interface knows which.
 */
export interface JobQueue {
  readonly kind: 'bullmq' | 'in-process';
  enqueue(jobs: JobRequest[]): Promise<void>;
  /** Queues `children`, and `parent` to run once every child has completed (a BullMQ flow). */
  enqueueFlow(parent: JobRequest, children: JobRequest[]): Promise<void>;
  /**
   * Why these queued jobs would never complete, or undefined while they may: one is gone (a
   * Redis restarted without its data) or failed for good. Only where jobs run elsewhere; jobs
   * run in process have completed when enqueue returns.
   */
  whyStuck?(jobs: JobRequest[]): Promise<string | undefined>;
  /** Jobs of the queue that are still to run (waiting, delayed, running); only where jobs run elsewhere. */
  jobsToRun?(queue: QueueName): Promise<number>;
  close(): Promise<void>;
}
