import { applyChanges } from '../src/changes/apply-changes.service.ts';
import type { JobHandler } from '../src/queue/job-queue.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The ingest worker: applies a chunk of received changes to the store. */
export const changesWorker = (deps: WorkerDeps): JobHandler => (job) =>
  applyChanges(deps.db, job.data as Parameters<typeof applyChanges>[1]);
