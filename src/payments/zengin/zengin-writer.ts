import iconv from 'iconv-lite';
import { findBank, findBranch } from '../../codes/bank-codes.ts';
import { ZenginFileError, ZenginInputError } from './zengin-errors.ts';
import { isZenginText, padNumber, padZengin, toZenginKana, truncateZengin } from './zengin-kana.ts';

/**
 * The Zengin 総合振込 file (種別コード 21), DOMAIN.md "Payments": fixed 120-byte records, each
 * followed by CRLF, JIS X 0201 characters written as Shift_JIS. One header (1), one data record
 * (2) per transfer, a trailer (8) whose count and total match the data, an end record (9).
 *
 * Bank and branch names come from the 全銀 code list (`zengin-code`, via findBank/findBranch);
 * an unknown bank or branch code is an error, so a file naming one is never written. The same
 * input always gives the same bytes (nothing depends on the clock).
 */

export type ZenginAccountType = 1 | 2 | 4 | 9;

export interface ZenginRequester {
  /** 依頼人コード, 10 digits (given by the bank). */
  requesterCode: string;
  /** 依頼人名: kana in any form toZenginKana accepts; cut to 40 bytes. */
  requesterName: string;
  /** 仕向銀行番号, 4 digits. */
  bankCode: string;
  /** 仕向支店番号, 3 digits. */
  branchCode: string;
  /** 預金種目: 1 普通, 2 当座, 4 貯蓄, 9 その他. */
  accountType: ZenginAccountType;
  /** 口座番号, up to 7 digits (shorter numbers are zero-padded on the left, as banks ask). */
  accountNumber: string;
}

export interface ZenginTransfer {
  bankCode: string;
  branchCode: string;
  accountType: ZenginAccountType;
  accountNumber: string;
  /** 受取人名: kana in any form toZenginKana accepts; cut to 30 bytes. */
  recipientName: string;
  /** Whole yen, 1..9,999,999,999. */
  amountYen: number;
  /** 新規コード: 0 (default), 1 first transfer to this account, 2 account changed. */
  newCode?: 0 | 1 | 2;
  /** 顧客コード1/2: up to 10 digits each, default zeros. */
  customerCode1?: string;
  customerCode2?: string;
}

/**
 * 振込指定区分 (data record byte 112): '7' = 電信振込 (the transfer is sent over the 全銀
 * system and credited on the designated day). DOMAIN.md lists the field without a value;
 * banks' layouts give 7 電信 and 8 文書, and banks that take these files for 総合振込 accept
 * only 7 (or a space meaning 7), so 7 is what a benefit payment on a given date needs.
 */
export const TRANSFER_KIND_TELEGRAPHIC = '7';

export const RECORD_BYTES = 120;
const CRLF = '\r\n';
const MAX_AMOUNT = 9_999_999_999;
const MAX_TOTAL = 999_999_999_999; // N12
const MAX_COUNT = 999_999; // N6
const ACCOUNT_TYPES: readonly number[] = [1, 2, 4, 9];
const NEW_CODES: readonly number[] = [0, 1, 2];

function digits(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value) || value.length < min || value.length > max) {
    const want = min === max ? `${min} digits` : `${min} to ${max} digits`;
    throw new ZenginInputError(field, `${JSON.stringify(value)} is not ${want}`, { value });
  }
  return padNumber(value, max, field);
}

function accountType(value: unknown, field: string): string {
  if (typeof value !== 'number' || !ACCOUNT_TYPES.includes(value)) {
    throw new ZenginInputError(field, `${JSON.stringify(value)} is not a 預金種目 (1 普通, 2 当座, 4 貯蓄, 9 その他)`, { value });
  }
  return String(value);
}

/** A name converted to Zengin kana, trimmed, cut to `bytes` (never splitting ｶﾞ). */
function name(value: unknown, field: string, bytes: number): string {
  if (typeof value !== 'string') throw new ZenginInputError(field, 'is missing', { value });
  const kana = truncateZengin(toZenginKana(value, field).trim(), bytes, field).trimEnd();
  if (kana === '') throw new ZenginInputError(field, 'is empty', { value });
  return padZengin(kana, bytes, field);
}

function bankName(bankCode: string, field: string): string {
  const bank = findBank(bankCode);
  if (!bank) throw new ZenginInputError(field, `bank code ${bankCode} is not in the 全銀 bank code list`, { bankCode }, 'ZENGIN_UNKNOWN_BANK');
  return name(bank.kana, `${field} (name of bank ${bankCode})`, 15);
}

function branchName(bankCode: string, branchCode: string, field: string): string {
  const branch = findBranch(bankCode, branchCode);
  if (!branch) {
    throw new ZenginInputError(field, `branch code ${branchCode} of bank ${bankCode} is not in the 全銀 bank code list`, { bankCode, branchCode }, 'ZENGIN_UNKNOWN_BRANCH');
  }
  return name(branch.kana, `${field} (name of branch ${bankCode}-${branchCode})`, 15);
}

/** YYYY-MM-DD (a real calendar date) → MMDD. */
function transferDateMMDD(value: unknown): string {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !date || date.toISOString().slice(0, 10) !== value) {
    throw new ZenginInputError('transferDate', `${JSON.stringify(value)} is not a date (YYYY-MM-DD)`, { value });
  }
  return match[2] + match[3];
}

function record(fields: string[]): string {
  const line = fields.join('');
  // Every piece is built to its width; this guards the layout itself.
  if (line.length !== RECORD_BYTES || !isZenginText(line)) throw new Error(`internal: Zengin record is ${line.length} characters: ${line}`);
  return line;
}

function headerRecord(requester: ZenginRequester, mmdd: string): string {
  if (requester === null || typeof requester !== 'object') throw new ZenginInputError('requester', 'is missing');
  const bankCode = digits(requester.bankCode, 'requester.bankCode', 4, 4);
  const branchCode = digits(requester.branchCode, 'requester.branchCode', 3, 3);
  return record([
    '1', // データ区分
    '21', // 種別コード: 総合振込
    '0', // コード区分: JIS
    digits(requester.requesterCode, 'requester.requesterCode', 10, 10), // 依頼人コード N10
    name(requester.requesterName, 'requester.requesterName', 40), // 依頼人名 C40
    mmdd, // 振込指定日 MMDD
    bankCode, // 仕向銀行番号
    bankName(bankCode, 'requester.bankCode'), // 仕向銀行名 C15
    branchCode, // 仕向支店番号
    branchName(bankCode, branchCode, 'requester.branchCode'), // 仕向支店名 C15
    accountType(requester.accountType, 'requester.accountType'), // 預金種目
    digits(requester.accountNumber, 'requester.accountNumber', 1, 7), // 口座番号 N7
    ' '.repeat(17), // ダミー
  ]);
}

function dataRecord(transfer: ZenginTransfer, index: number): { line: string; amount: number } {
  const at = `transfers[${index}]`;
  if (transfer === null || typeof transfer !== 'object') throw new ZenginInputError(at, 'is missing');
  const bankCode = digits(transfer.bankCode, `${at}.bankCode`, 4, 4);
  const branchCode = digits(transfer.branchCode, `${at}.branchCode`, 3, 3);
  const amount = transfer.amountYen;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > MAX_AMOUNT) {
    throw new ZenginInputError(`${at}.amountYen`, `${JSON.stringify(amount)} is not a whole number of yen from 1 to 9,999,999,999`, { value: amount });
  }
  const newCode = transfer.newCode ?? 0;
  if (!NEW_CODES.includes(newCode)) {
    throw new ZenginInputError(`${at}.newCode`, `${JSON.stringify(newCode)} is not a 新規コード (0, 1 first transfer, 2 changed)`, { value: newCode });
  }
  const line = record([
    '2', // データ区分
    bankCode, // 被仕向銀行番号
    bankName(bankCode, `${at}.bankCode`), // 被仕向銀行名 C15
    branchCode, // 被仕向支店番号
    branchName(bankCode, branchCode, `${at}.branchCode`), // 被仕向支店名 C15
    '0000', // 手形交換所番号 (unused)
    accountType(transfer.accountType, `${at}.accountType`), // 預金種目
    digits(transfer.accountNumber, `${at}.accountNumber`, 1, 7), // 口座番号 N7
    name(transfer.recipientName, `${at}.recipientName`, 30), // 受取人名 C30
    padNumber(amount, 10, `${at}.amountYen`), // 振込金額 N10
    String(newCode), // 新規コード
    digits(transfer.customerCode1 ?? '0', `${at}.customerCode1`, 1, 10), // 顧客コード1 N10
    digits(transfer.customerCode2 ?? '0', `${at}.customerCode2`, 1, 10), // 顧客コード2 N10
    TRANSFER_KIND_TELEGRAPHIC, // 振込指定区分: 7 電信
    ' ', // 識別表示: space (no EDI information)
    ' '.repeat(7), // ダミー
  ]);
  return { line, amount };
}

/**
 * The Zengin 総合振込 file for one transfer date, as Shift_JIS bytes. Every field is checked
 * first; any bad or unknown value throws a ZenginInputError naming the field (e.g.
 * `transfers[3].branchCode`) and nothing is produced.
 */
export function writeZenginTransferFile(requester: ZenginRequester, transferDate: string, transfers: ZenginTransfer[]): Buffer {
  const mmdd = transferDateMMDD(transferDate);
  if (!Array.isArray(transfers) || transfers.length === 0) throw new ZenginInputError('transfers', 'there must be at least one transfer');
  if (transfers.length > MAX_COUNT) throw new ZenginInputError('transfers', `${transfers.length} transfers do not fit the 6-digit 件数`);
  const lines = [headerRecord(requester, mmdd)];
  let total = 0;
  transfers.forEach((transfer, index) => {
    const { line, amount } = dataRecord(transfer, index);
    lines.push(line);
    total += amount;
  });
  if (total > MAX_TOTAL) throw new ZenginInputError('transfers', `the total ${total} yen does not fit the 12-digit 合計金額`, { total });
  lines.push(record(['8', padNumber(transfers.length, 6, 'trailer.count'), padNumber(total, 12, 'trailer.totalYen'), ' '.repeat(101)]));
  lines.push(record(['9', ' '.repeat(119)]));
  const text = lines.map((line) => line + CRLF).join('');
  const bytes = iconv.encode(text, 'Shift_JIS');
  if (bytes.length !== text.length) throw new Error('internal: a Zengin character did not encode to one byte');
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Reading a file back (tests, and checking a file before it is sent).

export interface ParsedZenginHeader {
  typeCode: string; // 種別コード, "21"
  codeKind: string; // コード区分, "0"
  requesterCode: string;
  requesterName: string; // trailing spaces removed
  transferDate: string; // MMDD
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: ZenginAccountType;
  accountNumber: string; // 7 digits
}

export interface ParsedZenginTransfer {
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  clearingHouseCode: string; // 手形交換所番号
  accountType: ZenginAccountType;
  accountNumber: string; // 7 digits
  recipientName: string; // trailing spaces removed
  amountYen: number;
  newCode: 0 | 1 | 2;
  customerCode1: string; // 10 digits
  customerCode2: string; // 10 digits
  transferKind: string; // 振込指定区分
  ediFlag: string; // 識別表示
}

export interface ParsedZenginFile {
  header: ParsedZenginHeader;
  transferDate: string; // MMDD
  transfers: ParsedZenginTransfer[];
  trailer: { count: number; totalYen: number };
}

class RecordReader {
  constructor(
    private readonly line: string,
    private readonly number: number,
  ) {}

  /** Characters at 1-based positions from..from+length-1, as the layout numbers them. */
  text(from: number, length: number, field: string): string {
    const value = this.line.slice(from - 1, from - 1 + length);
    if (!isZenginText(value)) this.fail(field, `"${value}" holds a character outside the Zengin set`);
    return value;
  }

  name(from: number, length: number, field: string): string {
    return this.text(from, length, field).trimEnd();
  }

  digits(from: number, length: number, field: string): string {
    const value = this.line.slice(from - 1, from - 1 + length);
    if (!/^[0-9]+$/.test(value)) this.fail(field, `"${value}" is not ${length} digits`);
    return value;
  }

  oneOf(from: number, allowed: string[], field: string): string {
    const value = this.line[from - 1];
    if (!allowed.includes(value)) this.fail(field, `"${value}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return value;
  }

  spaces(from: number, length: number, field: string): void {
    const value = this.line.slice(from - 1, from - 1 + length);
    if (value !== ' '.repeat(length)) this.fail(field, 'must be spaces');
  }

  fail(field: string, reason: string): never {
    throw new ZenginFileError(this.number, field, reason);
  }
}

function mmddOf(reader: RecordReader, from: number): string {
  const value = reader.digits(from, 4, '振込指定日');
  const month = Number(value.slice(0, 2));
  const day = Number(value.slice(2));
  if (month < 1 || month > 12 || day < 1 || day > 31) reader.fail('振込指定日', `"${value}" is not a date (MMDD)`);
  return value;
}

/**
 * Reads a Zengin 総合振込 file written by writeZenginTransferFile (or by anyone following the
 * same layout) and checks it: only single-byte JIS X 0201 characters, every record 120 bytes
 * followed by CRLF, header / data / trailer / end in that order, numeric fields all digits,
 * and the trailer's count and total equal to the data records'. Throws a ZenginFileError
 * naming the record (1-based) and field otherwise.
 */
export function parseZenginTransferFile(bytes: Buffer): ParsedZenginFile {
  const stride = RECORD_BYTES + 2;
  if (bytes.length === 0 || bytes.length % stride !== 0) {
    throw new ZenginFileError(undefined, 'file', `${bytes.length} bytes is not a whole number of ${RECORD_BYTES}-byte records each followed by CRLF`);
  }
  const lines: string[] = [];
  for (let offset = 0, number = 1; offset < bytes.length; offset += stride, number++) {
    for (let i = 0; i < RECORD_BYTES; i++) {
      const byte = bytes[offset + i];
      // One-byte JIS X 0201: ASCII printable or half-width katakana (0xA1-0xDF).
      if (!((byte >= 0x20 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xdf))) {
        throw new ZenginFileError(number, `byte ${i + 1}`, `0x${byte.toString(16).padStart(2, '0')} is not a single-byte JIS X 0201 character`);
      }
    }
    if (bytes[offset + RECORD_BYTES] !== 0x0d || bytes[offset + RECORD_BYTES + 1] !== 0x0a) {
      throw new ZenginFileError(number, 'end of record', `record is not ${RECORD_BYTES} bytes followed by CRLF`);
    }
    const line = iconv.decode(bytes.subarray(offset, offset + RECORD_BYTES), 'Shift_JIS');
    if (line.length !== RECORD_BYTES) throw new ZenginFileError(number, 'record', `decodes to ${line.length} characters`);
    lines.push(line);
  }

  const kinds = lines.map((line) => line[0]).join('');
  if (!/^12+89$/.test(kinds)) {
    throw new ZenginFileError(undefined, 'データ区分', `records are "${kinds}"; expected one header (1), data records (2), one trailer (8), one end record (9)`);
  }

  const h = new RecordReader(lines[0], 1);
  const typeCode = h.digits(2, 2, '種別コード');
  if (typeCode !== '21') h.fail('種別コード', `"${typeCode}" is not 21 (総合振込)`);
  const header: ParsedZenginHeader = {
    typeCode,
    codeKind: h.oneOf(4, ['0'], 'コード区分'),
    requesterCode: h.digits(5, 10, '依頼人コード'),
    requesterName: h.name(15, 40, '依頼人名'),
    transferDate: mmddOf(h, 55),
    bankCode: h.digits(59, 4, '仕向銀行番号'),
    bankName: h.name(63, 15, '仕向銀行名'),
    branchCode: h.digits(78, 3, '仕向支店番号'),
    branchName: h.name(81, 15, '仕向支店名'),
    accountType: Number(h.oneOf(96, ['1', '2', '4', '9'], '預金種目')) as ZenginAccountType,
    accountNumber: h.digits(97, 7, '口座番号'),
  };
  h.spaces(104, 17, 'ダミー');

  const transfers = lines.slice(1, -2).map((line, i): ParsedZenginTransfer => {
    const d = new RecordReader(line, i + 2);
    const transfer: ParsedZenginTransfer = {
      bankCode: d.digits(2, 4, '被仕向銀行番号'),
      bankName: d.name(6, 15, '被仕向銀行名'),
      branchCode: d.digits(21, 3, '被仕向支店番号'),
      branchName: d.name(24, 15, '被仕向支店名'),
      clearingHouseCode: d.text(39, 4, '手形交換所番号'),
      accountType: Number(d.oneOf(43, ['1', '2', '4', '9'], '預金種目')) as ZenginAccountType,
      accountNumber: d.digits(44, 7, '口座番号'),
      recipientName: d.name(51, 30, '受取人名'),
      amountYen: Number(d.digits(81, 10, '振込金額')),
      newCode: Number(d.oneOf(91, ['0', '1', '2'], '新規コード')) as 0 | 1 | 2,
      customerCode1: d.text(92, 10, '顧客コード1'),
      customerCode2: d.text(102, 10, '顧客コード2'),
      transferKind: d.oneOf(112, ['7', '8', ' '], '振込指定区分'),
      ediFlag: d.oneOf(113, [' ', 'Y'], '識別表示'),
    };
    if (!/^(\d{4}| {4})$/.test(transfer.clearingHouseCode)) d.fail('手形交換所番号', `"${transfer.clearingHouseCode}" is not 4 digits or spaces`);
    if (transfer.ediFlag === ' ') {
      d.digits(92, 10, '顧客コード1');
      d.digits(102, 10, '顧客コード2');
    }
    if (transfer.recipientName.trim() === '') d.fail('受取人名', 'is empty');
    if (transfer.amountYen < 1) d.fail('振込金額', 'is zero');
    d.spaces(114, 7, 'ダミー');
    return transfer;
  });

  const trailerNumber = lines.length - 1;
  const t = new RecordReader(lines[trailerNumber - 1], trailerNumber);
  const trailer = { count: Number(t.digits(2, 6, '件数')), totalYen: Number(t.digits(8, 12, '合計金額')) };
  t.spaces(20, 101, 'ダミー');
  if (trailer.count !== transfers.length) t.fail('件数', `says ${trailer.count} but the file holds ${transfers.length} data records`);
  const total = transfers.reduce((sum, transfer) => sum + transfer.amountYen, 0);
  if (trailer.totalYen !== total) t.fail('合計金額', `says ${trailer.totalYen} but the data records add up to ${total}`);

  new RecordReader(lines[lines.length - 1], lines.length).spaces(2, 119, 'ダミー');

  return { header, transferDate: header.transferDate, transfers, trailer };
}
