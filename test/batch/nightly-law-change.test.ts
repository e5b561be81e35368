import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedDecidePlans } from '../../src/batch/batch.repository.ts';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { decisionsInForce, type DecisionRow } from '../../src/decisions/decision.repository.ts';
import { compileProgram, type CompiledProgram } from '../../src/engine/evaluate-household.ts';
import { InProcessJobQueue } from '../../src/queue/in-process-job-queue.ts';
import { loadPrograms } from '../../src/rules/program-loader.ts';
import { jobHandlers } from '../../workers/job-handlers.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { income, resident, writeCsv } from '../support/rows.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';
import { BASE_PROGRAMS, ENVIRONMENTS, nightlyContext, silentLogger, type TestEnvironment } from '../support/test-environments.ts';

const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const LAW_CHANGE = 'child-allowance: version rules-2024-10.json in force from 2024-10-01';

async function decisionOf(env: Pick<TestEnvironment, 'db'>, m: string, household: string, program: string, asOf: string): Promise<DecisionRow | undefined> {
  for await (const d of await decisionsInForce(env.db, asOf, { municipalityCode: m, program })) if (d.household_id === household) return d;
  return undefined;
}

/** Resident and tax rows for FY2023 and FY2024 (the years a decision of 2024 may read). */
function taxRows(m: string, person: string, o: Record<string, string>) {
  return ['2023', '2024'].map((fy) => income({ municipality_code: m, person_id: person, fiscal_year: fy, effective_date: `${fy}-06-01`, ...o }));
}

describe.each(ENVIRONMENTS)('a law change re-decides every household it may concern, with no change to their data ($name)', ({ open }) => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const nightly = (date: string) => runNightly(nightlyContext(env, BASE_PROGRAMS), date, false);

  beforeAll(async () => {
    env = await open();
    const r = (o: Record<string, string>) => resident({ municipality_code: m, ...o });
    await importFile(env, 'residents', writeCsv([
      // Over the 2022-10 所得上限限度額 with one child: nothing until the 2024-10 version removes the limit.
      r({ person_id: 'F', household_id: 'OVER', relationship: '世帯主', birth_date: '1980-05-05' }),
      r({ person_id: 'A', household_id: 'OVER', relationship: '子', birth_date: '2012-01-10' }),
      // Only a 16-year-old: not a child under the 2022-10 version, 高校生年代 under the 2024-10 one.
      r({ person_id: 'G', household_id: 'SIXTEEN', relationship: '世帯主', birth_date: '1978-01-01' }),
      r({ person_id: 'B', household_id: 'SIXTEEN', relationship: '子', birth_date: '2008-06-01' }),
    ]));
    await importFile(env, 'income', writeCsv([
      ...taxRows(m, 'F', { total_income: '10000000', kintowari: '5000', shotokuwari: '500000' }),
      ...taxRows(m, 'A', { total_income: '0', kintowari: '0', shotokuwari: '0', dependent_of: 'F' }),
      ...taxRows(m, 'G', { total_income: '3000000', kintowari: '5000', shotokuwari: '150000' }),
      ...taxRows(m, 'B', { total_income: '0', kintowari: '0', shotokuwari: '0', dependent_of: 'G' }),
    ]));
  }, 60_000);
  afterAll(() => env?.close());

  it('September 2024: over the upper limit, ineligible; the 16-year-old does not concern the program', async () => {
    const first = await nightly('2024-09-13');
    expect(first.full_reasons).toEqual(['every program: the first run']);
    expect(await decisionOf(env, m, 'OVER', 'child-allowance', '2024-09-13')).toMatchObject({ outcome: 'ineligible', change_kind: 'new', effective_from: '2024-09-01' });
    expect(await decisionOf(env, m, 'SIXTEEN', 'child-allowance', '2024-09-13')).toBeUndefined();
    // A later night of the same month with no changes decides nobody.
    const again = await nightly('2024-09-20');
    expect(again).toMatchObject({ full_reasons: [], households_evaluated: 0, decisions_created: 0 });
  });

  it('the first October night re-decides both households under the 2024-10 version: eligible, and a first decision for the 16-year-old', async () => {
    const october = await nightly('2024-10-11');
    expect(october.full_reasons).toHaveLength(1);
    expect(october.full_reasons[0]).toMatch(new RegExp(`^${LAW_CHANGE.replaceAll('.', '\\.')} \\(and \\d+ more change\\(s\\) of its versions or parameters up to 2024-10-01\\)$`));
    // OVER was never paid before: its first benefit is new (認定), not resumed.
    expect(october).toMatchObject({ households_evaluated: 2, decisions_created: 2, decisions_by_kind: { new: 2 } });
    expect(await decisionOf(env, m, 'OVER', 'child-allowance', '2024-10-11')).toMatchObject({ outcome: 'eligible', amount_yen: 10000, change_kind: 'new', effective_from: '2024-10-01' });
    expect(await decisionOf(env, m, 'SIXTEEN', 'child-allowance', '2024-10-11')).toMatchObject({ outcome: 'eligible', amount_yen: 10000, change_kind: 'new', effective_from: '2024-10-01', recipient_person_id: 'G' });
    // September stays as decided then.
    expect(await decisionOf(env, m, 'OVER', 'child-allowance', '2024-09-30')).toMatchObject({ outcome: 'ineligible' });
    // The reason is written with the run, without personal data.
    const { rows } = await sql<{ summary: { full_reasons: string[] } }>`
      select summary from batch_runs where municipality_code = ${m} and run_date = '2024-10-11'`.execute(env.db);
    expect(rows[0].summary.full_reasons).toEqual(october.full_reasons);
  });

  it('later nights stay incremental: the rest of October decides nobody, November only the open decisions, and both are still eligible', async () => {
    expect(await nightly('2024-10-18')).toMatchObject({ full_reasons: [], households_evaluated: 0, decisions_created: 0 });
    const november = await nightly('2024-11-13');
    expect(november).toMatchObject({ full_reasons: [], households_evaluated: 2, decisions_created: 0 });
    for (const h of ['OVER', 'SIXTEEN']) {
      expect(await decisionOf(env, m, h, 'child-allowance', '2024-11-13'), h).toMatchObject({ outcome: 'eligible', amount_yen: 10000, effective_from: '2024-10-01' });
    }
  });
});

describe('a changed program folder re-decides everyone once for that program; an unchanged night does not (PostgreSQL)', () => {
  let database: TestDatabase;
  let shipped: CompiledProgram[];
  let changed: CompiledProgram[];
  const m = freshMunicipality();
  const noticesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-notices-'));
  const drafts = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-drafts-'));
  /** The nightly and its in-process workers, both with these rules (workers refuse other rules than the batch's). */
  const contextWith = (programs: CompiledProgram[]) => {
    const jobs = new InProcessJobQueue(jobHandlers({ db: database.db, logger: silentLogger, noticesDir, programs, draftsDir: drafts, reportsDir: drafts }));
    return { db: database.db, logger: silentLogger, programs, jobs, noticesDir };
  };
  const env = () => ({ ...contextWith(shipped), settle: async () => {} }) as unknown as TestEnvironment;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    // The shipped rules as they are now, and a copy whose 2024-10 amount for a first or second
    // child is 11,000 yen: the two differ in the child allowance's folder only.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-rules-'));
    // The programs this test is about (the 2023–2024 rounds would add decisions of their own).
    for (const id of ['child-allowance', 'low-income-household-2024', 'birth-gift-2024']) fs.cpSync(path.join(RULES, id), path.join(root, 'shipped', id), { recursive: true });
    fs.cpSync(path.join(root, 'shipped'), path.join(root, 'changed'), { recursive: true });
    const file = path.join(root, 'changed', 'child-allowance', 'parameters.json');
    const parameters = JSON.parse(fs.readFileSync(file, 'utf8'));
    parameters.monthly_1st_2nd.values[0].value = 11000;
    fs.writeFileSync(file, JSON.stringify(parameters, null, 2));
    shipped = loadPrograms(path.join(root, 'shipped')).map(compileProgram);
    changed = loadPrograms(path.join(root, 'changed')).map(compileProgram);

    const r = (o: Record<string, string>) => resident({ municipality_code: m, ...o });
    await importFile(env(), 'residents', writeCsv([
      r({ person_id: 'P', household_id: 'CHILD', relationship: '世帯主', birth_date: '1985-01-01' }),
      r({ person_id: 'C', household_id: 'CHILD', relationship: '子', birth_date: '2019-04-04' }),
      r({ person_id: 'S', household_id: 'SINGLE', relationship: '世帯主', birth_date: '1960-01-01' }),
    ]));
    await importFile(env(), 'income', writeCsv([
      ...taxRows(m, 'P', { total_income: '3000000', kintowari: '5000', shotokuwari: '150000' }),
      ...taxRows(m, 'C', { total_income: '0', kintowari: '0', shotokuwari: '0', dependent_of: 'P' }),
      ...taxRows(m, 'S', { total_income: '3000000', kintowari: '5000', shotokuwari: '150000' }),
    ]));
  }, 60_000);
  afterAll(() => database?.close());

  it('decides once with the shipped rules, and an unchanged night decides nobody', async () => {
    const first = await runNightly(contextWith(shipped), '2024-12-13', false);
    expect(first.full_reasons).toEqual(['every program: the first run']);
    expect(await decisionOf(database, m, 'CHILD', 'child-allowance', '2024-12-13')).toMatchObject({ outcome: 'eligible', amount_yen: 10000 });
    expect(await decisionOf(database, m, 'SINGLE', 'low-income-household-2024', '2024-12-13')).toMatchObject({ outcome: 'ineligible' });
    expect(await runNightly(contextWith(shipped), '2024-12-16', false)).toMatchObject({ full_reasons: [], households_evaluated: 0, decisions_created: 0 });
  });

  it('with the changed folder, the next night re-decides every household for the child allowance only, besides the changed households for every program', async () => {
    // The single adult's tax is corrected: that household is decided for every program as usual.
    await importFile(env(), 'income', writeCsv(taxRows(m, 'S', { total_income: '300000', kintowari: '0', shotokuwari: '0' }).slice(1)));
    const before = shipped.find((p) => p.program.spec.id === 'child-allowance')!.program.ruleVersion;
    const after = changed.find((p) => p.program.spec.id === 'child-allowance')!.program.ruleVersion;
    const night = await runNightly(contextWith(changed), '2024-12-17', false);
    expect(night.full_reasons).toEqual([`child-allowance: the program folder changed since the last run (rule_version ${before} → ${after})`]);
    expect(night).toMatchObject({ households_evaluated: 2, decisions_created: 2, decisions_by_kind: { amount_changed: 1, new: 1 } });
    expect(await decisionOf(database, m, 'CHILD', 'child-allowance', '2024-12-17')).toMatchObject({ outcome: 'eligible', amount_yen: 11000, rule_version: after });
    expect(await decisionOf(database, m, 'SINGLE', 'low-income-household-2024', '2024-12-17')).toMatchObject({ outcome: 'eligible', amount_yen: 30000 });
    const { rows } = await sql<{ stage: string; items: unknown }>`
      select p.stage, p.items from batch_plans p join batch_runs r on r.id = p.run_id
      where r.municipality_code = ${m} and r.run_date = '2024-12-17' order by p.stage`.execute(database.db);
    expect(rows.map((x) => [x.stage, x.items])).toEqual([
      ['decide:2024-12-17', ['SINGLE']],
      ['decide:2024-12-17+child-allowance', ['CHILD']],
      ['plan-basis', { ruleVersions: expect.objectContaining({ 'child-allowance': after }), fullReasons: night.full_reasons }],
    ]);
    // What a resumed run reads back: the same plans, in the same order, and their basis.
    const { rows: [run] } = await sql<{ id: number }>`select id from batch_runs where municipality_code = ${m} and run_date = '2024-12-17'`.execute(database.db);
    expect(await storedDecidePlans(database.db, run.id)).toEqual({
      plans: [{ asOf: '2024-12-17', households: ['SINGLE'] }, { asOf: '2024-12-17', households: ['CHILD'], programs: ['child-allowance'] }],
      basis: { ruleVersions: Object.fromEntries(changed.map((p) => [p.program.spec.id, p.program.ruleVersion])), fullReasons: night.full_reasons },
    });
  });

  it('the night after, with the same changed folder, is incremental again; running a night twice changes nothing', async () => {
    expect(await runNightly(contextWith(changed), '2024-12-18', false)).toMatchObject({ full_reasons: [], households_evaluated: 0, decisions_created: 0 });
    expect(await runNightly(contextWith(changed), '2024-12-18', false)).toMatchObject({ full_reasons: [], households_evaluated: 0, decisions_created: 0 });
  });

  it('going back to the shipped folder is a change again', async () => {
    const back = await runNightly(contextWith(shipped), '2024-12-19', false);
    expect(back.full_reasons).toEqual([expect.stringMatching(/^child-allowance: the program folder changed since the last run/)]);
    expect(await decisionOf(database, m, 'CHILD', 'child-allowance', '2024-12-19')).toMatchObject({ amount_yen: 10000, change_kind: 'amount_changed' });
  });
});
