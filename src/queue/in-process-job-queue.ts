import type { JobHandlers, JobQueue } from './job-queue.ts';
import type { JobRequest } from './queue-names.ts';

/**
 * Runs each job at once, in order, with the same handlers the BullMQ workers use: the
 * embedded default for a machine with no Redis. Duplicate job ids in one call run once.
 */
export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process';

  constructor(private readonly handlers: JobHandlers) {}

  async enqueue(jobs: JobRequest[]): Promise<void> {
    const seen = new Set<string>();
    for (const job of jobs) {
      if (seen.has(job.jobId)) continue;
      seen.add(job.jobId);
      await this.handlers[job.queue]({ name: job.name, data: job.data });
    }
  }

  async enqueueFlow(parent: JobRequest, children: JobRequest[]): Promise<void> {
    await this.enqueue(children);
    await this.enqueue([parent]);
  }

  async close(): Promise<void> {}
}
