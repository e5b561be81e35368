import { createHash } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, PaymentLineTable } from '../db/schema.ts';
import { ConflictError, UnusableInputError } from '../errors.ts';
import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { bankBusinessDaysBefore } from './bank-business-day.ts';
import { usableAccount } from './create-payments.service.ts';
import { accountsOf, addReviewItems, cancelLines, missingAccountItem, type AccountRow, type NewReviewItem } from './payment.repository.ts';
import { writeZenginTransferFile, type ZenginAccountType, type ZenginTransfer } from './zengin/index.ts';

export interface ExportResult {
  file: Buffer;
  lines: number;
  totalYen: number;
  /** Lines left out because the account was no longer usable (sent to review instead). */
  withdrawn: number;
  /**
   * Lines left out because an item that may stop them (大きな額の変更, 支給停止) is still in its
   * review window (settings.review_days): paid on the next payment date unless staff hold them.
   */
  inReview: number;
  /** True when the date had been exported before and this is the same file again. */
  again: boolean;
}

/** Every date with payment lines due or exported, oldest first. */
export async function paymentDates(db: Kysely<DB>, m: string): Promise<string[]> {
  const rows = await db
    .selectFrom('payment_lines')
    .select('payment_date')
    .distinct()
    .where('municipality_code', '=', m)
    .where('status', '!=', 'cancelled')
    .orderBy('payment_date')
    .execute();
  return rows.map((r) => r.payment_date);
}

/**
 * The Zengin 総合振込 file of one payment date. The first export takes every line due that
 * day, copies each recipient's account onto it, marks it exported and records the date as
 * exported (later lines go to the next date), all in one transaction; a line whose account is
 * no longer usable is withdrawn to review and paid later. Exporting the date again writes the
 * same lines from what was stored, so the file is byte for byte the same.
 *
 * The file is a function of the stored facts alone, never of row ids, so the same input gives
 * the same file on any database: the records are in the order of `fileOrder` (account, then
 * recipient, program, household, period), 顧客コード1 is the record's number in that order and
 * 顧客コード2 the payment date (YYYYMMDD); the bank's result file gives both back, and
 * `payments returns` finds the line from them. A date first exported with the earlier layout
 * (records by line id, 顧客コード1 the line id, 顧客コード2 zero) is written again in that layout.
 */
export async function exportPayments(db: Kysely<DB>, m: string, paymentDate: string, settings: MunicipalitySettings): Promise<ExportResult> {
  return db.transaction().execute(async (trx) => {
    // One export per municipality at a time.
    await sql`select pg_advisory_xact_lock(hashtext(${`export:${m}`}))`.execute(trx);
    const previous = await trx.selectFrom('payment_exports').selectAll().where('municipality_code', '=', m).where('payment_date', '=', paymentDate).executeTakeFirst();
    let withdrawn = 0;
    let inReview = 0;
    if (!previous) {
      let due = await trx.selectFrom('payment_lines').selectAll().where('municipality_code', '=', m).where('payment_date', '=', paymentDate).where('status', '=', 'due').orderBy('id').execute();
      if (due.length === 0) throw new UnusableInputError('no_payments', `no payments are due on ${paymentDate} in ${m}: see 'benefit payments dates'`);
      // Lines staff may still stop wait for the next payment date (cancelled here, planned again
      // by the next run), so that a hold never comes after the file is written.
      const waiting = await linesInReviewWindow(trx, m, paymentDate, settings.review_days);
      await cancelLines(trx, [...waiting]);
      inReview = waiting.size;
      due = due.filter((l) => !waiting.has(l.id));
      const { byPerson, failed } = await accountsOf(trx, m, [...new Set(due.map((l) => l.recipient_person_id))]);
      const items: NewReviewItem[] = [];
      const exported: (AccountRow & { id: number })[] = [];
      for (const line of due) {
        const account = usableAccount(byPerson.get(line.recipient_person_id) ?? [], failed);
        if (account) {
          exported.push({ ...account, id: line.id });
          continue;
        }
        items.push(
          missingAccountItem({
            program: line.program, household_id: line.household_id, person_id: line.recipient_person_id, decision_id: line.decision_id,
            payment_line_id: line.id, period_start: line.period_start, amount_yen: line.amount_yen, detail: { withdrawn_from: paymentDate },
          }),
        );
      }
      await cancelLines(trx, items.map((i) => i.payment_line_id!));
      const col = <K extends keyof (typeof exported)[number]>(k: K) => exported.map((e) => e[k]);
      await sql`
        update payment_lines p set status = 'exported', exported_at = now(), updated_at = now(),
          bank_code = u.bank_code, branch_code = u.branch_code, account_type = u.account_type, account_number = u.account_number, holder_kana = u.holder_kana
        from unnest(${col('id')}::bigint[], ${col('bank_code')}::text[], ${col('branch_code')}::text[], ${col('account_type')}::smallint[],
                    ${col('account_number')}::text[], ${col('holder_kana')}::text[]) as u(id, bank_code, branch_code, account_type, account_number, holder_kana)
        where p.id = u.id`.execute(trx);
      withdrawn = items.length;
      await addReviewItems(trx, m, items);
    }
    const lines = await exportedLines(trx, m, paymentDate);
    if (lines.length === 0) {
      throw new UnusableInputError('nothing_to_export', `no line due on ${paymentDate} can be paid: ${withdrawn} without a usable account (sent to review), ${inReview} still in their review window`);
    }
    const r = settings.requester;
    const requester = { requesterCode: r.code, requesterName: r.name_kana, bankCode: r.bank_code, branchCode: r.branch_code, accountType: r.account_type, accountNumber: r.account_number };
    let file = writeZenginTransferFile(requester, paymentDate, transfers(lines, paymentDate));
    let sha256 = createHash('sha256').update(file).digest('hex');
    if (previous && previous.sha256 !== sha256) {
      // Exported before records were ordered by their facts: the same file as then.
      const legacy = writeZenginTransferFile(requester, paymentDate, legacyTransfers(lines));
      const legacySha256 = createHash('sha256').update(legacy).digest('hex');
      if (legacySha256 === previous.sha256) [file, sha256] = [legacy, legacySha256];
    }
    const totalYen = lines.reduce((s, l) => s + l.amount_yen, 0);
    if (previous && previous.sha256 !== sha256) {
      throw new ConflictError(
        'export_differs',
        `the file for ${paymentDate} would differ from the one written at ${previous.exported_at.toISOString()} (were the requester settings changed?); the lines were not changed`,
      );
    }
    if (!previous) await trx.insertInto('payment_exports').values({ municipality_code: m, payment_date: paymentDate, lines: lines.length, total_yen: totalYen, sha256 }).execute();
    return { file, lines: lines.length, totalYen, withdrawn, inReview, again: Boolean(previous) };
  });
}

type Db = Kysely<DB> | Transaction<DB>;

/**
 * Due lines of `paymentDate` whose household has an open 大きな額の変更 or 支給停止 item from a
 * decision made by a nightly dated within `reviewDays` bank business days before the payment date:
 * staff have not had their window to hold them. Measured from the nightly's date (a retroactive
 * decision's own as_of is an earlier month), not the clock, so the same input gives the same file.
 */
async function linesInReviewWindow(trx: Transaction<DB>, m: string, paymentDate: string, reviewDays: number): Promise<Set<number>> {
  if (reviewDays === 0) return new Set();
  const windowStart = bankBusinessDaysBefore(paymentDate, reviewDays);
  const { rows } = await sql<{ id: number }>`
    select distinct l.id from payment_lines l
    join review_items r on r.municipality_code = l.municipality_code and r.program = l.program and r.household_id = l.household_id
    join decisions d on d.decision_id = r.decision_id
    where l.municipality_code = ${m} and l.payment_date = ${paymentDate}::date and l.status = 'due'
      and r.kind in ('large_change', 'stop') and r.status = 'open'
      and coalesce((select max(b.run_date) from batch_runs b where b.municipality_code = d.municipality_code and b.known_at = d.known_at), d.as_of) > ${windowStart}::date`.execute(trx);
  return new Set(rows.map((r) => r.id));
}

/** An exported line, with what orders it in the file. */
export type ExportedLine = Selectable<PaymentLineTable> & { reissued_date: string | null; reissued_kind: string | null };

/**
 * The lines exported for a payment date, in the order of their records in the Zengin file
 * (`fileOrder`).
 */
export async function exportedLines(db: Db, m: string, paymentDate: string): Promise<ExportedLine[]> {
  const lines = await db
    .selectFrom('payment_lines as p')
    .leftJoin('payment_lines as o', 'o.id', 'p.reissue_of')
    .selectAll('p')
    .select(['o.payment_date as reissued_date', 'o.kind as reissued_kind'])
    .where('p.municipality_code', '=', m)
    .where('p.payment_date', '=', paymentDate)
    .where('p.exported_at', 'is not', null)
    .execute();
  return lines.sort(fileOrder);
}

/**
 * The order of the records in a Zengin file: by bank, branch, account type and number, then
 * recipient, program, household, period and kind (a reissue after the line it pays again), by
 * code point: the same on any database, whatever its collation, and independent of row ids.
 * These together identify a line of a payment date (the unique index on payment_lines, and a
 * reissue by the line it reissues); the row id only breaks a tie that cannot occur.
 */
export function fileOrder(a: ExportedLine, b: ExportedLine): number {
  const key = (l: ExportedLine) =>
    [l.bank_code, l.branch_code, l.account_type, l.account_number, l.recipient_person_id, l.program, l.household_id, l.period_start, l.kind, l.reissued_date ?? '', l.reissued_kind ?? ''].join('\0');
  const [x, y] = [key(a), key(b)];
  return x < y ? -1 : x > y ? 1 : a.id - b.id;
}

/** 顧客コード2 of a record: the payment date, YYYYMMDD. */
export const dateCustomerCode = (paymentDate: string) => paymentDate.replaceAll('-', '');

function transfer(l: ExportedLine): Omit<ZenginTransfer, 'customerCode1' | 'customerCode2'> {
  return {
    bankCode: l.bank_code!,
    branchCode: l.branch_code!,
    accountType: l.account_type as ZenginAccountType,
    accountNumber: l.account_number!,
    recipientName: l.holder_kana!,
    amountYen: l.amount_yen,
  };
}

/** The records of a file: 顧客コード1 the record's number (1…), 顧客コード2 the payment date. */
function transfers(lines: ExportedLine[], paymentDate: string): ZenginTransfer[] {
  return lines.map((l, i) => ({ ...transfer(l), customerCode1: String(i + 1), customerCode2: dateCustomerCode(paymentDate) }));
}

/** The earlier layout: records by line id, 顧客コード1 the line id, 顧客コード2 zero. */
function legacyTransfers(lines: ExportedLine[]): ZenginTransfer[] {
  return [...lines].sort((a, b) => a.id - b.id).map((l) => ({ ...transfer(l), customerCode1: String(l.id) }));
}
