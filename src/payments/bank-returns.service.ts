import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { UnusableInputError } from '../errors.ts';
import { isIsoDate } from '../codes/iso-date.ts';
import { exportedLines } from './export-payments.service.ts';
import { addReviewItems, type NewReviewItem } from './payment.repository.ts';
import { parseZenginResultFile } from './zengin/index.ts';

export interface ReturnRejection {
  record: number;
  field: string;
  reason: string;
}

export interface ReturnsResult {
  municipalityCode: string;
  paid: number;
  failed: number;
  /** Failed records already marked by an earlier run of the same file. */
  alreadyFailed: number;
  rejected: ReturnRejection[];
}

/**
 * Reads the bank's transfer-result file: each record whose transfer failed marks its line
 * (found by 顧客コード2, the payment date, and 顧客コード1, the record's number in that date's
 * file; in files of the earlier layout, 顧客コード2 zero, 顧客コード1 is the line id; either way
 * checked against the account and amount) as failed and opens a review item. The line is paid again by a reissue only after the
 * person's account changes (create-payments). Reading the same file again changes nothing.
 */
export async function applyBankReturns(db: Kysely<DB>, bytes: Buffer): Promise<ReturnsResult> {
  const file = parseZenginResultFile(bytes);
  const { rows: owners } = await sql<{ municipality_code: string }>`
    select municipality_code from municipalities where settings -> 'requester' ->> 'code' = ${file.requesterCode}`.execute(db);
  if (owners.length !== 1) {
    throw new UnusableInputError('unknown_requester', `依頼人コード ${file.requesterCode} of the result file belongs to ${owners.length === 0 ? 'no' : 'more than one'} municipality (benefit municipality set)`);
  }
  const m = owners[0].municipality_code;
  return db.transaction().execute(async (trx) => {
    const result: ReturnsResult = { municipalityCode: m, paid: 0, failed: 0, alreadyFailed: 0, rejected: [] };
    const legacy = file.records.filter((r) => /^0+$/.test(r.customerCode2));
    const ids = legacy.map((r) => Number(r.customerCode1)).filter((id) => Number.isSafeInteger(id) && id > 0);
    const byId = new Map(
      (ids.length ? await trx.selectFrom('payment_lines').selectAll().where('municipality_code', '=', m).where('id', '=', sql<number>`any(${ids}::bigint[])`).execute() : []).map((l) => [l.id, l]),
    );
    // The exported lines of each payment date the records name, in the order of that date's file.
    const byDate = new Map<string, Awaited<ReturnType<typeof exportedLines>>>();
    for (const code of new Set(file.records.map((r) => r.customerCode2).filter((c) => !/^0+$/.test(c)))) {
      const date = isoDateOf(code);
      byDate.set(code, date ? await exportedLines(trx, m, date) : []);
    }
    const items: NewReviewItem[] = [];
    for (const record of file.records) {
      const reject = (field: string, reason: string) => result.rejected.push({ record: record.line, field, reason });
      const line = /^0+$/.test(record.customerCode2)
        ? byId.get(Number(record.customerCode1))
        : byDate.get(record.customerCode2)?.[Number(record.customerCode1) - 1];
      if (!line) {
        reject('顧客コード1', `'${record.customerCode1}' (顧客コード2 '${record.customerCode2}') is not a payment line of ${m}`);
        continue;
      }
      if (!line.exported_at || line.payment_date.slice(5).replace('-', '') !== file.transferDate) {
        reject('振込指定日', `line ${line.id} was not exported for ${file.transferDate.slice(0, 2)}/${file.transferDate.slice(2)}`);
        continue;
      }
      if (line.amount_yen !== record.amountYen) {
        reject('振込金額', `line ${line.id} paid ${line.amount_yen} yen, the record says ${record.amountYen}`);
        continue;
      }
      if (line.bank_code !== record.bankCode || line.branch_code !== record.branchCode || line.account_number !== record.accountNumber.padStart(7, '0')) {
        reject('口座', `line ${line.id} was sent to another account`);
        continue;
      }
      if (record.result === 'paid') {
        result.paid++;
        continue;
      }
      if (line.status === 'failed') {
        result.alreadyFailed++;
        continue;
      }
      await trx.updateTable('payment_lines').set({ status: 'failed', result_code: record.resultCode, failed_at: new Date(), updated_at: new Date() }).where('id', '=', line.id).execute();
      items.push({
        kind: 'failed_transfer', item_key: `line:${line.id}`, program: line.program, household_id: line.household_id, person_id: line.recipient_person_id,
        decision_id: line.decision_id, payment_line_id: line.id, period_start: line.period_start, amount_yen: line.amount_yen,
        detail: { result_code: record.resultCode, reason_ja: record.reasonJa, payment_date: line.payment_date },
      });
      result.failed++;
    }
    await addReviewItems(trx, m, items);
    return result;
  });
}

/** 顧客コード2 as written on export (the payment date, YYYYMMDD, zero-padded to 10) → YYYY-MM-DD. */
function isoDateOf(code: string): string | undefined {
  const digits = code.replace(/^0+/, '');
  if (!/^\d{8}$/.test(digits)) return undefined;
  const date = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`;
  return isIsoDate(date) ? date : undefined;
}
