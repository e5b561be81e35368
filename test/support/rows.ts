import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';

/** Yokohama's 全国地方公共団体コード (valid check digit); tests use others for isolation. */
export const YOKOHAMA = '141003';
export const KAWASAKI = '141305';

export type Row = Record<string, string>;

let counter = 0;

export function resident(overrides: Row = {}): Row {
  counter++;
  return {
    change_id: `r-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    municipality_code: YOKOHAMA,
    person_id: 'P1',
    effective_date: '2020-01-01',
    household_id: 'H1',
    relationship: '世帯主',
    family_name: '山田',
    given_name: '太郎',
    family_name_kana: 'ヤマダ',
    given_name_kana: 'タロウ',
    birth_date: '1980-05-02',
    sex: '1',
    postal_code: '2310017',
    address: '横浜市中区港町1-1',
    district_code: '01',
    status: 'resident',
    ...overrides,
  };
}

export function income(overrides: Row = {}): Row {
  counter++;
  return {
    change_id: `i-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    municipality_code: YOKOHAMA,
    person_id: 'P1',
    effective_date: '2024-06-01',
    fiscal_year: '2024',
    total_income: '3000000',
    kintowari: '5000',
    shotokuwari: '150000',
    dependent_of: '',
    supporter_taxed: '',
    ...overrides,
  };
}

export function account(overrides: Row = {}): Row {
  counter++;
  return {
    change_id: `a-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    municipality_code: YOKOHAMA,
    person_id: 'P1',
    effective_date: '2024-01-01',
    bank_code: '0001',
    branch_code: '100',
    account_type: '1',
    account_number: '1234567',
    holder_kana: 'ヤマダ　タロウ',
    source: 'koukin',
    ...overrides,
  };
}

export function circumstance(overrides: Row = {}): Row {
  counter++;
  return {
    change_id: `c-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    municipality_code: YOKOHAMA,
    person_id: 'P1',
    effective_date: '2024-10-01',
    circumstance: 'public_servant',
    active: 'true',
    program: '',
    note: '',
    ...overrides,
  };
}

/** Writes rows as a CSV file (header from the first row) in a fresh temp folder. */
export function writeCsv(rows: Row[], name = 'input.csv', header = Object.keys(rows[0])): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-test-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, stringify(rows.map((r) => header.map((h) => r[h] ?? '')), { header: true, columns: header }));
  return file;
}
