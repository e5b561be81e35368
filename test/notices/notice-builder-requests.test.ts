import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AmountStep, Explanation } from '../../src/engine/evaluate-household.ts';
import { CONFIRMATION_REPLY_DAYS, confirmationRequestNotice, decisionNotice, informationRequestNotice, lapsedLine, scheduleSentence } from '../../src/notices/notice-builder.ts';
import { loadProgram } from '../../src/rules/program-loader.ts';

const program = loadProgram(fileURLToPath(new URL('../../rules/child-allowance', import.meta.url))).spec;
const settings = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url)), 'utf8'));
const common = { municipalityCode: '141003', issuedOn: '2024-12-13', settings, program, recipient: { postalCode: '231-0017', address: '横浜市中区港町1-1', name: '山田 花子' } };

describe('確認書 request (監護相当・生計費の負担についての確認書)', () => {
  const notice = confirmationRequestNotice({
    ...common,
    householdId: 'H1',
    children: [
      { personId: 'C9', name: '山田 次郎' },
      { personId: 'C3', name: '山田 一郎' },
    ],
  });

  it('names the children, what to return and by when', () => {
    expect(notice.kind).toBe('確認書提出のお願い');
    expect(notice.title).toBe('児童手当 「監護相当・生計費の負担についての確認書」のご提出のお願い');
    expect(notice.details).toEqual([
      { label: '対象のお子さん', value: '山田 次郎 様、山田 一郎 様' },
      { label: '提出書類', value: '監護相当・生計費の負担についての確認書（同封）' },
      // 30 days after 2024-12-13 is Sunday 2025-01-12, and Monday is 成人の日: the office opens on the 14th.
      { label: '提出期限', value: '令和7年1月14日' },
      { label: '提出先', value: `${settings.name} ${settings.department}（${settings.address}）` },
    ]);
    expect(CONFIRMATION_REPLY_DAYS).toBe(30);
  });

  it('says why: 児童手当法第6条 as amended from October 2024, counting up to the 22歳年度末', () => {
    expect(notice.reasonsHeading).toBe('ご提出をお願いする理由');
    expect(notice.reasons[0]).toContain('令和6年法律第47号');
    expect(notice.reasons[0]).toContain('22歳に達する日以後の最初の3月31日');
    expect(notice.reasons[0]).toContain('児童手当法第6条');
    expect(notice.reasons[1]).toContain('生計費を負担している場合に限られます');
    expect(notice.appeal).toBeUndefined(); // not a 処分
  });

  it('has the same id for the same household and children in any order, so it is sent once', () => {
    const again = confirmationRequestNotice({ ...common, issuedOn: '2025-01-06', householdId: 'H1', children: [{ personId: 'C3', name: '山田 一郎' }, { personId: 'C9', name: '山田 次郎' }] });
    expect(again.noticeId).toBe(notice.noticeId);
    expect(confirmationRequestNotice({ ...common, householdId: 'H1', children: [{ personId: 'C3', name: '山田 一郎' }] }).noticeId).not.toBe(notice.noticeId);
  });
});

describe('the deadline a letter prints falls on a day the office is open (開庁日)', () => {
  const children = [{ personId: 'C3', name: '山田 一郎' }];
  // 30 days after the issue date, or the next 開庁日: both letters that ask for an answer.
  const deadlines = (issuedOn: string) => [
    confirmationRequestNotice({ ...common, issuedOn, householdId: 'H1', children }).details?.find((d) => d.label === '提出期限')?.value,
    informationRequestNotice({ ...common, issuedOn, actionId: 1, request: '同居されていますか' }).details?.find((d) => d.label === '回答期限')?.value,
  ];

  it('keeps a deadline on a weekday: Friday 2025-01-10', () => {
    expect(deadlines('2024-12-11')).toEqual(['令和7年1月10日', '令和7年1月10日']);
  });

  it('moves a Sunday to the Monday: 2025-02-16 → 2025-02-17', () => {
    expect(deadlines('2025-01-17')).toEqual(['令和7年2月17日', '令和7年2月17日']);
  });

  it('moves a national holiday to the next day: 成人の日 2025-01-13 → 2025-01-14', () => {
    expect(deadlines('2024-12-14')).toEqual(['令和7年1月14日', '令和7年1月14日']);
  });

  it('moves 年末年始 (12/29–1/3) past the new year: Monday 2025-12-29 → Monday 2026-01-05 (1/4 is a Sunday)', () => {
    expect(deadlines('2025-11-29')).toEqual(['令和8年1月5日', '令和8年1月5日']);
    // The day before the closure is open: Monday 2026-12-28 stays.
    expect(deadlines('2026-11-28')).toEqual(['令和8年12月28日', '令和8年12月28日']);
  });
});

describe('a 認定通知書 after a staff override of the amount', () => {
  // The engine counted two children in its order; staff set 15,000円 for a reason of their own
  // (here one that speaks of a 第3子). The letter must not print the engine's 第1子・第2子 or its
  // categories (（第1子・第2子）) beside an amount they do not add up to.
  const citation = { title: '児童手当法', article: '第6条' };
  const engineSteps: AmountStep[] = [
    { component: 'child', person_id: 'C1', birth_order: 1, age: 10, text_ja: '3歳以上高校生年代まで（第1子・第2子）', value_yen: 10000, citation },
    { component: 'child', person_id: 'C2', birth_order: 2, age: 7, text_ja: '3歳以上高校生年代まで（第1子・第2子）', value_yen: 10000, citation },
  ];
  const reason = '第3子として数える22歳年度末までの子がいることを確認したため、15,000円とします';
  const explanation = {
    program: 'child-allowance', program_name_ja: '児童手当', rule_version: 'r', engine_version: 'e', rules_file: 'f',
    evaluation_date: '2024-10-01', membership_date: '2024-09-30', outcome: 'eligible', conditions: [],
    amount: { total_yen: 15000, paid: true, period_kind: 'monthly', steps: [{ component: 'staff', text_ja: '職員が決定した額', value_yen: 15000, citation: { title: '職員による決定', article: reason } }] },
    recipient: { person_id: 'P1', reason_ja: '' },
    staff: { login: 'sup', reason },
  } as unknown as Explanation;
  const notice = decisionNotice({
    ...common,
    kind: '支給決定',
    decision: { decision_id: 'S1', change_kind: 'new', outcome: 'eligible', amount_yen: 15000, period_kind: 'monthly', effective_from: '2024-10-01', explanation },
    names: new Map([['C1', '宮崎 美桜'], ['C2', '宮崎 結翔']]),
    engineSteps,
  });

  it('gives staff\'s amount, and names the children the engine counted without a birth order or the engine\'s categories', () => {
    expect(notice.amountYen).toBe(15000);
    expect(notice.breakdown).toEqual([
      { label: '担当職員が決定した額', amountYen: 15000 },
      { label: '対象のお子さま\u3000宮崎 美桜（10歳）' },
      { label: '対象のお子さま\u3000宮崎 結翔（7歳）' },
    ]);
    expect(JSON.stringify(notice.breakdown)).not.toMatch(/第[0-9１-９]子/);
  });

  it('gives staff\'s reason first', () => {
    expect(notice.reasons[0]).toBe(`担当職員が記録を確認し、次の理由により決定しました：${reason}。`);
  });
});

describe('payment schedule and 時効 in notices', () => {
  it('describes the schedule in force for the months paid from the issue date', () => {
    expect(scheduleSentence(program, '2024-12-13')).toBe('偶数月（2月・4月・6月・8月・10月・12月）に、前月までの2か月分をお支払いします。');
    expect(scheduleSentence(program, '2024-07-01')).toBe('2月・6月・10月に、前月までの4か月分をお支払いします。');
  });

  it('names the months 時効 leaves unpaid, with the article', () => {
    const line = lapsedLine(program, [
      { start: '2022-10-01', end: '2023-01-31' },
      { start: '2023-02-01', end: '2023-05-31' },
    ]);
    expect(line).toBe('時効により支払われない期間：令和4年10月分から令和5年5月分まで（支払月から2年を経過した分は、児童手当法第23条により、受け取る権利が時効で消滅しているため、お支払いできません）');
    expect(lapsedLine(program, [])).toBeUndefined();
  });
});

describe('the contact a letter prints', () => {
  const children = [{ personId: 'C3', name: '山田 一郎' }];
  const own = { ...settings, contacts: { 'child-allowance': { department: 'こども青少年局 子育て支援課 児童手当係', phone: '045-671-0000' } } };

  it('is the program\'s section where the settings give one, with the municipality\'s address', () => {
    const notice = confirmationRequestNotice({ ...common, settings: own, householdId: 'H1', children });
    expect(notice.municipality).toMatchObject({ department: 'こども青少年局 子育て支援課 児童手当係', phone: '045-671-0000', address: settings.address });
    expect(notice.summary).toContain('提出期限までにこども青少年局 子育て支援課 児童手当係へ');
    expect(notice.details).toContainEqual({ label: '提出先', value: `${settings.name} こども青少年局 子育て支援課 児童手当係（${settings.address}）` });
    const asked = informationRequestNotice({ ...common, settings: own, actionId: 1, request: '同居されていますか' });
    expect(asked.details).toContainEqual({ label: '回答先', value: `${settings.name} こども青少年局 子育て支援課 児童手当係（${settings.address}、電話 045-671-0000）` });
  });

  it('is the municipality\'s department for a program the settings do not name', () => {
    const other = { ...settings, contacts: { 'low-income-household-2024': { department: '給付金担当', phone: '045-000-0000' } } };
    const notice = confirmationRequestNotice({ ...common, settings: other, householdId: 'H1', children });
    expect(notice.municipality).toMatchObject({ department: settings.department, phone: settings.phone });
  });
});
