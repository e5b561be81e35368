import type { FinishStageJob } from '../batch/batch-stage.service.ts';
import type { DecideChunkJob } from '../decisions/decide-chunk.service.ts';
import type { CreateNoticesJob } from '../notices/create-notices-chunk.service.ts';
import type { RenderNoticesJob } from '../notices/render-notices.service.ts';
import type { CreatePaymentsJob } from '../payments/create-payments.service.ts';

/** Every queue and job name, in one place (DESIGN.md, Queues). */
export const QUEUE = {
  /** Accepted input rows waiting to be applied to the store. */
  changes: 'changes',
  /** Chunks of households to decide as of a date. */
  decide: 'decide',
  /** Chunks of households whose payment lines to bring in line with their decisions. */
  payments: 'payments',
  /** Chunks of a run's decisions to write letters for, and notices to render to PDF. */
  notices: 'notices',
  /** The parent of each batch stage's flow: runs once all its chunks are done. */
  stages: 'stages',
  /** Simulations of draft rules started from the pages. */
  simulate: 'simulate',
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export const JOB = {
  applyChanges: 'apply-changes',
  decideHouseholds: 'decide-households',
  finishStage: 'finish-stage',
  createPayments: 'create-payments',
  createNotices: 'create-notices',
  renderNotices: 'render-notices',
  simulate: 'simulate',
} as const;

export interface ApplyChangesJob {
  municipalityCode: string;
  /** Inclusive range of `changes.id`; rows outside the municipality or already applied are skipped. */
  fromId: number;
  toId: number;
}

export interface JobData {
  [JOB.applyChanges]: ApplyChangesJob;
  [JOB.decideHouseholds]: DecideChunkJob;
  [JOB.finishStage]: FinishStageJob;
  [JOB.createPayments]: CreatePaymentsJob;
  [JOB.createNotices]: CreateNoticesJob;
  [JOB.renderNotices]: RenderNoticesJob;
  [JOB.simulate]: { simulationId: number };
}

export type JobName = keyof JobData;

export interface JobRequest<N extends JobName = JobName> {
  queue: QueueName;
  name: N;
  data: JobData[N];
  /** De-duplicates: a job with an id still in the queue is not added twice. */
  jobId: string;
}
