import { createPaymentsChunk, type CreatePaymentsJob } from '../src/payments/create-payments.service.ts';
import type { JobHandler } from '../src/queue/job-queue.ts';
import type { WorkerDeps } from './worker-deps.ts';

/** The payments worker: brings one chunk of households' payment lines in line with their decisions. */
export const paymentsWorker = (deps: WorkerDeps): JobHandler => (job) => createPaymentsChunk(deps.db, job.data as CreatePaymentsJob);
