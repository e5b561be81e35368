import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { DecisionRow } from '../../src/decisions/decision.repository.ts';
import { decisionInputs } from '../../src/decisions/replay.service.ts';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { buildServer } from '../../src/http/server.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { loadPrograms } from '../../src/rules/program-loader.ts';
import { simulate, type ChangedHousehold, type ProgramSimulation } from '../../src/simulation/simulate.service.ts';
import { writeSimulationReport } from '../../src/simulation/simulation-report.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { runCli } from '../support/run-cli.ts';
import { nightlyContext, postgresWithRedis, BASE_PROGRAMS, type TestEnvironment } from '../support/test-environments.ts';

const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const PROGRAM = 'low-income-household-2024';
const AS_OF = '2024-12-13';

type Json = Record<string, unknown>;

/**
 * A draft folder: a copy of the program in force, with `edit` applied to its parsed files, in a
 * folder of its own (renamed when the draft is a new program).
 */
function draft(name: string, edit: (files: { parameters: Json; cases: Json[]; program: Json }) => void, id = PROGRAM): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `benefit-draft-${name}-`));
  const folder = path.join(dir, id);
  fs.cpSync(path.join(RULES, PROGRAM), folder, { recursive: true });
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8'));
  const files = { parameters: read('parameters.json'), cases: read('cases.json'), program: read('program.json') };
  edit(files);
  fs.writeFileSync(path.join(folder, 'parameters.json'), JSON.stringify(files.parameters, null, 2));
  fs.writeFileSync(path.join(folder, 'cases.json'), JSON.stringify(files.cases, null, 2));
  fs.writeFileSync(path.join(folder, 'program.json'), JSON.stringify(files.program, null, 2));
  return dir;
}

const setValue = (parameters: Json, name: string, value: unknown) => {
  ((parameters[name] as { values: { value: unknown }[] }).values[0]).value = value;
};

describe('simulating a rule change on the population', () => {
  let env: TestEnvironment;
  // One fixed code: the generated population depends on it, and the cases below need it to hold
  // children of every age (a random code gave, once in a while, no eligible household with a
  // child of 15 to 18). The file's database is its own, so no other test sees these rows.
  const m = '141003';
  const inForce = BASE_PROGRAMS.map((p) => p.program);
  let fingerprint: () => Promise<string>;

  beforeAll(async () => {
    env = await postgresWithRedis();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-simulate-'));
    const { files } = await generateMunicipality({ households: 500, seed: 'simulate', municipalityCode: m, outDir: dir });
    for (const kind of ['residents', 'income', 'accounts'] as const) expect((await importFile(env, kind, files[kind])).rejectedRows).toBe(0);
    await runNightly(nightlyContext(env, BASE_PROGRAMS), AS_OF, false);
    // Everything the batch wrote, row by row: a simulation must leave it as it is.
    fingerprint = async () =>
      (await sql<{ f: string }>`select md5(coalesce((select string_agg(d::text, '|' order by id) from decisions d), '') ||
        coalesce((select string_agg(p::text, '|' order by id) from payment_lines p), '') ||
        coalesce((select string_agg(n::text, '|' order by id) from notices n), '') ||
        coalesce((select string_agg(r::text, '|' order by id) from review_items r), '')) as f`.execute(env.db)).rows[0].f;
  }, 180_000);
  afterAll(() => env?.close());

  /** Households the rules in force pay the benefit, from the decisions the nightly run made. */
  type Inputs = { members: { birth_date: string; relationship: string; circumstances?: { circumstance: string }[] }[] };
  async function eligibleInputs(): Promise<Inputs[]> {
    const { rows } = await sql<DecisionRow>`
      select d.* from decisions d where d.municipality_code = ${m} and d.program = ${PROGRAM} and d.outcome = 'eligible'
        and not exists (select from decisions n where n.supersedes = d.id)`.execute(env.db);
    // Decisions keep no snapshot (issue 15): rebuilt from the store as replay does.
    return Promise.all(rows.map(async (d) => (await decisionInputs(env.db, d)) as unknown as Inputs));
  }

  const changedRows: ChangedHousehold[] = [];
  async function run(dir: string): Promise<ProgramSimulation> {
    const before = await fingerprint();
    changedRows.length = 0;
    const summary = await simulate(env.db, { drafts: loadPrograms(dir), inForce, asOf: AS_OF, onChanged: (row) => changedRows.push(row) });
    expect(await fingerprint()).toBe(before);
    const p = summary.programs[0];
    expect(changedRows.length).toBe(p.evaluated - p.unchanged);
    return p;
  }

  it('a household benefit raised from 30,000 to 40,000 yen costs exactly 10,000 yen more per eligible household', async () => {
    const dir = draft('raise', ({ parameters, cases }) => {
      setValue(parameters, 'household_amount', 40_000);
      for (const c of cases) {
        const e = c.expect as { outcome: string; amount_yen?: number };
        if (e.outcome === 'eligible') e.amount_yen = e.amount_yen! + 10_000;
      }
    });
    const eligible = (await eligibleInputs()).length;
    expect(eligible).toBeGreaterThan(50);
    const p = await run(dir);
    expect(p).toMatchObject({ amount_increased: eligible, amount_decreased: 0, newly_eligible: 0, no_longer_eligible: 0, cost_delta_yen: 10_000 * eligible });
    expect(p.cost_draft_yen - p.cost_current_yen).toBe(p.cost_delta_yen);
    expect(p.differences).toEqual([{ kind: 'parameter', name: 'household_amount', current: 30_000, draft: 40_000 }]);
    const report = writeSimulationReport(path.join(dir, 'out'), { as_of: AS_OF, masked: true, programs: [p] });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${report.html}`);
      expect(await page.locator('h1').textContent()).toBe('ルール改正の試算');
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(4);
      expect(await page.locator('body').textContent()).toContain(`+${(10_000 * eligible).toLocaleString('ja-JP')}円`);
      await page.evaluate(() => document.fonts.ready);
      fs.mkdirSync('test-output/simulation', { recursive: true });
      await page.screenshot({ path: 'test-output/simulation/report-top.png', clip: { x: 0, y: 0, width: 1280, height: 700 } });
      await page.screenshot({ path: 'test-output/simulation/report.png', fullPage: true });
    } finally {
      await browser.close();
    }
    // Masked by default: no household number of the municipality appears in the report.
    const text = fs.readFileSync(report.html, 'utf8');
    const { rows } = await sql<{ household_id: string }>`select distinct household_id from persons where municipality_code = ${m}`.execute(env.db);
    const ids = new Set(rows.map((r) => r.household_id));
    for (const id of ids) expect(text.includes(`>${id}<`)).toBe(false);
    expect(changedRows.filter((r) => ids.has(r.household))).toEqual([]);
  });

  it('a child top-up for children born from 2009-04-02 instead of 2006-04-02 removes exactly the children born in between', async () => {
    const dir = draft('child-age', ({ parameters, cases }) => {
      setValue(parameters, 'child_born_on_or_after', '2009-04-02');
      cases.splice(0, cases.length, ...cases.filter((c) => !JSON.stringify(c.household).includes('"子"')));
    });
    // こども加算 is for members other than the 世帯主, and not for children placed in a facility.
    const placed = (x: { circumstances?: { circumstance: string }[] }) => (x.circumstances ?? []).some((c) => c.circumstance === 'facility_placement');
    const removed = (await eligibleInputs()).map(
      (h) => h.members.filter((x) => x.birth_date >= '2006-04-02' && x.birth_date <= '2009-04-01' && x.relationship !== '世帯主' && !placed(x)).length,
    );
    const households = removed.filter((n) => n > 0).length;
    const children = removed.reduce((a, b) => a + b, 0);
    expect(children).toBeGreaterThan(0);
    const p = await run(dir);
    expect(p).toMatchObject({ amount_decreased: households, amount_increased: 0, newly_eligible: 0, no_longer_eligible: 0, cost_delta_yen: -20_000 * children });
  });

  it('a draft identical to the rules in force reports no change', async () => {
    const p = await run(draft('same', () => {}));
    expect(p.evaluated).toBeGreaterThan(400);
    expect(p).toMatchObject({ newly_eligible: 0, no_longer_eligible: 0, amount_increased: 0, amount_decreased: 0, unchanged: p.evaluated, cost_delta_yen: 0, differences: [] });
  });

  it('a draft of a program with no rules in force reports its whole reach and cost', async () => {
    const id = 'low-income-household-2024-extra';
    const p = await run(draft('new', ({ program, cases }) => {
      program.id = id;
      // A case's 辞退 names the program it declines.
      for (const c of cases) for (const x of (c.household as { members: { circumstances?: { program?: string }[] }[] }).members) {
        for (const circumstance of x.circumstances ?? []) if (circumstance.program === 'low-income-household-2024') circumstance.program = id;
      }
    }, id));
    const eligible = await eligibleInputs();
    expect(p).toMatchObject({ program: id, has_rules_in_force: false, newly_eligible: eligible.length, cost_current_yen: 0 });
    expect(p.cost_draft_yen).toBeGreaterThanOrEqual(30_000 * eligible.length);
  });

  it('refuses a draft whose own cases fail, naming them, and prints the contract summary with --json', async () => {
    const broken = draft('broken', ({ parameters }) => setValue(parameters, 'household_amount', 40_000));
    const env2 = { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' };
    const refused = await runCli(['simulate', '--rules', broken, '--as-of', AS_OF, '--out', path.join(broken, 'out')], env2);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('a single pensioner exempt from 均等割 gets 30,000 yen');
    expect(fs.existsSync(path.join(broken, 'out'))).toBe(false);

    const same = draft('cli', () => {});
    const ok = await runCli(['simulate', '--rules', same, '--as-of', AS_OF, '--out', path.join(same, 'out'), '--json'], env2);
    expect(ok.code, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.stdout);
    expect(summary.as_of).toBe(AS_OF);
    for (const key of ['program', 'evaluated', 'newly_eligible', 'no_longer_eligible', 'amount_increased', 'amount_decreased', 'unchanged', 'cost_current_yen', 'cost_draft_yen', 'cost_delta_yen']) {
      expect(summary.programs[0]).toHaveProperty(key);
    }
    for (const f of ['report.html', 'summary.json', 'changed-households.csv']) expect(fs.existsSync(path.join(same, 'out', f))).toBe(true);
  });

  it('compared in threads, page by page, the report and the CSV are byte for byte those of one thread', async () => {
    const dir = draft('threads', ({ parameters, cases }) => {
      setValue(parameters, 'household_amount', 40_000);
      for (const c of cases) if ((c.expect as { outcome: string }).outcome === 'eligible') (c.expect as { amount_yen: number }).amount_yen += 10_000;
    });
    const outputs = [];
    // 500 households in pages of 60: nine pages, given to three threads as each comes free.
    for (const [threads, page] of [['1', '2000'], ['3', '60'], ['2', '60']]) {
      const out = path.join(dir, `out-${threads}-${page}`);
      const env2 = { DATABASE_URL: env.database.url!, LOG_LEVEL: 'debug', BENEFIT_SIMULATE_THREADS: threads, BENEFIT_CHUNK_HOUSEHOLDS: page };
      const run = await runCli(['simulate', '--rules', dir, '--as-of', AS_OF, '--out', out, '--json'], env2);
      expect(run.code, run.stderr).toBe(0);
      // Every thread asked for compared pages (one thread: in the command's own).
      expect(run.stderr).toContain(`"pages":${page === '60' ? 9 : 1},"threads":${threads}`);
      outputs.push({ stdout: run.stdout, summary: fs.readFileSync(path.join(out, 'summary.json'), 'utf8'), csv: fs.readFileSync(path.join(out, 'changed-households.csv'), 'utf8') });
    }
    const p = (JSON.parse(outputs[0].stdout) as { programs: ProgramSimulation[] }).programs[0];
    expect(p.amount_increased).toBeGreaterThan(50);
    expect(outputs[0].csv.trim().split('\n')).toHaveLength(1 + p.amount_increased);
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
    // The threads' count is checked like any setting.
    const bad = await runCli(['simulate', '--rules', dir, '--as-of', AS_OF, '--out', path.join(dir, 'bad')], { DATABASE_URL: env.database.url!, BENEFIT_SIMULATE_THREADS: '0' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('BENEFIT_SIMULATE_THREADS');
  });

  it("a thread whose connection is cut ends the simulation with the reason, and no summary is written", async () => {
    const dir = draft('thread-cut', () => {});
    const out = path.join(dir, 'out');
    const running = runCli(['simulate', '--rules', dir, '--as-of', AS_OF, '--out', out], {
      DATABASE_URL: env.database.url!, BENEFIT_SIMULATE_THREADS: '2', BENEFIT_CHUNK_HOUSEHOLDS: '10',
    });
    // The first thread's connection, cut as soon as it shows (the threads name theirs).
    let cut = 0;
    for (let i = 0; i < 500 && cut === 0; i++) {
      const { rows } = await sql<{ done: boolean }>`
        select pg_terminate_backend(pid) as done from pg_stat_activity
        where datname = current_database() and application_name = 'benefit simulate' limit 1`.execute(env.db);
      cut = rows.filter((r) => r.done).length;
      if (cut === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(cut).toBe(1);
    const result = await running;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a simulation thread failed');
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(false);
  });

  it('a supervisor runs a draft from the pages in the background and reads the report; nobody else can', async () => {
    fs.cpSync(draft('pages', ({ parameters, cases }) => {
      setValue(parameters, 'household_amount', 40_000);
      for (const c of cases) if ((c.expect as { outcome: string }).outcome === 'eligible') (c.expect as { amount_yen: number }).amount_yen += 10_000;
    }), path.join(env.draftsDir, 'raise-2025'), { recursive: true });
    const suffix = Math.random().toString(36).slice(2, 8);
    const password = 'correct horse battery';
    const other = freshMunicipality();
    for (const [login, role, code] of [[`sup-${suffix}`, 'supervisor', m], [`rev-${suffix}`, 'reviewer', m], [`sup2-${suffix}`, 'supervisor', other]] as const) {
      await addUser(env.db, { login, role, municipalityCode: code, password });
    }
    const server = await buildServer(env);
    try {
      const signIn = async (login: string) => {
        const res = await server.inject({ method: 'POST', url: '/v1/login', payload: { login, password } });
        return { cookie: `benefit_session=${res.cookies.find((c) => c.name === 'benefit_session')!.value}`, csrf: res.json().csrf_token as string };
      };
      const sup = await signIn(`sup-${suffix}`);
      expect((await server.inject({ method: 'GET', url: '/simulations', headers: { cookie: (await signIn(`rev-${suffix}`)).cookie } })).statusCode).toBe(403);
      const form = await server.inject({ method: 'GET', url: '/simulations', headers: { cookie: sup.cookie } });
      expect(form.body).toContain('<option value="raise-2025">');
      const started = await server.inject({
        method: 'POST', url: '/simulations', headers: { cookie: sup.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: sup.csrf, draft: 'raise-2025', as_of: AS_OF }).toString(),
      });
      expect(started.statusCode, started.body).toBe(303);
      const id = Number(new URL(started.headers.location as string, 'http://x').searchParams.get('started'));
      for (let i = 0; i < 600; i++) {
        const { status } = await env.db.selectFrom('simulations').select('status').where('id', '=', id).executeTakeFirstOrThrow();
        if (status === 'done' || status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const row = await env.db.selectFrom('simulations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.error).toBeNull();
      expect(row.status).toBe('done');
      const eligible = (await eligibleInputs()).length;
      expect((row.summary as { programs: { cost_delta_yen: number }[] }).programs[0].cost_delta_yen).toBe(10_000 * eligible);
      const report = await server.inject({ method: 'GET', url: `/simulations/${id}/report.html`, headers: { cookie: sup.cookie } });
      expect(report.statusCode).toBe(200);
      expect(report.body).toContain('ルール改正の試算');
      expect((await server.inject({ method: 'GET', url: `/simulations/${id}/fonts/noto-sans-jp.css`, headers: { cookie: sup.cookie } })).statusCode).toBe(200);
      expect((await server.inject({ method: 'GET', url: `/simulations/${id}/../../etc/passwd`, headers: { cookie: sup.cookie } })).statusCode).toBe(404);
      const stranger = await signIn(`sup2-${suffix}`);
      expect((await server.inject({ method: 'GET', url: `/simulations/${id}/report.html`, headers: { cookie: stranger.cookie } })).statusCode).toBe(404);
    } finally {
      await server.close();
    }
  });
});
