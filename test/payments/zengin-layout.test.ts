import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import type { MunicipalitySettings } from '../../src/municipalities/municipality-settings.ts';
import { applyBankReturns } from '../../src/payments/bank-returns.service.ts';
import { exportPayments } from '../../src/payments/export-payments.service.ts';
import { parseZenginTransferFile, writeZenginTransferFile } from '../../src/payments/zengin/index.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';
import { withResultCodes } from './support/result-file.ts';

/**
 * The Zengin file's records come in the order of their facts and carry no row id (issue 13
 * point 11): 顧客コード1 is the record number, 顧客コード2 the payment date, and the bank's result
 * file finds its lines from them. A date exported before, with the earlier layout (records by
 * line id, 顧客コード1 the line id), is written again exactly as it was, and its result file
 * still finds its lines.
 */
describe('the Zengin file layout', () => {
  let db: TestDatabase;
  const m = freshMunicipality();
  let settings: MunicipalitySettings;

  /** Lines exported on `date`, inserted in an order unlike the file's (row ids descend with the account). */
  async function exportedLines(date: string): Promise<void> {
    const rows = [
      ['H3', 'P3', '0001', '001', '0000003', 30000],
      ['H2', 'P2', '0001', '001', '0000002', 20000],
      ['H1', 'P1', '0001', '001', '0000001', 10000],
    ] as const;
    for (const [household, person, bank, branch, account, amount] of rows) {
      await sql`
        insert into payment_lines (municipality_code, program, household_id, recipient_person_id, period_start, period_end, payment_date, kind,
          amount_yen, status, decision_id, bank_code, branch_code, account_type, account_number, holder_kana, exported_at)
        values (${m}, 'child-allowance', ${household}, ${person}, '2024-10-01', '2024-11-30', ${date}, 'regular', ${amount}, 'exported', ${`D-${household}`},
          ${bank}, ${branch}, 1, ${account}, 'ﾔﾏﾀﾞ ﾀﾛｳ', now())`.execute(db.db);
    }
  }

  beforeAll(async () => {
    db = await createPostgresDatabase();
    settings = await updateSettings(db.db, m, payingSettings(m));
  }, 60_000);
  afterAll(() => db?.close());

  it('orders records by account and numbers them, whatever the row ids; the result file finds each line', async () => {
    await exportedLines('2024-12-13');
    const { rows: ids } = await sql<{ household_id: string }>`select household_id from payment_lines where municipality_code = ${m} order by id`.execute(db.db);
    expect(ids.map((r) => r.household_id)).toEqual(['H3', 'H2', 'H1']);
    // The file this layout gives, written by hand: by account, 顧客コード1 1, 2, 3, 顧客コード2 the date.
    const r = settings.requester;
    const expected = writeZenginTransferFile(
      { requesterCode: r.code, requesterName: r.name_kana, bankCode: r.bank_code, branchCode: r.branch_code, accountType: r.account_type, accountNumber: r.account_number },
      '2024-12-13',
      [1, 2, 3].map((n) => ({ bankCode: '0001', branchCode: '001', accountType: 1 as const, accountNumber: `000000${n}`, recipientName: 'ﾔﾏﾀﾞ ﾀﾛｳ', amountYen: n * 10000, customerCode1: String(n), customerCode2: '20241213' })),
    );
    // The lines were inserted as exported: record the export as the first one would have.
    await db.db
      .insertInto('payment_exports')
      .values({ municipality_code: m, payment_date: '2024-12-13', lines: 3, total_yen: 60000, sha256: createHash('sha256').update(expected).digest('hex') })
      .execute();
    const again = await exportPayments(db.db, m, '2024-12-13', settings);
    expect(again.again).toBe(true);
    expect(again.file.equals(expected)).toBe(true);
    expect(parseZenginTransferFile(again.file).transfers.map((t) => [t.accountNumber, t.customerCode1, t.customerCode2])).toEqual([
      ['0000001', '0000000001', '0020241213'],
      ['0000002', '0000000002', '0020241213'],
      ['0000003', '0000000003', '0020241213'],
    ]);

    const result = await applyBankReturns(db.db, withResultCodes(again.file, ['0', '2', '0']));
    expect(result).toMatchObject({ paid: 2, failed: 1, rejected: [] });
    const failed = await db.db.selectFrom('payment_lines').select('household_id').where('municipality_code', '=', m).where('status', '=', 'failed').execute();
    expect(failed).toEqual([{ household_id: 'H2' }]);
  });

  it('writes a date exported with the earlier layout again in that layout, and reads its result file by line id', async () => {
    await exportedLines('2025-02-14');
    const lines = await db.db.selectFrom('payment_lines').selectAll().where('municipality_code', '=', m).where('payment_date', '=', '2025-02-14').orderBy('id').execute();
    const r = settings.requester;
    const legacy = writeZenginTransferFile(
      { requesterCode: r.code, requesterName: r.name_kana, bankCode: r.bank_code, branchCode: r.branch_code, accountType: r.account_type, accountNumber: r.account_number },
      '2025-02-14',
      lines.map((l) => ({ bankCode: l.bank_code!, branchCode: l.branch_code!, accountType: 1 as const, accountNumber: l.account_number!, recipientName: l.holder_kana!, amountYen: l.amount_yen, customerCode1: String(l.id) })),
    );
    await db.db
      .insertInto('payment_exports')
      .values({ municipality_code: m, payment_date: '2025-02-14', lines: 3, total_yen: 60000, sha256: createHash('sha256').update(legacy).digest('hex') })
      .execute();
    const again = await exportPayments(db.db, m, '2025-02-14', settings);
    expect(again.file.equals(legacy)).toBe(true);

    const result = await applyBankReturns(db.db, withResultCodes(legacy, ['2', '0', '0']));
    expect(result).toMatchObject({ paid: 2, failed: 1, rejected: [] });
    const failed = await db.db.selectFrom('payment_lines').select('household_id').where('municipality_code', '=', m).where('payment_date', '=', '2025-02-14').where('status', '=', 'failed').execute();
    // The first record of the earlier layout is the lowest line id: H3's.
    expect(failed).toEqual([{ household_id: 'H3' }]);
  });
});
