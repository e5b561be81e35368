import iconv from 'iconv-lite';
import { ZenginFileError } from './zengin-errors.ts';
import { RECORD_BYTES } from './zengin-writer.ts';

/**
 * The bank's result file for a Zengin 総合振込 file (種別コード 21): the same four kinds of
 * 120-byte record as the file we send (see zengin-writer.ts), with each data record telling
 * whether that transfer was made.
 *
 * Where the layout comes from, and what is assumed:
 * - The record layout is the 全銀協 総合振込 layout we write (header 1 / data 2 / trailer 8 /
 *   end 9; e.g. the bank-published copy "全銀協制定ファイルフォーマット【総合振込】",
 *   https://expydoc.com/doc/11700435/ ). That layout has no result field: in the request,
 *   data-record byte 112 is 振込指定区分 (7 電信 / 8 文書), 113 識別表示, 114-120 ダミー.
 * - The 全銀協 layout that does return a result in the file is 預金口座振替 (種別コード 91):
 *   its data record carries a one-digit 振替結果コード at byte 112, with the codes 0 振替済,
 *   1 資金不足, 2 (預金)取引なし, 3 預金者の都合による振替停止, 4 (預金口座振替)依頼書なし,
 *   8 委託者の都合による振替停止, 9 その他 (quoted from the 全銀協 口座振替 data layout at
 *   https://lunomusy.com.tr/-/zqy/f422g6-rsb4.video ; the same list at
 *   http://www.mbskk.co.jp/faq/popup2.php , which glosses 2 取引なし as "口座解約・口座データ
 *   相違等"; result files at https://www.miyagin.co.jp/kfkdown-zengin-help and
 *   https://www.hokkokubank.co.jp/customer/webaccess/qa/dl_tran_zg.html ).
 * - No public 全銀協 definition of a 総合振込 result file was found. Banks show 総合振込
 *   不能 reasons on screen (e.g. https://www.ryugin.co.jp/service/app-internet_banking/internet-banking/biz/explanation3 )
 *   or return them in their own layouts, and they differ. This parser therefore ASSUMES the
 *   bank returns the 総合振込 layout with the result code at data-record byte 112 (where
 *   口座振替 has it, replacing 振込指定区分) and uses the 口座振替 code list above. Check the
 *   bank's own result-file specification before relying on it; if its codes or position
 *   differ, change ZENGIN_RESULT_CODES / ZENGIN_RESULT_CODE_BYTE here. Byte 112 alone cannot
 *   tell a result from a request: a transfer file sent by mistake is refused because its "7"
 *   (電信) is no result code, but one written with 8 (文書, which we never write) would read
 *   as "8 委託者の都合による停止".
 *
 * Byte positions (1-based, as the layouts number them):
 *   Header  (1): 1 データ区分 "1", 2-3 種別コード "21", 4 コード区分 "0", 5-14 依頼人コード,
 *                15-54 依頼人名, 55-58 振込指定日 MMDD, 59-103 依頼人の銀行・支店・口座, 104-120 ダミー.
 *   Data    (2): 1 "2", 2-5 被仕向銀行番号, 6-20 銀行名, 21-23 被仕向支店番号, 24-38 支店名,
 *                39-42 手形交換所番号, 43 預金種目, 44-50 口座番号, 51-80 受取人名, 81-90 振込金額,
 *                91 新規コード, 92-101 顧客コード1, 102-111 顧客コード2, 112 振込結果コード,
 *                113 識別表示, 114-120 ダミー.
 *   Trailer (8): 1 "8", 2-7 件数 (all data records), 8-19 合計金額 (all data records), 20-120 ダミー.
 *   End     (9): 1 "9", 2-120 ダミー.
 * Only the fields returned below are checked; names, ダミー areas and the trailer's ダミー
 * (where a bank may add paid / failed subtotals) are not, apart from every byte being a
 * single-byte JIS X 0201 character. One header, one trailer: multi-file results are refused.
 * Records are 120 bytes, either all followed by CRLF (the last one may omit it) or none.
 */

export type ZenginResult = 'paid' | 'failed';

export interface ZenginResultRecord {
  /** 1-based record number in the file (the header is 1), for error messages. */
  line: number;
  bankCode: string;
  branchCode: string;
  accountType: number;
  /** 7 digits, as in the file. */
  accountNumber: string;
  /** As in the file (half-width kana), trailing spaces trimmed. */
  recipientName: string;
  amountYen: number;
  /** 10 characters each, as in the file (digits, or EDI text when 識別表示 is "Y"). */
  customerCode1: string;
  customerCode2: string;
  /** 振込結果コード, one character. */
  resultCode: string;
  result: ZenginResult;
  /** The meaning of resultCode, e.g. '振込済', '取引なし(口座なし・解約)', 'その他'. */
  reasonJa: string;
}

export interface ZenginResultFile {
  /** 振込指定日 from the header, MMDD. */
  transferDate: string;
  requesterCode: string;
  records: ZenginResultRecord[];
  /** 件数 and 合計金額 from the trailer (checked against the data records: all of them, paid or not). */
  count: number;
  totalYen: number;
}

/** Data-record byte holding the result code (see above: an assumption, banks differ). */
export const ZENGIN_RESULT_CODE_BYTE = 112;

/** 振込結果コード → outcome, from the 全銀協 振替結果コード list (see above). */
export const ZENGIN_RESULT_CODES: ReadonlyMap<string, { result: ZenginResult; reasonJa: string }> = new Map([
  ['0', { result: 'paid', reasonJa: '振込済' }],
  ['1', { result: 'failed', reasonJa: '資金不足' }],
  ['2', { result: 'failed', reasonJa: '取引なし(口座なし・解約)' }],
  ['3', { result: 'failed', reasonJa: '預金者の都合による停止' }],
  ['4', { result: 'failed', reasonJa: '依頼書なし' }],
  ['8', { result: 'failed', reasonJa: '委託者の都合による停止' }],
  ['9', { result: 'failed', reasonJa: 'その他' }],
]);

const CR = 0x0d;
const LF = 0x0a;

class Reader {
  constructor(
    readonly line: string,
    readonly number: number,
  ) {}

  /** Characters at 1-based positions from..from+length-1. */
  text(from: number, length: number): string {
    return this.line.slice(from - 1, from - 1 + length);
  }

  digits(from: number, length: number, field: string): string {
    const value = this.text(from, length);
    if (!/^[0-9]+$/.test(value) || value.length !== length) this.fail(field, `"${value}" is not ${length} digits`);
    return value;
  }

  oneOf(from: number, allowed: readonly string[], field: string): string {
    const value = this.text(from, 1);
    if (!allowed.includes(value)) this.fail(field, `"${value}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return value;
  }

  fail(field: string, reason: string): never {
    throw new ZenginFileError(this.number, field, reason);
  }
}

/** The file's records as text, each exactly 120 single-byte characters. */
function splitRecords(bytes: Buffer): string[] {
  if (bytes.length === 0) throw new ZenginFileError(1, 'ヘッダー・レコード', 'the file is empty');
  // With line breaks, byte 121 of the file is the CR after the header.
  const crlf = bytes.length > RECORD_BYTES && (bytes[RECORD_BYTES] === CR || bytes[RECORD_BYTES] === LF);
  const lines: string[] = [];
  let offset = 0;
  for (let number = 1; offset < bytes.length; number++) {
    const record = bytes.subarray(offset, offset + RECORD_BYTES);
    const breakAt = record.findIndex((byte) => byte === CR || byte === LF);
    if (breakAt !== -1) {
      throw new ZenginFileError(number, 'record', `is ${breakAt} bytes before a line break, not ${RECORD_BYTES}`);
    }
    if (record.length < RECORD_BYTES) {
      throw new ZenginFileError(number, 'record', `is ${record.length} bytes at the end of the file, not ${RECORD_BYTES}`);
    }
    record.forEach((byte, i) => {
      // One-byte JIS X 0201: ASCII printable or half-width katakana (0xA1-0xDF).
      if (!((byte >= 0x20 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xdf))) {
        throw new ZenginFileError(number, `byte ${i + 1}`, `0x${byte.toString(16).padStart(2, '0')} is not a single-byte JIS X 0201 character`);
      }
    });
    lines.push(iconv.decode(record, 'Shift_JIS'));
    offset += RECORD_BYTES;
    if (crlf && offset < bytes.length) {
      if (bytes[offset] !== CR || bytes[offset + 1] !== LF) {
        throw new ZenginFileError(number, 'end of record', `is not ${RECORD_BYTES} bytes followed by CRLF, as the records before it are`);
      }
      offset += 2;
    } else if (!crlf && (bytes[offset] === CR || bytes[offset] === LF)) {
      throw new ZenginFileError(number, 'end of record', `is followed by a line break, but the first record is not`);
    }
  }
  return lines;
}

function dataRecord(r: Reader): ZenginResultRecord {
  const resultCode = r.text(ZENGIN_RESULT_CODE_BYTE, 1);
  const outcome = ZENGIN_RESULT_CODES.get(resultCode);
  if (!outcome) {
    const known = [...ZENGIN_RESULT_CODES].map(([code, { reasonJa }]) => `${code} ${reasonJa}`).join(', ');
    const hint = resultCode === '7' ? ' (7 is the 振込指定区分 電信 of a transfer file: is this the file sent, not the result?)' : '';
    r.fail('振込結果コード', `"${resultCode}" is not a known result code (${known})${hint}`);
  }
  return {
    line: r.number,
    bankCode: r.digits(2, 4, '被仕向銀行番号'),
    branchCode: r.digits(21, 3, '被仕向支店番号'),
    accountType: Number(r.oneOf(43, ['1', '2', '4', '9'], '預金種目')),
    accountNumber: r.digits(44, 7, '口座番号'),
    recipientName: r.text(51, 30).trimEnd(),
    amountYen: Number(r.digits(81, 10, '振込金額')),
    customerCode1: r.text(92, 10),
    customerCode2: r.text(102, 10),
    resultCode,
    result: outcome.result,
    reasonJa: outcome.reasonJa,
  };
}

/**
 * Reads the bank's result file for a 総合振込 file (layout and its sources above). Throws a
 * ZenginFileError naming the record (1-based) and field when the file is not 120-byte records
 * (with or without CRLF), has no header, has a 種別コード other than 21, has records out of
 * order, has a trailer whose 件数 or 合計金額 does not match the data records, or has a result
 * code not in ZENGIN_RESULT_CODES.
 */
export function parseZenginResultFile(bytes: Buffer): ZenginResultFile {
  const lines = splitRecords(bytes);
  const readers = lines.map((line, i) => new Reader(line, i + 1));

  const h = readers[0];
  if (h.text(1, 1) !== '1') h.fail('データ区分', `"${h.text(1, 1)}" is not 1: the file does not start with a header record`);
  const typeCode = h.text(2, 2);
  if (typeCode !== '21') h.fail('種別コード', `"${typeCode}" is not 21 (総合振込)`);
  h.oneOf(4, ['0'], 'コード区分');
  const requesterCode = h.digits(5, 10, '依頼人コード');
  const transferDate = h.digits(55, 4, '振込指定日');
  const month = Number(transferDate.slice(0, 2));
  const day = Number(transferDate.slice(2));
  if (month < 1 || month > 12 || day < 1 || day > 31) h.fail('振込指定日', `"${transferDate}" is not a date (MMDD)`);

  let next = 1;
  const records: ZenginResultRecord[] = [];
  while (next < readers.length && readers[next].text(1, 1) === '2') records.push(dataRecord(readers[next++]));

  const t = readers[next];
  if (!t) throw new ZenginFileError(readers.length, 'データ区分', 'the file ends without a trailer record (8)');
  if (t.text(1, 1) !== '8') t.fail('データ区分', `"${t.text(1, 1)}" where a data record (2) or the trailer record (8) was expected`);
  const count = Number(t.digits(2, 6, '件数'));
  const totalYen = Number(t.digits(8, 12, '合計金額'));
  if (count !== records.length) t.fail('件数', `says ${count} but the file holds ${records.length} data records`);
  const sum = records.reduce((total, record) => total + record.amountYen, 0);
  if (totalYen !== sum) t.fail('合計金額', `says ${totalYen} but the data records add up to ${sum}`);

  const e = readers[next + 1];
  if (!e) throw new ZenginFileError(t.number, 'データ区分', 'the file ends after the trailer without an end record (9)');
  if (e.text(1, 1) !== '9') e.fail('データ区分', `"${e.text(1, 1)}" where the end record (9) was expected`);
  const extra = readers[next + 2];
  if (extra) extra.fail('データ区分', 'follows the end record (9); only one header-to-end group is read');

  return { transferDate, requesterCode, records, count, totalYen };
}
