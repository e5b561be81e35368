import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccountRow as StoredAccount, DB, ReviewItemTable } from '../db/schema.ts';
import type { PlanDecision, PlanLine, PlanRecovery } from './payment-plan.ts';
import { declinedSql } from './declined.ts';

type Db = Kysely<DB> | Transaction<DB>;

export type AccountRow = Pick<StoredAccount, 'person_id' | 'source' | 'bank_code' | 'branch_code' | 'account_type' | 'account_number' | 'holder_kana'>;

export const accountKey = (a: { bank_code: string | null; branch_code: string | null; account_type: number | null; account_number: string | null }) =>
  [a.bank_code, a.branch_code, a.account_type, a.account_number].join('|');

function byHousehold<T extends { household_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const r of rows) map.set(r.household_id, [...(map.get(r.household_id) ?? []), r]);
  return map;
}

export async function planDecisions(db: Db, m: string, program: string, households: string[]) {
  const rows = await db
    .selectFrom('decisions')
    .select(['id', 'decision_id', 'household_id', 'subject_person_id', 'effective_from', 'outcome', 'amount_yen', 'recipient_person_id', declinedSql('explanation').as('declined')])
    .where('municipality_code', '=', m)
    .where('program', '=', program)
    .where('household_id', '=', sql<string>`any(${households}::text[])`)
    .execute();
  return byHousehold(rows as (PlanDecision & { household_id: string })[]);
}

export async function planLines(db: Db, m: string, program: string, households: string[]) {
  const rows = await db
    .selectFrom('payment_lines')
    .select(['id', 'household_id', 'recipient_person_id', 'period_start', 'period_end', 'payment_date', 'status', 'amount_yen', 'reissue_of', 'decision_id'])
    .select(['bank_code', 'branch_code', 'account_type', 'account_number'])
    .where('municipality_code', '=', m)
    .where('program', '=', program)
    .where('household_id', '=', sql<string>`any(${households}::text[])`)
    .orderBy('id')
    .execute();
  return byHousehold(rows.map((r) => ({ ...r, account_key: r.bank_code === null ? null : accountKey(r) }) as PlanLine & { household_id: string }));
}

export async function planRecoveries(db: Db, m: string, program: string, households: string[]) {
  const rows = await db
    .selectFrom('review_items')
    .select(['household_id', 'person_id', 'period_start', 'amount_yen'])
    .where('municipality_code', '=', m)
    .where('kind', '=', 'recovery')
    .where('program', '=', program)
    .where('household_id', '=', sql<string>`any(${households}::text[])`)
    .execute();
  return byHousehold(rows as (PlanRecovery & { household_id: string })[]);
}

/** (household, person) pairs with an open missing-account item: one letter is enough. */
export async function openMissingAccounts(db: Db, m: string, program: string, households: string[]): Promise<Set<string>> {
  const rows = await db
    .selectFrom('review_items')
    .select(['household_id', 'person_id'])
    .where('municipality_code', '=', m)
    .where('kind', '=', 'missing_account')
    .where('status', '=', 'open')
    .where('program', '=', program)
    .where('household_id', '=', sql<string>`any(${households}::text[])`)
    .execute();
  return new Set(rows.map((r) => `${r.household_id}|${r.person_id}`));
}

/** Current accounts of these people by person, and the accounts a transfer to them failed on. */
export async function accountsOf(db: Db, m: string, persons: string[]): Promise<{ byPerson: Map<string, AccountRow[]>; failed: Set<string> }> {
  const accounts = await db
    .selectFrom('bank_accounts')
    .select(['person_id', 'source', 'bank_code', 'branch_code', 'account_type', 'account_number', 'holder_kana'])
    .where('municipality_code', '=', m)
    .where('person_id', '=', sql<string>`any(${persons}::text[])`)
    .execute();
  const failed = await db
    .selectFrom('payment_lines')
    .select(['recipient_person_id', 'bank_code', 'branch_code', 'account_type', 'account_number'])
    .where('municipality_code', '=', m)
    .where('status', '=', 'failed')
    .where('recipient_person_id', '=', sql<string>`any(${persons}::text[])`)
    .execute();
  const byPerson = new Map<string, AccountRow[]>();
  for (const a of accounts as AccountRow[]) byPerson.set(a.person_id, [...(byPerson.get(a.person_id) ?? []), a]);
  return { byPerson, failed: new Set(failed.map((f) => `${f.recipient_person_id}|${accountKey(f)}`)) };
}

export interface LineUpsert {
  household_id: string;
  recipient_person_id: string;
  period_start: string;
  period_end: string;
  kind: 'regular' | 'arrears' | 'reissue';
  amount_yen: number;
  decision_id: string;
  reissue_of: number | null;
}

/**
 * Writes planned lines for one payment date in one statement. A line already there for the
 * same (program, household, recipient, period, date) is updated only while it is a plan
 * (due or cancelled); an exported line is never touched. Returns how many lines are new.
 */
export async function upsertLines(trx: Transaction<DB>, m: string, program: string, paymentDate: string, lines: LineUpsert[]): Promise<number> {
  if (lines.length === 0) return 0;
  const col = <K extends keyof LineUpsert>(k: K) => lines.map((l) => l[k]);
  const { rows } = await sql<{ inserted: boolean }>`
    insert into payment_lines (municipality_code, program, payment_date, status, household_id, recipient_person_id, period_start, period_end, kind, amount_yen, decision_id, reissue_of)
    select ${m}, ${program}, ${paymentDate}::date, 'due', u.* from unnest(
      ${col('household_id')}::text[], ${col('recipient_person_id')}::text[], ${col('period_start')}::date[], ${col('period_end')}::date[],
      ${col('kind')}::text[], ${col('amount_yen')}::int[], ${col('decision_id')}::text[], ${col('reissue_of')}::bigint[]) as u
    on conflict do nothing
    returning true as inserted`.execute(trx);
  const plain = lines.filter((l) => l.reissue_of === null);
  if (plain.length) {
    const c = <K extends keyof LineUpsert>(k: K) => plain.map((l) => l[k]);
    await sql`
      update payment_lines p set amount_yen = u.amount, kind = u.kind, decision_id = u.decision_id, status = 'due', updated_at = now()
      from unnest(${c('household_id')}::text[], ${c('recipient_person_id')}::text[], ${c('period_start')}::date[], ${c('amount_yen')}::int[], ${c('kind')}::text[], ${c('decision_id')}::text[])
        as u(household_id, recipient, period_start, amount, kind, decision_id)
      where p.municipality_code = ${m} and p.program = ${program} and p.payment_date = ${paymentDate}::date and p.reissue_of is null
        and p.household_id = u.household_id and p.recipient_person_id = u.recipient and p.period_start = u.period_start
        and p.status in ('due', 'cancelled')
        and (p.amount_yen, p.kind, p.decision_id, p.status) is distinct from (u.amount, u.kind, u.decision_id, 'due')`.execute(trx);
  }
  return rows.length;
}

/** A line a hold came too late for: already in a Zengin file. */
export interface ExportedLineRef {
  payment_date: string;
  amount_yen: number;
}

/**
 * Lines not yet exported stay out of the Zengin file while staff hold the household. For a hold
 * on review item `itemId`, returns the household's lines exported since that item was opened:
 * the hold came after the file and cannot stop them (only a 組戻し at the bank can), which whoever
 * holds must be told.
 */
export async function holdLines(trx: Transaction<DB>, m: string, program: string, households: string[], itemId?: number): Promise<ExportedLineRef[]> {
  if (households.length === 0) return [];
  await trx
    .updateTable('payment_lines')
    .set({ status: 'held', updated_at: new Date() })
    .where('municipality_code', '=', m)
    .where('program', '=', program)
    .where('household_id', 'in', households)
    .where('status', '=', 'due')
    .execute();
  if (itemId === undefined) return [];
  const { rows } = await sql<ExportedLineRef>`
    select l.payment_date::text as payment_date, l.amount_yen from payment_lines l join review_items r on r.id = ${itemId}
    where l.municipality_code = ${m} and l.program = ${program} and l.household_id = any(${households}::text[])
      and l.exported_at >= r.created_at
    order by l.payment_date, l.id`.execute(trx);
  return rows;
}

/** What staff read when a hold comes after the file: the hold cannot stop it; a 組戻し can. */
export function exportedHoldMessage(lines: ExportedLineRef[]): string | undefined {
  if (lines.length === 0) return undefined;
  const what = lines.map((l) => `${l.payment_date} 支払分 ${l.amount_yen.toLocaleString('ja-JP')}円`).join('、');
  return (
    `この世帯の振込（${what}）は既に全銀ファイルに出力済みのため、保留では止まりません（保留はこれからの支払にだけ効きます）。` +
    '出力済みの振込を止めるには、金融機関に組戻しを依頼してください（docs/payments.md「組戻し」）。'
  );
}

export async function cancelLines(trx: Transaction<DB>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable('payment_lines').set({ status: 'cancelled', updated_at: new Date() }).where('id', 'in', ids).where('status', '=', 'due').execute();
}

export type NewReviewItem = Pick<
  ReviewItemTable,
  'kind' | 'item_key' | 'program' | 'household_id' | 'person_id' | 'decision_id' | 'payment_line_id' | 'period_start' | 'amount_yen'
> & { detail: Record<string, unknown> };

/** A missing-account item: one per (program, household, person, first period without an account). */
export function missingAccountItem(i: Omit<NewReviewItem, 'kind' | 'item_key'>): NewReviewItem {
  return { ...i, kind: 'missing_account', item_key: [i.program, i.household_id, i.person_id, i.period_start].join('|') };
}

/** Adds review items; one already there with the same key is left alone. Returns how many are new. */
export async function addReviewItems(trx: Db, m: string, items: NewReviewItem[]): Promise<number> {
  if (items.length === 0) return 0;
  const rows = await trx
    .insertInto('review_items')
    .values(items.map((i) => ({ ...i, municipality_code: m, detail: JSON.stringify(i.detail) })))
    .onConflict((c) => c.columns(['municipality_code', 'kind', 'item_key']).doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

/** Closes the open missing-account items of people who now get a line. */
export async function resolveMissingAccounts(trx: Transaction<DB>, m: string, program: string, pairs: { household_id: string; person_id: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  await sql`
    update review_items r set status = 'resolved', resolved_at = now()
    from unnest(${pairs.map((p) => p.household_id)}::text[], ${pairs.map((p) => p.person_id)}::text[]) as u(household_id, person_id)
    where r.municipality_code = ${m} and r.program = ${program} and r.kind = 'missing_account' and r.status = 'open'
      and r.household_id = u.household_id and r.person_id = u.person_id`.execute(trx);
}

/** Closes the failed-transfer items of lines that are paid again. */
export async function resolveFailedTransfers(trx: Transaction<DB>, m: string, lineIds: number[]): Promise<void> {
  if (lineIds.length === 0) return;
  await trx
    .updateTable('review_items')
    .set({ status: 'resolved', resolved_at: new Date() })
    .where('municipality_code', '=', m)
    .where('kind', '=', 'failed_transfer')
    .where('status', '=', 'open')
    .where('payment_line_id', 'in', lineIds)
    .execute();
}
