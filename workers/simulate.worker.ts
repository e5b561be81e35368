import type { JobHandler } from '../src/queue/job-queue.ts';
import { runSimulation } from '../src/simulation/simulation-run.service.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The simulate worker: runs a simulation a supervisor asked for and writes its report. */
export const simulateWorker = (deps: WorkerDeps): JobHandler => (job) => runSimulation(deps, (job.data as { simulationId: number }).simulationId);
