import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideHouseholds } from '../../src/decisions/decide.service.ts';
import { recordRuleVersion } from '../../src/decisions/decision.repository.ts';
import { decisionInputs } from '../../src/decisions/replay.service.ts';
import type { HouseholdSnapshot } from '../../src/engine/household-snapshot.ts';
import { loadHouseholdSnapshots } from '../../src/residents/household-snapshot.repository.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { circumstance, income, resident, writeCsv, type Row } from '../support/rows.ts';
import { ENVIRONMENTS, PROGRAMS, type TestEnvironment } from '../support/test-environments.ts';

/** Imports rows and returns a knowledge time just after they were recorded. */
async function load(env: TestEnvironment, kind: 'residents' | 'income' | 'circumstances', rows: Row[]): Promise<Date> {
  const header = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  expect((await importFile(env, kind, writeCsv(rows, 'input.csv', header))).rejectedRows).toBe(0);
  const knownAt = new Date();
  await new Promise((r) => setTimeout(r, 5));
  return knownAt;
}

describe.each(ENVIRONMENTS)('household snapshots: tax columns and circumstances ($name)', ({ open }) => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const times: Record<string, Date> = {};
  const snapshot = async (dates: { membership: string; asOf: string; knownAt: Date; circumstancesOn?: string }): Promise<HouseholdSnapshot> =>
    (await loadHouseholdSnapshots(env.db, m, ['H1'], dates))[0];
  const memberOf = (s: HouseholdSnapshot, id: string) => s.members.find((x) => x.person_id === id)!;

  beforeAll(async () => {
    env = await open();
    const p = (o: Row) => resident({ municipality_code: m, household_id: 'H1', ...o });
    await load(env, 'residents', [
      p({ person_id: 'A', relationship: '世帯主', birth_date: '1985-01-01' }),
      p({ person_id: 'B', relationship: '子', birth_date: '2015-01-01' }),
    ]);
    await load(env, 'income', [
      income({ municipality_code: m, person_id: 'A', total_income: '800000', kintowari: '0', shotokuwari: '0', salary_income: '800000', dependants: '1', treaty_exempt: 'false', income_tax: '0' }),
    ]);
    // A is a public servant from October; the note is staff's own text.
    times.servant = await load(env, 'circumstances', [
      circumstance({ municipality_code: m, person_id: 'A', effective_date: '2024-10-01', note: '共済組合の証明書あり' }),
    ]);
    // Learnt later: it stopped on 1 December.
    times.stopped = await load(env, 'circumstances', [
      circumstance({ municipality_code: m, person_id: 'A', effective_date: '2024-12-01', active: 'false' }),
    ]);
    // A declines the 2024 benefit on 5 December.
    times.declined = await load(env, 'circumstances', [
      circumstance({ municipality_code: m, person_id: 'A', effective_date: '2024-12-05', circumstance: 'declined', program: 'low-income-household-2024' }),
    ]);
  });
  afterAll(() => env?.close());

  it('carries the tax record\'s optional columns only where the record says something', async () => {
    const s = await snapshot({ membership: '2024-12-13', asOf: '2024-12-13', knownAt: new Date() });
    expect(memberOf(s, 'A').tax['2024']).toEqual({
      total_income: 800000, kintowari: 0, shotokuwari: 0, dependent_of: null, supporter_taxed: null,
      salary_income: 800000, dependants: 1, treaty_exempt: false, income_tax: 0,
    });
  });

  it('carries the circumstances active on circumstancesOn (default: the membership date), without the note', async () => {
    const now = new Date();
    expect(memberOf(await snapshot({ membership: '2024-11-30', asOf: '2024-12-13', knownAt: now }), 'A').circumstances).toEqual([
      { circumstance: 'public_servant', program: null },
    ]);
    const december = await snapshot({ membership: '2024-11-30', asOf: '2024-12-13', knownAt: now, circumstancesOn: '2024-12-13' });
    expect(memberOf(december, 'A').circumstances).toEqual([{ circumstance: 'declined', program: 'low-income-household-2024' }]);
    expect(JSON.stringify(december)).not.toContain('共済組合');
    // Left out when there are none.
    expect(memberOf(december, 'B')).not.toHaveProperty('circumstances');
    expect(memberOf(await snapshot({ membership: '2024-09-30', asOf: '2024-12-13', knownAt: now }), 'A')).not.toHaveProperty('circumstances');
  });

  it('is bitemporal: what was known at knownAt, as of the date', async () => {
    const on = (knownAt: Date) => snapshot({ membership: '2024-12-13', asOf: '2024-12-13', knownAt }).then((s) => memberOf(s, 'A').circumstances);
    // Before the stop was recorded, A was still a public servant on 13 December.
    expect(await on(times.servant)).toEqual([{ circumstance: 'public_servant', program: null }]);
    // Recorded after knownAt: the 辞退 is not seen yet.
    expect(await on(times.stopped)).toBeUndefined();
    expect(await on(times.declined)).toEqual([{ circumstance: 'declined', program: 'low-income-household-2024' }]);
  });

  it('decides monthly programs on circumstances of the membership date and one-off programs on those of the decision date', async () => {
    for (const { program } of PROGRAMS) await recordRuleVersion(env.db, program);
    await decideHouseholds(env.db, PROGRAMS, m, ['H1'], '2024-12-13', new Date());
    const inputs = async (program: string) => {
      const d = await env.db.selectFrom('decisions').selectAll().where('municipality_code', '=', m).where('program', '=', program).executeTakeFirstOrThrow();
      return memberOf((await decisionInputs(env.db, d))!, 'A').circumstances;
    };
    expect(await inputs('child-allowance')).toEqual([{ circumstance: 'public_servant', program: null }]);
    expect(await inputs('low-income-household-2024')).toEqual([{ circumstance: 'declined', program: 'low-income-household-2024' }]);
  });
});
