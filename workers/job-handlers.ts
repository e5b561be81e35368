import type { JobHandlers } from '../src/queue/job-queue.ts';
import { changesWorker } from './changes.worker.ts';
import { decideWorker } from './decide.worker.ts';
import { noticesWorker } from './notices.worker.ts';
import { paymentsWorker } from './payments.worker.ts';
import { simulateWorker } from './simulate.worker.ts';
import { stagesWorker } from './stages.worker.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** One handler per queue; BullMQ workers and the in-process runner both use these. */
export function jobHandlers(deps: WorkerDeps): JobHandlers {
  return {
    changes: changesWorker(deps),
    decide: decideWorker(deps),
    payments: paymentsWorker(deps),
    notices: noticesWorker(deps),
    stages: stagesWorker(deps),
    simulate: simulateWorker(deps),
  };
}
