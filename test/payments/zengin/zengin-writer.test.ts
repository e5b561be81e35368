import { createRequire } from 'node:module';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, UnusableInputError } from '../../../src/errors.ts';
import { ZenginFileError, ZenginInputError } from '../../../src/payments/zengin/zengin-errors.ts';
import { toZenginKana, truncateZengin } from '../../../src/payments/zengin/zengin-kana.ts';
import {
  parseZenginTransferFile,
  writeZenginTransferFile,
  type ZenginRequester,
  type ZenginTransfer,
} from '../../../src/payments/zengin/zengin-writer.ts';
import { requester } from '../support/requester.ts';

/** A fixed-width piece of an expected record: checks the hand-counted width, returns it as is. */
function f(text: string, width: number): string {
  if (text.length !== width) throw new Error(`test fixture: "${text}" is ${text.length} characters, not ${width}`);
  return text;
}
const sp = (n: number) => ' '.repeat(n);

const transfers: ZenginTransfer[] = [
  {
    bankCode: '0005', // 三菱ＵＦＪ ミツビシユ－エフジエイ
    branchCode: '629', // たまプラーザ タマプラ－ザ
    accountType: 1,
    accountNumber: '7654321',
    recipientName: 'ヤマダ　ガッコウ',
    amountYen: 12_345,
  },
  {
    bankCode: '0009', // 三井住友 ミツイスミトモ
    branchCode: '156', // 守口 モリグチ
    accountType: 2,
    accountNumber: '45',
    recipientName: 'パーティー　ヴィクトリア',
    amountYen: 1_000_000,
    newCode: 1,
    customerCode1: '123',
    customerCode2: '9876543210',
  },
  {
    bankCode: '9900', // ゆうちょ ユウチヨ
    branchCode: '108', // 一〇八 イチゼロハチ
    accountType: 4,
    accountNumber: '7777777',
    // 32 bytes: ｷﾔﾂﾌﾟ ｺ-ﾎﾟﾚ-ｼﾖﾝ ﾀﾞｲﾋﾖｳ ﾔﾏﾓﾄ ｼｹﾞﾙ; byte 30 is ｹ and byte 31 its ﾞ.
    recipientName: 'キャップ　コーポレーション　ダイヒョウ　ヤマモト　シゲル',
    amountYen: 9_999_999_999,
    newCode: 2,
  },
];

const expectedRecords = [
  // Header
  f('1', 1) + // データ区分
    f('21', 2) + // 種別コード: 総合振込
    f('0', 1) + // コード区分: JIS
    f('1234567890', 10) + // 依頼人コード
    f('ｻﾝﾌﾟﾙｼ ﾌｸｼｶ' + sp(29), 40) + // 依頼人名: 11 bytes + 29 spaces
    f('0613', 4) + // 振込指定日 MMDD
    f('0001', 4) + // 仕向銀行番号
    f('ﾐｽﾞﾎ' + sp(11), 15) + // 仕向銀行名
    f('100', 3) + // 仕向支店番号
    f('ﾎﾝﾃﾝ' + sp(11), 15) + // 仕向支店名
    f('1', 1) + // 預金種目: 普通
    f('1234567', 7) + // 口座番号
    f(sp(17), 17), // ダミー
  // Data 1
  f('2', 1) + // データ区分
    f('0005', 4) + // 被仕向銀行番号
    f('ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ' + sp(2), 15) + // 被仕向銀行名: 13 bytes
    f('629', 3) + // 被仕向支店番号
    f('ﾀﾏﾌﾟﾗ-ｻﾞ' + sp(7), 15) + // 被仕向支店名: 8 bytes
    f('0000', 4) + // 手形交換所番号
    f('1', 1) + // 預金種目: 普通
    f('7654321', 7) + // 口座番号
    f('ﾔﾏﾀﾞ ｶﾞﾂｺｳ' + sp(20), 30) + // 受取人名: 10 bytes
    f('0000012345', 10) + // 振込金額
    f('0', 1) + // 新規コード (default)
    f('0000000000', 10) + // 顧客コード1 (default)
    f('0000000000', 10) + // 顧客コード2 (default)
    f('7', 1) + // 振込指定区分: 電信
    f(' ', 1) + // 識別表示
    f(sp(7), 7), // ダミー
  // Data 2
  f('2', 1) + // データ区分
    f('0009', 4) + // 被仕向銀行番号
    f('ﾐﾂｲｽﾐﾄﾓ' + sp(8), 15) + // 被仕向銀行名: 7 bytes
    f('156', 3) + // 被仕向支店番号
    f('ﾓﾘｸﾞﾁ' + sp(10), 15) + // 被仕向支店名: 5 bytes
    f('0000', 4) + // 手形交換所番号
    f('2', 1) + // 預金種目: 当座
    f('0000045', 7) + // 口座番号, zero-padded
    f('ﾊﾟ-ﾃｲ- ｳﾞｲｸﾄﾘｱ' + sp(16), 30) + // 受取人名: 14 bytes
    f('0001000000', 10) + // 振込金額
    f('1', 1) + // 新規コード: first transfer
    f('0000000123', 10) + // 顧客コード1
    f('9876543210', 10) + // 顧客コード2
    f('7', 1) + // 振込指定区分
    f(' ', 1) + // 識別表示
    f(sp(7), 7), // ダミー
  // Data 3
  f('2', 1) + // データ区分
    f('9900', 4) + // 被仕向銀行番号
    f('ﾕｳﾁﾖ' + sp(11), 15) + // 被仕向銀行名
    f('108', 3) + // 被仕向支店番号
    f('ｲﾁｾﾞﾛﾊﾁ' + sp(8), 15) + // 被仕向支店名: 7 bytes
    f('0000', 4) + // 手形交換所番号
    f('4', 1) + // 預金種目: 貯蓄
    f('7777777', 7) + // 口座番号
    f('ｷﾔﾂﾌﾟ ｺ-ﾎﾟﾚ-ｼﾖﾝ ﾀﾞｲﾋﾖｳ ﾔﾏﾓﾄ ｼ' + sp(1), 30) + // 受取人名: cut before ｹﾞ, 29 bytes
    f('9999999999', 10) + // 振込金額: the largest
    f('2', 1) + // 新規コード: changed
    f('0000000000', 10) + // 顧客コード1
    f('0000000000', 10) + // 顧客コード2
    f('7', 1) + // 振込指定区分
    f(' ', 1) + // 識別表示
    f(sp(7), 7), // ダミー
  // Trailer: 12,345 + 1,000,000 + 9,999,999,999 = 10,001,012,344
  f('8', 1) + // データ区分
    f('000003', 6) + // 件数
    f('010001012344', 12) + // 合計金額
    f(sp(101), 101), // ダミー
  // End
  f('9', 1) + f(sp(119), 119),
];

const file = () => writeZenginTransferFile(requester, '2025-06-13', transfers);

describe('writeZenginTransferFile: the bytes', () => {
  it('writes every record exactly as laid out by hand, each 120 bytes followed by CRLF', () => {
    const bytes = file();
    expect(bytes.length).toBe(6 * (120 + 2));
    for (const [i, expected] of expectedRecords.entries()) {
      expect(expected.length).toBe(120);
      const record = bytes.subarray(i * 122, i * 122 + 120);
      expect(iconv.decode(record, 'Shift_JIS'), `record ${i + 1}`).toBe(expected);
      expect(record.equals(iconv.encode(expected, 'Shift_JIS')), `record ${i + 1} bytes`).toBe(true);
      expect([...bytes.subarray(i * 122 + 120, i * 122 + 122)], `CRLF after record ${i + 1}`).toEqual([0x0d, 0x0a]);
    }
  });

  it('writes half-width katakana as single Shift_JIS bytes 0xA1-0xDF', () => {
    const bytes = file();
    // Data record 1 starts at 122; 受取人名 is bytes 51-80 of the record.
    expect([...bytes.subarray(122 + 50, 122 + 60)]).toEqual([
      0xd4, 0xcf, 0xc0, 0xde, 0x20, 0xb6, 0xde, 0xc2, 0xba, 0xb3, // ﾔ ﾏ ﾀ ﾞ ␠ ｶ ﾞ ﾂ ｺ ｳ
    ]);
    // Data record 2 starts at 244: ﾊﾟ-ﾃｲ- ｳﾞ
    expect([...bytes.subarray(244 + 50, 244 + 59)]).toEqual([0xca, 0xdf, 0x2d, 0xc3, 0xb2, 0x2d, 0x20, 0xb3, 0xde]);
    // No byte is a double-byte lead or outside the single-byte set.
    for (const byte of bytes) {
      expect(byte === 0x0d || byte === 0x0a || (byte >= 0x20 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xdf)).toBe(true);
    }
  });

  it('gives identical bytes for the same input', () => {
    expect(file().equals(file())).toBe(true);
  });

  it('gives the same bytes whatever form the kana names are given in', () => {
    const halfWidth = writeZenginTransferFile(
      { ...requester, requesterName: 'ｻﾝﾌﾟﾙｼ ﾌｸｼｶ' },
      '2025-06-13',
      [
        { ...transfers[0], recipientName: 'やまだ がっこう' },
        { ...transfers[1], recipientName: 'ﾊﾟｰﾃｨｰ ｳﾞｨｸﾄﾘｱ' },
        { ...transfers[2], recipientName: '  きゃっぷ　こーぽれーしょん　だいひょう　やまもと　しげる  ' },
      ],
    );
    expect(halfWidth.equals(file())).toBe(true);
  });

  it('reads back with parseZenginTransferFile', () => {
    const parsed = parseZenginTransferFile(file());
    expect(parsed.transferDate).toBe('0613');
    expect(parsed.header).toEqual({
      typeCode: '21',
      codeKind: '0',
      requesterCode: '1234567890',
      requesterName: 'ｻﾝﾌﾟﾙｼ ﾌｸｼｶ',
      transferDate: '0613',
      bankCode: '0001',
      bankName: 'ﾐｽﾞﾎ',
      branchCode: '100',
      branchName: 'ﾎﾝﾃﾝ',
      accountType: 1,
      accountNumber: '1234567',
    });
    expect(parsed.transfers).toHaveLength(3);
    expect(parsed.transfers[0]).toEqual({
      bankCode: '0005',
      bankName: 'ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ',
      branchCode: '629',
      branchName: 'ﾀﾏﾌﾟﾗ-ｻﾞ',
      clearingHouseCode: '0000',
      accountType: 1,
      accountNumber: '7654321',
      recipientName: 'ﾔﾏﾀﾞ ｶﾞﾂｺｳ',
      amountYen: 12_345,
      newCode: 0,
      customerCode1: '0000000000',
      customerCode2: '0000000000',
      transferKind: '7',
      ediFlag: ' ',
    });
    expect(parsed.transfers[1]).toMatchObject({
      accountType: 2,
      accountNumber: '0000045',
      recipientName: 'ﾊﾟ-ﾃｲ- ｳﾞｲｸﾄﾘｱ',
      amountYen: 1_000_000,
      newCode: 1,
      customerCode1: '0000000123',
      customerCode2: '9876543210',
    });
    expect(parsed.transfers[2]).toMatchObject({ bankName: 'ﾕｳﾁﾖ', branchName: 'ｲﾁｾﾞﾛﾊﾁ', recipientName: 'ｷﾔﾂﾌﾟ ｺ-ﾎﾟﾚ-ｼﾖﾝ ﾀﾞｲﾋﾖｳ ﾔﾏﾓﾄ ｼ', amountYen: 9_999_999_999, newCode: 2 });
    expect(parsed.trailer).toEqual({ count: 3, totalYen: 10_001_012_344 });
  });
});

describe('bank and branch names from the 全銀 code list', () => {
  it('names みずほ 本店 ﾐｽﾞﾎ / ﾎﾝﾃﾝ', () => {
    const header = parseZenginTransferFile(file()).header;
    expect([header.bankName, header.branchName]).toEqual(['ﾐｽﾞﾎ', 'ﾎﾝﾃﾝ']);
  });

  it('can write every bank and branch name in the list within 15 bytes', () => {
    const banks = createRequire(import.meta.url)('zengin-code') as Record<string, { kana: string; branches: Record<string, { kana: string }> }>;
    let names = 0;
    for (const [code, bank] of Object.entries(banks)) {
      for (const kana of [bank.kana, ...Object.values(bank.branches).map((branch) => branch.kana)]) {
        const zengin = toZenginKana(kana, `bank ${code}`);
        expect(truncateZengin(zengin, 15)).toBe(zengin); // the list already fits 15 bytes
        names++;
      }
    }
    expect(names).toBeGreaterThan(20_000);
  });
});

describe('writeZenginTransferFile: bad input is refused, naming the field', () => {
  function errorOf(run: () => unknown): ZenginInputError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ZenginInputError);
      expect(error).toBeInstanceOf(UnusableInputError);
      expect(exitCodeOf(error)).toBe(2);
      return error as ZenginInputError;
    }
    throw new Error('expected an error');
  }
  const withTransfer = (change: Partial<ZenginTransfer>) => () =>
    writeZenginTransferFile(requester, '2025-06-13', [transfers[0], { ...transfers[1], ...change }]);

  it('refuses an unknown bank code', () => {
    const error = errorOf(withTransfer({ bankCode: '0002' }));
    expect(error.field).toBe('transfers[1].bankCode');
    expect(error.code).toBe('ZENGIN_UNKNOWN_BANK');
    expect(error.message).toMatch(/transfers\[1\]\.bankCode: bank code 0002 is not in the 全銀 bank code list/);
  });

  it('refuses an unknown branch code', () => {
    const error = errorOf(withTransfer({ bankCode: '0001', branchCode: '999' }));
    expect(error.field).toBe('transfers[1].branchCode');
    expect(error.code).toBe('ZENGIN_UNKNOWN_BRANCH');
    expect(error.message).toMatch(/branch code 999 of bank 0001/);
  });

  it("refuses an unknown requester's bank or branch", () => {
    expect(errorOf(() => writeZenginTransferFile({ ...requester, bankCode: '9999' }, '2025-06-13', transfers)).field).toBe('requester.bankCode');
    expect(errorOf(() => writeZenginTransferFile({ ...requester, branchCode: '999' }, '2025-06-13', transfers)).field).toBe('requester.branchCode');
  });

  it.each([0, -1, 10_000_000_000, 12.5, Number.NaN, '1000' as unknown as number])('refuses the amount %s', (amountYen) => {
    const error = errorOf(withTransfer({ amountYen }));
    expect(error.field).toBe('transfers[1].amountYen');
    expect(error.message).toMatch(/not a whole number of yen from 1 to 9,999,999,999/);
  });

  it('refuses a name with a character it cannot map', () => {
    const error = errorOf(withTransfer({ recipientName: 'ヤマダ　太郎' }));
    expect(error.field).toBe('transfers[1].recipientName');
    expect(error.message).toMatch(/"太" \(U\+592A\) at position 5/);
    expect(errorOf(() => writeZenginTransferFile({ ...requester, requesterName: '福祉課' }, '2025-06-13', transfers)).field).toBe(
      'requester.requesterName',
    );
  });

  it('refuses an empty name', () => {
    expect(errorOf(withTransfer({ recipientName: '　 ' })).message).toMatch(/transfers\[1\]\.recipientName: is empty/);
  });

  it.each([
    [{ bankCode: '5' }, 'transfers[1].bankCode'],
    [{ bankCode: '00O1' }, 'transfers[1].bankCode'],
    [{ branchCode: '1000' }, 'transfers[1].branchCode'],
    [{ accountNumber: '12345678' }, 'transfers[1].accountNumber'],
    [{ accountNumber: '12-345' }, 'transfers[1].accountNumber'],
    [{ accountNumber: '' }, 'transfers[1].accountNumber'],
    [{ accountType: 3 as 1 }, 'transfers[1].accountType'],
    [{ newCode: 3 as 0 }, 'transfers[1].newCode'],
    [{ customerCode1: '12345678901' }, 'transfers[1].customerCode1'],
    [{ customerCode2: 'ABC' }, 'transfers[1].customerCode2'],
  ] as [Partial<ZenginTransfer>, string][])('refuses %j', (change, field) => {
    expect(errorOf(withTransfer(change)).field).toBe(field);
  });

  it.each([
    [{ requesterCode: '123456789' }, 'requester.requesterCode'],
    [{ requesterCode: '12345678901' }, 'requester.requesterCode'],
    [{ accountType: 0 as 1 }, 'requester.accountType'],
    [{ accountNumber: '1234567X' }, 'requester.accountNumber'],
  ] as [Partial<ZenginRequester>, string][])('refuses the requester %j', (change, field) => {
    expect(errorOf(() => writeZenginTransferFile({ ...requester, ...change }, '2025-06-13', transfers)).field).toBe(field);
  });

  it.each(['2025-02-30', '2025/06/13', '20250613', ''])('refuses the transfer date %j', (date) => {
    expect(errorOf(() => writeZenginTransferFile(requester, date, transfers)).field).toBe('transferDate');
  });

  it('refuses an empty list of transfers', () => {
    expect(errorOf(() => writeZenginTransferFile(requester, '2025-06-13', [])).field).toBe('transfers');
  });

  it('refuses a total that does not fit 12 digits', () => {
    const many = Array.from({ length: 101 }, () => ({ ...transfers[0], amountYen: 9_999_999_999 }));
    expect(errorOf(() => writeZenginTransferFile(requester, '2025-06-13', many)).message).toMatch(/12-digit 合計金額/);
  });
});

describe('parseZenginTransferFile: a damaged file is refused', () => {
  const damaged = (change: (bytes: Buffer) => Buffer) => () => parseZenginTransferFile(change(Buffer.from(file())));
  const put = (bytes: Buffer, offset: number, text: string) => {
    bytes.write(text, offset, 'latin1');
    return bytes;
  };

  it('refuses a trailer whose count does not match', () => {
    // Trailer is record 5 (offset 4 * 122); 件数 is bytes 2-7.
    expect(damaged((b) => put(b, 4 * 122 + 1, '000002'))).toThrow(/record 5 件数: says 2 but the file holds 3 data records/);
  });

  it('refuses a trailer whose total does not match', () => {
    expect(damaged((b) => put(b, 4 * 122 + 7, '010001012345'))).toThrow(/record 5 合計金額: says 10001012345 but the data records add up to 10001012344/);
  });

  it('refuses a record without CRLF', () => {
    expect(damaged((b) => Buffer.concat([b.subarray(0, 120), b.subarray(122)]))).toThrow(ZenginFileError);
    expect(damaged((b) => put(b, 120, '\n\r'))).toThrow(/record 1 end of record/);
  });

  it('refuses a record of the wrong length', () => {
    expect(damaged((b) => Buffer.concat([b.subarray(0, 5), b.subarray(6)]))).toThrow(/not a whole number of 120-byte records/);
  });

  it('refuses a double-byte character', () => {
    const sjis = iconv.encode('山', 'Shift_JIS');
    expect(damaged((b) => Buffer.concat([b.subarray(0, 122 + 50), sjis, b.subarray(122 + 52)]))).toThrow(/record 2 byte 51: 0x8e/);
  });

  it('refuses records out of order and a non-numeric amount', () => {
    expect(damaged((b) => Buffer.concat([b.subarray(0, 122), b.subarray(4 * 122)]))).toThrow(/データ区分: records are "189"/);
    expect(damaged((b) => put(b, 122 + 80, 'ABCDEFGHIJ'))).toThrow(/record 2 振込金額/);
    expect(damaged((b) => put(b, 122 + 50, ','))).toThrow(/record 2 受取人名/);
  });
});
