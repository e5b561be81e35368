import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { decisionsInForce, type DecisionRow } from '../../src/decisions/decision.repository.ts';
import type { HouseholdSnapshot } from '../../src/engine/household-snapshot.ts';
import { decisionInputs, replayDecision } from '../../src/decisions/replay.service.ts';
import { allHouseholds } from '../../src/batch/batch.repository.ts';
import { evaluateHousehold } from '../../src/engine/evaluate-household.ts';
import { loadHouseholdSnapshots } from '../../src/residents/household-snapshot.repository.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { importFile } from '../support/import-file.ts';
import { insertFullFormDecision } from './full-form-decision.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { income, resident, writeCsv } from '../support/rows.ts';
import { BASE_PROGRAMS, ENVIRONMENTS, nightlyContext, type TestEnvironment } from '../support/test-environments.ts';

const programs = BASE_PROGRAMS;

async function exportAll(env: TestEnvironment, asOf: string, municipalityCode: string): Promise<DecisionRow[]> {
  const rows: DecisionRow[] = [];
  for await (const d of await decisionsInForce(env.db, asOf, { municipalityCode })) rows.push(d);
  return rows;
}

describe.each(ENVIRONMENTS)('decisions on a generated municipality ($name)', ({ name, open }) => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const households = name === 'embedded' ? 300 : 600;
  let decisions: DecisionRow[];

  beforeAll(async () => {
    env = await open();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-decisions-'));
    const { files } = await generateMunicipality({ households, seed: 'decisions', municipalityCode: m, outDir: dir });
    for (const kind of ['residents', 'income', 'accounts'] as const) {
      expect((await importFile(env, kind, files[kind])).rejectedRows).toBe(0);
    }
    await runNightly(nightlyContext(env, programs), '2024-12-13', false);
    decisions = await exportAll(env, '2024-12-13', m);
  });
  afterAll(() => env?.close());

  it('decides every household each program in force concerns, with each outcome present', async () => {
    const byProgram = (program: string) => decisions.filter((d) => d.program === program);
    // The 2024 benefit concerns every household with members on its base date; 児童手当 those
    // with a child up to 高校生年代. The households left out are confirmed by the engine: not
    // concerned, and ineligible.
    const all = await allHouseholds(env.db, m);
    for (const [program, membership, share] of [['low-income-household-2024', '2024-12-13', 0.95], ['child-allowance', '2024-11-30', 0.15]] as const) {
      const decided = new Set(byProgram(program).map((d) => d.household_id));
      expect(decided.size).toBeGreaterThan(households * share);
      // Whether any household is empty on the base date depends on the generated sample (its
      // seed includes the random municipality code), so the 2024 benefit may reach them all.
      expect(decided.size).toBeLessThanOrEqual(households);
      const compiled = programs.find((p) => p.program.spec.id === program)!;
      const others = all.filter((h) => !decided.has(h));
      for (const snapshot of await loadHouseholdSnapshots(env.db, m, others, { membership, asOf: '2024-12-13', knownAt: new Date() })) {
        expect(await evaluateHousehold(compiled, snapshot, '2024-12-13'), snapshot.household_id).toMatchObject({ outcome: 'ineligible', concerned: false });
      }
    }
    expect(new Set(byProgram('child-allowance').map((d) => d.household_id)).size).toBeLessThan(households / 2);
    expect(byProgram('birth-gift-2024')).toEqual([]); // its base date is 2025-03-31
    expect(new Set(decisions.map((d) => d.outcome))).toEqual(new Set(['eligible', 'ineligible', 'review']));
    for (const d of decisions) expect(d.amount_yen === 0).toBe(d.outcome !== 'eligible');
  });

  it('explains every decision: each condition with its value, operator, threshold and citation; the text in Japanese', () => {
    for (const d of decisions) {
      const e = d.explanation as { conditions: Record<string, unknown>[]; amount: { steps: unknown[] } };
      expect(e.conditions.length).toBeGreaterThanOrEqual(1);
      for (const c of e.conditions) {
        expect(c).toHaveProperty('value');
        expect(c).toHaveProperty('threshold');
        expect(c.operator).toBeTruthy();
        expect((c.citation as { title: string }).title).toMatch(/法|要領|閣議決定|要綱|届出/);
        expect(c.text_ja).toMatch(/[ぁ-ん]/);
      }
      expect(d.explanation_text).toMatch(/^(児童手当|令和6年度 住民税非課税世帯 給付金)（.+）：.+。\n/);
      expect(d.explanation_text).toContain('判定の理由：');
      if (d.outcome === 'eligible') expect(d.explanation_text).toMatch(/[0-9,]+円/);
    }
  });

  it('replays a random sample of decisions exactly from their recorded inputs and rule version', async () => {
    const sample = [...decisions].sort(() => Math.random() - 0.5).slice(0, Math.min(1000, decisions.length));
    for (const d of sample) {
      const result = await replayDecision(env.db, d.decision_id);
      expect(result, d.decision_id).toEqual({ decision_id: d.decision_id, reproduces: true, differences: [] });
    }
  });

  it('replays a decision made by engine 1 as it was made, though engine 2 decides the same household differently', async () => {
    const compiled = programs.find((p) => p.program.spec.id === 'child-allowance')!;
    // Another municipality, so the later runs of this file leave the made-up household alone.
    const other = freshMunicipality();
    // Born on the 1st: engine 1 ended "under 3" a month before the 3rd birthday's month.
    const snapshot: HouseholdSnapshot = {
      municipality_code: other, household_id: 'ENGINE1', membership_date: '2024-10-31', supporters: {},
      members: [
        { person_id: 'E1-F', relationship: '世帯主', birth_date: '1985-05-05', resident_since: '1985-05-05', tax: { '2024': { total_income: 4000000, kintowari: 5000, shotokuwari: 200000 } } },
        { person_id: 'E1-A', relationship: '子', birth_date: '2021-11-01', resident_since: '2021-11-01', tax: {} },
      ],
    };
    const old = (await evaluateHousehold(compiled, snapshot, '2024-11-13', '1'))!;
    expect(old).toMatchObject({ engine_version: '1', amount_yen: 10000 });
    expect(await evaluateHousehold(compiled, snapshot, '2024-11-13')).toMatchObject({ engine_version: '2', amount_yen: 15000 });
    await insertFullFormDecision(env.db, { decision_id: 'DENGINE1', household_id: 'ENGINE1', as_of: '2024-11-13' }, snapshot, old);
    expect(await replayDecision(env.db, 'DENGINE1')).toEqual({ decision_id: 'DENGINE1', reproduces: true, differences: [] });
  });

  it('writes nothing when the same date runs again, or a later day of the same month with no changes', async () => {
    const again = await runNightly(nightlyContext(env, programs), '2024-12-13', false);
    expect(again.decisions_created).toBe(0);
    const full = await runNightly(nightlyContext(env, programs), '2024-12-20', true);
    expect(full).toMatchObject({ households_evaluated: households, decisions_created: 0 });
  });
});

describe.each(ENVIRONMENTS)('decisions follow the store through time ($name)', ({ open }) => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await open();
  });
  afterAll(() => env?.close());

  const nightly = (date: string) => runNightly(nightlyContext(env, programs), date, false);
  const inForce = async (m: string, program: string, asOf: string) =>
    (await exportAll(env, asOf, m)).find((d) => d.program === program);

  it('a member who moved out the day before the base date is not a member for the 2024 benefit', async () => {
    const m = freshMunicipality();
    const p = (o: Record<string, string>) => resident({ municipality_code: m, household_id: 'H1', ...o });
    await importFile(env, 'residents', writeCsv([
      p({ person_id: 'A', relationship: '世帯主', birth_date: '1950-01-01' }),
      p({ person_id: 'B', relationship: '子', birth_date: '1980-01-01' }),
      p({ person_id: 'B', relationship: '子', birth_date: '1980-01-01', effective_date: '2024-12-12', status: 'moved_out' }),
    ]));
    await importFile(env, 'income', writeCsv([
      income({ municipality_code: m, person_id: 'A', total_income: '400000', kintowari: '0', shotokuwari: '0' }),
      income({ municipality_code: m, person_id: 'B', total_income: '4000000', kintowari: '5000', shotokuwari: '200000' }),
    ]));
    await nightly('2024-12-13');
    const d = await inForce(m, 'low-income-household-2024', '2024-12-13');
    expect(d).toMatchObject({ outcome: 'eligible', amount_yen: 30000, recipient_person_id: 'A' });
    expect((await decisionInputs(env.db, d!))!.members).toHaveLength(1);
  });

  it('a newborn is paid child allowance from the month after the birth, and the household had no decision before', async () => {
    const m = freshMunicipality();
    await importFile(env, 'residents', writeCsv([
      resident({ municipality_code: m, person_id: 'F', household_id: 'H', relationship: '世帯主', birth_date: '1990-01-01' }),
      resident({ municipality_code: m, person_id: 'N', household_id: 'H', relationship: '子', birth_date: '2024-11-15', effective_date: '2024-11-15' }),
    ]));
    await nightly('2024-11-20');
    // In November the household is a single adult: the child allowance does not concern it.
    expect(await inForce(m, 'child-allowance', '2024-11-20')).toBeUndefined();
    await nightly('2024-12-02');
    const december = await inForce(m, 'child-allowance', '2024-12-02');
    expect(december).toMatchObject({ outcome: 'eligible', amount_yen: 15000, effective_from: '2024-12-01', change_kind: 'new' });
    expect(await inForce(m, 'child-allowance', '2024-11-30')).toBeUndefined();
  });

  it('a benefit stopped and decided again is resumed (restarted); one never paid before is new', async () => {
    const m = freshMunicipality();
    await importFile(env, 'residents', writeCsv([resident({ municipality_code: m, person_id: 'A', household_id: 'H', birth_date: '1950-01-01' })]));
    const exempt = { municipality_code: m, person_id: 'A', total_income: '300000', kintowari: '0', shotokuwari: '0' };
    await importFile(env, 'income', writeCsv([income(exempt)]));
    await nightly('2024-12-13');
    expect(await inForce(m, 'low-income-household-2024', '2024-12-13')).toMatchObject({ outcome: 'eligible', change_kind: 'new' });
    await importFile(env, 'income', writeCsv([income({ municipality_code: m, person_id: 'A', kintowari: '5000' })]));
    await nightly('2024-12-16');
    expect(await inForce(m, 'low-income-household-2024', '2024-12-16')).toMatchObject({ outcome: 'ineligible', change_kind: 'stopped' });
    await importFile(env, 'income', writeCsv([income(exempt)]));
    await nightly('2024-12-20');
    expect(await inForce(m, 'low-income-household-2024', '2024-12-20')).toMatchObject({ outcome: 'eligible', change_kind: 'restarted' });
  });

  it('a tax correction that arrives after the decision supersedes it at the next run, and the old one still replays', async () => {
    const m = freshMunicipality();
    await importFile(env, 'residents', writeCsv([resident({ municipality_code: m, person_id: 'A', household_id: 'H', birth_date: '1950-01-01' })]));
    await importFile(env, 'income', writeCsv([income({ municipality_code: m, person_id: 'A', kintowari: '5000' })]));
    await nightly('2024-12-13');
    const before = await inForce(m, 'low-income-household-2024', '2024-12-13');
    expect(before).toMatchObject({ outcome: 'ineligible', change_kind: 'new' });
    await importFile(env, 'income', writeCsv([income({ municipality_code: m, person_id: 'A', total_income: '300000', kintowari: '0', shotokuwari: '0' })]));
    await nightly('2024-12-20');
    const after = await inForce(m, 'low-income-household-2024', '2024-12-20');
    // Never paid before: a benefit decided now is new (支給決定), not resumed (支給再開).
    expect(after).toMatchObject({ outcome: 'eligible', amount_yen: 30000, change_kind: 'new', supersedes: before!.id });
    expect(await replayDecision(env.db, before!.decision_id)).toMatchObject({ reproduces: true });
    const count = await sql<{ n: number }>`select count(*)::int as n from decisions where municipality_code = ${m}`.execute(env.db);
    expect(count.rows[0].n).toBe(2); // the 2024 benefit twice; the child allowance does not concern a single adult
  });
});
