import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { generateMunicipality, type GenerateResult } from '../../src/generate/generate-municipality.ts';
import { allKana } from '../../src/generate/names.ts';
import { RECORD_SCHEMAS } from '../../src/changes/record-schemas.ts';

// zengin-code is loaded independently of the generator, so the check does not trust it.
const zenginCode = createRequire(import.meta.url)('zengin-code') as Record<
  string,
  { branches: Record<string, unknown> }
>;

type Row = Record<string, string>;
const KANA = /^[ァ-ヶー\u3000]+$/;
const MUNICIPALITY = '141003';

let tmp: string;
let result: GenerateResult;
let residents: Row[];
let income: Row[];
let accounts: Row[];
let circumstances: Row[];

function read(file: string): Row[] {
  return parse(fs.readFileSync(file), { columns: true }) as Row[];
}

const FILES = ['residents.csv', 'income.csv', 'accounts.csv', 'circumstances.csv'];

function filesOf(dir: string): Buffer[] {
  return FILES.map((f) => fs.readFileSync(path.join(dir, f)));
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'benefit-generate-'));
  result = await generateMunicipality({
    households: 2000,
    seed: 'test-seed',
    municipalityCode: MUNICIPALITY,
    outDir: path.join(tmp, 'main'),
  });
  residents = read(result.files.residents);
  income = read(result.files.income);
  accounts = read(result.files.accounts);
  circumstances = read(result.files.circumstances);
});

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

describe('generateMunicipality: determinism', () => {
  it('gives byte-identical files for the same seed and options', async () => {
    const a = path.join(tmp, 'same-a');
    const b = path.join(tmp, 'same-b');
    await generateMunicipality({ households: 300, seed: 's1', municipalityCode: MUNICIPALITY, outDir: a });
    await generateMunicipality({ households: 300, seed: 's1', municipalityCode: MUNICIPALITY, outDir: b });
    const [fa, fb] = [filesOf(a), filesOf(b)];
    for (let i = 0; i < FILES.length; i++) expect(fa[i]!.equals(fb[i]!), FILES[i]).toBe(true);
  });

  it('gives different files for a different seed', async () => {
    const a = path.join(tmp, 'diff-a');
    const b = path.join(tmp, 'diff-b');
    await generateMunicipality({ households: 300, seed: 's1', municipalityCode: MUNICIPALITY, outDir: a });
    await generateMunicipality({ households: 300, seed: 's2', municipalityCode: MUNICIPALITY, outDir: b });
    const [fa, fb] = [filesOf(a), filesOf(b)];
    // circumstances.csv is small: at 300 households two seeds could both give few rows, but not the same ones.
    for (let i = 0; i < FILES.length; i++) expect(fa[i]!.equals(fb[i]!), FILES[i]).toBe(false);
  });
});

describe('generateMunicipality: file format', () => {
  it('writes the contract columns in order, UTF-8 without BOM, \\n line ends', () => {
    const heads = filesOf(path.join(tmp, 'main')).map((buf) => buf.toString('utf8').split('\n')[0]);
    expect(heads).toEqual([
      'change_id,municipality_code,person_id,effective_date,household_id,relationship,family_name,given_name,family_name_kana,given_name_kana,birth_date,sex,postal_code,address,district_code,status',
      'change_id,municipality_code,person_id,effective_date,fiscal_year,total_income,kintowari,shotokuwari,dependent_of,supporter_taxed,' +
        'salary_income,pension_income,dependants,elderly_dependants,dependants_abroad,treaty_exempt,income_tax',
      'change_id,municipality_code,person_id,effective_date,bank_code,branch_code,account_type,account_number,holder_kana,source',
      'change_id,municipality_code,person_id,effective_date,circumstance,active,program,note',
    ]);
    for (const buf of filesOf(path.join(tmp, 'main'))) {
      expect(buf[0]).not.toBe(0xef);
      expect(buf.includes('\r')).toBe(false);
      expect(buf[buf.length - 1]).toBe(0x0a);
    }
  });

  it('is exactly what csv-stringify produces for the same rows', () => {
    for (const buf of filesOf(path.join(tmp, 'main'))) {
      const records = parse(buf) as string[][];
      expect(stringify(records)).toBe(buf.toString('utf8'));
    }
  });

  it('passes the importer schemas on every row', () => {
    const kinds = [
      ['residents', residents],
      ['income', income],
      ['accounts', accounts],
      ['circumstances', circumstances],
    ] as const;
    for (const [kind, rows] of kinds) {
      const bad = rows
        .map((row) => ({ row, r: RECORD_SCHEMAS[kind].safeParse(row) }))
        .filter((x) => !x.r.success)
        .slice(0, 3)
        .map((x) => ({ change_id: x.row.change_id, issues: x.r.error?.issues.map((i) => `${String(i.path[0])}: ${i.message}`) }));
      expect(bad, kind).toEqual([]);
    }
  });
});

describe('generateMunicipality: counts and identifiers', () => {
  it('writes as many households as asked and reports the row counts', () => {
    expect(new Set(residents.map((r) => r.household_id)).size).toBe(2000);
    expect(result.counts.households).toBe(2000);
    expect(result.counts.residents).toBe(new Set(residents.map((r) => r.person_id)).size);
    expect(result.counts.residentRows).toBe(residents.length);
    expect(result.counts.incomeRows).toBe(income.length);
    expect(result.counts.accountRows).toBe(accounts.length);
    expect(result.counts.circumstanceRows).toBe(circumstances.length);
    // About 2.2 persons per household.
    expect(result.counts.residents / 2000).toBeGreaterThan(2.0);
    expect(result.counts.residents / 2000).toBeLessThan(2.4);
  });

  it('has unique change_ids across the four files, at most 64 characters', () => {
    const all = [...residents, ...income, ...accounts, ...circumstances];
    const ids = all.map((r) => r.change_id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.length > 0 && id.length <= 64)).toBe(true);
    expect(all.every((r) => r.person_id!.length <= 20)).toBe(true);
  });
});

describe('generateMunicipality: residents', () => {
  it('has exactly one 世帯主 among residents of each household at every date', () => {
    const byHousehold = new Map<string, Row[]>();
    for (const r of residents) {
      const list = byHousehold.get(r.household_id!) ?? [];
      list.push(r);
      byHousehold.set(r.household_id!, list);
    }
    for (const [household, rows] of byHousehold) {
      const dates = [...new Set(rows.map((r) => r.effective_date!))].sort();
      for (const date of dates) {
        // Each person's record in force on `date`: their latest row effective on or before it.
        const current = new Map<string, Row>();
        for (const r of rows) {
          if (r.effective_date! > date) continue;
          const prev = current.get(r.person_id!);
          if (!prev || prev.effective_date! < r.effective_date!) current.set(r.person_id!, r);
        }
        const living = [...current.values()].filter((r) => r.status === 'resident');
        if (living.length === 0) continue; // the whole household has left
        const heads = living.filter((r) => r.relationship === '世帯主');
        expect(heads.length, `${household} on ${date}`).toBe(1);
      }
    }
  });

  it('uses full-width katakana in every kana field and in the name lists', () => {
    for (const r of residents) {
      expect(r.family_name_kana).toMatch(KANA);
      expect(r.given_name_kana).toMatch(KANA);
    }
    for (const a of accounts) expect(a.holder_kana).toMatch(KANA);
    const lists = allKana();
    for (const k of lists) {
      expect(k).toMatch(KANA);
      expect(k.startsWith('\u3000') || k.endsWith('\u3000')).toBe(false);
    }
    // The kana the Zengin conversion must handle all occur.
    const joined = lists.join('');
    for (const ch of ['ガ', 'ザ', 'バ', 'パ', 'ッ', 'ャ', 'ュ', 'ョ', 'ー', 'ヴ', '\u3000']) expect(joined).toContain(ch);
  });

  it('spreads birth dates over the 1st and 2nd of months and 1-2 April, with newborns', () => {
    const births = residents.map((r) => r.birth_date!);
    expect(births.some((d) => d.endsWith('-01'))).toBe(true);
    expect(births.some((d) => d.endsWith('-02'))).toBe(true);
    expect(births.some((d) => d >= '2024-01-01')).toBe(true);
    const big = births.filter((d) => d.slice(5) === '04-01' || d.slice(5) === '04-02');
    expect(big.length).toBeGreaterThan(5);
  });

  it('gives about 1% of persons a later moved_out / deceased row', () => {
    const second = residents.filter((r) => r.status !== 'resident');
    const share = second.length / result.counts.residents;
    expect(share).toBeGreaterThan(0.004);
    expect(share).toBeLessThan(0.02);
    const first = new Map(residents.filter((r) => r.status === 'resident').map((r) => [r.person_id!, r]));
    for (const r of second) {
      const f = first.get(r.person_id!)!;
      expect(r.effective_date! > f.effective_date!).toBe(true);
      expect({ ...r, change_id: '', effective_date: '', status: '' }).toEqual({ ...f, change_id: '', effective_date: '', status: '' });
    }
  });
});

describe('generateMunicipality: income', () => {
  it('has 15-35% of households fully 均等割-exempt in fiscal 2024', () => {
    const fy2024 = new Map(income.filter((r) => r.fiscal_year === '2024').map((r) => [r.person_id!, r]));
    const members = new Map<string, Set<string>>();
    for (const r of residents) {
      const set = members.get(r.household_id!) ?? new Set<string>();
      set.add(r.person_id!);
      members.set(r.household_id!, set);
    }
    let counted = 0;
    let exempt = 0;
    for (const set of members.values()) {
      const rows = [...set].map((p) => fy2024.get(p));
      if (rows.some((r) => r === undefined)) continue;
      counted++;
      if (rows.every((r) => r!.kintowari === '0')) exempt++;
    }
    expect(counted).toBeGreaterThan(1500);
    const share = exempt / counted;
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.35);
  });

  it('is consistent: exemptions, dependants, and no row for people not here on 1 January', () => {
    const persons = new Map(residents.filter((r) => r.status === 'resident').map((r) => [r.person_id!, r]));
    for (const r of income) {
      const fy = Number(r.fiscal_year);
      expect(r.effective_date).toBe(`${fy}-06-01`);
      expect(['0', '5000']).toContain(r.kintowari);
      if (r.kintowari === '0') expect(r.shotokuwari).toBe('0');
      // Assessed only if registered here on 1 January of the fiscal year.
      const p = persons.get(r.person_id!)!;
      expect(p.effective_date! <= `${fy}-01-01`).toBe(true);
      if (r.dependent_of) {
        expect(r.dependent_of).not.toBe(r.person_id);
        if (persons.has(r.dependent_of)) {
          expect(r.supporter_taxed).toBe('');
          expect(Number(r.total_income)).toBeLessThanOrEqual(480_000);
        } else {
          expect(r.dependent_of.startsWith('X')).toBe(true);
          expect(['true', 'false']).toContain(r.supporter_taxed);
        }
      } else {
        expect(r.supporter_taxed).toBe('');
      }
    }
    // Some people moved in after 1 January 2024 and therefore have no fiscal-2024 row.
    const with2024 = new Set(income.filter((r) => r.fiscal_year === '2024').map((r) => r.person_id!));
    const movedIn = [...persons.values()].filter((p) => p.effective_date! > '2024-01-01' && p.birth_date! < p.effective_date!);
    expect(movedIn.length).toBeGreaterThan(0);
    expect(movedIn.every((p) => !with2024.has(p.person_id!))).toBe(true);
    // Some households consist only of dependants of a relative elsewhere.
    expect(income.some((r) => r.dependent_of!.startsWith('X') && r.supporter_taxed === 'true')).toBe(true);
  });
});

describe('generateMunicipality: accounts', () => {
  it('uses bank and branch codes that exist in zengin-code', () => {
    expect(accounts.length).toBeGreaterThan(1000);
    for (const a of accounts) {
      expect(a.bank_code).toMatch(/^\d{4}$/);
      expect(a.branch_code).toMatch(/^\d{3}$/);
      expect(zenginCode[a.bank_code!]?.branches[a.branch_code!], `${a.bank_code}-${a.branch_code}`).toBeDefined();
      expect(a.account_number).toMatch(/^\d{7}$/);
      expect(['1', '2', '4']).toContain(a.account_type);
      expect(['koukin', 'registered']).toContain(a.source);
    }
  });

  it('gives about 90% of adult heads and spouses an account, ~60% of them koukin', () => {
    const holders = new Set(accounts.map((a) => a.person_id!));
    const eligible = residents.filter(
      (r) => r.status === 'resident' && ['世帯主', '妻', '夫'].includes(r.relationship!) && r.birth_date! <= '2006-12-31',
    );
    const share = eligible.filter((r) => holders.has(r.person_id!)).length / eligible.length;
    expect(share).toBeGreaterThan(0.85);
    expect(share).toBeLessThan(0.95);
    const koukin = accounts.filter((a) => a.source === 'koukin').length / accounts.length;
    expect(koukin).toBeGreaterThan(0.5);
    expect(koukin).toBeLessThan(0.7);
  });
});
