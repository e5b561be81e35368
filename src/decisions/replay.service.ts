import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { compileProgram, evaluateHousehold, ENGINE_VERSIONS } from '../engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../engine/household-snapshot.ts';
import { NotFoundError, UnusableInputError } from '../errors.ts';
import { programFromFiles } from '../rules/program-loader.ts';
import { findDecision, ruleVersionFiles } from './decision.repository.ts';

export interface ReplayResult {
  decision_id: string;
  reproduces: boolean;
  differences: string[];
}

/**
 * Re-evaluates a stored decision from what it recorded: its inputs (the household snapshot),
 * its rule version's exact files, its as-of date and the engine version that made it (an older
 * engine's rules are kept for this). It reproduces when outcome, amount, recipient,
 * explanation and explanation text come out identical.
 */
export async function replayDecision(db: Kysely<DB>, decisionId: string): Promise<ReplayResult> {
  const decision = await findDecision(db, decisionId);
  if (!decision) throw new NotFoundError('decision_not_found', `no decision ${decisionId}`);
  if (decision.decided_by !== null) {
    throw new UnusableInputError('staff_decision', `${decisionId} was decided by staff (see its review actions); replay the engine's decision it replaced`);
  }
  const files = await ruleVersionFiles(db, decision.program, decision.rule_version);
  if (!files) throw new NotFoundError('rule_version_missing', `rule version ${decision.rule_version} of ${decision.program} is not recorded`);
  if (!ENGINE_VERSIONS.includes(decision.engine_version)) {
    throw new NotFoundError('engine_version_missing', `${decisionId} was made by engine ${decision.engine_version}, which this release cannot run (it runs ${ENGINE_VERSIONS.join(', ')})`);
  }
  const program = programFromFiles(decision.program, files);
  const evaluation = evaluateHousehold(compileProgram(program), decision.inputs as unknown as HouseholdSnapshot, decision.as_of, decision.engine_version, decision.subject_person_id || undefined);
  const differences: string[] = [];
  if (!evaluation) differences.push('the program is not in force for this household on the recorded date');
  else {
    const compare: [string, unknown, unknown][] = [
      ['outcome', decision.outcome, evaluation.outcome],
      ['amount_yen', decision.amount_yen, evaluation.amount_yen],
      ['recipient_person_id', decision.recipient_person_id, evaluation.recipient_person_id],
      ['effective_from', decision.effective_from, evaluation.evaluation_date],
      ['explanation', decision.explanation, JSON.parse(JSON.stringify(evaluation.explanation))],
      ['explanation_text', decision.explanation_text, evaluation.explanation_text],
    ];
    for (const [field, recorded, now] of compare) {
      if (!isDeepStrictEqual(recorded, now)) differences.push(`${field}: recorded ${JSON.stringify(recorded).slice(0, 200)}, replayed ${JSON.stringify(now).slice(0, 200)}`);
    }
  }
  return { decision_id: decisionId, reproduces: differences.length === 0, differences };
}
