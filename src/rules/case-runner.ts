import { compileProgram, evaluateHousehold, membershipDate, type Evaluation } from '../engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../engine/household-snapshot.ts';
import type { Program } from './program-loader.ts';
import type { RuleCase } from './program-schema.ts';

export interface CaseResult {
  name: string;
  passed: boolean;
  expected: RuleCase['expect'];
  actual: { outcome: string; amount_yen?: number; recipient_person_id?: string | null };
  evaluation?: Evaluation;
}

/**
 * A case's household as the engine sees it: the members registered on the program's membership
 * date, as the store would answer (someone born or moved in after it is not yet a member).
 */
export function snapshotOfCase(program: Program, c: RuleCase): HouseholdSnapshot {
  const membership = membershipDate(program, c.as_of) ?? c.as_of;
  return {
    municipality_code: c.municipality_code ?? '131016',
    household_id: 'case',
    membership_date: membership,
    members: c.household.members.filter((m) => (m.resident_since ?? m.birth_date) <= membership).map((m) => ({
      person_id: m.person_id,
      relationship: m.relationship,
      birth_date: m.birth_date,
      resident_since: m.resident_since ?? m.birth_date,
      tax: m.tax,
      ...(m.circumstances ? { circumstances: m.circumstances.map((c) => ({ circumstance: c.circumstance, program: c.program ?? null })) } : {}),
      ...(m.decisions ? { decisions: m.decisions.map((d) => ({ program: d.program, outcome: d.outcome, amount_yen: d.amount_yen ?? 0, household_id: 'case' })) } : {}),
    })),
    supporters: c.household.supporters,
  };
}

/** Runs every case next to a program against the engine. */
export async function runCases(program: Program): Promise<CaseResult[]> {
  const compiled = compileProgram(program);
  const results: CaseResult[] = [];
  for (const c of program.cases) {
    const evaluation = evaluateHousehold(compiled, snapshotOfCase(program, c), c.as_of, undefined, c.subject_person_id);
    const actual = evaluation
      ? { outcome: evaluation.outcome, amount_yen: evaluation.amount_yen, recipient_person_id: evaluation.recipient_person_id }
      : { outcome: 'not_in_force' };
    const e = c.expect;
    const passed =
      actual.outcome === e.outcome &&
      (e.amount_yen === undefined || actual.amount_yen === e.amount_yen) &&
      (e.recipient_person_id === undefined || actual.recipient_person_id === e.recipient_person_id);
    results.push({ name: c.name, passed, expected: e, actual, evaluation });
  }
  return results;
}
