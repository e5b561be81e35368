// The data the 2023–2024 rounds of 物価高騰 給付 need (DOMAIN.md; CONTRACT.md program ids
// price-relief-2023-exempt, price-relief-2023-kintowari-only, price-relief-2024-newly-exempt,
// tax-cut-adjustment-2024), checked on a generated municipality as of the default date:
// fiscal 2023 and 2024 records for the same persons that differ, 均等割-only households in both
// years, households that become exempt only in 2024, and taxpayers with an income_tax estimate
// and dependants such that the 定額減税 調整給付 is often not 0. The programs themselves are not
// evaluated here: the households are classified from the files with the programs' definitions.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { incomeTax } from '../../src/generate/resident-tax.ts';

type Row = Record<string, string>;
type Status = 'exempt' | 'kintowariOnly' | 'shotokuwari' | 'unknown';
const HOUSEHOLDS = 8000;

let tmp: string;
let residents: Row[];
/** Income rows by fiscal year, then person. */
const tax = new Map<number, Map<string, Row>>();

function read(file: string): Row[] {
  return parse(fs.readFileSync(file), { columns: true }) as Row[];
}

/** Members of each household on a date: registered on or before it, not yet gone. */
function householdsOn(date: string): Map<string, Row[]> {
  const left = new Map(residents.filter((r) => r.status !== 'resident').map((r) => [r.person_id!, r.effective_date!]));
  const out = new Map<string, Row[]>();
  for (const r of residents) {
    if (r.status !== 'resident' || r.effective_date! > date) continue;
    const gone = left.get(r.person_id!);
    if (gone !== undefined && gone <= date) continue;
    const list = out.get(r.household_id!) ?? [];
    list.push(r);
    out.set(r.household_id!, list);
  }
  return out;
}

/**
 * The household's resident-tax status for a fiscal year: every member exempt from 均等割;
 * every member exempt or charged 均等割 only; someone charged 所得割 (or untaxed only by a
 * treaty, which is not exempt); or unknown (a member without a record who was born before
 * 1 January, i.e. moved in later: assessed by the previous municipality).
 */
function householdStatus(members: Row[], fiscalYear: number): Status {
  const records = tax.get(fiscalYear)!;
  let status: Status = 'exempt';
  for (const m of members) {
    const r = records.get(m.person_id!);
    if (!r) {
      if (m.birth_date! > `${fiscalYear}-01-01`) continue;
      return 'unknown';
    }
    if (r.treaty_exempt === 'true' || Number(r.shotokuwari) > 0) return 'shotokuwari';
    if (Number(r.kintowari) > 0) status = 'kintowariOnly';
  }
  return status;
}

function statuses(date: string, fiscalYear: number): Map<string, Status> {
  const out = new Map<string, Status>();
  for (const [id, members] of householdsOn(date)) out.set(id, householdStatus(members, fiscalYear));
  return out;
}

const share = (m: Map<string, Status>, s: Status) => [...m.values()].filter((v) => v === s).length / m.size;

/** 均等割 limit of resident-tax.ts (1級地): 450,000 alone, else 350,000 × N + 310,000. */
const kintowariLimit = (n: number) => (n === 1 ? 450_000 : 350_000 * n + 310_000);
/** 所得割 limit of resident-tax.ts: 450,000 alone, else 350,000 × N + 420,000. */
const shotokuwariLimit = (n: number) => (n === 1 ? 450_000 : 350_000 * n + 420_000);

let fy2023: Map<string, Status>;
let fy2024: Map<string, Status>;

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'benefit-price-relief-'));
  const result = await generateMunicipality({ households: HOUSEHOLDS, seed: 'price-relief', municipalityCode: '141003', outDir: tmp });
  residents = read(result.files.residents);
  for (const r of read(result.files.income)) {
    const fy = Number(r.fiscal_year);
    const byPerson = tax.get(fy) ?? new Map<string, Row>();
    expect(byPerson.has(r.person_id!), `${r.person_id} twice in ${fy}`).toBe(false);
    byPerson.set(r.person_id!, r);
    tax.set(fy, byPerson);
  }
  // The base dates of the rounds: 2023-12-01 (fiscal 2023) and 2024-06-03 (fiscal 2024).
  fy2023 = statuses('2023-12-01', 2023);
  fy2024 = statuses('2024-06-03', 2024);
}, 60_000);

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

describe('fiscal years', () => {
  it('writes fiscal 2023 and 2024 (and 2025) records as of the default date, for most persons', () => {
    expect([...tax.keys()].sort()).toEqual([2023, 2024, 2025]);
    const persons = new Set(residents.map((r) => r.person_id!)).size;
    expect(tax.get(2023)!.size / persons).toBeGreaterThan(0.85);
    expect(tax.get(2024)!.size / persons).toBeGreaterThan(0.85);
  });
});

describe('均等割-only households (price-relief-2023-kintowari-only)', () => {
  it('are a few percent of households in fiscal 2023 and in fiscal 2024, fewer than the exempt ones', () => {
    for (const s of [fy2023, fy2024]) {
      expect(share(s, 'kintowariOnly')).toBeGreaterThan(0.015);
      expect(share(s, 'kintowariOnly')).toBeLessThan(0.06);
      expect(share(s, 'exempt')).toBeGreaterThan(share(s, 'kintowariOnly') * 3);
      expect(share(s, 'unknown')).toBeLessThan(0.08);
    }
  });

  it('have incomes above the 均等割 limit, some of them below the 所得割 limit, the others with 所得割 taken to 0 by deductions', () => {
    let between = 0;
    let above = 0;
    const broken: string[] = [];
    for (const fy of [2023, 2024]) {
      for (const r of tax.get(fy)!.values()) {
        if (!(Number(r.kintowari) > 0 && r.shotokuwari === '0') || r.dependants === '') continue;
        const n = 1 + Number(r.dependants);
        const total = Number(r.total_income);
        if (total <= kintowariLimit(n)) broken.push(`${r.change_id}: ${total} within the 均等割 limit for N = ${n}`);
        if (total <= shotokuwariLimit(n)) between++;
        else above++;
      }
    }
    expect(broken).toEqual([]);
    expect(between).toBeGreaterThan(0);
    expect(above).toBeGreaterThan(0);
  });
});

describe('fiscal 2023 and 2024 differ (price-relief-2024-newly-exempt)', () => {
  it('gives most persons with income a different total_income in the two years', () => {
    let both = 0;
    let same = 0;
    for (const [person, a] of tax.get(2023)!) {
      const b = tax.get(2024)!.get(person);
      if (!b || (a.total_income === '0' && b.total_income === '0')) continue;
      both++;
      if (a.total_income === b.total_income) same++;
    }
    expect(both).toBeGreaterThan(5000);
    expect(same / both).toBeLessThan(0.1);
  });

  it('has persons exempt in 2023 but charged in 2024, and the other way round', () => {
    let both = 0;
    let newlyCharged = 0;
    let newlyExempt = 0;
    for (const [person, a] of tax.get(2023)!) {
      const b = tax.get(2024)!.get(person);
      if (!b) continue;
      both++;
      if (a.kintowari === '0' && b.kintowari !== '0') newlyCharged++;
      if (a.kintowari !== '0' && b.kintowari === '0') newlyExempt++;
    }
    expect(newlyCharged / both).toBeGreaterThan(0.01);
    expect(newlyExempt / both).toBeGreaterThan(0.009);
  });

  it('has households charged 所得割 in 2023 that are exempt or 均等割-only in 2024, and exempt ones that are not any more', () => {
    let newlyEligible = 0;
    let noLonger = 0;
    let compared = 0;
    for (const [id, a] of fy2023) {
      const b = fy2024.get(id);
      if (b === undefined || a === 'unknown' || b === 'unknown') continue;
      compared++;
      if (a === 'shotokuwari' && b !== 'shotokuwari') newlyEligible++;
      if (a === 'exempt' && b !== 'exempt') noLonger++;
    }
    expect(compared).toBeGreaterThan(HOUSEHOLDS * 0.9);
    expect(newlyEligible / compared).toBeGreaterThan(0.009);
    expect(newlyEligible / compared).toBeLessThan(0.05);
    expect(noLonger / compared).toBeGreaterThan(0.005);
  });
});

describe('taxpayers\' income_tax and dependants (tax-cut-adjustment-2024)', () => {
  const taxpayers = () =>
    [...tax.get(2024)!.values()].filter((r) => r.income_tax !== '' && (Number(r.income_tax) > 0 || Number(r.shotokuwari) > 0));

  it('has an income_tax on every full record, at most the tax on total_income with no deduction, in hundreds of yen', () => {
    const broken: string[] = [];
    for (const fy of [2023, 2024]) {
      for (const r of tax.get(fy)!.values()) {
        if (r.salary_income === '') continue;
        const it = Number(r.income_tax);
        if (r.income_tax === '' || !Number.isInteger(it) || it % 100 !== 0) broken.push(`${r.change_id}: income_tax ${r.income_tax}`);
        else if (it > incomeTax(Number(r.total_income))) broken.push(`${r.change_id}: income_tax ${it} above the tax on the whole income`);
        if (Number(r.dependants_abroad) > Number(r.dependants)) broken.push(`${r.change_id}: dependants_abroad > dependants`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('charges 所得税 to nearly every 所得割 payer, with small amounts for many', () => {
    const payers = taxpayers().filter((r) => Number(r.shotokuwari) > 0);
    expect(payers.filter((r) => Number(r.income_tax) > 0).length / payers.length).toBeGreaterThan(0.9);
    const owing = taxpayers().filter((r) => Number(r.income_tax) > 0);
    const small = owing.filter((r) => Number(r.income_tax) >= 1_000 && Number(r.income_tax) <= 50_000);
    expect(small.length / owing.length).toBeGreaterThan(0.15);
  });

  it('fills dependants for taxpayers, so that N often exceeds 1, and some live abroad', () => {
    const all = taxpayers();
    expect(all.every((r) => r.dependants !== '' && r.dependants_abroad !== '')).toBe(true);
    expect(all.filter((r) => Number(r.dependants) > 0).length / all.length).toBeGreaterThan(0.2);
    expect(all.some((r) => Number(r.dependants_abroad) > 0)).toBe(true);
  });

  it('gives many taxpayers a 調整給付 above 0 and a rare few 合計所得金額 over 18,050,000', () => {
    const all = taxpayers();
    const high = all.filter((r) => Number(r.total_income) > 18_050_000);
    expect(high.length).toBeGreaterThanOrEqual(5);
    expect(high.length / all.length).toBeLessThan(0.01);
    // DOMAIN.md: round up to 10,000 of max(0, 30,000 N − 所得税) + max(0, 10,000 N − 所得割).
    const amounts = all
      .filter((r) => Number(r.total_income) <= 18_050_000)
      .map((r) => {
        const n = 1 + Number(r.dependants) - Number(r.dependants_abroad);
        const raw = Math.max(0, 30_000 * n - Number(r.income_tax)) + Math.max(0, 10_000 * n - Number(r.shotokuwari));
        return Math.ceil(raw / 10_000) * 10_000;
      });
    const paid = amounts.filter((a) => a > 0);
    expect(paid.length / amounts.length).toBeGreaterThan(0.2);
    expect(paid.length / amounts.length).toBeLessThan(0.7);
    // Both a small top-up and a large one (several dependants, little tax) occur.
    expect(paid.some((a) => a === 10_000)).toBe(true);
    expect(paid.some((a) => a >= 100_000)).toBe(true);
  });
});
