import type { Kysely } from 'kysely';
import { programsOfBatch } from '../batch/programs-of-batch.ts';
import { runChunkOnce } from '../batch/run-chunk-once.ts';
import type { DB } from '../db/schema.ts';
import type { CompiledProgram } from '../engine/evaluate-household.ts';
import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { createDecisionNotices } from './create-notices.service.ts';

export interface CreateNoticesJob {
  runId: number;
  stage: string;
  chunk: number;
  municipalityCode: string;
  issuedOn: string;
  /** ISO time: decisions known after it are notified (the previous finished run's knowledge time). */
  since: string;
  /** The municipality's settings as the run read them. */
  settings: MunicipalitySettings;
  /** The payment date of each program's next payment, by program id. */
  paymentDates: Record<string, string>;
  /** The programs in force, with the rule version the batch loaded. */
  programs: { id: string; ruleVersion: string }[];
  /** Decision ids grouped by household and program (decisionGroups): one letter per group. */
  groups: number[][];
}

/**
 * The notices worker's part of a nightly run: the letters of one chunk of decision groups,
 * created once (runChunkOnce: the letters and the chunk's mark commit together), with the
 * batch's rules (programsOfBatch).
 */
export async function createNoticesChunk(db: Kysely<DB>, loaded: CompiledProgram[], job: CreateNoticesJob): Promise<{ notices_created: number }> {
  const programs = programsOfBatch(loaded, job.programs);
  const input = {
    runId: job.runId, municipalityCode: job.municipalityCode, issuedOn: job.issuedOn, since: new Date(job.since), settings: job.settings,
    programs: new Map(programs.map((p) => [p.program.spec.id, p.program.spec])), paymentDates: new Map(Object.entries(job.paymentDates)),
  };
  return runChunkOnce(db, job, async (trx) => ({ notices_created: await createDecisionNotices(trx, input, job.groups) }));
}
