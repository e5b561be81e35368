import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The 年度 (April to March) of an ISO date: 2025-03-31 → 2024. */
export function fiscalYearOf(isoDate: string): number {
  const year = Number(isoDate.slice(0, 4));
  return Number(isoDate.slice(5, 7)) >= 4 ? year : year - 1;
}

/**
 * The 文書番号 of each letter about to be inserted that is not there yet: the next numbers of its
 * 記号 in the municipality's 年度 of `issuedOn`, in the order given (a notice id given twice is
 * numbered once). Run in the transaction that inserts them, which holds the municipality's lock
 * until it ends: a letter already there takes no number, no number is given twice or skipped,
 * and a failed run gives none back to reuse (migrations/0014_document_numbers.ts). Numbered
 * before the insert, so a letter's content is written once (rewriting it after costs 5 times
 * the insert: docs/performance.md).
 */
export async function documentNumbers(trx: Transaction<DB>, municipalityCode: string, issuedOn: string, letters: { noticeId: string; symbol: string }[]): Promise<Map<string, string>> {
  const numbers = new Map<string, string>();
  if (letters.length === 0) return numbers;
  await sql`select pg_advisory_xact_lock(hashtext(${`document_numbers:${municipalityCode}`}))`.execute(trx);
  const ids = [...new Set(letters.map((l) => l.noticeId))];
  const existing = new Set((await trx.selectFrom('notices').select('notice_id').where('notice_id', '=', sql<string>`any(${ids}::text[])`).execute()).map((r) => r.notice_id));
  const bySymbol = new Map<string, string[]>();
  for (const l of letters) {
    if (existing.has(l.noticeId) || bySymbol.get(l.symbol)?.includes(l.noticeId)) continue;
    bySymbol.set(l.symbol, [...(bySymbol.get(l.symbol) ?? []), l.noticeId]);
  }
  const fiscalYear = fiscalYearOf(issuedOn);
  for (const [symbol, fresh] of bySymbol) {
    const { rows } = await sql<{ last_number: number }>`
      insert into document_numbers (municipality_code, symbol, fiscal_year, last_number)
      values (${municipalityCode}, ${symbol}, ${fiscalYear}, ${fresh.length})
      on conflict (municipality_code, symbol, fiscal_year) do update set last_number = document_numbers.last_number + excluded.last_number
      returning last_number`.execute(trx);
    const first = rows[0].last_number - fresh.length + 1;
    fresh.forEach((id, i) => numbers.set(id, `${symbol}第${first + i}号`));
  }
  return numbers;
}
