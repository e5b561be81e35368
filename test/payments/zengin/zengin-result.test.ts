import { describe, expect, it } from 'vitest';
import { ZenginFileError } from '../../../src/payments/zengin/zengin-errors.ts';
import { parseZenginResultFile, ZENGIN_RESULT_CODES } from '../../../src/payments/zengin/zengin-result.ts';
import { withResultCodes } from '../support/result-file.ts';
import { writeZenginTransferFile, type ZenginTransfer } from '../../../src/payments/zengin/zengin-writer.ts';
import { requester } from '../support/requester.ts';

const transfers: ZenginTransfer[] = [
  { bankCode: '0005', branchCode: '629', accountType: 1, accountNumber: '7654321', recipientName: 'ヤマダ　ハナコ', amountYen: 12_345 },
  {
    bankCode: '0009',
    branchCode: '156',
    accountType: 2,
    accountNumber: '45',
    recipientName: 'スズキ　イチロウ',
    amountYen: 1_000_000,
    customerCode1: '123',
    customerCode2: '9876543210',
  },
  { bankCode: '9900', branchCode: '108', accountType: 4, accountNumber: '7777777', recipientName: 'サトウ　ジロウ', amountYen: 50_000 },
];

const STRIDE = 122; // 120 bytes + CRLF, as writeZenginTransferFile writes
const TRAILER = 1 + transfers.length; // 0-based record index of the trailer

/**
 * The bank's answer to a file we wrote: the transfer file with data-record byte 112 (振込指定区分
 * "7" in what we send) replaced by each transfer's result code, in order.
 */
function withoutCrlf(file: Buffer): Buffer {
  const records: Buffer[] = [];
  for (let offset = 0; offset < file.length; offset += STRIDE) records.push(file.subarray(offset, offset + 120));
  return Buffer.concat(records);
}

const put = (bytes: Buffer, offset: number, text: string) => {
  bytes.write(text, offset, 'latin1');
  return bytes;
};

/** One paid, one failed 取引なし (口座なし・解約), one failed 預金者の都合による停止. */
const resultFile = () => withResultCodes(writeZenginTransferFile(requester, '2025-06-13', transfers), ['0', '2', '3']);

function fileError(bytes: Buffer): ZenginFileError {
  try {
    parseZenginResultFile(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ZenginFileError);
    return error as ZenginFileError;
  }
  throw new Error('expected a ZenginFileError');
}

describe('parseZenginResultFile', () => {
  it('reads one paid and two failed transfers with every field', () => {
    const parsed = parseZenginResultFile(resultFile());
    expect(parsed.transferDate).toBe('0613');
    expect(parsed.requesterCode).toBe('1234567890');
    expect(parsed.count).toBe(3);
    expect(parsed.totalYen).toBe(1_062_345);
    expect(parsed.records).toEqual([
      {
        line: 2,
        bankCode: '0005',
        branchCode: '629',
        accountType: 1,
        accountNumber: '7654321',
        recipientName: 'ﾔﾏﾀﾞ ﾊﾅｺ',
        amountYen: 12_345,
        customerCode1: '0000000000',
        customerCode2: '0000000000',
        resultCode: '0',
        result: 'paid',
        reasonJa: '振込済',
      },
      {
        line: 3,
        bankCode: '0009',
        branchCode: '156',
        accountType: 2,
        accountNumber: '0000045',
        recipientName: 'ｽｽﾞｷ ｲﾁﾛｳ',
        amountYen: 1_000_000,
        customerCode1: '0000000123',
        customerCode2: '9876543210',
        resultCode: '2',
        result: 'failed',
        reasonJa: '取引なし(口座なし・解約)',
      },
      {
        line: 4,
        bankCode: '9900',
        branchCode: '108',
        accountType: 4,
        accountNumber: '7777777',
        recipientName: 'ｻﾄｳ ｼﾞﾛｳ',
        amountYen: 50_000,
        customerCode1: '0000000000',
        customerCode2: '0000000000',
        resultCode: '3',
        result: 'failed',
        reasonJa: '預金者の都合による停止',
      },
    ]);
  });

  it('reads the same file with and without CRLF, and with no CRLF after the end record', () => {
    const withCrlf = parseZenginResultFile(resultFile());
    expect(parseZenginResultFile(withoutCrlf(resultFile()))).toEqual(withCrlf);
    const file = resultFile();
    expect(parseZenginResultFile(file.subarray(0, file.length - 2))).toEqual(withCrlf);
  });

  it('knows every code in the table, and only 0 is paid', () => {
    for (const [code, { result, reasonJa }] of ZENGIN_RESULT_CODES) {
      const record = parseZenginResultFile(withResultCodes(writeZenginTransferFile(requester, '2025-06-13', transfers), [code, code, code])).records[0];
      expect(record).toMatchObject({ resultCode: code, result, reasonJa });
      expect(result === 'paid').toBe(code === '0');
    }
    expect([...ZENGIN_RESULT_CODES.keys()]).toEqual(['0', '1', '2', '3', '4', '8', '9']);
  });
});

describe('parseZenginResultFile: a file it cannot trust is refused, naming the record', () => {
  it('refuses an unknown result code, including the 振込指定区分 of an unanswered transfer file', () => {
    const error = fileError(withResultCodes(writeZenginTransferFile(requester, '2025-06-13', transfers), ['0', '5', '0']));
    expect(error.record).toBe(3);
    expect(error.field).toBe('振込結果コード');
    expect(error.message).toMatch(/^record 3 振込結果コード: "5" is not a known result code/);

    const unanswered = fileError(writeZenginTransferFile(requester, '2025-06-13', transfers));
    expect(unanswered.record).toBe(2);
    expect(unanswered.message).toMatch(/"7" is not a known result code .*is this the file sent, not the result\?/);

    expect(fileError(put(resultFile(), 3 * STRIDE + 111, ' ')).message).toMatch(/^record 4 振込結果コード: " "/);
  });

  it('refuses a file without a header', () => {
    const error = fileError(resultFile().subarray(STRIDE));
    expect(error.record).toBe(1);
    expect(error.field).toBe('データ区分');
    expect(error.message).toMatch(/does not start with a header record/);
    expect(fileError(Buffer.alloc(0)).record).toBe(1);
  });

  it('refuses a 種別コード other than 21', () => {
    for (const kind of ['91', '11', 'XX']) {
      const error = fileError(put(resultFile(), 1, kind));
      expect(error.record).toBe(1);
      expect(error.message).toBe(`record 1 種別コード: "${kind}" is not 21 (総合振込)`);
    }
  });

  it('refuses a trailer whose count does not match', () => {
    const error = fileError(put(resultFile(), TRAILER * STRIDE + 1, '000002'));
    expect(error.record).toBe(5);
    expect(error.message).toBe('record 5 件数: says 2 but the file holds 3 data records');
  });

  it('refuses a trailer whose total does not match', () => {
    const error = fileError(put(resultFile(), TRAILER * STRIDE + 7, '000001062346'));
    expect(error.record).toBe(5);
    expect(error.message).toBe('record 5 合計金額: says 1062346 but the data records add up to 1062345');
    // Without CRLF the record numbers are the same.
    expect(fileError(withoutCrlf(put(resultFile(), TRAILER * STRIDE + 7, '000001062346'))).record).toBe(5);
  });

  it('refuses records that are not 120 bytes, with or without CRLF', () => {
    const file = resultFile();
    // Record 2 one byte short, CRLF after it.
    const short = Buffer.concat([file.subarray(0, STRIDE + 5), file.subarray(STRIDE + 6)]);
    expect(fileError(short)).toMatchObject({ record: 2, message: 'record 2: is 119 bytes before a line break, not 120' });
    // Record 3 one byte long.
    const long = Buffer.concat([file.subarray(0, 2 * STRIDE + 5), Buffer.from('0'), file.subarray(2 * STRIDE + 5)]);
    expect(fileError(long)).toMatchObject({ record: 3, field: 'end of record' });
    // LF only.
    expect(fileError(put(Buffer.from(file), 120, '\n'))).toMatchObject({ record: 1, field: 'end of record' });
    // No CRLF, the last record cut short.
    const plain = withoutCrlf(file);
    expect(fileError(plain.subarray(0, plain.length - 1))).toMatchObject({ record: 6, message: 'record 6: is 119 bytes at the end of the file, not 120' });
    // No CRLF until record 3, then CRLF.
    const mixed = Buffer.concat([plain.subarray(0, 240), file.subarray(2 * STRIDE)]);
    expect(fileError(mixed)).toMatchObject({ record: 3, field: 'end of record' });
  });

  it('refuses records out of order, a missing trailer or end record, and anything after the end record', () => {
    const file = resultFile();
    const record = (n: number) => file.subarray((n - 1) * STRIDE, n * STRIDE);
    expect(fileError(Buffer.concat([record(1), record(2), record(6)]))).toMatchObject({ record: 3, field: 'データ区分' });
    expect(fileError(Buffer.concat([record(1), record(2), record(3), record(4)]))).toMatchObject({ record: 4, field: 'データ区分' });
    expect(fileError(Buffer.concat([record(1), record(2), record(3), record(4), record(5)]))).toMatchObject({ record: 5 });
    expect(fileError(Buffer.concat([file, record(1)]))).toMatchObject({ record: 7, field: 'データ区分' });
  });

  it('refuses a double-byte character and a non-numeric amount', () => {
    expect(fileError(put(resultFile(), STRIDE + 50, '\x8e'))).toMatchObject({ record: 2, field: 'byte 51' });
    expect(fileError(put(resultFile(), STRIDE + 80, 'ABCDEFGHIJ'))).toMatchObject({ record: 2, field: '振込金額' });
  });
});
