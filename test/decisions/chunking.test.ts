import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHouseholds } from '../../src/batch/batch.repository.ts';
import { decideHouseholds } from '../../src/decisions/decide.service.ts';
import { recordRuleVersion } from '../../src/decisions/decision.repository.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { income, resident, writeCsv, type Row } from '../support/rows.ts';
import { postgresWithRedis, PROGRAMS, type TestEnvironment } from '../support/test-environments.ts';

/**
 * Issue 12 point 11: a household's decision must not depend on which households share its
 * chunk. The same population is imported into three municipalities and decided in chunks of
 * 1, 7 and 2,000 households; every household must get the same decisions in all three.
 */
const AS_OF = '2024-12-13';
const CHUNK_SIZES = [1, 7, 2000];

/** A small population: cross-household dependants whose supporters sit before and after them, and varied families. */
function population(): { residents: Row[]; income: Row[] } {
  const residents: Row[] = [];
  const incomes: Row[] = [];
  const person = (household: string, id: string, relationship: string, birth: string, tax?: { taxed: boolean; total?: string; dependentOf?: string }) => {
    residents.push(resident({ person_id: id, household_id: household, relationship, birth_date: birth, effective_date: '2020-01-01', change_id: `r-${id}` }));
    if (tax) {
      incomes.push(income({
        person_id: id,
        change_id: `i-${id}`,
        total_income: tax.total ?? (tax.taxed ? '3500000' : '0'),
        kintowari: tax.taxed ? '5000' : '0',
        shotokuwari: tax.taxed ? '150000' : '0',
        dependent_of: tax.dependentOf ?? '',
      }));
    }
  };
  for (let i = 0; i < 12; i++) {
    const n = String(i).padStart(2, '0');
    // A taxed earner with a family; their parent lives alone in a household numbered after
    // theirs, and a student child alone in one numbered before.
    person(`H${n}B`, `E${n}`, '世帯主', '1975-04-01', { taxed: true });
    if (i % 2 === 0) person(`H${n}B`, `S${n}`, '妻', '1977-06-01', { taxed: false, dependentOf: `E${n}` });
    if (i % 3 === 0) person(`H${n}B`, `K${n}`, '子', '2015-08-01', { taxed: false, dependentOf: `E${n}` });
    person(`H${n}C`, `G${n}`, '世帯主', '1945-02-01', { taxed: false, total: '600000', dependentOf: `E${n}` });
    person(`H${n}A`, `U${n}`, '世帯主', '2004-09-01', { taxed: false, dependentOf: `E${n}` });
    // A household whose members are all dependants of the earner in another household.
    if (i % 4 === 1) {
      person(`H${n}D`, `P${n}`, '世帯主', '1948-03-01', { taxed: false, dependentOf: `E${n}` });
      person(`H${n}D`, `Q${n}`, '妻', '1950-03-01', { taxed: false, dependentOf: `E${n}` });
    }
    // Varied others: an untaxed pensioner alone, an untaxed single parent with two children,
    // a taxed couple with a child, someone with no tax record at all.
    if (i % 3 === 1) person(`H${n}E`, `O${n}`, '世帯主', '1940-01-01', { taxed: false, total: '400000' });
    if (i % 3 === 2) {
      person(`H${n}F`, `M${n}`, '世帯主', '1990-01-01', { taxed: false, total: '900000' });
      person(`H${n}F`, `C${n}`, '子', '2012-05-05', { taxed: false, dependentOf: `M${n}` });
      person(`H${n}F`, `D${n}`, '子', '2018-05-05', { taxed: false, dependentOf: `M${n}` });
    }
    if (i % 3 === 0) {
      person(`H${n}G`, `T${n}`, '世帯主', '1985-01-01', { taxed: true });
      person(`H${n}G`, `W${n}`, '妻', '1986-01-01', { taxed: true });
      person(`H${n}G`, `Y${n}`, '子', '2010-01-01', { taxed: false, dependentOf: `T${n}` });
    }
    if (i % 5 === 0) person(`H${n}H`, `N${n}`, '世帯主', '1970-01-01');
  }
  return { residents, income: incomes };
}

describe('the same household gets the same decision however the batch is chunked (PostgreSQL)', () => {
  let env: TestEnvironment;
  const municipalities = CHUNK_SIZES.map(() => freshMunicipality());

  beforeAll(async () => {
    env = await postgresWithRedis();
    const rows = population();
    for (const m of municipalities) {
      const own = (r: Row) => ({ ...r, municipality_code: m });
      expect((await importFile(env, 'residents', writeCsv(rows.residents.map(own)))).rejectedRows).toBe(0);
      expect((await importFile(env, 'income', writeCsv(rows.income.map(own)))).rejectedRows).toBe(0);
    }
    for (const { program } of PROGRAMS) await recordRuleVersion(env.db, program);
  });
  afterAll(() => env?.close());

  it('decides every household alike with chunks of 1, 7 and 2,000 households', async () => {
    const knownAt = new Date();
    const results: Map<string, unknown>[] = [];
    for (const [i, m] of municipalities.entries()) {
      const households = await allHouseholds(env.db, m);
      for (let from = 0; from < households.length; from += CHUNK_SIZES[i]) {
        await decideHouseholds(env.db, PROGRAMS, m, households.slice(from, from + CHUNK_SIZES[i]), AS_OF, knownAt);
      }
      const decisions = await env.db
        .selectFrom('decisions')
        .select(['program', 'household_id', 'subject_person_id', 'outcome', 'amount_yen', 'recipient_person_id', 'explanation'])
        .where('municipality_code', '=', m)
        .orderBy('program')
        .orderBy('household_id')
        .orderBy('subject_person_id')
        .execute();
      // A person-level program's decisions are one per person: the key names the person too.
      const key = (d: (typeof decisions)[number]) => `${d.program}/${d.household_id}${d.subject_person_id ? `/${d.subject_person_id}` : ''}`;
      results.push(new Map(decisions.map((d) => [key(d), { outcome: d.outcome, amount_yen: d.amount_yen, recipient: d.recipient_person_id, explanation: d.explanation }])));
    }
    expect(results[0].size).toBeGreaterThan(40);
    // The population has each outcome (review: the household with no tax record), so the comparison means something.
    const outcomes = new Set([...results[2].values()].map((d) => (d as { outcome: string }).outcome));
    expect(outcomes).toEqual(new Set(['eligible', 'ineligible', 'review']));
    expect([...results[1].keys()]).toEqual([...results[0].keys()]);
    expect([...results[2].keys()]).toEqual([...results[0].keys()]);
    for (const [key, single] of results[0]) {
      expect(results[1].get(key), `${key}, chunks of 7`).toEqual(single);
      expect(results[2].get(key), `${key}, chunks of 2,000`).toEqual(single);
    }
    // A household of dependants of a taxed person in another household is not a 非課税世帯.
    expect(results[2].get('low-income-household-2024/H01D')).toMatchObject({ outcome: 'ineligible' });
    expect(results[2].get('low-income-household-2024/H00C')).toMatchObject({ outcome: 'ineligible' });
  });
});
