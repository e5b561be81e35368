import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { exportLine } from '../../src/decisions/decision-export.ts';
import { decisionInputs, replayDecision } from '../../src/decisions/replay.service.ts';
import { withFullExplanations } from '../../src/decisions/stored-explanation.ts';
import { compileProgram, type Explanation } from '../../src/engine/evaluate-household.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import { programFromFiles } from '../../src/rules/program-loader.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { nightlyContext, postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';

const CITATION = { title: 'テスト用の根拠' };
const TEXT = { pass: '満たします', fail: '満たしません', unknown: '確認できません' };

/** A one-off program folder in memory: program.json, parameters.json, rules.json and one case. */
function program(id: string, spec: Record<string, unknown>, rules: Record<string, unknown>, testCase: Record<string, unknown>) {
  const baseDate = spec.base_date as string;
  const files = {
    'program.json': JSON.stringify({
      id, name: { ja: id, en: id }, legal_basis: [CITATION], period_kind: 'once', subject: 'household', municipalities: 'all',
      disposition: { is_disposition: false, appeal_to: null }, payment: { schedule: 'next-run' }, versions: [{ from: baseDate, to: baseDate, rules: 'rules.json' }],
      not_modelled: [], ...spec,
    }),
    'parameters.json': JSON.stringify({ amount: { description_ja: '額', unit: 'yen', values: [{ from: baseDate, to: baseDate, value: 1000, source: CITATION }] } }),
    'rules.json': JSON.stringify({ membership: 'base_date', recipient: 'head_of_household', ...rules }),
    'cases.json': JSON.stringify([{ name: 'a case the fixture program needs to load', as_of: baseDate, ...testCase }]),
  };
  return compileProgram(programFromFiles(id, files));
}

const condition = (fact: string, value: unknown, extra: Record<string, unknown> = {}) => ({ name: `check_${fact}`, fact, operator: 'equal', value, citation: CITATION, text_ja: TEXT, ...extra });
const flat = { components: [{ id: 'flat', kind: 'flat', parameter: 'amount', text_ja: '給付額', citation: CITATION }] };
const head = { person_id: 'X1', relationship: '世帯主', birth_date: '1980-01-01', tax: { '2023': { total_income: 0, kintowari: 0, shotokuwari: 0 } } };

/** 2023: every member exempt. */
const source = program('fixture-source', { base_date: '2023-12-01' }, {
  facts: { everyone_exempt: { type: 'dyn', description_ja: '全員非課税', expr: 'all_of(members.map(m, kintowari_exempt(m, 2023)))' } },
  conditions: [condition('everyone_exempt', true)],
  amount: flat,
}, { household: { members: [head] }, expect: { outcome: 'eligible', amount_yen: 1000 } });

/** 2024: not for a household with a member from a household the 2023 program found eligible. */
const reader = program('fixture-reader', { base_date: '2024-06-03', reads_decisions: ['fixture-source'] }, {
  facts: { from_eligible: { type: 'dyn', description_ja: '2023年の対象世帯にいた者がいる', expr: "any_of(members.map(m, was_eligible(m, 'fixture-source')))" } },
  conditions: [condition('from_eligible', false)],
  amount: flat,
}, { household: { members: [{ ...head, decisions: [{ program: 'fixture-source', outcome: 'eligible' }] }] }, expect: { outcome: 'ineligible' } });

/** Each 所得割 payer: a tenth of their 所得割, rounded up to 10,000 yen. */
const perPerson = program('fixture-person', { base_date: '2024-06-03', subject: 'person' }, {
  recipient: 'subject',
  facts: { pays_shotokuwari: { type: 'bool', description_ja: '所得割の納税者', expr: 'has_tax(subject, 2024) && tax(subject, 2024).shotokuwari > 0' } },
  conditions: [condition('pays_shotokuwari', true, { concerns: true })],
  amount: { components: [{ id: 'tenth', kind: 'expression', expr: 'round_up(tax(subject, 2024).shotokuwari / 10, 10000)', text_ja: '所得割の1割', citation: CITATION }] },
}, { subject_person_id: 'X1', household: { members: [{ ...head, tax: { '2024': { total_income: 3000000, kintowari: 5000, shotokuwari: 150000 } } }] }, expect: { outcome: 'eligible', amount_yen: 20000, recipient_person_id: 'X1' } });

/**
 * Programs written as expressions through the nightly, the store and payments: a program that
 * reads another's recorded decisions (decided in a second pass, about the household a member
 * was in on the other program's base date), and a program that decides each person.
 */
describe('expression programs in the nightly: other programs\' decisions, and decisions per person', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const programs = [reader, perPerson, source];
  const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
  const decisions = async (program: string) =>
    withFullExplanations(env.db, await env.db.selectFrom('decisions').selectAll().where('municipality_code', '=', m).where('program', '=', program).orderBy('household_id').orderBy('subject_person_id').execute());

  beforeAll(async () => {
    env = await postgresWithRedis(programs);
    await updateSettings(env.db, m, payingSettings(m));
    const member = (person_id: string, household_id: string, relationship: string, birth_date: string, effective_date = '2010-01-01') =>
      resident({ person_id, household_id, relationship, birth_date, effective_date });
    await load('residents', [
      // HA exempt in 2023; its adult son A2 moves to HC in February 2024.
      member('A1', 'HA', '世帯主', '1950-01-01'), member('A2', 'HA', '子', '1990-01-01'),
      { ...member('A2', 'HC', '世帯主', '1990-01-01', '2024-02-01') },
      // HB taxed in 2023; two 所得割 payers in 2024.
      member('B1', 'HB', '世帯主', '1970-01-01'), member('B2', 'HB', '妻', '1972-01-01'), member('B3', 'HB', '子', '2010-01-01'),
      // HD exempt in 2023 too, but nobody moves out.
      member('D1', 'HD', '世帯主', '1945-01-01'),
    ]);
    const exempt = (person_id: string, fiscal_year: string) => income({ person_id, fiscal_year, total_income: '0', kintowari: '0', shotokuwari: '0', effective_date: `${fiscal_year}-06-01` });
    await load('income', [
      exempt('A1', '2023'), exempt('A2', '2023'), exempt('D1', '2023'), exempt('A1', '2024'), exempt('A2', '2024'), exempt('D1', '2024'),
      income({ person_id: 'B1', fiscal_year: '2023', effective_date: '2023-06-01' }), income({ person_id: 'B2', fiscal_year: '2023', effective_date: '2023-06-01' }),
      income({ person_id: 'B1', fiscal_year: '2024', shotokuwari: '150000' }), income({ person_id: 'B2', fiscal_year: '2024', total_income: '1200000', shotokuwari: '30000' }),
    ]);
    await load('accounts', ['A1', 'A2', 'B1', 'B2', 'D1'].map((p, i) => account({ person_id: p, account_number: `812345${i}` })));
    await runNightly(nightlyContext(env, programs), '2024-06-10', false);
  }, 180_000);
  afterAll(async () => {
    await env?.close();
  });

  it('decides the 2023 program from the tax data: HA and HD exempt, HB taxed; HC had nobody on its base date', async () => {
    expect((await decisions('fixture-source')).map((d) => [d.household_id, d.outcome])).toEqual([
      ['HA', 'eligible'], ['HB', 'ineligible'], ['HD', 'eligible'],
    ]);
  });

  it('excludes a household whose member was, on the 2023 base date, in a household found eligible then, wherever they live now', async () => {
    const byHousehold = new Map((await decisions('fixture-reader')).map((d) => [d.household_id, d]));
    expect(byHousehold.get('HC')?.outcome).toBe('ineligible');
    expect(byHousehold.get('HA')?.outcome).toBe('ineligible');
    expect(byHousehold.get('HD')?.outcome).toBe('ineligible');
    expect(byHousehold.get('HB')).toMatchObject({ outcome: 'eligible', amount_yen: 1000 });
    // The decision records what it read: A2's household on 2023-12-01 and its decision.
    const hc = byHousehold.get('HC')!;
    const a2 = (await decisionInputs(env.db, hc))!.members.find((x) => x.person_id === 'A2');
    expect(a2?.decisions).toEqual([{ program: 'fixture-source', outcome: 'eligible', amount_yen: 1000, household_id: 'HA' }]);
    expect((hc.explanation as unknown as Explanation).facts).toEqual({ from_eligible: true });
  });

  it('decides each 所得割 payer on their own, paid to them, and nobody the program does not concern', async () => {
    const persons = await decisions('fixture-person');
    expect(persons.map((d) => [d.household_id, d.subject_person_id, d.outcome, d.amount_yen, d.recipient_person_id])).toEqual([
      ['HB', 'B1', 'eligible', 20000, 'B1'],
      ['HB', 'B2', 'eligible', 10000, 'B2'],
    ]);
    const lines = await env.db.selectFrom('payment_lines').select(['recipient_person_id', 'amount_yen']).where('municipality_code', '=', m)
      .where('program', '=', 'fixture-person').orderBy('recipient_person_id').execute();
    expect(lines).toEqual([{ recipient_person_id: 'B1', amount_yen: 20000 }, { recipient_person_id: 'B2', amount_yen: 10000 }]);
    for (const d of persons) expect((await replayDecision(env.db, d.decision_id)).differences).toEqual([]);
    // The export names the person decided; a household program's lines do not carry the field.
    expect(persons.map((d) => exportLine({ ...d, effective_to: null }).subject_person_id)).toEqual(['B1', 'B2']);
    expect('subject_person_id' in exportLine({ ...(await decisions('fixture-reader'))[0], effective_to: null })).toBe(false);
  });

  it('decides nothing again when nothing changed, person chains included', async () => {
    const before = await env.db.selectFrom('decisions').select((e) => e.fn.countAll<string>().as('n')).where('municipality_code', '=', m).executeTakeFirstOrThrow();
    await runNightly(nightlyContext(env, programs), '2024-06-11', true);
    const after = await env.db.selectFrom('decisions').select((e) => e.fn.countAll<string>().as('n')).where('municipality_code', '=', m).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('re-decides the reader for a household nothing happened to, when the decision it read changes: HA taxed after all, so HC is no longer excluded', async () => {
    // A 2023 correction for A1 only: HA changes, HC (where A2 lives now) does not.
    await load('income', [income({ person_id: 'A1', fiscal_year: '2023', effective_date: '2023-06-01' })]);
    const summary = await runNightly(nightlyContext(env, programs), '2024-06-12', false);
    const latest = async (program: string, household: string) => (await decisions(program)).filter((d) => d.household_id === household).pop();
    expect(await latest('fixture-source', 'HA')).toMatchObject({ outcome: 'ineligible', change_kind: 'stopped' });
    expect(await latest('fixture-reader', 'HC')).toMatchObject({ outcome: 'eligible', change_kind: 'new' });
    // HA itself: A1 is taxed in 2023 now, and A2 no longer lives there; HD still excluded.
    expect(await latest('fixture-reader', 'HD')).toMatchObject({ outcome: 'ineligible' });
    expect(summary.decisions_created).toBeGreaterThanOrEqual(2);
  });
});
