// `benefit generate`: writes a realistic synthetic municipality as residents.csv, income.csv,
// accounts.csv and circumstances.csv (the input files of CONTRACT.md), for tests, demos and
// benchmarks.
//
// Why it is built this way:
// - Deterministic: everything is drawn from one seeded stream (see random.ts), in a fixed
//   order, so the same options give byte-identical files and different seeds differ.
// - Streaming: households are generated one at a time and written straight to the four
//   files, waiting for the file streams to drain when their buffers are full, so 450,000
//   households (~1,000,000 residents) need bounded memory.
// - Silent: it prints and logs nothing (the rows are personal data, even if synthetic); the
//   CLI reports the returned counts.

import fs from 'node:fs';
import path from 'node:path';
import { emitAccountRows, ACCOUNT_COLUMNS } from './account-sampler.ts';
import { makeTowns } from './addresses.ts';
import { CIRCUMSTANCE_COLUMNS, emitCircumstanceRows } from './circumstance-sampler.ts';
import { CsvFile } from './csv-files.ts';
import { civilDate, dayNumber, parseDay } from './dates.ts';
import { HouseholdSampler, type GenerationContext } from './household-sampler.ts';
import { emitIncomeRows, INCOME_COLUMNS, sampleIncomes } from './income-sampler.ts';
import { Rng } from './random.ts';
import { emitResidentRows, RESIDENT_COLUMNS } from './resident-rows.ts';

export interface GenerateOptions {
  households: number;
  seed: string;
  /** 全国地方公共団体コード (6 digits, check digit validated by the caller). */
  municipalityCode: string;
  outDir: string;
  /** YYYY-MM-DD: the date the data describes (no event after it). Default 2024-12-31. */
  asOf?: string;
}

export interface GenerateResult {
  files: { residents: string; income: string; accounts: string; circumstances: string };
  counts: {
    households: number;
    /** Persons (each has one or, if they left, two rows in residents.csv). */
    residents: number;
    /** Rows in residents.csv. */
    residentRows: number;
    incomeRows: number;
    accountRows: number;
    circumstanceRows: number;
  };
}

export const DEFAULT_AS_OF = '2024-12-31';

export async function generateMunicipality(o: GenerateOptions): Promise<GenerateResult> {
  if (!Number.isSafeInteger(o.households) || o.households < 0) {
    throw new Error(`households must be a whole number ≥ 0, got ${o.households}`);
  }
  if (!/^\d{6}$/.test(o.municipalityCode)) {
    throw new Error(`municipality code must be 6 digits, got ${o.municipalityCode}`);
  }
  const asOf = o.asOf ?? DEFAULT_AS_OF;
  const asOfDay = parseDay(asOf);
  const asOfYear = civilDate(asOfDay)[0];

  const rng = new Rng(`benefit-generate\u0000${o.seed}\u0000${o.municipalityCode}\u0000${asOf}`);
  // A second stream for the year-to-year income events and extra deductions (income-sampler.ts),
  // so that they did not move the draws of everything else.
  const events = new Rng(`benefit-generate-events\u0000${o.seed}\u0000${o.municipalityCode}\u0000${asOf}`);
  const ctx: GenerationContext = {
    asOfDay,
    asOfYear,
    jan1: dayNumber(asOfYear, 1, 1),
    towns: makeTowns(rng, o.municipalityCode),
  };

  await fs.promises.mkdir(o.outDir, { recursive: true });
  const files = {
    residents: path.join(o.outDir, 'residents.csv'),
    income: path.join(o.outDir, 'income.csv'),
    accounts: path.join(o.outDir, 'accounts.csv'),
    circumstances: path.join(o.outDir, 'circumstances.csv'),
  };
  const residents = new CsvFile(files.residents, RESIDENT_COLUMNS);
  const income = new CsvFile(files.income, INCOME_COLUMNS);
  const accounts = new CsvFile(files.accounts, ACCOUNT_COLUMNS);
  const circumstances = new CsvFile(files.circumstances, CIRCUMSTANCE_COLUMNS);
  const all = [residents, income, accounts, circumstances];
  const writeResident = residents.write.bind(residents);
  const writeIncome = income.write.bind(income);
  const writeAccount = accounts.write.bind(accounts);
  const writeCircumstance = circumstances.write.bind(circumstances);

  const sampler = new HouseholdSampler(rng, ctx);
  let persons = 0;
  try {
    for (let i = 0; i < o.households; i++) {
      const h = sampler.sample();
      sampleIncomes(rng, h, ctx, events);
      sampler.sampleDepartures(h);
      persons += h.members.length;
      emitResidentRows(h, o.municipalityCode, writeResident);
      emitIncomeRows(h, ctx, o.municipalityCode, writeIncome);
      emitAccountRows(rng, h, ctx, o.municipalityCode, writeAccount);
      emitCircumstanceRows(rng, h, ctx, o.municipalityCode, writeCircumstance);
      if (all.some((f) => f.mustWait)) {
        await Promise.all(all.map((f) => f.drain()));
      }
    }
    await Promise.all(all.map((f) => f.close()));
  } catch (err) {
    for (const f of all) f.destroy();
    throw err;
  }

  return {
    files,
    counts: {
      households: o.households,
      residents: persons,
      residentRows: residents.rows,
      incomeRows: income.rows,
      accountRows: accounts.rows,
      circumstanceRows: circumstances.rows,
    },
  };
}
