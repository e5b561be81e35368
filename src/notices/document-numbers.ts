import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The 年度 (April to March) of an ISO date: 2025-03-31 → 2024. */
export function fiscalYearOf(isoDate: string): number {
  const year = Number(isoDate.slice(0, 4));
  return Number(isoDate.slice(5, 7)) >= 4 ? year : year - 1;
}

/**
 * Gives the letters just inserted their 文書番号: the next numbers of each one's 記号 in the
 * municipality's 年度 of `issuedOn`, in the order of their ids. Run at the end of the transaction
 * that inserted them (only the letters it inserted are given, so a letter already there takes no
 * number), which holds the municipality's lock until it commits: no number is given twice or
 * skipped, and a failed run gives none back to reuse. The letters' own insert happens before the
 * lock, so two workers' chunks wait for each other only for these small rows
 * (migrations/0020_notice_numbers.ts).
 */
export async function numberLetters(trx: Transaction<DB>, municipalityCode: string, issuedOn: string, letters: { id: number; noticeId: string; symbol: string }[]): Promise<void> {
  if (letters.length === 0) return;
  await sql`select pg_advisory_xact_lock(hashtext(${`document_numbers:${municipalityCode}`}))`.execute(trx);
  const bySymbol = new Map<string, string[]>();
  for (const l of [...letters].sort((a, b) => a.id - b.id)) {
    const ids = bySymbol.get(l.symbol) ?? [];
    ids.push(l.noticeId);
    bySymbol.set(l.symbol, ids);
  }
  const fiscalYear = fiscalYearOf(issuedOn);
  const rows: DB['notice_numbers'][] = [];
  for (const [symbol, ids] of bySymbol) {
    const { rows: counter } = await sql<{ last_number: number }>`
      insert into document_numbers (municipality_code, symbol, fiscal_year, last_number)
      values (${municipalityCode}, ${symbol}, ${fiscalYear}, ${ids.length})
      on conflict (municipality_code, symbol, fiscal_year) do update set last_number = document_numbers.last_number + excluded.last_number
      returning last_number`.execute(trx);
    const first = counter[0].last_number - ids.length + 1;
    ids.forEach((noticeId, i) => rows.push({ notice_id: noticeId, municipality_code: municipalityCode, symbol, fiscal_year: fiscalYear, number: first + i }));
  }
  await trx.insertInto('notice_numbers').values(rows).execute();
}

/** A letter's 文書番号 as printed: こ家第12号. */
export function documentNumber(symbol: string, number: number): string {
  return `${symbol}第${number}号`;
}
