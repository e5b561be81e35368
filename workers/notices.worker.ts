import { createNoticesChunk, type CreateNoticesJob } from '../src/notices/create-notices-chunk.service.ts';
import { renderNotices, type RenderNoticesJob } from '../src/notices/render-notices.service.ts';
import type { JobHandler } from '../src/queue/job-queue.ts';
import { JOB } from '../src/queue/queue-names.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The notices worker: writes the letters of a chunk of a run's decisions, and renders pending notices to PDF files. */
export const noticesWorker = (deps: WorkerDeps): JobHandler => (job) =>
  job.name === JOB.createNotices
    ? createNoticesChunk(deps.db, deps.programs, job.data as CreateNoticesJob)
    : renderNotices(deps.db, deps.noticesDir, job.data as RenderNoticesJob);
