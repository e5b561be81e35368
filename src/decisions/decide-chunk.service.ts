import type { Kysely } from 'kysely';
import { runChunkOnce } from '../batch/run-chunk-once.ts';
import type { DB } from '../db/schema.ts';
import type { CompiledProgram } from '../engine/evaluate-household.ts';
import { UnusableInputError } from '../errors.ts';
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
}

/**
 * The decide worker: decides one chunk of households, once (runChunkOnce). A worker whose rules
 * differ from the batch's refuses the job rather than decide with other rules than the batch
 * recorded: workers must be restarted when the rules folder changes.
 */
export async function decideChunk(db: Kysely<DB>, loaded: CompiledProgram[], job: DecideChunkJob): Promise<DecideResult> {
  const programs = job.programs.map(({ id, ruleVersion }) => {
    const compiled = loaded.find((p) => p.program.spec.id === id);
    if (compiled?.program.ruleVersion !== ruleVersion) {
      throw new UnusableInputError(
        'rules_differ',
        `this worker has ${compiled ? `rule version ${compiled.program.ruleVersion}` : 'no rules'} for ${id}, the batch uses ${ruleVersion}: restart the workers with the batch's rules folder`,
      );
    }
    return compiled;
  });
  return runChunkOnce(db, job, (trx) => decideHouseholds(trx, programs, job.municipalityCode, job.households, job.asOf, new Date(job.knownAt), loaded));
}
