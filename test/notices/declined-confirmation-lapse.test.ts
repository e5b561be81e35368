import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import type { NoticeContent } from '../../src/notices/notice-content.ts';
import { exportPayments } from '../../src/payments/export-payments.service.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { BASE_PROGRAMS, ENVIRONMENTS, nightlyContext, type TestEnvironment } from '../support/test-environments.ts';

const programs = BASE_PROGRAMS;

/**
 * The engine's decisions for a 辞退 and for a missing 確認書 are written here by hand (the way the
 * engine will record them: a failed condition `declined`; a review with the condition
 * `supported_student_confirmation` unknown, its value the children's ids), next to the decisions
 * the engine makes, and the nightly's payments and notices follow them. Last, a decision reaching
 * back to 2022 shows 時効: periods whose payment date is more than two years before the payment
 * are not paid, and the 支給決定 says which months.
 */
describe.each(ENVIRONMENTS)('辞退, 確認書 requests and 時効 in payments and notices ($name)', ({ open }) => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const settings = payingSettings(m);
  const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
  const nightly = (date: string) => runNightly(nightlyContext(env, programs), date, false);
  const lines = (household: string) =>
    env.db.selectFrom('payment_lines').selectAll().where('municipality_code', '=', m).where('household_id', '=', household).orderBy('id').execute()
      .then((rows) => rows.map((l) => `${l.period_start} ${l.payment_date} ${l.kind} ${l.amount_yen} ${l.status}`));
  const notices = (household: string) =>
    env.db.selectFrom('notices').select(['kind', 'content', 'file', 'decision_id']).where('municipality_code', '=', m).where('household_id', '=', household).orderBy('id').execute();
  const recoveries = (household: string) =>
    env.db.selectFrom('review_items').selectAll().where('municipality_code', '=', m).where('household_id', '=', household).where('kind', '=', 'recovery').execute();
  let serial = 0;
  /** Records a decision as the engine would, superseding the household's latest one. */
  const decide = async (household: string, d: { effective_from: string; outcome: 'eligible' | 'ineligible' | 'review'; amount_yen: number; change_kind: string; recipient: string; conditions: unknown[] }) => {
    const latest = await env.db.selectFrom('decisions').select(['id', 'rule_version']).where('municipality_code', '=', m).where('household_id', '=', household).where('program', '=', 'child-allowance')
      .orderBy('id', 'desc').executeTakeFirst();
    const ruleVersion = (await env.db.selectFrom('decisions').select('rule_version').where('municipality_code', '=', m).where('program', '=', 'child-allowance').executeTakeFirstOrThrow()).rule_version;
    const explanation = {
      program: 'child-allowance', program_name_ja: '児童手当', rule_version: 'test', engine_version: 'test', rules_file: 'rules-2024-10.json',
      evaluation_date: d.effective_from, membership_date: d.effective_from, outcome: d.outcome, conditions: d.conditions,
      amount: { total_yen: d.amount_yen, paid: d.outcome === 'eligible', period_kind: 'monthly', steps: [] }, recipient: { person_id: d.recipient, reason_ja: '' },
    };
    await env.db.insertInto('decisions').values({
      decision_id: `DTEST${m}${++serial}`, municipality_code: m, program: 'child-allowance', household_id: household, change_kind: d.change_kind as 'new',
      outcome: d.outcome, amount_yen: d.amount_yen, recipient_person_id: d.recipient, period_kind: 'monthly', effective_from: d.effective_from,
      rule_version: ruleVersion, engine_version: 'test', as_of: d.effective_from, known_at: new Date(), inputs: JSON.stringify({ members: [{ person_id: d.recipient, relationship: '世帯主' }] }) as never,
      explanation: JSON.stringify(explanation) as never, explanation_text: '', supersedes: latest?.id ?? null,
    }).execute();
  };
  const declinedCondition = { id: 'declined', fact: 'declined', value: true, operator: 'equal', threshold: false, result: false, citation: { title: '児童手当法', article: '第4条' }, text_ja: '受給を辞退している' };
  const confirmation = (children: string[]) => ({
    id: 'supported_student_confirmation', fact: 'supported_students', value: children, operator: 'equal', threshold: true, result: null,
    citation: { title: '児童手当法', article: '第6条' }, text_ja: '22歳年度末までの子を監護・生計費負担しているかの確認書が未提出',
  });

  beforeAll(async () => {
    env = await open();
    await updateSettings(env.db, m, settings);
    const child = (person_id: string, household_id: string, given_name: string, birth_date: string, family_name = '山田') =>
      resident({ person_id, household_id, relationship: '子', family_name, given_name, given_name_kana: 'コ', birth_date, effective_date: birth_date });
    await load('residents', [
      resident({ person_id: 'A1', household_id: 'HA', relationship: '世帯主', birth_date: '1985-04-10', effective_date: '2010-01-01' }),
      child('A2', 'HA', '一郎', '2020-05-10'),
      resident({ person_id: 'B1', household_id: 'HB', relationship: '世帯主', family_name: '佐藤', family_name_kana: 'サトウ', birth_date: '1988-01-20', effective_date: '2010-01-01' }),
      child('B2', 'HB', '花', '2016-07-01', '佐藤'),
      resident({ person_id: 'C1', household_id: 'HC', relationship: '世帯主', family_name: '鈴木', family_name_kana: 'スズキ', birth_date: '1975-03-03', effective_date: '2010-01-01' }),
      child('C2', 'HC', '次郎', '2012-08-08', '鈴木'),
      // The student the 確認書 is about is registered elsewhere (the engine's own review is not in yet).
      resident({ person_id: 'C3', household_id: 'HC3', relationship: '世帯主', family_name: '鈴木', family_name_kana: 'スズキ', given_name: '大輔', given_name_kana: 'ダイスケ', birth_date: '2003-05-01' }),
      resident({ person_id: 'E1', household_id: 'HE', relationship: '世帯主', family_name: '高橋', family_name_kana: 'タカハシ', birth_date: '1980-02-02', effective_date: '2010-01-01' }),
      child('E2', 'HE', '三郎', '2015-04-10', '高橋'),
    ]);
    await load('income', ['A1', 'B1', 'C1', 'E1'].flatMap((p) => [income({ person_id: p }), income({ person_id: p, fiscal_year: '2023' })]));
    await load('accounts', ['A1', 'B1', 'C1', 'E1'].map((p, i) => account({ person_id: p, bank_code: '0001', branch_code: '001', account_number: `12345${60 + i}`, holder_kana: 'ヤマダ タロウ' })));
    await nightly('2024-12-13');
  }, 120_000);
  afterAll(() => env?.close());

  it('cancels the unexported line of a household that declined, claims nothing back, and sends it no notice', async () => {
    expect(await lines('HA')).toEqual(['2024-10-01 2024-12-13 regular 20000 due']);
    await decide('HA', { effective_from: '2024-10-01', outcome: 'ineligible', amount_yen: 0, change_kind: 'stopped', recipient: 'A1', conditions: [declinedCondition] });
    const summary = await nightly('2024-12-13');
    expect(await lines('HA')).toEqual(['2024-10-01 2024-12-13 regular 20000 cancelled']);
    expect(await recoveries('HA')).toEqual([]);
    expect((await notices('HA')).map((n) => n.kind)).toEqual(['支給決定']); // the first one, before the 辞退; no 支給停止
    expect(summary.notices_created).toBe(0);
  });

  it('claims nothing back for months paid before a retroactive 辞退, and notifies nothing while it stays declined', async () => {
    await exportPayments(env.db, m, '2024-12-13', settings);
    expect(await lines('HB')).toEqual(['2024-10-01 2024-12-13 regular 20000 exported']);
    await decide('HB', { effective_from: '2024-11-01', outcome: 'ineligible', amount_yen: 0, change_kind: 'stopped', recipient: 'B1', conditions: [declinedCondition] });
    await nightly('2024-12-20');
    expect(await recoveries('HB')).toEqual([]);
    expect(await lines('HB')).toEqual(['2024-10-01 2024-12-13 regular 20000 exported']);
    // A later correction of October (before the 辞退) is paid, but not notified while the household stays declined.
    await decide('HB', { effective_from: '2024-10-01', outcome: 'eligible', amount_yen: 15000, change_kind: 'amount_changed', recipient: 'B1', conditions: [] });
    await decide('HB', { effective_from: '2024-11-01', outcome: 'ineligible', amount_yen: 0, change_kind: 'stopped', recipient: 'B1', conditions: [declinedCondition] });
    await nightly('2024-12-21');
    expect(await lines('HB')).toEqual(['2024-10-01 2024-12-13 regular 20000 exported', '2024-10-01 2025-02-14 arrears 5000 due']);
    expect((await notices('HB')).map((n) => n.kind)).toEqual(['支給決定']);
  });

  it('asks once for the 確認書, naming the child, what to return, by when and why', async () => {
    await decide('HC', { effective_from: '2024-12-01', outcome: 'review', amount_yen: 0, change_kind: 'outcome_changed', recipient: 'C1', conditions: [confirmation(['C3'])] });
    expect((await nightly('2024-12-21')).notices_created).toBe(1);
    const [request] = (await notices('HC')).filter((n) => n.kind === '確認書提出のお願い');
    const content = request.content as unknown as NoticeContent;
    expect(content.title).toBe('児童手当 「監護相当・生計費の負担についての確認書」のご提出のお願い');
    expect(content.recipient.name).toBe('鈴木 太郎');
    expect(content.details).toContainEqual({ label: '対象のお子さん', value: '鈴木 大輔 様' });
    expect(content.details).toContainEqual({ label: '提出期限', value: '令和7年1月20日' });
    const text = execFileSync('pdftotext', ['-layout', request.file!, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
    expect(text).toContain('鈴木大輔様');
    expect(text).toContain('児童手当法第6条');
    expect(text).toContain('ご提出をお願いする理由');
    // A later decision that waits for the same 確認書 asks nothing again.
    await decide('HC', { effective_from: '2024-12-01', outcome: 'review', amount_yen: 0, change_kind: 'outcome_changed', recipient: 'C1', conditions: [confirmation(['C3'])] });
    expect((await nightly('2024-12-22')).notices_created).toBe(0);
    expect((await notices('HC')).filter((n) => n.kind === '確認書提出のお願い')).toHaveLength(1);
  });

  it('does not pay periods whose payment date is more than two years past (時効), and the 支給決定 names their months', async () => {
    // A benefit found now for a child since October 2022 (10,000 a month), paid on 15 August 2025.
    await decide('HE', { effective_from: '2022-10-01', outcome: 'eligible', amount_yen: 10000, change_kind: 'new', recipient: 'E1', conditions: [] });
    const summary = await nightly('2025-06-20');
    const paid = (await lines('HE')).filter((l) => l.includes('2025-08-15'));
    // October 2022 - January 2023 (due 15 February 2023) and February - May 2023 (due 15 June 2023) lapsed on 15 June 2025.
    expect(paid.map((l) => l.split(' ').slice(0, 1)[0])).toEqual(['2023-06-01', '2023-10-01', '2024-02-01', '2024-06-01', '2024-12-01', '2025-02-01', '2025-04-01']);
    expect(paid[0]).toBe('2023-06-01 2025-08-15 regular 40000 due');
    expect(summary.seconds).toBeDefined();
    const granted = (await notices('HE')).find((n) => n.decision_id === `DTEST${m}${serial}`)!;
    const reasons = (granted.content as unknown as NoticeContent).reasons;
    expect(reasons).toContainEqual(expect.stringContaining('時効により支払われない期間：令和4年10月分から令和5年5月分まで'));
  });
});
