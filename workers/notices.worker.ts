import { renderNotices, type RenderNoticesJob } from '../src/notices/render-notices.service.ts';
import type { JobHandler } from '../src/queue/job-queue.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The notices worker: renders pending notices to PDF files. */
export const noticesWorker = (deps: WorkerDeps): JobHandler => (job) => renderNotices(deps.db, deps.noticesDir, job.data as RenderNoticesJob);
