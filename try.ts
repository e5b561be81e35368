import { loadProgram } from './src/rules/program-loader.ts';
import { compileProgram, evaluateHousehold } from './src/engine/evaluate-household.ts';
import type { HouseholdSnapshot } from './src/engine/household-snapshot.ts';
const p = loadProgram('rules/low-income-household-2024');
const c = compileProgram(p);
for (const k of p.cases) {
  const snap: HouseholdSnapshot = { municipality_code: '141003', household_id: 'H', membership_date: p.spec.base_date!, members: k.household.members.map((m) => ({ person_id: m.person_id, relationship: m.relationship, birth_date: m.birth_date, resident_since: m.resident_since ?? m.birth_date, tax: m.tax })), supporters_taxed: k.household.supporters_taxed };
  const e = await evaluateHousehold(c, snap, k.as_of);
  console.log(e?.outcome === k.expect.outcome && e?.amount_yen === (k.expect.amount_yen ?? e?.amount_yen) ? 'PASS' : 'FAIL', k.name, e?.outcome, e?.amount_yen);
}
const e = await evaluateHousehold(c, { municipality_code: '141003', household_id: 'H', membership_date: '2024-12-13', members: p.cases[1].household.members.map((m) => ({ ...m, resident_since: m.birth_date })) as any, supporters_taxed: {} }, '2024-12-13');
console.log(e!.explanation_text);
