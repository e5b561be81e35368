import { describe, expect, it } from 'vitest';
import { HOUSEHOLD_FACTS, incomeYearFor, type FactContext } from '../../src/engine/household-facts.ts';
import type { HouseholdSnapshot } from '../../src/engine/household-snapshot.ts';

function context(accounts: { bank_code: string; branch_code: string }[]): FactContext {
  const snapshot: HouseholdSnapshot = {
    municipality_code: '141003',
    household_id: 'H',
    membership_date: '2024-12-13',
    members: [{ person_id: 'A', relationship: '世帯主', birth_date: '1980-01-01', resident_since: '1980-01-01', tax: {}, accounts: accounts.map((a) => ({ ...a, source: 'koukin', account_type: 1 })) }],
    supporters: {},
  };
  return { snapshot, members: [], parameters: {}, evaluationDate: '2024-12-01', recipientId: 'A', recipient: { person: snapshot.members[0], parents: [], reason_ja: '世帯主' }, engineVersion: '2' };
}

describe('recipient_has_usable_account', () => {
  const fact = HOUSEHOLD_FACTS.recipient_has_usable_account.compute;
  it('is true for a bank and branch in the 全銀 list', () => expect(fact({}, context([{ bank_code: '0001', branch_code: '100' }]))).toBe(true));
  it('is false with no account, or one whose branch no longer exists', () => {
    expect(fact({}, context([]))).toBe(false);
    expect(fact({}, context([{ bank_code: '0001', branch_code: '999' }]))).toBe(false);
  });
});

describe('児童手当 income year: June to May uses the fiscal year starting that June', () => {
  it.each([
    ['2024-05-31', 2023],
    ['2024-06-01', 2024],
    ['2025-01-15', 2024],
  ])('%s → fiscal year %i', (date, year) => expect(incomeYearFor(date)).toBe(year));
});

describe('the facts\' descriptions', () => {
  // The decision page shows them to staff (事実: …): words a clerk reads, no file names.
  it.each(Object.entries(HOUSEHOLD_FACTS))('%s names no file', (_name, fact) => {
    expect(fact.description_ja).not.toMatch(/\b[\w-]+\.(csv|json|md|ts)\b/);
  });
});
