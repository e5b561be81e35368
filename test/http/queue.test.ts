import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';
import { signIn, type Client } from './support/api-client.ts';
import { reviewFixture, type ReviewFixture } from './support/review-fixture.ts';

interface Row { id: number; kind: string; program: string; household_id: string; decision_id: string | null; amount_yen: number | null; head_name: string | null; created_at: string }

/**
 * The review queue for a day's work: programs by their Japanese names, sorting, the 世帯主, the
 * amount at stake on cases the engine could not decide, the filtered list as a CSV Excel opens,
 * and bulk approval that leaves overrides to their second supervisor.
 */
describe('the review queue', () => {
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
  const items = async (c: Client, query: string): Promise<Row[]> => {
    const res = await get(c, `/v1/review-items?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().rows;
  };

  it('names programs in Japanese with a select list, shows the 世帯主 and what a 要審査 case is worth, and sorts', async () => {
    const c = await signIn(server, f.users.viewer);
    const page = (await get(c, '/review?kind=decision_review')).body;
    expect(page).toMatch(/<select name="program">.*<option value="child-allowance">児童手当<\/option>/s);
    expect(page).toContain('<td>令和6年度 住民税非課税世帯 給付金</td>');
    expect(page).not.toMatch(/<td>low-income-household-2024<\/td>/);
    const review = await items(c, 'kind=decision_review');
    expect(review.length).toBeGreaterThan(0);
    // The amount approving would pay, not the 0円 recorded for an undecided case.
    expect(review.every((r) => (r.amount_yen ?? 0) > 0)).toBe(true);
    expect(page).not.toMatch(/<td class="num">0円/);
    const { rows: heads } = await sql<{ household_id: string; name: string }>`
      select household_id, family_name || ' ' || given_name as name from persons where municipality_code = ${f.m} and relationship = '世帯主'`.execute(env.db);
    for (const r of review) expect(r.head_name).toBe(heads.find((h) => h.household_id === r.household_id)!.name);
    expect(page).toContain(`<td class="nw">${review[0].head_name}</td>`);

    // Per month on a decision of a monthly program; a payment's item (口座未登録…) is what that payment pays.
    const all = (await get(c, '/v1/review-items?page=1')).json().rows as (Row & { period_kind: string | null })[];
    const csv = (await get(c, '/review.csv')).body.replace(/^\uFEFF/, '').trimEnd().split('\r\n').slice(1).map((l) => l.split(','));
    const unit = new Map(csv.map((cells) => [Number(cells[0]), cells[8]]));
    expect(all.some((r) => r.kind === 'missing_account' && r.period_kind === 'monthly')).toBe(true);
    for (const r of all) {
      expect(unit.get(r.id), `${r.id} ${r.kind}`).toBe(r.period_kind === 'monthly' && ['decision_review', 'large_change', 'stop'].includes(r.kind) ? '月額' : '');
    }

    const byAmount = await items(c, 'sort=amount_desc');
    const amounts = byAmount.map((r) => r.amount_yen ?? -1);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const newest = await items(c, 'sort=date_desc');
    expect(newest.map((r) => r.created_at)).toEqual([...newest.map((r) => r.created_at)].sort().reverse());
    const byKind = await items(c, 'sort=kind');
    expect(byKind.map((r) => r.kind)).toEqual([...byKind.map((r) => r.kind)].sort());
    expect((await get(c, '/v1/review-items?sort=nosuch')).statusCode).toBe(400);
  });

  it('exports the filtered list as a CSV Excel opens: a BOM, every row, no formula', async () => {
    const c = await signIn(server, f.users.viewer);
    const [first] = await items(c, 'kind=decision_review');
    const program = first.program;
    const names = await server.inject({ method: 'GET', url: '/review', headers: { cookie: c.cookie } });
    const name = new RegExp(`<option value="${program}">([^<]+)</option>`).exec(names.body)![1];
    // A name a spreadsheet would take for a formula.
    await sql`update persons set family_name = '=HYPERLINK("http://evil.example")' where municipality_code = ${f.m} and household_id = ${first.household_id} and relationship = '世帯主'`.execute(env.db);
    const res = await get(c, `/review.csv?kind=decision_review&program=${program}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="review-queue-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('番号,種類,状態,制度,制度ID,世帯番号,世帯主,金額（円）,金額の単位,決定番号,登録日時（実際の時刻）');
    const total = (await get(c, `/v1/review-items?kind=decision_review&program=${program}`)).json().total;
    expect(lines.length - 1).toBe(total);
    expect(lines.slice(1).every((l) => l.includes(',要審査（判定不能）,') && l.includes(`,${name},${program},`))).toBe(true);
    const row = lines.find((l) => l.startsWith(`${first.id},`))!;
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"")`);
    expect(row).toMatch(/,令和\d+年\d+月\d+日 \d{2}:\d{2}$/);
  });

  it('approves items of one kind in bulk, each recorded; an item on hold, whose override waits for a supervisor, or of another kind, is left alone', async () => {
    const reviewer = await signIn(server, f.users.reviewer);
    const other = await signIn(server, f.users.reviewer2);
    const review = (await items(reviewer, 'kind=decision_review')).filter((r) => r.decision_id);
    const [held, a, b, waiting] = review.slice(-4);
    const hold = await server.inject({ method: 'POST', url: `/v1/review-items/${held.id}/actions`, headers: { cookie: other.cookie, 'x-csrf-token': other.csrf },
      payload: { action: 'hold', reason: '本人に確認中' } });
    expect(hold.statusCode, hold.body).toBe(200);
    const [stop] = await items(reviewer, 'kind=large_change');
    const override = await server.inject({ method: 'POST', url: `/v1/review-items/${waiting.id}/actions`, headers: { cookie: other.cookie, 'x-csrf-token': other.csrf },
      payload: { action: 'override', outcome: 'eligible', amount_yen: 12345, reason: '特例' } });
    expect(override.statusCode, override.body).toBe(200);

    // The page offers it once the list shows one kind.
    expect((await get(reviewer, '/review')).body).not.toContain('一括承認');
    expect((await get(reviewer, '/review?kind=decision_review')).body).toContain('選んだ項目を一括承認する');
    const form = new URLSearchParams({ _csrf: reviewer.csrf, kind: 'decision_review', reason: '課税証明書で確認', back: '/review?kind=decision_review' });
    for (const id of [held.id, a.id, b.id, waiting.id, ...(stop ? [stop.id] : [])]) form.append('ids', String(id));
    const res = await server.inject({ method: 'POST', url: '/review-items/bulk-approve', headers: { cookie: reviewer.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
    expect(res.statusCode, res.body).toBe(303);
    const back = new URL(res.headers.location as string, 'http://x');
    expect(back.searchParams.get('approved')).toBe('2');
    expect(back.searchParams.get('skipped')).toContain(`${waiting.id}:上書きが監督者の確認を待っています`);
    // Someone held it on purpose: releasing the hold is a decision of its own.
    expect(back.searchParams.get('skipped')).toContain(`${held.id}:保留中です`);
    if (stop) expect(back.searchParams.get('skipped')).toContain(`${stop.id}:選んだ種類と違う項目です`);
    expect((await get(reviewer, `${back.pathname}${back.search}`)).body).toContain('2件を承認しました');

    const { rows } = await sql<{ review_item_id: number; action: string; reason: string; staff_login: string }>`
      select review_item_id, action, reason, staff_login from review_actions where review_item_id in (${a.id}, ${b.id}, ${waiting.id}) order by id`.execute(env.db);
    expect(rows).toEqual([
      { review_item_id: waiting.id, action: 'override', reason: '特例', staff_login: f.users.reviewer2 },
      { review_item_id: a.id, action: 'approve', reason: '課税証明書で確認', staff_login: f.users.reviewer },
      { review_item_id: b.id, action: 'approve', reason: '課税証明書で確認', staff_login: f.users.reviewer },
    ]);
    const { rows: status } = await sql<{ id: number; status: string }>`select id, status from review_items where id in (${held.id}, ${a.id}, ${b.id}, ${waiting.id}) order by id`.execute(env.db);
    expect(Object.fromEntries(status.map((s) => [s.id, s.status]))).toEqual({ [held.id]: 'held', [a.id]: 'resolved', [b.id]: 'resolved', [waiting.id]: 'open' });
    // The override still takes a second supervisor.
    const supervisor = await signIn(server, f.users.supervisor);
    const confirmed = await server.inject({ method: 'POST', url: `/v1/review-actions/${override.json().action_id}/confirm`, headers: { cookie: supervisor.cookie, 'x-csrf-token': supervisor.csrf } });
    expect(confirmed.statusCode, confirmed.body).toBe(200);

    // A viewer may not; nor without a reason.
    const viewer = await signIn(server, f.users.viewer);
    const refused = await server.inject({ method: 'POST', url: '/review-items/bulk-approve', headers: { cookie: viewer.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: viewer.csrf, kind: 'decision_review', ids: String(review[0].id), reason: 'x' }).toString() });
    expect(refused.statusCode).toBe(403);
    const noReason = await server.inject({ method: 'POST', url: '/review-items/bulk-approve', headers: { cookie: reviewer.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: reviewer.csrf, kind: 'decision_review', ids: String(review[0].id), reason: '' }).toString() });
    expect(noReason.statusCode).toBe(400);
  });
});
