import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoOf, safeCell } from '../../src/csv/safe-cell.ts';
import { writePrintManifest } from '../../src/notices/print-manifest.ts';
import { openChangedCsv } from '../../src/simulation/simulation-report.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

/** Issue 13, point 6: the CSV files the project writes are safe to open in a spreadsheet. */
describe('CSV cells safe for spreadsheets', () => {
  it('prefixes a quote to cells a spreadsheet would take for a formula, and leaves numbers alone', () => {
    for (const bad of ['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://evil.example","x")']) expect(safeCell(bad)).toBe(`'${bad}`);
    for (const fine of ['横浜市中区港町1-1', '-5000', '+81', '12.5', "'=already", ' =x', '']) expect(safeCell(fine)).toBe(fine);
  });

  it('cuts an echoed value to 100 characters and makes it storable', () => {
    expect(echoOf('a'.repeat(100))).toBe('a'.repeat(100));
    expect(echoOf('a'.repeat(101))).toBe(`${'a'.repeat(100)}…`);
    expect(echoOf('😀'.repeat(150))).toBe(`${'😀'.repeat(100)}…`);
    expect(echoOf('a\u0000b\ud800c')).toBe('a\uFFFDb\uFFFDc');
  });

  describe('the print manifest and a simulation’s changed households', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createPostgresDatabase();
    });
    afterAll(() => database?.close());

    it('neutralises a formula address and name in the print manifest', async () => {
      const m = freshMunicipality();
      const run = await database.db.insertInto('batch_runs').values({ municipality_code: m, run_date: '2024-12-13', full_run: true, known_at: new Date() }).returning('id').executeTakeFirstOrThrow();
      const content = { title: '児童手当 支給決定通知書', recipient: { postalCode: '2310017', address: '=HYPERLINK("http://evil.example","横浜市")', name: '@山田 太郎' } };
      await database.db.insertInto('notices').values({
        notice_id: `N-${m}-1`, municipality_code: m, kind: 'grant', program: 'child-allowance', household_id: 'H1', person_id: 'P1',
        batch_run_id: run.id, issued_on: '2024-12-13', content: JSON.stringify(content), pages: 1, file: '/x/N1.pdf',
      } as never).execute();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-manifest-'));
      const file = (await writePrintManifest(database.db, dir, m, run.id, '2024-12-13'))!;
      const rows = parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
      expect(rows).toEqual([expect.objectContaining({ postal_code: '2310017', address: `'=HYPERLINK("http://evil.example","横浜市")`, name: "'@山田 太郎", pages: '1' })]);
    });

    it('neutralises formula cells in changed-households.csv and keeps the amounts numbers', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-sim-csv-'));
      const csv = openChangedCsv(dir);
      csv.write({
        program: 'child-allowance', municipality_code: '141003', household: '=1+1', category: 'amount_decreased',
        current_outcome: 'eligible', current_amount_yen: 15000, draft_outcome: 'eligible', draft_amount_yen: 10000,
        head_age: '30-39', household_type: '-cmd', district: '+01',
      });
      await csv.close();
      const rows = parse(fs.readFileSync(path.join(dir, 'changed-households.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
      expect(rows).toEqual([expect.objectContaining({ household: "'=1+1", household_type: "'-cmd", district: '+01', current_amount_yen: '15000', draft_amount_yen: '10000' })]);
    });
  });
});
