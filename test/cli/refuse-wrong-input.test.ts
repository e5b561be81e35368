import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { runCli } from '../support/run-cli.ts';
import { resident, writeCsv } from '../support/rows.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

/** Issue 16 point 9: refuse an input that cannot be right, as real processes on PostgreSQL. */
describe('benefit refuses an input that cannot be right', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-refuse-'));

  beforeAll(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url!, BENEFIT_DATA_DIR: dir, LOG_LEVEL: 'warn' };
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const count = async (table: 'changes' | 'rejections') => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(database.db)).rows[0].n;

  it('refuses a cp932 file imported without --encoding whole (exit 2, the hint, nothing stored), and reads it with --encoding cp932', async () => {
    const { files } = await generateMunicipality({ households: 5, seed: 'cp932', municipalityCode: freshMunicipality(), outDir: dir });
    const sjis = path.join(dir, 'residents-sjis.csv');
    fs.writeFileSync(sjis, iconv.encode(fs.readFileSync(files.residents, 'utf8'), 'cp932'));
    const refused = await runCli(['import', 'residents', sjis], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not UTF-8');
    expect(refused.stderr).toContain('--encoding shift_jis (the same as --encoding cp932)');
    expect(fs.existsSync(`${sjis}.rejected.csv`)).toBe(false);
    expect(await count('changes')).toBe(0);
    expect(await count('rejections')).toBe(0);
    const read = await runCli(['import', 'residents', sjis, '--encoding', 'cp932'], env);
    expect(read.code, read.stderr).toBe(0);
  });

  it('writes FILE.rejected.csv with a UTF-8 BOM and each reason in Japanese beside the contract columns', async () => {
    const m = freshMunicipality();
    const file = writeCsv([
      resident({ municipality_code: m, person_id: 'R1', household_id: 'HR1' }),
      resident({ municipality_code: m, person_id: 'R2', household_id: 'HR2', birth_date: '2024-02-30', family_name_kana: 'やまだ', change_id: 'bad-row' }),
    ]);
    const r = await runCli(['import', 'residents', file], env);
    expect(r.code).toBe(3);
    const bytes = fs.readFileSync(`${file}.rejected.csv`);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes, { columns: true, bom: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['line', 'change_id', 'field', 'reason', 'reason_ja']);
    expect(rows.map((x) => [x.field, x.reason_ja])).toEqual(
      expect.arrayContaining([
        ['birth_date', '実在する日付を YYYY-MM-DD の形で書いてください'],
        ['family_name_kana', '全角カタカナで書いてください'],
      ]),
    );
  });

  it('refuses a nightly date earlier than the last finished run unless --backdate is given', async () => {
    const later = await runCli(['nightly', '--date', '2024-12-13', '--no-render'], env);
    expect(later.code, later.stderr).toBe(0);
    const earlier = await runCli(['nightly', '--date', '2024-11-01', '--no-render'], env);
    expect(earlier.code).toBe(2);
    expect(earlier.stderr).toContain('--date 2024-11-01 is earlier than the last finished nightly (2024-12-13');
    expect(earlier.stderr).toContain('--backdate');
    const runs = async () => (await sql<{ n: number }>`select count(*)::int as n from batch_runs where run_date = '2024-11-01'`.execute(database.db)).rows[0].n;
    expect(await runs()).toBe(0);
    // The same date again is a rerun, not a backdate.
    expect((await runCli(['nightly', '--date', '2024-12-13', '--no-render'], env)).code).toBe(0);
    const meant = await runCli(['nightly', '--date', '2024-11-01', '--no-render', '--backdate'], env);
    expect(meant.code, meant.stderr).toBe(0);
    expect(await runs()).toBeGreaterThan(0);
  });
});
