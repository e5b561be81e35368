import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ConflictError, UnusableInputError } from '../errors.ts';
import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { usableAccount } from './create-payments.service.ts';
import { accountsOf, addReviewItems, cancelLines, missingAccountItem, type AccountRow, type NewReviewItem } from './payment.repository.ts';
import { writeZenginTransferFile, type ZenginAccountType } from './zengin/index.ts';

export interface ExportResult {
  file: Buffer;
  lines: number;
  totalYen: number;
  /** Lines left out because the account was no longer usable (sent to review instead). */
  withdrawn: number;
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
 * same lines from what was stored, so the file is byte for byte the same. The 顧客コード1 of
 * each record is the line's id, which the bank's result file gives back.
 */
export async function exportPayments(db: Kysely<DB>, m: string, paymentDate: string, settings: MunicipalitySettings): Promise<ExportResult> {
  return db.transaction().execute(async (trx) => {
    // One export per municipality at a time.
    await sql`select pg_advisory_xact_lock(hashtext(${`export:${m}`}))`.execute(trx);
    const previous = await trx.selectFrom('payment_exports').selectAll().where('municipality_code', '=', m).where('payment_date', '=', paymentDate).executeTakeFirst();
    let withdrawn = 0;
    if (!previous) {
      const due = await trx.selectFrom('payment_lines').selectAll().where('municipality_code', '=', m).where('payment_date', '=', paymentDate).where('status', '=', 'due').orderBy('id').execute();
      if (due.length === 0) throw new UnusableInputError('no_payments', `no payments are due on ${paymentDate} in ${m}: see 'benefit payments dates'`);
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
    const lines = await trx
      .selectFrom('payment_lines')
      .selectAll()
      .where('municipality_code', '=', m)
      .where('payment_date', '=', paymentDate)
      .where('exported_at', 'is not', null)
      .orderBy('id')
      .execute();
    if (lines.length === 0) throw new UnusableInputError('nothing_to_export', `no line due on ${paymentDate} has a usable account; ${withdrawn} sent to review`);
    const r = settings.requester;
    const file = writeZenginTransferFile(
      { requesterCode: r.code, requesterName: r.name_kana, bankCode: r.bank_code, branchCode: r.branch_code, accountType: r.account_type, accountNumber: r.account_number },
      paymentDate,
      lines.map((l) => ({
        bankCode: l.bank_code!,
        branchCode: l.branch_code!,
        accountType: l.account_type as ZenginAccountType,
        accountNumber: l.account_number!,
        recipientName: l.holder_kana!,
        amountYen: l.amount_yen,
        customerCode1: String(l.id),
      })),
    );
    const totalYen = lines.reduce((s, l) => s + l.amount_yen, 0);
    const sha256 = createHash('sha256').update(file).digest('hex');
    if (previous && previous.sha256 !== sha256) {
      throw new ConflictError(
        'export_differs',
        `the file for ${paymentDate} would differ from the one written at ${previous.exported_at.toISOString()} (were the requester settings changed?); the lines were not changed`,
      );
    }
    if (!previous) await trx.insertInto('payment_exports').values({ municipality_code: m, payment_date: paymentDate, lines: lines.length, total_yen: totalYen, sha256 }).execute();
    return { file, lines: lines.length, totalYen, withdrawn, again: Boolean(previous) };
  });
}
