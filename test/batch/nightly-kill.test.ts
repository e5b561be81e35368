import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { exited, runCli, startBenefit as start } from '../support/run-cli.ts';
import { ADMIN_DATABASE_URL, createPostgresDatabase, REDIS_URL, type TestDatabase } from '../support/test-database.ts';

const SETTINGS = fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url));
const M = '141003';
const DATE = '2024-12-13';

/**
 * What a run leaves: every decision with the one it supersedes (its place in the chain; ids are
 * the database's own, so they are not compared), every payment line, and every notice (its id
 * comes from its source; 文書番号 are not compared, a killed run gives none back).
 */
async function outcome(db: TestDatabase): Promise<{ decisions: string[]; lines: string[]; notices: string[] }> {
  const { rows: decisions } = await sql<{ key: string }>`
    select concat_ws(' ', d.program, d.household_id, d.effective_from, d.change_kind, d.outcome, d.amount_yen, d.recipient_person_id,
      'after', p.effective_from, p.change_kind) as key
    from decisions d left join decisions p on p.id = d.supersedes order by 1`.execute(db.db);
  const { rows: lines } = await sql<{ key: string }>`
    select concat_ws(' ', program, household_id, recipient_person_id, period_start, payment_date, kind, amount_yen, status) as key
    from payment_lines order by 1`.execute(db.db);
  const { rows: notices } = await sql<{ key: string }>`
    select concat_ws(' ', notice_id, kind, program, household_id, person_id, decision_id, issued_on) as key from notices order by 1`.execute(db.db);
  return { decisions: decisions.map((r) => r.key), lines: lines.map((r) => r.key), notices: notices.map((r) => r.key) };
}

async function chunksDone(db: TestDatabase, stage: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from batch_chunks where stage like ${`${stage}:%`}`.execute(db.db);
  return rows[0].n;
}

/**
 * The nightly batch with its work on BullMQ workers in other processes, interrupted by SIGKILL
 * at different points; the rerun must leave exactly the decisions and payment lines of a run
 * that was never interrupted, and a further run must change nothing.
 */
describe('a nightly batch killed mid-way', () => {
  let template: string;
  let reference: TestDatabase;
  let expected: { decisions: string[]; lines: string[]; notices: string[] };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-kill-'));
  const envFor = (db: TestDatabase, name: string) => ({
    DATABASE_URL: db.url!, REDIS_URL, BENEFIT_QUEUE_PREFIX: `kill-${randomBytes(4).toString('hex')}`,
    BENEFIT_DATA_DIR: dir, BENEFIT_NOTICES_DIR: path.join(dir, name), BENEFIT_CHUNK_HOUSEHOLDS: '100', BENEFIT_JOB_LOCK_SECONDS: '3', LOG_LEVEL: 'warn',
  });

  beforeAll(async () => {
    // One imported municipality, copied for each run.
    const source = await createPostgresDatabase();
    const { files } = await generateMunicipality({ households: 1500, seed: 'kill', municipalityCode: M, outDir: dir });
    const env = { DATABASE_URL: source.url!, BENEFIT_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    for (const kind of ['residents', 'income', 'accounts'] as const) expect((await runCli(['import', kind, files[kind]], env)).code).toBe(0);
    expect((await runCli(['municipality', 'set', M, '--file', SETTINGS], env)).code).toBe(0);
    await source.db.destroy();
    template = source.name!;

    reference = await createPostgresDatabase(template);
    expect((await runCli(['nightly', '--date', DATE], { DATABASE_URL: reference.url!, BENEFIT_DATA_DIR: dir, BENEFIT_NOTICES_DIR: path.join(dir, 'ref'), LOG_LEVEL: 'warn' })).code).toBe(0);
    expected = await outcome(reference);
    // Every household has a 2024 benefit decision; those with children also child-allowance months.
    expect(expected.decisions.length).toBeGreaterThan(1500);
    expect(expected.lines.length).toBeGreaterThan(300);
    expect(expected.notices.length).toBeGreaterThan(1500);
  }, 180_000);
  afterAll(async () => {
    await reference?.close();
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
  });

  it('a worker killed while deciding: another worker takes over its stalled job, and the batch ends as if nothing happened', async () => {
    const db = await createPostgresDatabase(template);
    const env = envFor(db, 'worker');
    const worker = start(['worker'], env);
    let second: ChildProcess | undefined;
    try {
      const nightly = runCli(['nightly', '--date', DATE, '--json'], env);
      while ((await chunksDone(db, 'decide')) < 3) await new Promise((r) => setTimeout(r, 5));
      worker.kill('SIGKILL');
      await exited(worker);
      const partial = await outcome(db);
      expect(partial.decisions.length).toBeGreaterThan(0);
      expect(partial.decisions.length).toBeLessThan(expected.decisions.length);
      second = start(['worker'], env);
      const result = await nightly;
      expect(result.code, result.stderr).toBe(0);
      expect(await outcome(db)).toEqual(expected);
    } finally {
      second?.kill('SIGTERM');
      if (second) await exited(second);
      await db.close();
    }
  }, 300_000);

  const doing = { decide: 'deciding', payments: 'creating payment lines', notices: 'writing letters' };
  for (const stage of ['decide', 'payments', 'notices'] as const) {
    it(`the command and the worker killed while ${doing[stage]}: the same command resumes the run`, async () => {
      const db = await createPostgresDatabase(template);
      const env = envFor(db, stage);
      const worker = start(['worker'], env);
      const nightly = start(['nightly', '--date', DATE], env);
      while ((await chunksDone(db, stage)) < 3) await new Promise((r) => setTimeout(r, 5));
      worker.kill('SIGKILL');
      nightly.kill('SIGKILL');
      await Promise.all([exited(worker), exited(nightly)]);
      const partial = await outcome(db);
      const key = ({ decide: 'decisions', payments: 'lines', notices: 'notices' } as const)[stage];
      expect(partial[key].length).toBeGreaterThan(0);
      expect(partial[key].length).toBeLessThan(expected[key].length);

      const again = start(['worker'], env);
      try {
        // The dead command's lock is taken over at once (its process is gone from this machine).
        const rerun = await runCli(['nightly', '--date', DATE, '--json'], env);
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(await outcome(db)).toEqual(expected);
        const { rows } = await sql<{ attempt: number; finished: boolean }>`select attempt, finished_at is not null as finished from batch_runs`.execute(db.db);
        expect(rows).toEqual([{ attempt: 2, finished: true }]);
        const twice = await runCli(['nightly', '--date', DATE, '--json'], env);
        expect(JSON.parse(twice.stdout)).toMatchObject({ decisions_created: 0, payments_created: 0, notices_created: 0 });
        expect(await outcome(db)).toEqual(expected);
      } finally {
        again.kill('SIGTERM');
        await exited(again);
        await db.close();
      }
    }, 300_000);
  }
});
