import type { Kysely } from 'kysely';
import { programsOfBatch } from '../batch/programs-of-batch.ts';
import { runChunkOnce } from '../batch/run-chunk-once.ts';
import type { DB } from '../db/schema.ts';
import type { CompiledProgram } from '../engine/evaluate-household.ts';
import { decideHouseholds, type DecideResult } from './decide.service.ts';

export interface DecideChunkJob {
  runId: number;
  stage: string;
  chunk: number;
  municipalityCode: string;
  asOf: string;
  /** ISO time: the facts as the batch knew them when it started. */
  knownAt: string;
  /** The programs to decide, with the rule version the batch loaded. */
  programs: { id: string; ruleVersion: string }[];
  households: string[];
  /** The first pass of a night: readers only where every read decision is final (decideHouseholds). */
  deferReaders?: boolean;
}

/**
 * The decide worker: decides one chunk of households, once (runChunkOnce), with the batch's
 * rules (programsOfBatch).
 */
export async function decideChunk(db: Kysely<DB>, loaded: CompiledProgram[], job: DecideChunkJob): Promise<DecideResult> {
  const programs = programsOfBatch(loaded, job.programs);
  return runChunkOnce(db, job, (trx) => decideHouseholds(trx, programs, job.municipalityCode, job.households, job.asOf, new Date(job.knownAt), loaded, job.deferReaders));
}
