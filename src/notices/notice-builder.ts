import { createHash } from 'node:crypto';
import { findBank, findBranch } from '../codes/bank-codes.ts';
import type { Explanation } from '../engine/evaluate-household.ts';
import { amountStepLabel, conditionLines } from '../engine/explanation-text.ts';
import { wareki, warekiMonth } from '../engine/wareki.ts';
import { appealBody, type MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import type { ProgramSpec } from '../rules/program-schema.ts';
import type { NoticeAccount, NoticeContent, NoticeKind, NoticeRecipient } from './notice-content.ts';

/**
 * Builds what a notice says from what was recorded (the decision and its explanation, or a
 * review item), the person's current address and the municipality's settings. Pure: the same
 * inputs give the same notice, so a re-run writes nothing new.
 */

const TITLES: Record<NoticeKind, string> = {
  支給決定: '支給決定通知書',
  額の変更: '額改定通知書',
  支給停止: '支給停止通知書',
  不支給: '不支給決定通知書',
  口座登録のお願い: '振込口座登録のお願い',
  返還: '返還金についてのお知らせ',
  確認のお願い: '支給要件の確認のお願い',
};

export interface NoticeDecision {
  decision_id: string;
  change_kind: string;
  outcome: 'eligible' | 'ineligible' | 'review';
  amount_yen: number;
  period_kind: 'monthly' | 'once';
  effective_from: string;
  explanation: Explanation;
}

export interface NoticeAccountRow {
  bank_code: string;
  branch_code: string;
  account_type: number;
  account_number: string;
}

/** Which notice a decision needs, if any (review needs a person first; 不支給 only where the program asks). */
export function noticeKindFor(d: Pick<NoticeDecision, 'change_kind' | 'outcome'>, program: ProgramSpec): NoticeKind | undefined {
  if (d.change_kind === 'stopped') return '支給停止';
  if (d.outcome === 'eligible') return d.change_kind === 'amount_changed' ? '額の変更' : '支給決定';
  if (d.outcome === 'ineligible' && program.notify_ineligible && (d.change_kind === 'new' || d.change_kind === 'outcome_changed')) return '不支給';
  return undefined;
}

/** N + 16 hex digits of the notice's source: the same decision and kind always get the same id. */
export function noticeIdFor(municipalityCode: string, source: string, kind: NoticeKind): string {
  return `N${createHash('sha256').update([municipalityCode, source, kind].join('\0')).digest('hex').slice(0, 16).toUpperCase()}`;
}

export function maskedAccount(a: NoticeAccountRow): NoticeAccount {
  return {
    bankName: findBank(a.bank_code)?.name ?? a.bank_code,
    branchName: findBranch(a.bank_code, a.branch_code)?.name ?? a.branch_code,
    accountType: ({ 1: '普通', 2: '当座', 4: '貯蓄' } as Record<number, string>)[a.account_type] ?? 'その他',
    maskedNumber: `****${a.account_number.slice(-3)}`,
  };
}

interface Common {
  municipalityCode: string;
  issuedOn: string;
  settings: MunicipalitySettings;
  program: ProgramSpec;
  recipient: NoticeRecipient;
}

function base(c: Common, kind: NoticeKind, source: string): Pick<NoticeContent, 'noticeId' | 'kind' | 'issuedOn' | 'municipality' | 'recipient' | 'programName' | 'title' | 'appeal'> {
  const { settings: s, program } = c;
  return {
    noticeId: noticeIdFor(c.municipalityCode, source, kind),
    kind,
    issuedOn: c.issuedOn,
    municipality: { name: s.name, mayor: s.mayor, address: s.address, department: s.department, phone: s.phone },
    recipient: c.recipient,
    programName: program.name.ja,
    title: `${program.name.ja} ${TITLES[kind]}`,
    appeal: program.disposition.is_disposition && program.disposition.appeal_to ? { body: appealBody(s, program.disposition.appeal_to) } : undefined,
  };
}

const SCHEDULE_JA = { 'even-months': '偶数月（2月・4月・6月・8月・10月・12月）に、前月までの2か月分をお支払いします。', 'next-run': '' };

export function decisionNotice(
  c: Common & { decision: NoticeDecision; kind: NoticeKind; paymentDate?: string; account?: NoticeAccountRow },
): NoticeContent {
  const { decision: d, program, kind } = c;
  const name = program.name.ja;
  const monthly = d.period_kind === 'monthly';
  const from = monthly ? `${warekiMonth(d.effective_from)}分から` : undefined;
  const summaries: Record<NoticeKind, string> = {
    支給決定: `あなたの${name}について、次のとおり支給することに決定しましたので通知します。${monthly ? SCHEDULE_JA[program.payment.schedule] : ''}`,
    額の変更: `あなたの${name}の額を、${from ?? ''}次のとおり改定しましたので通知します。`,
    支給停止: `あなたの${name}は、${monthly ? `${warekiMonth(d.effective_from)}分から` : ''}支給しないこととなりましたので通知します。`,
    不支給: `${name}について、次の理由により支給しないことに決定しましたので通知します。`,
    口座登録のお願い: '',
    返還: '',
    確認のお願い: '',
  };
  const paid = d.outcome === 'eligible';
  return {
    ...base(c, kind, d.decision_id),
    summary: summaries[kind],
    ...(paid
      ? {
          amountYen: d.amount_yen,
          amountLabel: monthly ? '月額' : '支給額',
          breakdown: d.explanation.amount.steps.map((s) => ({ label: amountStepLabel(s), amountYen: s.value_yen })),
          period: from,
          paymentDate: c.paymentDate,
          account: c.account && maskedAccount(c.account),
        }
      : {}),
    reasons: [...conditionLines(d.explanation), `世帯の構成は${wareki(d.explanation.membership_date)}時点の住民記録によります。`],
  };
}

export interface NoticeReviewItem {
  id: number;
  kind: 'missing_account' | 'recovery';
  amount_yen: number | null;
  period_start: string | null;
  period_end: string | null;
}

/**
 * The letter staff send when the records cannot settle a case: what the municipality needs to
 * know, in the reviewer's words, and whom to answer. Not a 処分, so no 教示.
 */
export function informationRequestNotice(c: Common & { actionId: number; request: string }): NoticeContent {
  return {
    ...base(c, '確認のお願い', `action:${c.actionId}`),
    appeal: undefined,
    summary: `${c.program.name.ja}の支給について、市が保有する記録だけでは判断できないため、次の点についてご確認をお願いします。お手数ですが、下記の担当までご連絡ください。`,
    reasons: [c.request],
  };
}

export function reviewItemNotice(c: Common & { item: NoticeReviewItem }): NoticeContent {
  const { item, program } = c;
  const name = program.name.ja;
  const period = item.period_start && program.period_kind === 'monthly' ? `${warekiMonth(item.period_start)}分から${warekiMonth(item.period_end ?? item.period_start)}分まで` : undefined;
  if (item.kind === 'missing_account') {
    return {
      ...base(c, '口座登録のお願い', `review:${item.id}`),
      appeal: undefined,
      summary: `あなたは${name}の支給対象ですが、お支払いに使える口座が確認できません。同封の口座登録届により口座をご登録ください。ご登録の後、次の支払日にお支払いします。`,
      amountYen: item.amount_yen ?? undefined,
      amountLabel: 'お支払いする額',
      period,
      reasons: ['公金受取口座、またはこの給付のために登録された口座が見つからないか、金融機関・支店の番号が確認できないため、お支払いができません。'],
    };
  }
  return {
    ...base(c, '返還', `review:${item.id}`),
    summary: `あなたの${name}の額が、さかのぼって変更されました。すでにお支払いした額のうち、次の額が過払いとなっています。返還の方法は、担当からあらためてご連絡します。`,
    amountYen: item.amount_yen ?? undefined,
    amountLabel: '返還額',
    period,
    reasons: ['住民記録または税情報の訂正により、支給額を計算し直した結果です。'],
  };
}
