import { createHash } from 'node:crypto';
import { findBank, findBranch } from '../codes/bank-codes.ts';
import { addDays } from '../engine/calendar.ts';
import type { AmountStep, Explanation } from '../engine/evaluate-household.ts';
import { amountStepLabel } from '../engine/explanation-text.ts';
import { wareki, warekiMonth, yen } from '../engine/wareki.ts';
import { appealBody, type MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { isBankBusinessDay } from '../payments/bank-business-day.ts';
import { monthlySchedule, scheduleEntryFor, type Period } from '../payments/payment-schedule.ts';
import type { ProgramSpec } from '../rules/program-schema.ts';
import type { NoticeAccount, NoticeContent, NoticeKind, NoticeRecipient } from './notice-content.ts';
import { membershipSentence, residentReasons } from './resident-text.ts';

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
  確認書提出のお願い: '「監護相当・生計費の負担についての確認書」のご提出のお願い',
};

/** Days from the issue date to the date a requested 確認書 is asked back by (printed as 提出期限). */
export const CONFIRMATION_REPLY_DAYS = 30;

/**
 * The date a letter asks the resident to answer by (提出期限, 回答期限): CONFIRMATION_REPLY_DAYS
 * after the issue date, moved to the next 開庁日, since the letter invites them to the 窓口 or to
 * phone. The office is closed when banks are (Saturdays, Sundays, national holidays and 12/31–1/3:
 * the holiday list payment dates use) and also on 12/29 and 12/30 (年末年始 is 12/29–1/3).
 */
export function replyDeadline(issuedOn: string): string {
  const open = (iso: string) => isBankBusinessDay(iso) && iso.slice(5) !== '12-29' && iso.slice(5) !== '12-30';
  let day = addDays(issuedOn, CONFIRMATION_REPLY_DAYS);
  while (!open(day)) day = addDays(day, 1);
  return day;
}

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

/**
 * Which notice a decision needs, if any (review needs a person first). 不支給 where the program
 * asks for it, and always for a case staff decided ineligible: a 処分 staff made on a case they
 * looked into is notified in writing with its reason and the 教示 (docs/notices.md, Staff
 * decisions); a benefit that was being paid ends with a 支給停止 (its change_kind is 'stopped').
 */
export function noticeKindFor(d: Pick<NoticeDecision, 'change_kind' | 'outcome' | 'explanation'>, program: ProgramSpec): NoticeKind | undefined {
  if (d.change_kind === 'stopped') return '支給停止';
  if (d.outcome === 'eligible') return d.change_kind === 'amount_changed' ? '額の変更' : '支給決定';
  const byStaff = (d.explanation as { staff?: unknown }).staff !== undefined;
  if (d.outcome === 'ineligible' && (program.notify_ineligible || byStaff) && (d.change_kind === 'new' || d.change_kind === 'outcome_changed')) return '不支給';
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

/** The section residents ask about the program: its own where the settings give one, else the municipality's. */
export function contactOf(s: MunicipalitySettings, programId: string): { department: string; phone: string; address: string } {
  const own = s.contacts?.[programId];
  return own ? { department: own.department, phone: own.phone, address: own.address ?? s.address } : { department: s.department, phone: s.phone, address: s.address };
}

/** What every letter carries; its 文書番号 is given when the letter is inserted (document-numbers.ts). */
function base(c: Common, kind: NoticeKind, source: string): Pick<NoticeContent, 'noticeId' | 'kind' | 'issuedOn' | 'municipality' | 'recipient' | 'programName' | 'title' | 'appeal'> {
  const { settings: s, program } = c;
  const noticeId = noticeIdFor(c.municipalityCode, source, kind);
  return {
    noticeId,
    kind,
    issuedOn: c.issuedOn,
    municipality: { name: s.name, mayor: s.mayor, ...contactOf(s, program.id) },
    recipient: c.recipient,
    programName: program.name.ja,
    title: `${program.name.ja} ${program.notice?.titles[kind as keyof NonNullable<ProgramSpec['notice']>['titles']] ?? TITLES[kind]}`,
    appeal: program.disposition.is_disposition && program.disposition.appeal_to ? { body: appealBody(s, program.disposition.appeal_to) } : undefined,
  };
}

/** When the program pays, from the schedule entry for the month of `monthIso` (the months paid from now on). */
export function scheduleSentence(program: ProgramSpec, monthIso: string): string {
  const schedule = monthlySchedule(program.payment.schedule);
  if (schedule.length === 0) return '';
  let entry;
  try {
    entry = scheduleEntryFor(schedule, monthIso);
  } catch {
    entry = [...schedule].sort((a, b) => a.from.localeCompare(b.from))[monthIso < schedule[0].from ? 0 : schedule.length - 1];
  }
  const months = [...entry.months].sort((a, b) => a - b);
  const list = months.map((m) => `${m}月`).join('・');
  const when = months.length === 6 && months.every((m) => m % 2 === 0) ? `偶数月（${list}）` : list;
  return `${when}に、前月までの${entry.months_per_payment}か月分をお支払いします。`;
}

/** The line that says which months 時効 leaves unpaid (児童手当法第23条), from consecutive lapsed periods. */
export function lapsedLine(program: ProgramSpec, lapsed: Period[]): string | undefined {
  if (lapsed.length === 0 || !program.payment.prescription) return undefined;
  const { years, source } = program.payment.prescription;
  const article = source.article?.match(/^第[0-9０-９一二三四五六七八九十]+条/)?.[0] ?? '';
  const law = `${source.title.replace(/（.*$/, '')}${article}`;
  return `時効により支払われない期間：${warekiMonth(lapsed[0].start)}分から${warekiMonth(lapsed[lapsed.length - 1].end)}分まで（支払月から${years}年を経過した分は、${law}により、受け取る権利が時効で消滅しているため、お支払いできません）`;
}

/** What a letter says about the account the benefit is paid to. */
export interface AccountState {
  account?: NoticeAccountRow;
  /** No usable account: a 口座登録のお願い goes in the same envelope (enclosed) or went earlier. */
  requestEnclosed?: boolean;
}

/** A step of the amount with the child's name: 第1子 山田 一郎（10歳）3歳以上高校生年代まで. */
function stepLabel(s: AmountStep, names: Map<string, string>): string {
  const name = s.person_id ? names.get(s.person_id) : undefined;
  if (!name) return amountStepLabel(s);
  return `${s.birth_order ? `第${s.birth_order}子${SPACE}` : ''}${name}（${s.age}歳）${s.text_ja}`;
}

const SPACE = '\u3000';

/**
 * The letter of what one run decided for one household in one program: `decisions` are the
 * run's decisions of that chain, oldest first (a law change, then a birth, decided in one run),
 * and the letter is that of the last one, the one in force, with the amounts by month when they
 * changed on the way. Its id comes from all of them.
 */
export function decisionNotice(
  c: Common & {
    decision: NoticeDecision;
    kind: NoticeKind;
    /** The run's earlier decisions of the same chain, oldest first: one letter says them all. */
    earlier?: NoticeDecision[];
    paymentDate?: string;
    /** What is paid on paymentDate for this program and household. */
    paidNow?: { amountYen: number; periodStarts: string[] };
    accountState?: AccountState;
    lapsed?: Period[];
    /** Names of the household's members, for the 内訳. */
    names?: Map<string, string>;
    /** The amount of the decision this one replaces: a 額改定通知書 gives 改定前の額. */
    previousAmountYen?: number | null;
    /** The engine's 内訳 of the decision staff overrode: the children counted, listed under staff's amount. */
    engineSteps?: AmountStep[];
  },
): NoticeContent {
  const { decision: d, program, kind } = c;
  const name = program.name.ja;
  const monthly = d.period_kind === 'monthly';
  const earlier = c.earlier ?? [];
  const first = earlier[0] ?? d;
  const from = monthly ? `${warekiMonth(first.effective_from)}分から` : undefined;
  const e = d.explanation as Explanation & { staff?: { reason: string } };
  const paid = d.outcome === 'eligible';
  const account = c.accountState ?? {};
  const waits = paid && !account.account;
  const payment = waits
    ? `お支払いに使える口座が確認できないため、口座をご登録いただいた後の支払日にお支払いします。${account.requestEnclosed ? '同封の「振込口座登録のお願い」により口座をご登録ください。' : '口座のご登録については、別にお送りした「振込口座登録のお願い」をご覧ください。'}`
    : monthly
      ? scheduleSentence(program, c.issuedOn)
      : '';
  const summaries: Record<NoticeKind, string> = {
    支給決定: `あなたの${name}について、次のとおり${monthly ? '認定' : '支給することに決定'}しましたので通知します。${payment}`,
    額の変更: `あなたの${name}の額を、${from ?? ''}次のとおり改定しましたので通知します。${waits ? payment : ''}`,
    支給停止: `あなたの${name}は、${monthly ? `${warekiMonth(d.effective_from)}分から` : ''}支給しないこととなりましたので通知します。`,
    不支給: `あなたの${name}について、次の理由により${monthly ? `${warekiMonth(d.effective_from)}分から` : ''}支給しないことに決定しましたので通知します。`,
    口座登録のお願い: '',
    返還: '',
    確認のお願い: '',
    確認書提出のお願い: '',
  };
  const lapsed = lapsedLine(program, c.lapsed ?? []);
  const names = c.names ?? new Map<string, string>();
  // Amounts by month when this run decided more than one (e.g. 10月分から 10,000円, 12月分から 25,000円).
  const chain = [...earlier, d];
  const byMonth =
    monthly && chain.length > 1 && new Set(chain.map((x) => `${x.outcome}${x.amount_yen}`)).size > 1
      ? chain.map((x) => ({ label: `${warekiMonth(x.effective_from)}分から`, value: x.outcome === 'eligible' ? `月額${SPACE}${yen(x.amount_yen)}` : '支給なし' }))
      : [];
  // A 額改定通知書 says what the amount was before (a staff override, 30,000円 → 20,000円, as any change).
  const before = kind === '額の変更' && c.previousAmountYen != null && c.previousAmountYen > 0 ? { label: '改定前の額', value: `${monthly ? `月額${SPACE}` : ''}${yen(c.previousAmountYen)}` } : undefined;
  const history = before ? [before, ...byMonth] : byMonth;
  const staff = e.staff ? [staffSentence(e.staff.reason)] : [];
  // What the payment date pays is known once its months have all begun (a monthly program pays
  // the months before the payment month); before that, only the date is printed.
  // A one-off benefit pays its 支給額, already printed: only a monthly one says it.
  const complete = monthly && c.paymentDate !== undefined && c.issuedOn >= `${c.paymentDate.slice(0, 7)}-01`;
  return {
    ...base(c, kind, chain.map((x) => x.decision_id).join(',')),
    decisionIds: chain.map((x) => x.decision_id),
    summary: summaries[kind],
    ...(paid
      ? {
          amountYen: d.amount_yen,
          amountLabel: before && !byMonth.length ? '改定後の額' : monthly ? (byMonth.length ? '現在の月額' : '月額') : '支給額',
          amountPer: before && !byMonth.length && monthly ? ('月額' as const) : undefined,
          breakdown: breakdownOf(e.amount.steps, c.engineSteps, names),
          period: from,
          paidNow: !waits && complete && c.paidNow && c.paidNow.amountYen > 0 ? { amountYen: c.paidNow.amountYen, months: paidMonths(c.paidNow.periodStarts, monthly) } : undefined,
          paymentDate: waits ? undefined : c.paymentDate,
          paymentWaits: waits ? `口座のご登録後の支払日（${account.requestEnclosed ? '同封の' : '別にお送りした'}「振込口座登録のお願い」をご覧ください）` : undefined,
          account: account.account && maskedAccount(account.account),
        }
      : {}),
    amountHistory: history.length ? history : undefined,
    reasons: [...staff, ...residentReasons(e, program.notice), membershipSentence(e, program.notice), ...(lapsed ? [lapsed] : [])],
  };
}

/**
 * The 内訳: the engine's steps, children named. Where staff set an amount the engine's steps do
 * not add up to (an override), the letter says staff decided it (their reason is the letter's
 * first reason) and still lists the children the engine counted, by name and age only: the
 * engine's 第N子 and its categories (（第1子・第2子）, 第3子以降) imply amounts staff replaced.
 */
function breakdownOf(steps: AmountStep[], engineSteps: AmountStep[] | undefined, names: Map<string, string>): { label: string; amountYen?: number }[] {
  const staff = steps.find((s) => s.component === 'staff');
  if (!staff) return steps.map((s) => ({ label: stepLabel(s, names), amountYen: s.value_yen }));
  const counted = (engineSteps ?? []).flatMap((s) => {
    const name = s.person_id && names.get(s.person_id);
    return name ? [`${name}${s.age === undefined ? '' : `（${s.age}歳）`}`] : [];
  });
  return [{ label: '担当職員が決定した額', amountYen: staff.value_yen }, ...counted.map((child) => ({ label: `対象のお子さま${SPACE}${child}` }))];
}

/** The reason staff recorded, as the resident reads it (an approval without one says only that staff checked). */
export function staffSentence(reason: string): string {
  return reason === STAFF_DEFAULT_REASON ? '担当職員が記録を確認し、決定しました。' : `担当職員が記録を確認し、次の理由により決定しました：${reason.replace(/[^。]$/, '$&。')}`;
}
/** What src/review records when staff approve without a reason. */
const STAFF_DEFAULT_REASON = '職員が記録を確認しました';

/** 令和6年10月分・11月分 (a payment covers the months before it). */
function paidMonths(starts: string[], monthly: boolean): string {
  if (!monthly || starts.length === 0) return '';
  const sorted = [...new Set(starts)].sort();
  return sorted.map((s, i) => (i === 0 || s.slice(0, 4) !== sorted[i - 1].slice(0, 4) ? warekiMonth(s) : `${Number(s.slice(5, 7))}月`) + '分').join('・');
}

export interface NoticeReviewItem {
  id: number;
  kind: 'missing_account' | 'recovery';
  /** What the item is about (program, household, person, period…): the notice id comes from it, not from the row id. */
  item_key: string;
  amount_yen: number | null;
  period_start: string | null;
  period_end: string | null;
}

/**
 * The letter staff send when the records cannot settle a case: what the municipality needs to
 * know, in the reviewer's words, and whom to answer. Not a 処分, so no 教示.
 */
/**
 * A reviewer's question to the resident (照会): what is asked, by when to answer and where. The
 * question is the reviewer's own words, under a heading that says it is a question, not a
 * reason for a decision. Not a 処分, so no 教示.
 */
export function informationRequestNotice(c: Common & { actionId: number; request: string }): NoticeContent {
  const { settings: s } = c;
  const contact = contactOf(s, c.program.id);
  const replyBy = replyDeadline(c.issuedOn);
  return {
    ...base(c, '確認のお願い', `action:${c.actionId}`),
    appeal: undefined,
    summary:
      `${c.program.name.ja}の支給について、市が保有する記録だけでは判断できないため、次の点についてご確認をお願いします。` +
      `お手数ですが、回答期限までに${contact.department}へ、お電話、郵送または窓口でお知らせください。`,
    details: [
      { label: '回答期限', value: wareki(replyBy) },
      { label: '回答先', value: `${s.name} ${contact.department}（${contact.address}、電話 ${contact.phone}）` },
    ],
    reasonsHeading: 'お尋ねしたいこと',
    reasons: [c.request.replace(/[^。？?]$/, '$&。'), '期限までにお知らせがない場合は、担当からあらためてご連絡します。'],
  };
}

export function reviewItemNotice(c: Common & { item: NoticeReviewItem; staffReason?: string }): NoticeContent {
  const { item, program } = c;
  const name = program.name.ja;
  const period = item.period_start && program.period_kind === 'monthly' ? `${warekiMonth(item.period_start)}分から${warekiMonth(item.period_end ?? item.period_start)}分まで` : undefined;
  if (item.kind === 'missing_account') {
    return {
      ...base(c, '口座登録のお願い', `review:${item.kind}:${item.item_key}`),
      appeal: undefined,
      summary: `あなたは${name}の支給対象ですが、お支払いに使える口座が確認できません。同封の口座登録届により口座をご登録ください。ご登録の後、次の支払日にお支払いします。`,
      amountYen: item.amount_yen ?? undefined,
      amountLabel: 'お支払いする額',
      period,
      reasons: ['公金受取口座、またはこの給付のために登録された口座が見つからないか、金融機関・支店の番号が確認できないため、お支払いができません。'],
    };
  }
  return {
    ...base(c, '返還', `review:${item.kind}:${item.item_key}`),
    summary: `あなたの${name}の額が、さかのぼって変更されました。すでにお支払いした額のうち、次の額が過払いとなっています。返還の方法は、担当からあらためてご連絡します。`,
    amountYen: item.amount_yen ?? undefined,
    amountLabel: '返還額',
    period,
    // After a staff decision (an override), its own reason: the records were not corrected.
    reasons: [c.staffReason ? `担当職員が記録を確認し、次の理由により支給額を決定し直した結果です：${c.staffReason.replace(/[^。]$/, '$&。')}` : '住民記録または税情報の訂正により、支給額を計算し直した結果です。'],
  };
}


/**
 * The letter asking the recipient for a 監護相当・生計費の負担についての確認書 (児童手当: a child
 * past 高校生年代 and within the 22歳年度末 counts for the birth order only when the recipient
 * cares for and supports them, and counting them would raise the amount). Names the children,
 * what to return, by when (replyDeadline: 30 days on, or the next 開庁日) and why. Its id comes
 * from the household and the children asked about, so the same request is sent once. Not a
 * 処分, so no 教示.
 */
export function confirmationRequestNotice(c: Common & { householdId: string; children: { personId: string; name: string }[] }): NoticeContent {
  const { program, settings: s } = c;
  const contact = contactOf(s, program.id);
  const ids = c.children.map((ch) => ch.personId).sort();
  const replyBy = replyDeadline(c.issuedOn);
  return {
    ...base(c, '確認書提出のお願い', `confirmation:${program.id}:${c.householdId}:${ids.join(',')}`),
    appeal: undefined,
    summary:
      `あなたの${program.name.ja}の額を決めるにあたり、次のお子さんを児童の数え方（第3子以降の判定）に含めることができるかを確認する必要があります。` +
      `同封の「監護相当・生計費の負担についての確認書」にご記入のうえ、提出期限までに${contact.department}へご提出ください（郵送または窓口）。`,
    details: [
      { label: '対象のお子さん', value: c.children.map((ch) => `${ch.name} 様`).join('、') },
      { label: '提出書類', value: '監護相当・生計費の負担についての確認書（同封）' },
      { label: '提出期限', value: wareki(replyBy) },
      { label: '提出先', value: `${s.name} ${contact.department}（${contact.address}）` },
    ],
    reasonsHeading: 'ご提出をお願いする理由',
    reasons: [
      '令和6年10月分からの児童手当（子ども・子育て支援法等の一部を改正する法律（令和6年法律第47号）による改正）では、児童の数え方（第3子以降の判定）に、22歳に達する日以後の最初の3月31日までの間にあるお子さんも含めます（児童手当法第6条）。',
      '高校生年代を過ぎたお子さんを数えることができるのは、あなたがそのお子さんの監護に相当する日常生活上の世話及び必要な保護をし、かつ、その生計費を負担している場合に限られます。市が保有する記録ではこれを確認できないため、確認書によるお申し出をお願いしています。',
      '確認書により要件を満たすことが確認できれば、上記のお子さんを数えた額（第3子以降の額）で支給します。期限までにご提出がない場合は、担当からあらためてご連絡します。',
    ],
  };
}
