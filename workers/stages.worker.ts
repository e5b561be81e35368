import { finishStage, type FinishStageJob } from '../src/batch/batch-stage.service.ts';
import type { JobHandler } from '../src/queue/job-queue.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The parent of a batch stage's flow: marks the stage done once all its chunks are. */
export const stagesWorker = (deps: WorkerDeps): JobHandler => (job) => finishStage(deps.db, job.data as FinishStageJob);
