import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { compileProgram, evaluateHousehold, evaluateHouseholdReference } from '../../src/engine/evaluate-household.ts';
import { HOUSEHOLD_FACTS } from '../../src/engine/household-facts.ts';
import type { HouseholdSnapshot, MemberSnapshot } from '../../src/engine/household-snapshot.ts';
import { loadPrograms } from '../../src/rules/program-loader.ts';

/**
 * A household a `concerns` condition leaves out is decided from that condition alone: the other
 * conditions, facts and the amount are evaluated only when its explanation is read, and then
 * give what evaluating everything at once (json-rules-engine, the reference) gives.
 */

const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const programs = loadPrograms(RULES);
const compiled = (id: string) => compileProgram(programs.find((p) => p.spec.id === id)!);
const AS_OF = '2024-12-13';

const adult = (id: string, relationship: string, tax: MemberSnapshot['tax']): MemberSnapshot => ({
  person_id: id, relationship, birth_date: '1980-05-05', resident_since: '2010-01-01', tax, accounts: [{ source: 'kouzkin', bank_code: '0001', branch_code: '001', account_type: 1 }],
});
const household = (members: MemberSnapshot[]): HouseholdSnapshot => ({ municipality_code: '141003', household_id: 'H1', membership_date: '2024-11-30', members, supporters: {} });
const taxed = { total_income: 5_000_000, kintowari: 5000, shotokuwari: 250_000 };

/** Counts the calls of a built-in fact while a test runs. */
function counting(fact: string): { calls: number } {
  const counter = { calls: 0 };
  const original = HOUSEHOLD_FACTS[fact].compute;
  HOUSEHOLD_FACTS[fact].compute = (params, ctx) => {
    counter.calls++;
    return original(params, ctx);
  };
  restore.push(() => (HOUSEHOLD_FACTS[fact].compute = original));
  return counter;
}
const restore: (() => void)[] = [];
afterEach(() => restore.splice(0).forEach((r) => r()));

describe('a concerns condition decides first', () => {
  const childAllowance = compiled('child-allowance');

  it('leaves the other conditions of a household without children until its explanation is read', async () => {
    const employer = counting('recipient_has_circumstance');
    const snapshot = household([adult('P1', '世帯主', { 2024: taxed })]);
    const evaluation = evaluateHousehold(childAllowance, snapshot, AS_OF)!;
    expect({ outcome: evaluation.outcome, amount: evaluation.amount_yen, concerned: evaluation.concerned, recipient: evaluation.recipient_person_id })
      .toEqual({ outcome: 'ineligible', amount: 0, concerned: false, recipient: 'P1' });
    expect(employer.calls).toBe(0);
    const reference = await evaluateHouseholdReference(childAllowance, snapshot, AS_OF);
    expect(JSON.stringify(evaluation)).toBe(JSON.stringify(reference));
    expect(employer.calls).toBeGreaterThan(0);
    expect(evaluation.explanation.conditions.map((c) => [c.id, c.result])).toContainEqual(['not_paid_by_employer', true]);
  });

  it('evaluates everything at once for a household it concerns', async () => {
    const employer = counting('recipient_has_circumstance');
    const child = { ...adult('C1', '子', {}), birth_date: '2015-04-10' };
    const snapshot = household([adult('P1', '世帯主', { 2024: taxed }), child]);
    const evaluation = evaluateHousehold(childAllowance, snapshot, AS_OF)!;
    expect(employer.calls).toBe(1);
    expect({ outcome: evaluation.outcome, amount: evaluation.amount_yen, concerned: evaluation.concerned }).toEqual({ outcome: 'eligible', amount: 10000, concerned: true });
    expect(JSON.stringify(evaluation)).toBe(JSON.stringify(await evaluateHouseholdReference(childAllowance, snapshot, AS_OF)));
  });

  it('gives a non-taxpayer of the 定額減税 adjustment the facts, conditions and amount of the full evaluation when read', async () => {
    const taxCut = compiled('tax-cut-adjustment-2024');
    const snapshot = household([adult('P1', '世帯主', { 2024: taxed }), adult('P2', '妻', { 2024: { total_income: 0, kintowari: 0, shotokuwari: 0, income_tax: 0, dependent_of: 'P1' } })]);
    const outcomes = [];
    for (const subject of ['P1', 'P2']) {
      const evaluation = evaluateHousehold(taxCut, snapshot, AS_OF, undefined, subject)!;
      outcomes.push([subject, evaluation.concerned, evaluation.outcome]);
      expect(JSON.stringify(evaluation)).toBe(JSON.stringify(await evaluateHouseholdReference(taxCut, snapshot, AS_OF, undefined, subject)));
    }
    expect(outcomes).toEqual([['P1', true, expect.any(String)], ['P2', false, 'ineligible']]);
  });
});
