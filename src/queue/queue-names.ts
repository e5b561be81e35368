/** Every queue and job name, in one place (DESIGN.md, Queues). */
export const QUEUE = {
  /** Accepted input rows waiting to be applied to the store. */
  changes: 'changes',
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export const JOB = {
  applyChanges: 'apply-changes',
} as const;

export interface ApplyChangesJob {
  municipalityCode: string;
  /** Inclusive range of `changes.id`; rows outside the municipality or already applied are skipped. */
  fromId: number;
  toId: number;
}

export interface JobData {
  [JOB.applyChanges]: ApplyChangesJob;
}

export type JobName = keyof JobData;

export interface JobRequest<N extends JobName = JobName> {
  queue: QueueName;
  name: N;
  data: JobData[N];
  /** De-duplicates: a job with an id still in the queue is not added twice. */
  jobId: string;
}
