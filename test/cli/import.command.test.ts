import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '../../src/db/database.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { BIN, runCli } from '../support/run-cli.ts';
import { resident, writeCsv } from '../support/rows.ts';
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from '../support/test-database.ts';

describe('benefit import on the embedded defaults', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-cli-'));
  const env = { BENEFIT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const m = freshMunicipality();

  async function storedPersons(): Promise<string[]> {
    const db = await openEmbedded(path.join(dataDir, 'pgdata'));
    try {
      const { rows } = await sql<{ person_id: string }>`select person_id from persons order by 1`.execute(db.db);
      return rows.map((r) => r.person_id);
    } finally {
      await db.close();
    }
  }

  it('exits 2 and changes nothing when the header names an unknown column', async () => {
    const file = writeCsv([{ ...resident({ municipality_code: m, person_id: 'X1' }), color: 'red' }]);
    const result = await runCli(['import', 'residents', file], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown column(s) color');
    expect(fs.existsSync(path.join(dataDir, 'pgdata'))).toBe(false);
  });

  it('exits 0 for a clean file and 3 when rows are rejected, keeping the good rows', async () => {
    const good = writeCsv([resident({ municipality_code: m, person_id: 'A1', household_id: 'H1' })]);
    const ok = await runCli(['import', 'residents', good], env);
    expect(ok.stdout).toContain('1 rows read, 1 accepted');
    expect(ok.code).toBe(0);

    const mixed = writeCsv([
      resident({ municipality_code: m, person_id: 'B1', household_id: 'H2' }),
      resident({ municipality_code: m, person_id: 'B2', household_id: 'H3', birth_date: '2024-02-30', change_id: 'broken' }),
    ]);
    const partly = await runCli(['import', 'residents', mixed, '--json'], env);
    expect(partly.code).toBe(3);
    expect(JSON.parse(partly.stdout)).toMatchObject({ rowsRead: 2, accepted: 1, rejectedRows: 1, rejectedFile: `${mixed}.rejected.csv` });
    expect(fs.readFileSync(`${mixed}.rejected.csv`, 'utf8')).toBe(
      '\uFEFFline,change_id,field,reason,reason_ja\n3,broken,birth_date,not a real date in YYYY-MM-DD form,実在する日付を YYYY-MM-DD の形で書いてください\n',
    );
    expect(await storedPersons()).toEqual(['A1', 'B1']);
  });

  it('exits 2 with a clear message for bad configuration or arguments', async () => {
    const file = writeCsv([resident({ municipality_code: m })]);
    const badUrl = await runCli(['import', 'residents', file], { ...env, DATABASE_URL: 'mysql://x' });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    const badKind = await runCli(['import', 'pets', file], env);
    expect(badKind.code).toBe(2);
    expect(badKind.stderr).toContain("unknown kind 'pets'");
    const out = path.join(dataDir, 'demo-out');
    const demo = await runCli(['demo', '--out', out], { ...env, REDIS_URL: 'http://nope' });
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('REDIS_URL');
    expect(fs.existsSync(out)).toBe(false);
    const missing = await runCli(['import', 'residents', '/nonexistent.csv'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });
});

describe('benefit import with PostgreSQL and Redis, applied by benefit worker', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url!, REDIS_URL, BENEFIT_QUEUE_PREFIX: `cli-${path.basename(os.tmpdir())}-${Date.now()}`, LOG_LEVEL: 'warn' };
  });
  afterAll(() => database?.close());

  it('queues the rows; a worker process applies them and drains on SIGTERM', async () => {
    const m = freshMunicipality();
    const file = writeCsv([
      resident({ municipality_code: m, person_id: 'Q1', household_id: 'HQ' }),
      resident({ municipality_code: m, person_id: 'Q2', household_id: 'HQ', relationship: '子' }),
    ]);
    const imported = await runCli(['import', 'residents', file], env);
    expect(imported.code).toBe(0);
    const pending = await sql<{ n: number }>`select count(*)::int as n from changes where status = 'received'`.execute(database.db);
    expect(pending.rows[0].n).toBe(2);

    const { DATABASE_URL: _d, REDIS_URL: _r, ...inherited } = process.env;
    const worker = spawn(process.execPath, [BIN, 'worker'], { env: { ...inherited, ...env } });
    let stderr = '';
    worker.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from persons where municipality_code = ${m}`.execute(database.db);
      if (rows[0].n === 2) break;
      if (Date.now() > deadline) throw new Error(`worker applied nothing: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
