import { decideChunk, type DecideChunkJob } from '../src/decisions/decide-chunk.service.ts';
import type { JobHandler } from '../src/queue/job-queue.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The decide worker: decides one chunk of households as of a date. */
export const decideWorker = (deps: WorkerDeps): JobHandler => (job) => decideChunk(deps.db, deps.programs, job.data as DecideChunkJob);
