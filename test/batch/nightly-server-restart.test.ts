import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { BIN, runCli, type CliResult } from '../support/run-cli.ts';
import { startPostgres, startRedis, type ThrowawayPostgres, type ThrowawayRedis } from '../support/throwaway-servers.ts';

const SETTINGS = fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url));
const M = '141003';
const DATE = '2024-12-13';

interface Outcome {
  decisions: string[];
  lines: string[];
  notices: string[];
}

/** What a run leaves: decisions in their chains, payment lines and notices (database ids are not compared). */
async function outcome(db: Database['db']): Promise<Outcome> {
  const { rows: decisions } = await sql<{ key: string }>`
    select concat_ws(' ', d.program, d.household_id, d.effective_from, d.change_kind, d.outcome, d.amount_yen, d.recipient_person_id,
      'after', p.effective_from, p.change_kind) as key
    from decisions d left join decisions p on p.id = d.supersedes order by 1`.execute(db);
  const { rows: lines } = await sql<{ key: string }>`
    select concat_ws(' ', program, household_id, recipient_person_id, period_start, payment_date, kind, amount_yen, status) as key
    from payment_lines order by 1`.execute(db);
  const { rows: notices } = await sql<{ key: string }>`
    select concat_ws(' ', kind, program, household_id, person_id, issued_on, status) as key from notices order by 1`.execute(db);
  return { decisions: decisions.map((r) => r.key), lines: lines.map((r) => r.key), notices: notices.map((r) => r.key) };
}

/** Every process this file started, so that none outlives it whatever fails. */
const started = new Set<ChildProcess>();

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const exited = (child: ChildProcess) => new Promise<void>((resolve) => (!alive(child) ? resolve() : child.once('exit', () => resolve())));

/** `benefit ARGS` in the background, its output collected (the workers' logs say why they died). */
function start(args: string[], env: Record<string, string>): { child: ChildProcess; result: Promise<CliResult> } {
  const { DATABASE_URL: _d, REDIS_URL: _r, BENEFIT_DATA_DIR: _b, LOG_LEVEL: _l, ...inherited } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const result = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, result };
}

/**
 * PostgreSQL and Redis restarted while the nightly batch's chunks are on the workers (other
 * processes). The servers are this test's own: a cluster in a temp folder and a redis-server,
 * each on a free port. The workers must live through it; the nightly must finish, or exit
 * non-zero saying to run it again, and then the rerun must finish; either way the result is
 * exactly that of a run that was never interrupted, and a further run changes nothing.
 */
describe('a nightly batch whose servers restart mid-stage', () => {
  let postgres: ThrowawayPostgres;
  const redisServers: ThrowawayRedis[] = [];
  let expected: Outcome;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-restart-'));
  let copies = 0;
  let accounts: string;

  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: postgres.url('postgres') });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    postgres = await startPostgres();
    await admin('create database template_m');
    const { files } = await generateMunicipality({ households: 600, seed: 'restart', municipalityCode: M, outDir: dir });
    const env = { DATABASE_URL: postgres.url('template_m'), BENEFIT_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    accounts = files.accounts;
    for (const kind of ['residents', 'income'] as const) expect((await runCli(['import', kind, files[kind]], env)).code).toBe(0);
    expect((await runCli(['municipality', 'set', M, '--file', SETTINGS], env)).code).toBe(0);
    // The same without the accounts, for an import whose queued changes Redis loses.
    await admin('create database without_accounts template template_m');
    expect((await runCli(['import', 'accounts', accounts], env)).code).toBe(0);

    await admin('create database reference template template_m');
    const run = await runCli(['nightly', '--date', DATE, '--no-render'], { ...env, DATABASE_URL: postgres.url('reference'), BENEFIT_NOTICES_DIR: path.join(dir, 'ref') });
    expect(run.code, run.stderr).toBe(0);
    const reference = await openDatabase({ databaseUrl: postgres.url('reference'), dataDir: dir });
    expected = await outcome(reference.db);
    await reference.close();
    expect(expected.decisions.length).toBeGreaterThan(600);
    expect(expected.lines.length).toBeGreaterThan(100);
    expect(expected.notices.length).toBeGreaterThan(100);
  }, 120_000);

  afterAll(async () => {
    for (const child of started) if (alive(child)) child.kill('SIGKILL');
    for (const r of redisServers) await r.stop();
    postgres?.stop();
  });

  /** A fresh database copied from `template`, and the environment of commands on it. */
  async function copyOf(template: string, redis: ThrowawayRedis) {
    const name = `run_${++copies}`;
    await admin(`create database ${name} template ${template}`);
    const env = {
      DATABASE_URL: postgres.url(name), REDIS_URL: redis.url, BENEFIT_QUEUE_PREFIX: name, BENEFIT_DATA_DIR: dir,
      BENEFIT_NOTICES_DIR: path.join(dir, name), BENEFIT_CHUNK_HOUSEHOLDS: '40', BENEFIT_JOB_LOCK_SECONDS: '3', LOG_LEVEL: 'warn',
    };
    return { name, env };
  }

  /**
   * Two workers and the nightly on a copy of the imported municipality; `restart` once a few
   * decide chunks are done; then the checks.
   */
  async function nightlyThrough(restart: () => Promise<void> | void, redis: ThrowawayRedis, { mustFinish = false } = {}): Promise<void> {
    const { name, env } = await copyOf('template_m', redis);
    const database = await openDatabase({ databaseUrl: postgres.url(name), dataDir: dir });
    const workers = [start(['worker', '--concurrency', '1'], env), start(['worker', '--concurrency', '1'], env)];
    try {
      const nightly = start(['nightly', '--date', DATE, '--no-render', '--json'], env);
      const chunksDone = async () => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from batch_chunks where stage like 'decide:%'`.execute(database.db);
        return rows[0].n;
      };
      while ((await chunksDone()) < 3) {
        if (!alive(nightly.child)) throw new Error(`the nightly ended before the restart: ${(await nightly.result).stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      await restart();
      // The restart really came mid-stage: some decide stage was not done when the server was back.
      const { rows } = await sql<{ done: number; planned: number }>`
        select (select count(*)::int from batch_stages where stage like 'decide:%') as done,
               (select count(*)::int from batch_plans where stage like 'decide:%') as planned`.execute(database.db);
      expect(rows[0].done).toBeLessThan(rows[0].planned);

      const first = await nightly.result;
      for (const w of workers) if (!alive(w.child)) expect.fail(`a worker died: ${(await w.result).stderr}`);
      // Where the outage falls inside a stage's wait, the nightly waits it out and goes on.
      if (mustFinish) expect(first.code, first.stderr).toBe(0);
      if (first.code !== 0) {
        // Allowed: a non-zero exit that says what to do; the same command then finishes the run.
        expect(first.stderr).toContain('run the same command again');
        const rerun = await runCli(['nightly', '--date', DATE, '--no-render', '--json'], env);
        expect(rerun.code, rerun.stderr).toBe(0);
      }
      expect(await outcome(database.db)).toEqual(expected);
      const twice = await runCli(['nightly', '--date', DATE, '--no-render', '--json'], env);
      expect(twice.code, twice.stderr).toBe(0);
      expect(JSON.parse(twice.stdout)).toMatchObject({ decisions_created: 0, payments_created: 0, notices_created: 0 });
      expect(await outcome(database.db)).toEqual(expected);
      for (const w of workers) if (!alive(w.child)) expect.fail(`a worker died: ${(await w.result).stderr}`);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => exited(w.child)));
      await database.close();
    }
  }

  it('PostgreSQL restarted (pg_ctl restart -m fast) while deciding: the workers live on and the batch ends as an uninterrupted run', async () => {
    const redis = await startRedis(false);
    redisServers.push(redis);
    await nightlyThrough(() => postgres.restart(), redis);
  }, 120_000);

  it('Redis restarted without persistence while deciding: the lost jobs are queued again and the batch ends as an uninterrupted run', async () => {
    const redis = await startRedis(false);
    redisServers.push(redis);
    await nightlyThrough(() => redis.restart(), redis, { mustFinish: true });
  }, 120_000);

  it('PostgreSQL away for 20 s while deciding, longer than a job retries: the failed chunks are queued again and the batch ends as an uninterrupted run', async () => {
    const redis = await startRedis(false);
    redisServers.push(redis);
    // A job's five attempts (back-off 1, 2, 4, 8 s) are spent in about 15 s.
    await nightlyThrough(() => postgres.awayFor(20_000), redis, { mustFinish: true });
  }, 120_000);

  it('Redis restarted without persistence after an import queued its changes: the nightly queues them again, applies them and ends as an uninterrupted run', async () => {
    const redis = await startRedis(false);
    redisServers.push(redis);
    const { name, env } = await copyOf('without_accounts', redis);
    // No worker yet: the import's changes wait in Redis, which then loses them.
    expect((await runCli(['import', 'accounts', accounts], env)).code).toBe(0);
    await redis.restart();
    const database = await openDatabase({ databaseUrl: postgres.url(name), dataDir: dir });
    const worker = start(['worker'], env);
    try {
      const nightly = await runCli(['nightly', '--date', DATE, '--no-render', '--json'], env);
      expect(nightly.code, nightly.stderr).toBe(0);
      expect(nightly.stderr).toContain('received changes without a job to apply them: queued again');
      expect(await outcome(database.db)).toEqual(expected);
      if (!alive(worker.child)) expect.fail(`the worker died: ${(await worker.result).stderr}`);
    } finally {
      worker.child.kill('SIGTERM');
      await exited(worker.child);
      await database.close();
    }
  }, 120_000);

  it('Redis restarted without persistence while the notices render: the lost render jobs are queued again and every notice is rendered', async () => {
    const redis = await startRedis(false);
    redisServers.push(redis);
    const { name, env } = await copyOf('template_m', redis);
    const database = await openDatabase({ databaseUrl: postgres.url(name), dataDir: dir });
    const worker = start(['worker', '--concurrency', '1'], env);
    try {
      const nightly = start(['nightly', '--date', DATE, '--json'], env);
      const counts = async () => {
        const { rows } = await sql<{ rendered: number; pending: number }>`
          select count(*) filter (where status = 'rendered')::int as rendered, count(*) filter (where status = 'pending')::int as pending from notices`.execute(database.db);
        return rows[0];
      };
      for (let c = await counts(); c.rendered < 5 || c.pending === 0; c = await counts()) {
        if (!alive(nightly.child)) throw new Error(`the nightly ended before the restart: ${(await nightly.result).stderr}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      await redis.restart();
      const result = await nightly.result;
      expect(result.code, result.stderr).toBe(0);
      expect(await counts()).toEqual({ rendered: expected.notices.length, pending: 0 });
      // The same as the reference run, which left its notices pending (--no-render).
      const rendered = await outcome(database.db);
      expect({ ...rendered, notices: rendered.notices.map((n) => n.replace(/ rendered$/, ' pending')) }).toEqual(expected);
      if (!alive(worker.child)) expect.fail(`the worker died: ${(await worker.result).stderr}`);
    } finally {
      worker.child.kill('SIGTERM');
      await exited(worker.child);
      await database.close();
    }
  }, 120_000);
});
