import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMunicipality } from '../support/municipalities.ts';
import { resident, type Row } from '../support/rows.ts';
import { runCli } from '../support/run-cli.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Issue 13 (points 1, 2, 6, 10, 14): what `benefit import` does with a file that is broken in
 * the ways real files are: a CSV syntax error late in the file, a NUL byte, formulas and huge
 * cells echoed into FILE.rejected.csv, multi-line cells with CRLF. Real processes against a
 * real PostgreSQL database; changes are applied in process (no REDIS_URL).
 */
describe('benefit import: broken files', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url!, LOG_LEVEL: 'warn' };
  });
  afterAll(() => database?.close());

  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-safety-'));
  const csv = (rows: Row[]) => stringify(rows.map((r) => Object.values(r)), { header: true, columns: Object.keys(rows[0]), record_delimiter: 'windows' });
  const households = (m: string, n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => resident({ municipality_code: m, person_id: `${prefix}${i}`, household_id: `${prefix}H${i}`, change_id: `${prefix}-${i}` }));
  const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(database.db)).rows[0].n;

  it('exits 2 and stores nothing for a CSV syntax error late in the file; stderr names file, line and column, never the value; the corrected file then imports whole', async () => {
    const m = freshMunicipality();
    const good = households(m, 4500, 'S');
    const text = csv(good);
    // Line 4502: a quote in the middle of an unquoted address cell, then text after the closing quote.
    const secret = '"秘密区"隠町';
    const badRow = { ...resident({ municipality_code: m, person_id: 'SX', household_id: 'SXH', change_id: 'S-x' }) };
    const header = Object.keys(badRow);
    const badLine = header.map((h) => (h === 'address' ? secret : badRow[h])).join(',');
    const file = path.join(dir(), 'residents.csv');
    fs.writeFileSync(file, `${text}${badLine}\r\n`);

    const refused = await runCli(['import', 'residents', file], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(file);
    expect(refused.stderr).toMatch(/line 4502\b/);
    expect(refused.stderr).toMatch(/column 14 \(address\)/);
    for (const ch of '秘密区隠町') expect(refused.stderr).not.toContain(ch);
    expect(await count(sql`select count(*)::int as n from changes where municipality_code = ${m}`)).toBe(0);
    expect(await count(sql`select count(*)::int as n from rejections where municipality_code = ${m}`)).toBe(0);

    fs.writeFileSync(file, `${text}${header.map((h) => (h === 'address' ? '秘密区隠町' : badRow[h])).join(',')}\r\n`);
    const fixed = await runCli(['import', 'residents', file], env);
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toContain('4501 rows read, 4501 accepted, 0 already received, 0 rejected');
    expect(fixed.code).toBe(0);
    expect(await count(sql`select count(*)::int as n from persons where municipality_code = ${m}`)).toBe(4501);
  });

  it('rejects a row with a NUL byte, naming the field, and stores the good rows', async () => {
    const m = freshMunicipality();
    const rows = households(m, 3, 'N');
    rows[1].address = '横浜市\u0000中区';
    const file = path.join(dir(), 'residents.csv');
    fs.writeFileSync(file, csv(rows));
    const result = await runCli(['import', 'residents', file], env);
    expect(result.stderr).not.toContain('    at ');
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('3 rows read, 2 accepted, 0 already received, 1 rejected');
    const rejected = parse(fs.readFileSync(`${file}.rejected.csv`, 'utf8'), { columns: true, bom: true }) as Row[];
    expect(rejected).toEqual([{ line: '3', change_id: 'N-1', field: 'address', reason: expect.stringContaining('NUL'), reason_ja: expect.stringContaining('NUL 文字') }]);
    expect(await count(sql`select count(*)::int as n from persons where municipality_code = ${m}`)).toBe(2);
  });

  it('names the line a record starts on, after quoted cells with CRLF inside', async () => {
    const m = freshMunicipality();
    const rows = households(m, 4, 'L');
    rows[0].address = '横浜市中区\r\n港町1-1';
    rows[1].address = '横浜市中区\r\n\r\n港町1-2';
    rows[2].sex = '9';
    const file = path.join(dir(), 'residents.csv');
    fs.writeFileSync(file, csv(rows));
    // line 1 header; row 1 on lines 2-3; row 2 on lines 4-6; row 3 starts on line 7.
    const result = await runCli(['import', 'residents', file], env);
    expect(result.code).toBe(3);
    const rejected = parse(fs.readFileSync(`${file}.rejected.csv`, 'utf8'), { columns: true, bom: true }) as Row[];
    expect(rejected.map((r) => [r.line, r.change_id, r.field])).toEqual([['7', 'L-2', 'sex']]);
    expect(fs.readFileSync(file, 'utf8').split('\r\n')[6]).toMatch(/^L-2,/);
  });

  it('neutralises formulas in FILE.rejected.csv and cuts echoed values to 100 characters, in the file and in the rejections table', async () => {
    const m = freshMunicipality();
    const huge = `X${'y'.repeat(1_000_000)}`;
    const rows = [
      { ...resident({ municipality_code: m, person_id: 'F1', household_id: 'FH1', change_id: '=HYPERLINK("http://evil.example","x")' }), sex: '9' },
      { ...resident({ municipality_code: m, person_id: 'F2', household_id: 'FH2', change_id: '@SUM(A1)' }), sex: '9' },
      { ...resident({ municipality_code: m, person_id: 'F3', household_id: 'FH3', change_id: huge }) },
      { ...resident({ municipality_code: m, person_id: 'F4', household_id: 'FH4', change_id: '-2+3' }), sex: '9' },
    ];
    const file = path.join(dir(), 'residents.csv');
    fs.writeFileSync(file, csv(rows));
    const result = await runCli(['import', 'residents', file], env);
    expect(result.code).toBe(3);
    const text = fs.readFileSync(`${file}.rejected.csv`, 'utf8');
    expect(text.length).toBeLessThan(2000);
    const rejected = parse(text, { columns: true, bom: true }) as Row[];
    expect(rejected.map((r) => [r.line, r.change_id, r.field])).toEqual([
      ['2', `'=HYPERLINK("http://evil.example","x")`, 'sex'],
      ['3', `'@SUM(A1)`, 'sex'],
      ['4', `X${'y'.repeat(99)}…`, 'change_id'],
      ['5', `'-2+3`, 'sex'],
    ]);
    for (const r of rejected) expect(r.line).toMatch(/^\d+$/);
    const stored = await sql<{ change_id: string }>`select change_id from rejections where municipality_code = ${m} order by line`.execute(database.db);
    expect(stored.rows.map((r) => r.change_id)).toEqual(['=HYPERLINK("http://evil.example","x")', '@SUM(A1)', `X${'y'.repeat(99)}…`, '-2+3']);
  });
});
