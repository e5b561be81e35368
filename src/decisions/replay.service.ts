import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { compileProgram, evaluateHousehold, ENGINE_VERSIONS } from '../engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../engine/household-snapshot.ts';
import { NotFoundError, UnusableInputError } from '../errors.ts';
import type { Program } from '../rules/program-loader.ts';
import { readHouseholdHistories } from '../residents/household-snapshot.repository.ts';
import { findDecision, type DecisionRow } from './decision.repository.ts';
import { snapshotDates, withPriorDecisions } from './decide.service.ts';
import { inputsHash, recordedProgram } from './stored-explanation.ts';

export interface ReplayResult {
  decision_id: string;
  reproduces: boolean;
  differences: string[];
}

/**
 * Re-evaluates a stored decision from what it recorded: its inputs (the household snapshot),
 * its rule version's exact files, its as-of date and the engine version that made it (an older
 * engine's rules are kept for this). It reproduces when outcome, amount, recipient,
 * explanation and explanation text come out identical. A decision that stores no snapshot
 * (issue 15) has it rebuilt from the store, which is append-only and bitemporal: read as it was
 * known when the decision was made, with the same loader; its recorded hash proves the rebuilt
 * snapshot is the one decided on.
 */
export async function replayDecision(db: Kysely<DB>, decisionId: string): Promise<ReplayResult> {
  const decision = await findDecision(db, decisionId);
  if (!decision) throw new NotFoundError('decision_not_found', `no decision ${decisionId}`);
  if (decision.decided_by !== null) {
    throw new UnusableInputError('staff_decision', `${decisionId} was decided by staff (see its review actions); replay the engine's decision it replaced`);
  }
  const program = await recordedProgram(db, decision.program, decision.rule_version).catch(() => undefined);
  if (!program) throw new NotFoundError('rule_version_missing', `rule version ${decision.rule_version} of ${decision.program} is not recorded`);
  if (!ENGINE_VERSIONS.includes(decision.engine_version)) {
    throw new NotFoundError('engine_version_missing', `${decisionId} was made by engine ${decision.engine_version}, which this release cannot run (it runs ${ENGINE_VERSIONS.join(', ')})`);
  }
  const differences: string[] = [];
  const snapshot = await decisionInputs(db, decision, program);
  if (!snapshot) differences.push('inputs: the household is not in the store as it was known when the decision was made');
  else if (!decision.inputs && inputsHash(snapshot) !== decision.inputs_hash) {
    differences.push(`inputs: the snapshot rebuilt from the store hashes ${inputsHash(snapshot)}, the decision recorded ${decision.inputs_hash}: the store no longer holds what was decided on`);
  }
  const evaluation = snapshot && evaluateHousehold(compileProgram(program), snapshot, decision.as_of, decision.engine_version, decision.subject_person_id || undefined);
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

/**
 * The household snapshot a decision was made from: stored with it (decisions before issue 15),
 * or rebuilt from the store as known at the decision's knowledge time (check it against
 * `inputs_hash`, as replay does).
 */
export async function decisionInputs(
  db: Kysely<DB>,
  d: Pick<DecisionRow, 'inputs' | 'program' | 'rule_version' | 'as_of' | 'municipality_code' | 'household_id' | 'known_at'>,
  program: Program | undefined = undefined,
): Promise<HouseholdSnapshot | undefined> {
  if (d.inputs) return d.inputs as unknown as HouseholdSnapshot;
  program ??= await recordedProgram(db, d.program, d.rule_version);
  const dates = snapshotDates(program, d.as_of);
  if (!dates) return undefined;
  const histories = await readHouseholdHistories(db, d.municipality_code, [d.household_id], d.known_at);
  let snapshots = await histories.snapshots({ ...dates, asOf: d.as_of });
  if (program.spec.reads_decisions.length) {
    const sources = await Promise.all(program.spec.reads_decisions.map((id) => latestRecordedProgram(db, id)));
    snapshots = await withPriorDecisions(db, d.municipality_code, histories, [program, ...sources.filter((p): p is Program => !!p)], program, snapshots, d.known_at);
  }
  return snapshots.find((s) => s.household_id === d.household_id);
}

/** The rule version of a program last recorded: what a program reading its decisions takes its membership date from. */
async function latestRecordedProgram(db: Kysely<DB>, program: string): Promise<Program | undefined> {
  const row = await db.selectFrom('rule_versions').select('rule_version').where('program', '=', program).orderBy('recorded_at', 'desc').limit(1).executeTakeFirst();
  return row && recordedProgram(db, program, row.rule_version);
}
