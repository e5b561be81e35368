import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import type { NoticeContent } from '../../src/notices/notice-content.ts';
import { tableRows } from '../../src/notices/notice-pdf.ts';
import { exportPayments } from '../../src/payments/export-payments.service.ts';
import { decisionView } from '../../src/review/case-reads.service.ts';
import { actOnReviewItem, confirmOverride } from '../../src/review/review-action.service.ts';
import { addUser, type StaffUser } from '../../src/staff/staff.service.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { BASE_PROGRAMS, nightlyContext, postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';

const OUT = fileURLToPath(new URL('../../test-output/notices/', import.meta.url));

/**
 * Issue 16, points 2-4, on letters a real nightly makes and renders, read back with pdftotext:
 * one envelope per addressee and household per run, consistent letters (a 認定 of a household
 * without an account says the payment waits for the enclosed account request), what an official
 * letter carries, reasons a resident reads, and staff decisions explained by staff's reasons.
 */
describe('letters a municipality would mail', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const settings = payingSettings(m);
  const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
  const nightly = (date: string) => runNightly(nightlyContext(env, BASE_PROGRAMS), date, false);
  const notices = (household: string) =>
    env.db.selectFrom('notices').select(['id', 'kind', 'content', 'file', 'decision_id', 'person_id']).where('municipality_code', '=', m).where('household_id', '=', household).orderBy('id').execute();
  const text = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const flat = (file: string) => text(file).replace(/\s+/g, '');
  /** Page 1 as PNG under test-output/notices/, to look at. */
  const png = (file: string, name: string) => {
    fs.mkdirSync(OUT, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, `${OUT}${name}`]);
  };
  let staff: StaffUser[] = [];
  let summary: Awaited<ReturnType<typeof nightly>>;

  beforeAll(async () => {
    env = await postgresWithRedis(BASE_PROGRAMS);
    await updateSettings(env.db, m, settings);
    const child = (person_id: string, household_id: string, given_name: string, birth_date: string, family_name: string, address: string) =>
      resident({ person_id, household_id, relationship: '子', family_name, given_name, given_name_kana: 'コ', birth_date, effective_date: birth_date > '2010-01-01' ? birth_date : '2010-01-01', address });
    const head = (person_id: string, household_id: string, family_name: string, address: string) =>
      resident({ person_id, household_id, family_name, family_name_kana: 'カナ', birth_date: '1985-04-10', effective_date: '2010-01-01', address });
    await load('residents', [
      // Two children, an account: a 認定通知書 naming both, paying October and November now.
      head('A1', 'HA', '青木', '中区本町2丁目14-3'),
      child('A2', 'HA', '一郎', '2016-05-10', '青木', '中区本町2丁目14-3'),
      child('A3', 'HA', '花子', '2020-07-01', '青木', '中区本町2丁目14-3'),
      // No account: the 認定 says the payment waits, the account request is in the same envelope.
      head('B1', 'HB', '馬場', '西区みなとみらい2丁目3-1'),
      child('B2', 'HB', '次郎', '2018-02-02', '馬場', '西区みなとみらい2丁目3-1'),
      // A 20-year-old who would count as the first child once a 確認書 confirms it: 要審査; staff approve it.
      head('C1', 'HC', '千葉', '南区浦舟町1-1'),
      child('C2', 'HC', '三郎', '2019-03-03', '千葉', '南区浦舟町1-1'),
      child('C3', 'HC', '大輔', '2004-06-01', '千葉', '南区浦舟町1-1'),
      child('C4', 'HC', '五月', '2021-05-05', '千葉', '南区浦舟町1-1'),
      // Paid and exported, then staff lower the amount: the 返還 gives staff's reason.
      head('D1', 'HD', '土屋', '港北区日吉1丁目1-1'),
      child('D2', 'HD', '四郎', '2015-04-04', '土屋', '港北区日吉1丁目1-1'),
      // 要審査 as HC, never paid: staff reject it, a 不支給決定通知書 with their reason and the 教示.
      head('E1', 'HE', '江藤', '保土ケ谷区岩井町1-7'),
      child('E2', 'HE', '六郎', '2019-03-03', '江藤', '保土ケ谷区岩井町1-7'),
      child('E3', 'HE', '七海', '2004-06-01', '江藤', '保土ケ谷区岩井町1-7'),
      child('E4', 'HE', '八重', '2021-05-05', '江藤', '保土ケ谷区岩井町1-7'),
      // Paid, then a 20-year-old joins (要審査), and staff reject it: the benefit ends (支給事由消滅通知書).
      head('F1', 'HF', '福田', '旭区鶴ケ峰1-1'),
      child('F2', 'HF', '九郎', '2019-03-03', '福田', '旭区鶴ケ峰1-1'),
      child('F4', 'HF', '十和', '2021-05-05', '福田', '旭区鶴ケ峰1-1'),
      // Alone and exempt from 住民税均等割: the 非課税世帯 給付金, run by another office than 児童手当.
      head('G1', 'HG', '権藤', '戸塚区戸塚町16-17'),
    ]);
    await load('income', ['A1', 'B1', 'C1', 'D1', 'E1', 'F1'].flatMap((p) => [income({ person_id: p }), income({ person_id: p, fiscal_year: '2023' })]));
    await load('income', ['2024', '2023'].map((fiscal_year) => income({ person_id: 'G1', fiscal_year, total_income: '900000', kintowari: '0', shotokuwari: '0' })));
    await load('accounts', ['A1', 'C1', 'D1', 'E1', 'F1', 'G1'].map((p, i) => account({ person_id: p, account_number: `765432${i}` })));
    const suffix = Math.random().toString(36).slice(2, 8);
    staff = [];
    for (const login of [`sup1-${suffix}`, `sup2-${suffix}`]) staff.push(await addUser(env.db, { login, role: 'supervisor', municipalityCode: m, password: 'correct horse battery' }));
    summary = await nightly('2024-12-13');
  }, 180_000);
  afterAll(() => env?.close());

  it('prints an official 認定通知書: 文書番号, 公印省略, full address, children named, the amount paid on the date, reasons a resident reads', async () => {
    const [letter] = await notices('HA');
    const content = letter.content as unknown as NoticeContent;
    const t = flat(letter.file!);
    png(letter.file!, 'official-nintei');
    expect(content.title).toBe('児童手当 認定通知書');
    expect(t).toContain('児童手当認定通知書');
    // 文書番号: counted per 記号 and 年度 in the municipality, from 1, none given twice or skipped.
    const numbers = await env.db
      .selectFrom('notices as n')
      .innerJoin('notice_numbers as nn', 'nn.notice_id', 'n.notice_id')
      .select(['n.notice_id', 'nn.symbol', 'nn.fiscal_year', 'nn.number'])
      .where('n.municipality_code', '=', m)
      .where('n.program', '=', 'child-allowance')
      .orderBy('nn.number')
      .execute();
    const all = await env.db.selectFrom('notices').select(sql<number>`count(*)::int`.as('n')).where('municipality_code', '=', m).where('program', '=', 'child-allowance').executeTakeFirstOrThrow();
    expect(numbers.length).toBeGreaterThan(3);
    expect(numbers.length).toBe(all.n); // every letter has one
    expect(numbers.map((r) => `${r.symbol}第${r.number}号 ${r.fiscal_year}`)).toEqual(numbers.map((_, i) => `こ家第${i + 1}号 2024`));
    const own = numbers.find((r) => r.notice_id === content.noticeId)!;
    expect(t).toContain(`こ家第${own.number}号`);
    expect(t).toContain('（公印省略）');
    expect(t).toContain('神奈川県横浜市中区本町2丁目14-3');
    expect(t).toContain('青木一郎'); // the children in the 内訳
    expect(t).toContain('青木花子');
    expect(t).toContain('今回のお支払額');
    expect(t).toContain('令和6年10月分・11月分');
    expect(t).toContain('40,000円'); // 2 months × (10,000 + 10,000)
    expect(t).toContain('お子さま2人（高校生年代まで）を養育しています');
    expect(t).toContain('令和6年10月分の手当の支給と額は、その前月の末日（令和6年9月30日）の住民記録による世帯の状況');
    for (const staffOnly of ['値：', '基準：', '根拠：', '○', '×', '？']) expect(t).not.toContain(staffOnly);
  });

  it('puts one run’s letters to one person of one household in one envelope, and the 認定 without an account says the payment waits', async () => {
    const letters = await notices('HB');
    expect(letters.map((l) => l.kind).sort()).toEqual(['口座登録のお願い', '支給決定']);
    expect(new Set(letters.map((l) => l.file)).size).toBe(1); // one PDF: one envelope
    const granted = letters.find((l) => l.kind === '支給決定')!.content as unknown as NoticeContent;
    expect(granted.paymentDate).toBeUndefined();
    expect(granted.summary).toContain('同封の「振込口座登録のお願い」');
    expect(granted.paymentWaits).toBe('口座のご登録後の支払日（同封の「振込口座登録のお願い」をご覧ください）');
    const t = flat(letters[0].file!);
    expect(t).not.toContain('令和6年12月13日支払'); // no payment date that cannot be kept
    expect(t).toContain('同封書類');
    expect(t.indexOf('児童手当認定通知書')).toBeLessThan(t.indexOf('振込口座登録のお願い'));
    const manifest = parse(fs.readFileSync(summary.manifests[0], 'utf8').replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    const envelopes = new Set(manifest.filter((r) => r.name.startsWith('馬場')).map((r) => r.envelope));
    expect(envelopes.size).toBe(1);
  });

  it('merges what one run decided twice for one household and program into one letter', async () => {
    // Two births recorded late, decided in one run: October changes (a child born in September)
    // and December again (one born in November). One letter gives the amounts by month.
    const born = (person_id: string, given_name: string, birth_date: string) =>
      resident({ person_id, household_id: 'HA', relationship: '子', family_name: '青木', given_name, given_name_kana: 'コ', birth_date, effective_date: birth_date, address: '中区本町2丁目14-3' });
    await load('residents', [born('A4', '三郎', '2024-09-10'), born('A5', '四郎', '2024-11-05')]);
    await nightly('2024-12-20');
    const decided = await env.db.selectFrom('decisions').select('decision_id').where('municipality_code', '=', m).where('household_id', '=', 'HA').where('program', '=', 'child-allowance').where('decided_at', '>', new Date(Date.now() - 60_000)).execute();
    expect(decided.length).toBeGreaterThan(1);
    const letters = (await notices('HA')).filter((l) => l.kind !== '口座登録のお願い').slice(1);
    expect(letters.map((l) => l.kind)).toEqual(['額の変更']);
    const content = letters[0].content as unknown as NoticeContent;
    expect(content.title).toBe('児童手当 額改定通知書');
    expect(content.amountHistory?.map((d) => d.label)).toEqual(['令和6年10月分から', '令和6年12月分から']);
    expect(content.paidNow).toBeUndefined(); // February's payment is not all known in December
    expect(flat(letters[0].file!)).toContain('青木四郎');
    png(letters[0].file!, 'official-kaitei');
    // The staff page of each decision the letter covers shows it, not only that of the last one.
    expect(content.decisionIds?.length).toBeGreaterThan(1);
    for (const decisionId of content.decisionIds!) {
      const view = await decisionView(env.db, staff[0], decisionId, 'review');
      expect(view.notices.map((n) => n.notice_id), decisionId).toContain(content.noticeId);
    }
  });

  it('reads a 要審査 case staff approved as staff’s decision, without the unknown condition', async () => {
    const [item] = await env.db.selectFrom('review_items').select('id').where('municipality_code', '=', m).where('household_id', '=', 'HC').where('kind', '=', 'decision_review').execute();
    await actOnReviewItem(env.db, staff[0], item.id, { action: 'approve', reason: '確認書の提出がないため、高校生年代までのお子さま2人の額で支給します' });
    // Never paid before: a new benefit (支給（新規）on the staff pages), not 支給再開.
    const approved = await env.db.selectFrom('decisions').select(['change_kind', 'outcome']).where('municipality_code', '=', m).where('household_id', '=', 'HC').where('decided_by', 'is not', null).executeTakeFirstOrThrow();
    expect(approved).toEqual({ change_kind: 'new', outcome: 'eligible' });
    await nightly('2024-12-21');
    const [letter] = (await notices('HC')).filter((l) => l.kind === '支給決定');
    const t = flat(letter.file!);
    png(letter.file!, 'official-staff-approved');
    expect(t).toContain('確認書の提出がないため、高校生年代までのお子さま2人の額で支給します');
    expect(t).not.toContain('確認できません');
    expect(t).not.toContain('不明');
    expect(t).not.toContain('再開');
  });

  it('explains a 返還 after a staff override by the override’s reason, not by a correction of the records', async () => {
    await exportPayments(env.db, m, '2024-12-13', settings);
    const decision = await env.db.selectFrom('decisions').select(['decision_id', 'amount_yen']).where('municipality_code', '=', m).where('household_id', '=', 'HD').where('program', '=', 'child-allowance').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const [item] = await env.db
      .insertInto('review_items')
      .values({ municipality_code: m, kind: 'large_change', item_key: decision.decision_id, program: 'child-allowance', household_id: 'HD', person_id: 'D1', decision_id: decision.decision_id, amount_yen: decision.amount_yen, detail: JSON.stringify({}) } as never)
      .returning('id')
      .execute();
    const reason = '同居していない児童の分を含めて支給していたことが判明したため、5,000円に改めます';
    const override = await actOnReviewItem(env.db, staff[0], item.id, { action: 'override', outcome: 'eligible', amount_yen: 5000, reason });
    await confirmOverride(env.db, staff[1], override.action_id);
    await nightly('2024-12-22');
    const back = (await notices('HD')).find((l) => l.kind === '返還');
    expect(back).toBeDefined();
    const t = flat(back!.file!);
    png(back!.file!, 'official-henkan');
    expect(t).toContain('同居していない児童の分を含めて支給していた');
    expect(t).not.toContain('住民記録または税情報の訂正');
    // The 額改定通知書 gives the amount before and after, and names the child the engine counted.
    const changed = (await notices('HD')).find((l) => l.kind === '額の変更');
    expect(changed).toBeDefined();
    const content = changed!.content as unknown as NoticeContent;
    expect(content.amountHistory).toEqual([{ label: '改定前の額', value: '月額\u300010,000円' }]);
    expect(content.amountLabel).toBe('改定後の額');
    const letter = flat(changed!.file!);
    png(changed!.file!, 'official-kaitei-override');
    expect(letter).toContain('改定前の額月額10,000円');
    expect(letter).toContain('改定後の額月額5,000円');
    expect(letter).toContain('担当職員が決定した額');
    expect(letter).toContain('土屋四郎');
    // Not the engine's birth order or its category (（第1子・第2子）): staff's amount replaced them.
    expect(letter).not.toMatch(/第[0-9]子/);
    expect(content.breakdown).toEqual([{ label: '担当職員が決定した額', amountYen: 5000 }, { label: expect.stringMatching(/^対象のお子さま\u3000土屋 四郎（[0-9]+歳）$/) }]);
  });

  it('asks the resident a reviewer\'s question (照会) as a question, with a reply deadline and where to answer, not as the reason for a decision', async () => {
    const [item] = await env.db.selectFrom('review_items').select('id').where('municipality_code', '=', m).where('household_id', '=', 'HB').where('status', '=', 'open').execute();
    await actOnReviewItem(env.db, staff[0], item.id, { action: 'request_info', reason: 'お子さまの次郎さんと同居されているか教えてください' });
    await nightly('2024-12-23');
    const [letter] = (await notices('HB')).filter((l) => l.kind === '確認のお願い');
    png(letter.file!, 'official-shokai');
    const t = flat(letter.file!);
    expect(t).toContain('お尋ねしたいこと');
    expect(t).not.toContain('判定の理由');
    expect(t).toContain('お子さまの次郎さんと同居されているか教えてください。');
    expect(t).toContain('回答期限令和7年1月22日');
    expect(t).toContain('回答先');
    expect(t).toContain(`${settings.name}${settings.department}`.replace(/\s/g, ''));
    expect(t).not.toContain('不服申立て');
  });

  it('tells a household whose child left that the benefit ends (支給事由消滅通知書), and why in words', async () => {
    await load('residents', [resident({ person_id: 'B2', household_id: 'HB', relationship: '子', family_name: '馬場', given_name: '次郎', given_name_kana: 'コ', birth_date: '2018-02-02', status: 'moved_out', effective_date: '2024-12-25', address: '西区みなとみらい2丁目3-1' })]);
    await nightly('2025-01-10');
    const [ended] = (await notices('HB')).filter((l) => l.kind === '支給停止');
    const content = ended.content as unknown as NoticeContent;
    png(ended.file!, 'official-shometsu');
    expect(content.title).toBe('児童手当 支給事由消滅通知書');
    const t = flat(ended.file!);
    expect(t).toContain('令和7年1月分から支給しないこととなりました');
    expect(t).toMatch(/同じ世帯にいません|世帯員がいなくなりました/);
    for (const staffOnly of ['値：', '基準：', '根拠：']) expect(t).not.toContain(staffOnly);
  });
  it('sends a 要審査 case staff reject a letter with staff’s reason and the 教示: 不支給決定通知書, or 支給事由消滅通知書 where the benefit was being paid', async () => {
    // HF was paid from the first run; a 20-year-old joins, which the engine cannot decide without a 確認書.
    await load('residents', [
      resident({ person_id: 'F3', household_id: 'HF', relationship: '子', family_name: '福田', given_name: '七瀬', given_name_kana: 'コ', birth_date: '2004-06-01', effective_date: '2024-12-02', address: '旭区鶴ケ峰1-1' }),
    ]);
    await nightly('2025-01-15');
    const reject = async (household: string, reason: string) => {
      const [item] = await env.db.selectFrom('review_items').select('id').where('municipality_code', '=', m).where('household_id', '=', household).where('kind', '=', 'decision_review').where('status', '=', 'open').execute();
      expect(item, household).toBeDefined();
      await actOnReviewItem(env.db, staff[0], item.id, { action: 'reject', reason });
    };
    await reject('HE', '七海さんは就職により独立して生計を営んでおり、あなたが生計費を負担していないことを確認したため');
    await reject('HF', 'お子さま3人のうち九郎さん及び十和さんは、令和6年12月から祖父母が監護していることを確認したため');
    await nightly('2025-01-16');
    const letterOf = async (household: string, kind: string) => {
      const letters = (await notices(household)).filter((l) => l.kind === kind);
      expect(letters.map((l) => l.kind), household).toEqual([kind]);
      return { content: letters[0].content as unknown as NoticeContent, t: flat(letters[0].file!), file: letters[0].file! };
    };
    const never = await letterOf('HE', '不支給');
    png(never.file, 'official-staff-rejected');
    expect(never.content.title).toBe('児童手当 不支給決定通知書');
    expect(never.t).toContain('児童手当不支給決定通知書');
    expect(never.t).toContain('あなたの児童手当について、次の理由により令和6年10月分から支給しないことに決定しました');
    expect(never.t).toContain('七海さんは就職により独立して生計を営んでおり、あなたが生計費を負担していないことを確認したため');
    const ended = await letterOf('HF', '支給停止');
    png(ended.file, 'official-staff-rejected-shometsu');
    expect(ended.content.title).toBe('児童手当 支給事由消滅通知書');
    expect(ended.t).toContain('九郎さん及び十和さんは、令和6年12月から祖父母が監護していることを確認したため');
    for (const { t } of [never, ended]) {
      expect(t).toMatch(/こ家第/);
      expect(t).toContain('（公印省略）');
      expect(t).toContain(`${settings.prefectural_governor}に対して審査請求をすることができます`.replace(/\s/g, ''));
      expect(t).toContain('3か月以内');
      expect(t).toContain('6か月以内');
      for (const staffOnly of ['確認できません', '不明', '値：', '基準：']) expect(t).not.toContain(staffOnly);
    }
  });

  it('sends residents of the 給付金 to the office that runs it, as the example settings say (contacts), not to 児童手当', async () => {
    const letters = (await notices('HG')).filter((l) => (l.content as unknown as NoticeContent).title.includes('給付金'));
    expect(letters.length).toBeGreaterThan(0);
    const own = settings.contacts['low-income-household-2024'];
    for (const letter of letters) {
      const t = flat(letter.file!);
      expect(t).toContain(own.department.replace(/\s/g, ''));
      expect(t).toContain(own.phone);
      expect(t).not.toContain('こども青少年局');
    }
    // Every program of the 2023–2024 rounds has its own contact in the example.
    for (const program of ['low-income-household-2024', 'price-relief-2023-exempt', 'price-relief-2023-kintowari-only', 'price-relief-2024-newly-exempt', 'tax-cut-adjustment-2024']) {
      expect(settings.contacts[program]?.department, program).toMatch(/健康福祉局/);
    }
  });

  it('fits every label of every letter on one line of its column (令和6年10月分から, 今回のお支払額)', async () => {
    const all = await env.db.selectFrom('notices').select(['kind', 'content', 'file']).where('municipality_code', '=', m).where('file', 'is not', null).execute();
    const kinds = new Set<string>();
    for (const letter of all) {
      const content = letter.content as unknown as NoticeContent;
      const labels = tableRows(content).map((row) => row.label).filter((l) => l && !l.includes('\n'));
      kinds.add(letter.kind);
      const lines = text(letter.file!);
      for (const label of labels) expect(lines, `${letter.kind}: ${label}`).toContain(label);
    }
    expect(kinds).toContain('支給停止');
    expect(kinds).toContain('額の変更');
  });
});
