/**
 * What a notice (通知書) shows: plain data, built from a decision and its recorded explanation
 * elsewhere; rendering (notice-pdf.ts) never reads the database.
 */

export const NOTICE_KINDS = ['支給決定', '額の変更', '支給停止', '不支給', '口座登録のお願い', '返還', '確認のお願い', '確認書提出のお願い'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface NoticeMunicipality {
  /** e.g. 横浜市 */
  name: string;
  /** The mayor's name (山中 竹春); printed as 横浜市長 山中 竹春 (with a 全角 space). A value that already starts with the municipality's name is printed as it is. */
  mayor: string;
  address: string;
  /** The department to ask, e.g. こども青少年局 子育て支援課 */
  department: string;
  phone: string;
}

export interface NoticeRecipient {
  /** 231-0017 (printed 〒231-0017); null when unknown */
  postalCode: string | null;
  address: string;
  /** Printed with 様 */
  name: string;
}

export interface NoticeAccount {
  bankName: string;
  branchName: string;
  /** 普通 / 当座 */
  accountType: string;
  /** Never the full number, e.g. ****567 */
  maskedNumber: string;
}

export interface NoticeContent {
  /** Printed small, for the print manifest and inquiries. */
  noticeId: string;
  /** 文書番号, printed above the issue date (こ家第12号): given when the letter is inserted (document-numbers.ts). */
  documentNumber?: string;
  /** The decisions a decision letter notifies (one run's decisions of a chain, oldest first), for the staff pages of each. */
  decisionIds?: string[];
  kind: NoticeKind;
  /** YYYY-MM-DD, printed in 和暦 */
  issuedOn: string;
  municipality: NoticeMunicipality;
  /** The address block (〒 231-0017, address, name + 様) */
  recipient: NoticeRecipient;
  /** e.g. 児童手当 */
  programName: string;
  /** e.g. 児童手当 支給決定通知書 */
  title: string;
  /** One or two sentences: what was decided. */
  summary: string;
  /** The amount (monthly or total), printed with 円 */
  amountYen?: number;
  /** e.g. 月額 / 支給額 / 返還額 */
  amountLabel?: string;
  /** Printed before the amount where the label does not say it is monthly (改定後の額, 月額 20,000円). */
  amountPer?: '月額';
  /** The amount step by step (children named). */
  breakdown?: { label: string; amountYen?: number }[];
  /** The monthly amounts by month when one letter covers several decisions (令和6年10月分から → 月額…). */
  amountHistory?: { label: string; value: string }[];
  /** What is paid on the payment date (e.g. 2 months), with the months it pays for. */
  paidNow?: { amountYen: number; months: string };
  /** Printed instead of a payment date when the payment waits (e.g. for an account). */
  paymentWaits?: string;
  /** Other letters in the same envelope (同封), by title. */
  enclosures?: string[];
  /** e.g. 令和6年12月分から */
  period?: string;
  /** YYYY-MM-DD, printed in 和暦 */
  paymentDate?: string;
  account?: NoticeAccount;
  /** Further rows of the table, e.g. the children a 確認書 is asked for and the date to return it by. */
  details?: { label: string; value: string }[];
  /** Plain-Japanese lines from the recorded explanation. */
  reasons: string[];
  /** The heading over `reasons`; default 判定の理由. */
  reasonsHeading?: string;
  /** Present when the decision is a 処分: who hears a 審査請求 (e.g. 神奈川県知事 or 横浜市長). */
  appeal?: { body: string };
}
