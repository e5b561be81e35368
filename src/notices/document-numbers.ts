import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The 年度 (April to March) of an ISO date: 2025-03-31 → 2024. */
export function fiscalYearOf(isoDate: string): number {
  const year = Number(isoDate.slice(0, 4));
  return Number(isoDate.slice(5, 7)) >= 4 ? year : year - 1;
}

/**
 * Gives each new letter the next 文書番号 of its 記号 in the municipality's 年度 of `issuedOn`, in
 * the order given, and writes it into the letter's content (what the PDF prints). Runs in the
 * transaction that inserted the letters: a letter not inserted (already there) takes no number,
 * and a failed run gives none back to reuse (migrations/0015_document_numbers.ts).
 */
export async function numberLetters(trx: Transaction<DB>, municipalityCode: string, issuedOn: string, letters: { id: number; symbol: string }[]): Promise<void> {
  const fiscalYear = fiscalYearOf(issuedOn);
  const bySymbol = new Map<string, number[]>();
  for (const l of letters) bySymbol.set(l.symbol, [...(bySymbol.get(l.symbol) ?? []), l.id]);
  for (const [symbol, ids] of bySymbol) {
    const { rows } = await sql<{ last_number: number }>`
      insert into document_numbers (municipality_code, symbol, fiscal_year, last_number)
      values (${municipalityCode}, ${symbol}, ${fiscalYear}, ${ids.length})
      on conflict (municipality_code, symbol, fiscal_year) do update set last_number = document_numbers.last_number + excluded.last_number
      returning last_number`.execute(trx);
    const first = rows[0].last_number - ids.length + 1;
    const numbers = ids.map((_, i) => `${symbol}第${first + i}号`);
    await sql`
      update notices n set content = jsonb_set(n.content, '{documentNumber}', to_jsonb(v.number))
      from unnest(${ids}::bigint[], ${numbers}::text[]) as v(id, number)
      where n.id = v.id`.execute(trx);
  }
}
