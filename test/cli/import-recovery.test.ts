import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMunicipality } from '../support/municipalities.ts';
import { resident } from '../support/rows.ts';
import { BIN, runCli } from '../support/run-cli.ts';
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from '../support/test-database.ts';

/**
 * Issue 13, point 1: `benefit import` killed with SIGKILL part-way, against a real PostgreSQL
 * database and Redis queue. The nightly says at once which import is unfinished and how to
 * finish it; running the same import again queues what was received but never queued; a
 * worker applies everything, exactly as after an uninterrupted import; the nightly then runs.
 */
describe('benefit import killed part-way', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url!, REDIS_URL, BENEFIT_QUEUE_PREFIX: `recovery-${process.pid}-${Date.now()}`, LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await database?.close();
  });

  const spawnBenefit = (args: string[], extra: Record<string, string> = {}) => {
    const { DATABASE_URL: _d, REDIS_URL: _r, ...inherited } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...inherited, ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  };
  const scalar = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(database.db)).rows[0].n;

  it('the nightly names the unfinished import at once; the same import again finishes it, and a worker applies it all', async () => {
    const m = freshMunicipality();
    const N = 60_000;
    const rows = Array.from({ length: N }, (_, i) =>
      resident({ municipality_code: m, person_id: `K${i}`, household_id: `KH${i}`, change_id: `k-${i}`, status: i % 2 ? 'moved_out' : 'resident' }),
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-kill-')), 'residents.csv');
    fs.writeFileSync(file, stringify(rows.map((r) => Object.values(r)), { header: true, columns: Object.keys(rows[0]) }));

    const importing = spawnBenefit(['import', 'residents', file]);
    const deadline = Date.now() + 60_000;
    while ((await scalar(sql`select count(*)::int as n from changes where municipality_code = ${m}`)) < 4000) {
      if (Date.now() > deadline) throw new Error(`the import stored nothing: ${importing.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    importing.child.kill('SIGKILL');
    await importing.exited;
    const received = await scalar(sql`select count(*)::int as n from changes where municipality_code = ${m} and status = 'received'`);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(N);
    const killed = await database.db.selectFrom('imports').select(['id', 'finished_at']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(killed.finished_at).toBeNull();

    // The nightly does not wait ten minutes: it says which import and what to run.
    const started = Date.now();
    const nightly = await runCli(['nightly', '--date', '2024-12-13', '--no-render'], env);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(nightly.code).not.toBe(0);
    expect(nightly.stderr).toContain(`import ${killed.id}`);
    expect(nightly.stderr).toContain(file);
    expect(nightly.stderr).toContain(`${received} rows`);
    expect(nightly.stderr).toContain(`benefit import residents ${file}`);
    expect(nightly.stderr).not.toContain('    at ');

    // The same command again finishes the job.
    const again = await runCli(['import', 'residents', file], env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${N} rows read, ${N} accepted, 0 already received, 0 rejected`);

    const worker = spawnBenefit(['worker']);
    const applied = Date.now() + 120_000;
    while ((await scalar(sql`select count(*)::int as n from changes where municipality_code = ${m} and status = 'applied'`)) < N) {
      if (Date.now() > applied) throw new Error(`the worker did not apply everything: ${worker.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // As after an uninterrupted import: every row applied once, in order of its change_row.
    expect(await scalar(sql`select count(*)::int as n from persons where municipality_code = ${m}`)).toBe(N);
    expect(await scalar(sql`select count(*)::int as n from person_history where municipality_code = ${m}`)).toBe(N);
    expect(await scalar(sql`select count(*)::int as n from changes where status <> 'applied'`)).toBe(0);
    const after = await runCli(['nightly', '--date', '2024-12-13', '--no-render', '--json'], env);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ changes_applied: N });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 300_000);

  it('a nightly already waiting for an import that is then killed stops within seconds, naming it, instead of waiting ten minutes', async () => {
    const m = freshMunicipality();
    const N = 60_000;
    const rows = Array.from({ length: N }, (_, i) => resident({ municipality_code: m, person_id: `W${i}`, household_id: `WH${i}`, change_id: `w-${i}` }));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-kill-wait-')), 'residents.csv');
    fs.writeFileSync(file, stringify(rows.map((r) => Object.values(r)), { header: true, columns: Object.keys(rows[0]) }));

    const importing = spawnBenefit(['import', 'residents', file]);
    const deadline = Date.now() + 60_000;
    while ((await scalar(sql`select count(*)::int as n from changes where municipality_code = ${m}`)) < 2000) {
      if (Date.now() > deadline) throw new Error(`the import stored nothing: ${importing.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // The nightly starts while the import runs, and waits for the rows received so far.
    const started = Date.now();
    const nightly = spawnBenefit(['nightly', '--date', '2024-12-13', '--no-render'], { LOG_LEVEL: 'info' });
    while (!nightly.stderr().includes('waiting for received changes to be applied')) {
      if (Date.now() > deadline || nightly.child.exitCode !== null) throw new Error(`the nightly did not wait: ${nightly.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    importing.child.kill('SIGKILL');
    await importing.exited;
    const killed = await database.db.selectFrom('imports').select(['id', 'finished_at']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(killed.finished_at).toBeNull();
    expect(await nightly.exited).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(nightly.stderr()).toContain(`import ${killed.id}`);
    expect(nightly.stderr()).toContain(`benefit import residents ${file}`);
  }, 120_000);
});
