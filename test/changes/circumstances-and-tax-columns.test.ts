import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnusableInputError } from '../../src/errors.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { circumstance, income, resident, writeCsv, type Row } from '../support/rows.ts';
import { ENVIRONMENTS, type TestEnvironment } from '../support/test-environments.ts';

/** Issue 12's inputs: income.csv's optional tax-record columns and circumstances.csv. */
describe.each(ENVIRONMENTS)('the tax record columns and circumstances ($name)', ({ open }) => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await open();
  });
  afterAll(() => env?.close());

  // Every column any row has (writeCsv takes the first row's by default).
  const csv = (rows: Row[]) => writeCsv(rows, 'input.csv', [...new Set(rows.flatMap((r) => Object.keys(r)))]);
  const rejectedFile = (file: string) => parse(fs.readFileSync(`${file}.rejected.csv`), { columns: true, bom: true }) as Record<string, string>[];
  const TAX = { salary_income: '2000000', pension_income: '500000', dependants: '3', elderly_dependants: '1', dependants_abroad: '1', treaty_exempt: 'false', income_tax: '42000' };

  it('stores the optional income columns, null when empty, in history and current tables', async () => {
    const m = freshMunicipality();
    const file = csv([
      income({ municipality_code: m, person_id: 'T1', total_income: '3000000', ...TAX }),
      income({ municipality_code: m, person_id: 'T2', treaty_exempt: 'true' }),
      income({ municipality_code: m, person_id: 'T3' }),
    ]);
    expect(await importFile(env, 'income', file)).toMatchObject({ accepted: 3, rejectedRows: 0 });
    const columns = ['person_id', 'salary_income', 'pension_income', 'dependants', 'elderly_dependants', 'dependants_abroad', 'treaty_exempt', 'income_tax'] as const;
    for (const table of ['income_history', 'tax_assessments'] as const) {
      const rows = await env.db.selectFrom(table).select(columns).where('municipality_code', '=', m).orderBy('person_id').execute();
      expect(rows).toEqual([
        { person_id: 'T1', salary_income: 2000000, pension_income: 500000, dependants: 3, elderly_dependants: 1, dependants_abroad: 1, treaty_exempt: false, income_tax: 42000 },
        { person_id: 'T2', salary_income: null, pension_income: null, dependants: null, elderly_dependants: null, dependants_abroad: null, treaty_exempt: true, income_tax: null },
        { person_id: 'T3', salary_income: null, pension_income: null, dependants: null, elderly_dependants: null, dependants_abroad: null, treaty_exempt: null, income_tax: null },
      ]);
    }
  });

  it('a file with the new columns empty is the same change as one without them (re-sending stays a no-op)', async () => {
    const m = freshMunicipality();
    const row = income({ municipality_code: m, person_id: 'T4' });
    const { dependent_of: _d, supporter_taxed: _s, ...old } = row;
    expect(await importFile(env, 'income', writeCsv([old]))).toMatchObject({ accepted: 1 });
    const withEmpty = writeCsv([{ ...row, salary_income: '', pension_income: '', dependants: '', elderly_dependants: '', dependants_abroad: '', treaty_exempt: '', income_tax: '' }]);
    expect(await importFile(env, 'income', withEmpty)).toMatchObject({ accepted: 0, duplicates: 1, rejectedRows: 0 });
  });

  it('rejects bad tax-record values, naming the field and why', async () => {
    const m = freshMunicipality();
    const file = csv([
      income({ municipality_code: m, person_id: 'U1', change_id: 'salary-sign', salary_income: '-5' }),
      income({ municipality_code: m, person_id: 'U2', change_id: 'salary-over', total_income: '1000000', salary_income: '1000001' }),
      income({ municipality_code: m, person_id: 'U3', change_id: 'pension-over', total_income: '100', pension_income: '200' }),
      income({ municipality_code: m, person_id: 'U4', change_id: 'dependants-text', dependants: 'two' }),
      income({ municipality_code: m, person_id: 'U5', change_id: 'elderly-over', dependants: '1', elderly_dependants: '2' }),
      income({ municipality_code: m, person_id: 'U6', change_id: 'abroad-over', dependants: '0', dependants_abroad: '1' }),
      income({ municipality_code: m, person_id: 'U7', change_id: 'abroad-alone', dependants_abroad: '1' }),
      income({ municipality_code: m, person_id: 'U8', change_id: 'treaty-yes', treaty_exempt: 'yes' }),
      income({ municipality_code: m, person_id: 'U9', change_id: 'tax-decimal', income_tax: '100.5' }),
    ]);
    expect(await importFile(env, 'income', file)).toMatchObject({ accepted: 0, rejectedRows: 9 });
    expect(rejectedFile(file).map((r) => [r.change_id, r.field, r.reason])).toEqual([
      ['salary-sign', 'salary_income', 'must be whole yen: digits only, no sign, comma or decimals'],
      ['salary-over', 'salary_income', 'more than total_income (1000000): it is a part of it'],
      ['pension-over', 'pension_income', 'more than total_income (100): it is a part of it'],
      ['dependants-text', 'dependants', 'must be a whole number of persons (0 to 999)'],
      ['elderly-over', 'elderly_dependants', 'more than dependants (1): it counts some of them'],
      ['abroad-over', 'dependants_abroad', 'more than dependants (0): it counts some of them'],
      ['abroad-alone', 'dependants_abroad', 'given without dependants: it counts some of them'],
      ['treaty-yes', 'treaty_exempt', 'must be true or false'],
      ['tax-decimal', 'income_tax', 'must be whole yen: digits only, no sign, comma or decimals'],
    ]);
  });

  it('stores circumstances bitemporally: one history row per change, the latest version per person, circumstance and program', async () => {
    const m = freshMunicipality();
    const file = writeCsv([
      circumstance({ municipality_code: m, person_id: 'V1', change_id: 'cs-1', note: '共済組合から支給（確認書 2024-10-05 受理）' }),
      circumstance({ municipality_code: m, person_id: 'V1', change_id: 'cs-2', effective_date: '2025-04-01', active: 'false' }),
      circumstance({ municipality_code: m, person_id: 'V2', change_id: 'cs-3', circumstance: 'declined', program: 'low-income-household-2024', effective_date: '2024-12-20' }),
      circumstance({ municipality_code: m, person_id: 'V2', change_id: 'cs-4', circumstance: 'declined', program: 'child-allowance' }),
      circumstance({ municipality_code: m, person_id: 'V3', change_id: 'cs-5', circumstance: 'facility_placement' }),
      circumstance({ municipality_code: m, person_id: 'V4', change_id: 'cs-6', circumstance: 'supported_student', program: 'child-allowance' }),
    ]);
    expect(await importFile(env, 'circumstances', file)).toMatchObject({ rowsRead: 6, accepted: 6, rejectedRows: 0 });
    expect(fs.existsSync(`${file}.rejected.csv`)).toBe(false);
    const history = await env.db.selectFrom('circumstance_history').select(['person_id', 'valid_from', 'circumstance', 'program', 'active', 'note'])
      .where('municipality_code', '=', m).orderBy('person_id').orderBy('valid_from').orderBy('program').execute();
    expect(history).toEqual([
      { person_id: 'V1', valid_from: '2024-10-01', circumstance: 'public_servant', program: '', active: true, note: '共済組合から支給（確認書 2024-10-05 受理）' },
      { person_id: 'V1', valid_from: '2025-04-01', circumstance: 'public_servant', program: '', active: false, note: null },
      { person_id: 'V2', valid_from: '2024-10-01', circumstance: 'declined', program: 'child-allowance', active: true, note: null },
      { person_id: 'V2', valid_from: '2024-12-20', circumstance: 'declined', program: 'low-income-household-2024', active: true, note: null },
      { person_id: 'V3', valid_from: '2024-10-01', circumstance: 'facility_placement', program: '', active: true, note: null },
      { person_id: 'V4', valid_from: '2024-10-01', circumstance: 'supported_student', program: 'child-allowance', active: true, note: null },
    ]);
    const current = await env.db.selectFrom('circumstances').select(['person_id', 'circumstance', 'program', 'active', 'valid_from'])
      .where('municipality_code', '=', m).orderBy('person_id').orderBy('program').execute();
    expect(current).toEqual([
      { person_id: 'V1', circumstance: 'public_servant', program: '', active: false, valid_from: '2025-04-01' },
      { person_id: 'V2', circumstance: 'declined', program: 'child-allowance', active: true, valid_from: '2024-10-01' },
      { person_id: 'V2', circumstance: 'declined', program: 'low-income-household-2024', active: true, valid_from: '2024-12-20' },
      { person_id: 'V3', circumstance: 'facility_placement', program: '', active: true, valid_from: '2024-10-01' },
      { person_id: 'V4', circumstance: 'supported_student', program: 'child-allowance', active: true, valid_from: '2024-10-01' },
    ]);
    // Importing the file again changes nothing: every change_id is a no-op duplicate.
    expect(await importFile(env, 'circumstances', file)).toMatchObject({ accepted: 0, duplicates: 6, rejectedRows: 0 });
    const again = await env.db.selectFrom('circumstance_history').select('change_row').where('municipality_code', '=', m).execute();
    expect(again).toHaveLength(6);
  });

  it('rejects bad circumstance rows, naming the field and why, and never repeats the note', async () => {
    const m = freshMunicipality();
    const secret = '秘密の事情'.repeat(41); // 205 characters
    const file = writeCsv([
      circumstance({ municipality_code: m, person_id: 'W1', change_id: 'bad-kind', circumstance: 'pensioner' }),
      circumstance({ municipality_code: m, person_id: 'W2', change_id: 'bad-active', active: 'yes' }),
      circumstance({ municipality_code: m, person_id: 'W3', change_id: 'no-active', active: '' }),
      circumstance({ municipality_code: m, person_id: 'W4', change_id: 'declined-nothing', circumstance: 'declined' }),
      circumstance({ municipality_code: m, person_id: 'W5', change_id: 'bad-program', program: 'Child_Allowance' }),
      circumstance({ municipality_code: m, person_id: 'W6', change_id: 'long-note', note: secret }),
      circumstance({ municipality_code: m, person_id: 'W7', change_id: 'bad-date', effective_date: '2024-02-30' }),
      circumstance({ municipality_code: m, person_id: 'W8', change_id: 'good' }),
    ]);
    expect(await importFile(env, 'circumstances', file)).toMatchObject({ accepted: 1, rejectedRows: 7 });
    const rejected = rejectedFile(file).map((r) => [r.change_id, r.field, r.reason]);
    expect(rejected).toEqual([
      ['bad-kind', 'circumstance', 'must be one of public_servant, facility_placement, supported_student, declined'],
      ['bad-active', 'active', 'must be true (from effective_date on) or false (it stops)'],
      ['no-active', 'active', 'must be true (from effective_date on) or false (it stops)'],
      ['declined-nothing', 'program', 'required when circumstance is declined: the program the person declined'],
      ['bad-program', 'program', 'not a program id (lower-case letters, digits and -)'],
      ['long-note', 'note', 'longer than 200 characters'],
      ['bad-date', 'effective_date', 'not a real date in YYYY-MM-DD form'],
    ]);
    expect(fs.readFileSync(`${file}.rejected.csv`, 'utf8')).not.toContain('秘密');
    const stored = await env.db.selectFrom('rejections').select('reason').where('municipality_code', '=', m).execute();
    expect(stored.map((r) => r.reason).join()).not.toContain('秘密');
  });

  it('refuses a circumstances file with an unknown column, storing nothing', async () => {
    const m = freshMunicipality();
    const file = writeCsv([{ ...circumstance({ municipality_code: m }), reason: 'x' }]);
    await expect(importFile(env, 'circumstances', file)).rejects.toThrow(UnusableInputError);
    await expect(importFile(env, 'circumstances', file)).rejects.toThrow(/unknown column\(s\) reason/);
  });

  it('marks every household the person belonged to for re-deciding', async () => {
    const m = freshMunicipality();
    await importFile(env, 'residents', writeCsv([
      resident({ municipality_code: m, person_id: 'X1', household_id: 'HX1' }),
      resident({ municipality_code: m, person_id: 'X2', household_id: 'HX2' }),
      resident({ municipality_code: m, person_id: 'X2', household_id: 'HX1', relationship: '妻', effective_date: '2024-05-01' }),
      resident({ municipality_code: m, person_id: 'X3', household_id: 'HX3', effective_date: '2024-05-01' }),
    ]));
    const summary = await importFile(env, 'circumstances', writeCsv([circumstance({ municipality_code: m, person_id: 'X2', change_id: 'touch' })]));
    expect(summary.accepted).toBe(1);
    const touched = await env.db.selectFrom('household_changes as h').innerJoin('changes as c', 'c.id', 'h.change_row')
      .select(['h.household_id', 'h.effective_date']).where('c.municipality_code', '=', m).where('c.change_id', '=', 'touch').orderBy('h.household_id').execute();
    expect(touched).toEqual([{ household_id: 'HX1', effective_date: '2024-10-01' }, { household_id: 'HX2', effective_date: '2024-10-01' }]);
  });
});
