import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wareki } from '../../src/engine/wareki.ts';
import { buildServer } from '../../src/http/server.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';
import { signIn, type Client } from './support/api-client.ts';
import { DATE, reviewFixture, type ReviewFixture } from './support/review-fixture.ts';

/** The review pages as a newcomer found them (issue 16, newcomer trial): what each form, column and label tells a clerk. */
describe('the review pages, as a newcomer reads them', () => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  let f: ReviewFixture;

  beforeAll(async () => {
    env = await postgresWithRedis();
    f = await reviewFixture(env);
    server = await buildServer(env);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  const get = (c: Client, url: string) => server.inject({ method: 'GET', url, headers: { cookie: c.cookie } });
  const act = (c: Client, itemId: number, payload: Record<string, unknown>) =>
    server.inject({ method: 'POST', url: `/v1/review-items/${itemId}/actions`, headers: { cookie: c.cookie, 'x-csrf-token': c.csrf }, payload });
  /** The open items of a kind, oldest first, with their decision. */
  const openItems = async (kind: string) =>
    (await sql<{ id: number; decision_id: string | null; household_id: string }>`
      select id, decision_id, household_id from review_items where municipality_code = ${f.m} and kind = ${kind} and status = 'open' order by id`.execute(env.db)).rows;
  /** Each form's legend with the label of its text box. */
  const reasonLabels = (body: string) =>
    new Map([...body.matchAll(/<legend>([^<]+)<\/legend>[\s\S]*?<label>([^<]*)<textarea[^>]*placeholder="([^"]*)"/g)].map((m) => [m[1].replace(/（.*$/, ''), `${m[2].trim()}｜${m[3]}`]));

  it('says on every reason field whether its text goes into the resident\'s letter', async () => {
    const reviewer = await signIn(server, f.users.reviewer);
    const [review] = await openItems('decision_review');
    const forms = reasonLabels((await get(reviewer, `/decisions/${review.decision_id}?purpose=review`)).body);
    // A staff decision's reason (approve, reject, override) is printed in the 認定・不支給 letter; the 照会 is the letter.
    for (const legend of ['承認', '却下', '判定の変更', '本人への照会']) expect(forms.get(legend), legend).toContain('通知書に記載されます');
    expect(forms.get('保留')).toContain('内部の記録（必須・通知書には載りません）');
    // Approving a large change makes no staff decision: its reason stays in the office.
    const { rows: [other] } = await sql<{ id: number; kind: string; household_id: string }>`
      select id, kind, household_id from review_items where municipality_code = ${f.m} and kind <> 'decision_review' and status = 'open' order by id limit 1`.execute(env.db);
    const household = (await get(reviewer, `/households/${other.household_id}?purpose=review`)).body;
    const otherForms = reasonLabels(household.slice(household.indexOf(`<section id="item-${other.id}">`)));
    expect(otherForms.get('承認')).toContain('内部の記録（任意・通知書には載りません）');
    // The bulk approval: a 要審査 item's approval is a staff decision, another kind's is not.
    expect((await get(reviewer, '/review?kind=decision_review')).body).toMatch(/<label>理由（必須・通知書に記載されます） <textarea name="reason"/);
    expect((await get(reviewer, `/review?kind=${other.kind}`)).body).toMatch(/<label>内部の記録（必須・通知書には載りません） <textarea name="reason"/);
  });

  it('shows an item asked about (照会) as 照会中（回答待ち） in the queue, with a filter, still open for the next action', async () => {
    const reviewer = await signIn(server, f.users.reviewer);
    const [, asked] = await openItems('decision_review');
    expect((await act(reviewer, asked.id, { action: 'request_info', reason: '前住所地の課税証明書をご提出ください' })).statusCode).toBe(200);
    // The usual list (未処理と保留中) still holds it, with its state said.
    const queue = (await get(reviewer, '/review?sort=date_desc')).body;
    expect(queue).toContain(`>${asked.id}</a></td>`);
    expect(queue.slice(queue.indexOf(`>${asked.id}</a></td>`))).toMatch(/^[^\n]*<td class="nw">照会中（回答待ち）<\/td>/);
    // A filter of its own, in the select list, in the API too.
    expect(queue).toContain('<option value="awaiting_reply">照会中（回答待ち）</option>');
    const filtered = (await get(reviewer, '/v1/review-items?status=awaiting_reply')).json();
    expect(filtered.rows.map((r: { id: number }) => r.id)).toEqual([asked.id]);
    expect((await get(reviewer, '/review?status=awaiting_reply')).body).toContain(`>${asked.id}</a></td>`);
    // The item's own page says so too, and the item can still be decided.
    expect((await get(reviewer, `/decisions/${asked.decision_id}?purpose=review`)).body).toContain(`審査項目 ${asked.id}: 要審査（判定不能）（照会中（回答待ち））`);
    expect((await get(reviewer, `/households/${asked.household_id}?purpose=review`)).body).toMatch(new RegExp(`審査項目 ${asked.id}</a></td><td>[^<]*：要審査（判定不能）（照会中（回答待ち））`));
    expect((await act(reviewer, asked.id, { action: 'approve' })).statusCode).toBe(200);
    expect((await get(reviewer, '/v1/review-items?status=awaiting_reply')).json().rows).toEqual([]);
  });

  it('shows in the resolved queue when and by whom each item was resolved, newest first on asking, and exports them', async () => {
    const reviewer = await signIn(server, f.users.reviewer);
    const reviewer2 = await signIn(server, f.users.reviewer2);
    const [first, second] = (await openItems('decision_review')).slice(-2);
    expect((await act(reviewer, first.id, { action: 'approve' })).statusCode).toBe(200);
    expect((await act(reviewer2, second.id, { action: 'reject', reason: '前住所地で課税' })).statusCode).toBe(200);
    const page = (await get(reviewer, '/review?status=resolved&sort=resolved_desc')).body;
    expect(page).toContain('<th>処理日時</th><th>処理者</th>');
    expect(page).toContain('<option value="resolved_desc" selected>処理日時の新しい順</option>');
    const rows = [...page.matchAll(/<tr><td class="nw"><a href="[^"]*">(\d+)<\/a><\/td>.*?<\/tr>/gs)];
    expect(rows.slice(0, 2).map((m) => Number(m[1]))).toEqual([second.id, first.id]);
    expect(rows[0][0]).toMatch(new RegExp(`<td class="nw">令和\\d+年\\d+月\\d+日 \\d\\d:\\d\\d</td><td>${f.users.reviewer2}</td>`));
    expect(rows[1][0]).toContain(`<td>${f.users.reviewer}</td>`);
    const csv = (await get(reviewer, '/review.csv?status=resolved&sort=resolved_desc')).body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(csv[0]).toMatch(/,登録日時（実際の時刻）,処理日時,処理者$/);
    expect(csv[1]).toMatch(new RegExp(`^${second.id},.*,令和\\d+年\\d+月\\d+日 \\d\\d:\\d\\d,${f.users.reviewer2}$`));
    // The open list's CSV keeps its columns.
    expect((await get(reviewer, '/review.csv')).body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('番号,種類,状態,制度,制度ID,世帯番号,世帯主,金額（円）,金額の単位,決定番号,登録日時（実際の時刻）');
  });

  it('links a member\'s access log from the household page with the page\'s own purpose, never a silent 開示請求', async () => {
    const reviewer = await signIn(server, f.users.reviewer);
    const [item] = await openItems('decision_review');
    const body = (await get(reviewer, `/households/${item.household_id}?purpose=review`)).body;
    const links = [...body.matchAll(/href="(\/persons\/[^"]+\/access-log[^"]*)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(new URL(link, 'http://x').searchParams.get('purpose')).toBe('review');
    const counter = (await get(reviewer, `/households/${item.household_id}?purpose=counter`)).body;
    expect(counter).toMatch(/\/access-log\?purpose=counter"/);
    expect(counter).not.toContain('purpose=disclosure');
  });

  it('calls a staff 却下 the staff\'s decision, not 「判定の変更」 (the override\'s name), in the household\'s 経過 and where it replaced a decision', async () => {
    const reviewer = await signIn(server, f.users.reviewer);
    const [item] = await openItems('decision_review');
    const rejected = await act(reviewer, item.id, { action: 'reject', reason: '前住所地で課税されていることを確認' });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const staffDecision = rejected.json().decision_id as string;
    const household = (await get(reviewer, `/households/${item.household_id}?purpose=review`)).body;
    const line = household.slice(household.indexOf(`>${staffDecision}</a>`)).split('</tr>')[0];
    expect(line).toContain('不支給（職員の判断）');
    expect(line).not.toContain('判定の変更');
    const replaced = (await get(reviewer, `/decisions/${item.decision_id}?purpose=review`)).body;
    expect(replaced).toContain(`${staffDecision}</a>（職員の判断）に置き換えられています。`);
  });

  it('names the decision\'s as-of date 判定の基準日, and the nightly that decided it by its own date', async () => {
    const reviewer = await signIn(server, f.users.reviewer);
    // A nightly decides earlier months too (a retroactive change): the as-of date is the month's, not the run's.
    const { rows: [d] } = await sql<{ decision_id: string; as_of: string }>`
      select decision_id, to_char(as_of, 'YYYY-MM-DD') as as_of from decisions where municipality_code = ${f.m} and decided_by is null order by as_of, id limit 1`.execute(env.db);
    const body = (await get(reviewer, `/decisions/${d.decision_id}?purpose=review`)).body;
    expect(body).not.toContain('基準日（夜間処理の日付）');
    expect(body).toContain(`<tr><th>判定の基準日</th><td>${wareki(d.as_of)}時点の情報で判定</td></tr>`);
    expect(body).toContain(`<tr><th>夜間処理の日付</th><td>${wareki(DATE)}</td></tr>`);
  });

  it('keeps a 世帯主\'s name on one line in the queue', async () => {
    const viewer = await signIn(server, f.users.viewer);
    const [row] = (await get(viewer, '/v1/review-items?kind=decision_review')).json().rows as { head_name: string }[];
    expect((await get(viewer, '/review?kind=decision_review')).body).toContain(`<td class="nw">${row.head_name}</td>`);
  });
});
