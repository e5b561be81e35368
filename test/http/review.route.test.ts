import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { buildServer } from '../../src/http/server.ts';
import { runCli } from '../support/run-cli.ts';
import { nightlyContext, postgresWithRedis, BASE_PROGRAMS, type TestEnvironment } from '../support/test-environments.ts';
import { PASSWORD, reviewFixture, type ReviewFixture } from './support/review-fixture.ts';
import { signIn as signInAs, type Client } from './support/api-client.ts';

/**
 * The review API on PostgreSQL: who may read and do what, the actions and what the next nightly
 * run makes of them, the access log, and what the server logs.
 */
describe('the review API', () => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  let f: ReviewFixture;
  const logged: string[] = [];

  beforeAll(async () => {
    env = await postgresWithRedis();
    f = await reviewFixture(env);
    // The server's own log, at its most verbose, kept to be searched for personal data.
    const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _e, done) => (logged.push(String(chunk)), done()) }));
    server = await buildServer({ ...env, logger });
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  const signIn = (login: string) => signInAs(server, login);
  const get = (c: Client | undefined, url: string) => server.inject({ method: 'GET', url, headers: c ? { cookie: c.cookie } : {} });
  const post = (c: Client, url: string, payload: object, csrf: string | null = c.csrf) =>
    server.inject({ method: 'POST', url, payload, headers: { cookie: c.cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) } });

  async function openItems(c: Client, kind: string) {
    const res = await get(c, `/v1/review-items?kind=${kind}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().rows as { id: number; program: string; decision_id: string | null; household_id: string; person_id: string | null }[];
  }

  it('refuses every /v1 route but login and health to an anonymous caller (401), and sends page visitors to the login page', async () => {
    const spec = (await get(undefined, '/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(spec.paths).flatMap(([p, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), url: p.replace(/\{[^}]+\}/g, '1') })));
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const r of routes.filter((r) => r.url !== '/v1/login' && r.url !== '/health')) {
      const res = await server.inject({ method: r.method as 'GET', url: r.url, payload: r.method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
    for (const url of ['/review', '/decisions/D1?purpose=review', '/households/1?purpose=review', '/search?q=ア&purpose=counter', '/persons/1/access-log?purpose=disclosure', '/admin/queues']) {
      const res = await get(undefined, url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe('/login');
    }
  });

  it('shows a user of another municipality nothing of this one, through any route', async () => {
    const own = await signIn(f.users.reviewer);
    const stranger = await signIn(f.otherUsers.reviewer);
    const strangerSupervisor = await signIn(f.otherUsers.supervisor);
    // Generated ids repeat across municipalities: take a household and a person only this one has.
    const theirs = await sql<{ id: string }>`select household_id as id from persons where municipality_code = ${f.other} union select person_id from persons where municipality_code = ${f.other}`.execute(env.db);
    const taken = new Set(theirs.rows.map((r) => r.id));
    const item = (await openItems(own, 'decision_review')).find((i) => !taken.has(i.household_id))!;
    const { rows: [person] } = await sql<{ person_id: string }>`select person_id from persons where municipality_code = ${f.m} and household_id = ${item.household_id} limit 1`.execute(env.db);
    expect(taken.has(person.person_id)).toBe(false);
    const override = await post(own, `/v1/review-items/${item.id}/actions`, { action: 'override', outcome: 'eligible', amount_yen: 1000, reason: '分離の確認' });
    expect(override.statusCode, override.body).toBe(200);

    for (const url of [`/v1/decisions/${item.decision_id}?purpose=review`, `/v1/households/${item.household_id}?purpose=review`, `/v1/persons/${person.person_id}/access-log`,
      `/decisions/${item.decision_id}?purpose=review`, `/households/${item.household_id}?purpose=review`, `/persons/${person.person_id}/access-log?purpose=disclosure`]) {
      expect((await get(stranger, url)).statusCode, url).toBe(404);
    }
    expect((await post(stranger, `/v1/review-items/${item.id}/actions`, { action: 'approve' })).statusCode).toBe(404);
    expect((await post(stranger, `/v1/decisions/${item.decision_id}/review`, { action: 'approve' })).statusCode).toBe(404);
    expect((await post(strangerSupervisor, `/v1/review-actions/${override.json().action_id}/confirm`, {})).statusCode).toBe(404);
    const queue = (await get(stranger, '/v1/review-items')).json().rows as { id: number }[];
    const ownItems = new Set((await sql<{ id: number }>`select id::int from review_items where municipality_code = ${f.m}`.execute(env.db)).rows.map((r) => r.id));
    expect(queue.length).toBeGreaterThan(0);
    expect(queue.filter((r) => ownItems.has(r.id))).toEqual([]);
    expect((await get(stranger, `/v1/persons?q=${encodeURIComponent(person.person_id)}&purpose=counter`)).json().rows).toEqual([]);
    const decisions = (await get(stranger, '/v1/decisions?purpose=review')).json().rows as { decision_id: string }[];
    expect(decisions.some((d) => d.decision_id === item.decision_id)).toBe(false);
    // Still open, still waiting for its confirmation.
    expect((await get(own, `/v1/decisions/${item.decision_id}?purpose=review`)).json().items[0].status).toBe('open');
  });

  it('refuses a state-changing request without the session\'s CSRF token, from the API and from a form', async () => {
    const c = await signIn(f.users.reviewer);
    const [item] = await openItems(c, 'decision_review');
    for (const csrf of [null, 'forged']) {
      const res = await post(c, `/v1/review-items/${item.id}/actions`, { action: 'approve' }, csrf);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('csrf');
    }
    const form = await server.inject({ method: 'POST', url: `/review-items/${item.id}/actions`, headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'action=approve' });
    expect(form.statusCode).toBe(403);
    expect((await sql<{ n: number }>`select count(*)::int as n from review_actions where review_item_id = ${item.id} and action = 'approve'`.execute(env.db)).rows[0].n).toBe(0);
  });

  it('lets only reviewers act, only supervisors confirm, and never the author of an override confirm it', async () => {
    const viewer = await signIn(f.users.viewer);
    const reviewer = await signIn(f.users.reviewer2);
    const supervisor = await signIn(f.users.supervisor);
    const supervisor2 = await signIn(f.users.supervisor2);
    const [, item] = await openItems(reviewer, 'decision_review');
    expect((await post(viewer, `/v1/review-items/${item.id}/actions`, { action: 'approve' })).statusCode).toBe(403);
    expect((await post(reviewer, `/v1/review-items/${item.id}/actions`, { action: 'override', outcome: 'eligible', amount_yen: 1000 })).json().error).toBe('reason_required');

    const mine = (await post(reviewer, `/v1/review-items/${item.id}/actions`, { action: 'override', outcome: 'eligible', amount_yen: 40_000, reason: '転入前の課税状況を確認した' })).json();
    expect((await post(reviewer, `/v1/review-actions/${mine.action_id}/confirm`, {})).statusCode).toBe(403);
    const theirs = (await post(supervisor, `/v1/review-items/${item.id}/actions`, { action: 'override', outcome: 'eligible', amount_yen: 40_000, reason: '同左' })).json();
    const own = await post(supervisor, `/v1/review-actions/${theirs.action_id}/confirm`, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error).toBe('own_override');
    const confirmed = await post(supervisor2, `/v1/review-actions/${mine.action_id}/confirm`, {});
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ item_status: 'resolved', decision_id: expect.stringMatching(/^S/) });
    const staffDecision = (await get(supervisor, `/v1/decisions/${confirmed.json().decision_id}?purpose=review`)).json();
    expect(staffDecision.decision).toMatchObject({ outcome: 'eligible', amount_yen: 40_000, decided_by: expect.any(Number) });
    expect(staffDecision.previous.decision_id).toBe(item.decision_id);
    expect((await post(supervisor, `/v1/review-actions/${mine.action_id}/confirm`, {})).statusCode).toBe(409);
  });

  it('records approve, reject, hold and a request for information; the next nightly run pays, holds and writes the letters', async () => {
    const c = await signIn(f.users.reviewer);
    const items = (await openItems(c, 'decision_review')).filter((i) => i.person_id);
    const { rows: paid } = await sql<{ household_id: string; program: string }>`
      select distinct household_id, program from payment_lines where municipality_code = ${f.m} and status = 'due' limit 1`.execute(env.db);
    expect(items.length).toBeGreaterThanOrEqual(4);
    const [approveItem, rejectItem, askItem] = items.slice(-3);

    const approved = (await post(c, `/v1/review-items/${approveItem.id}/actions`, { action: 'approve', reason: '前住所地の課税証明で非課税を確認' })).json();
    expect(approved).toMatchObject({ item_status: 'resolved', decision_id: expect.stringMatching(/^S/) });
    expect((await post(c, `/v1/review-items/${rejectItem.id}/actions`, { action: 'reject' })).json().error).toBe('reason_required');
    const rejected = (await post(c, `/v1/review-items/${rejectItem.id}/actions`, { action: 'reject', reason: '前住所地で課税' })).json();
    expect(rejected.item_status).toBe('resolved');
    expect((await post(c, `/v1/review-items/${askItem.id}/actions`, { action: 'request_info', reason: '令和6年1月1日時点の住所地をお知らせください' })).json().item_status).toBe('open');
    // Holding an eligible household's payment: any decision of it can carry the item.
    const [{ decision_id: held }] = (await sql<{ decision_id: string }>`
      select d.decision_id from decisions d where d.municipality_code = ${f.m} and d.household_id = ${paid[0].household_id} and d.program = ${paid[0].program}
      order by d.id desc limit 1`.execute(env.db)).rows;
    await sql`insert into review_items (municipality_code, kind, item_key, program, household_id, decision_id) values (${f.m}, 'large_change', ${held}, ${paid[0].program}, ${paid[0].household_id}, ${held})`.execute(env.db);
    const holdResult = await post(c, `/v1/decisions/${held}/review`, { action: 'hold', reason: '世帯の状況を確認中' });
    expect(holdResult.json(), holdResult.body).toMatchObject({ item_status: 'held' });
    const lineStatus = async () => (await sql<{ status: string }>`select distinct status from payment_lines where household_id = ${paid[0].household_id} and program = ${paid[0].program} and municipality_code = ${f.m}`.execute(env.db)).rows.map((r) => r.status);
    expect(await lineStatus()).toEqual(['held']);

    await runNightly(nightlyContext(env, BASE_PROGRAMS), '2024-12-14', false);
    // Paid, or (when the resident has no usable account) asked for one: never neither.
    const { rows: lines } = await sql<{ amount_yen: number }>`select amount_yen from payment_lines where decision_id = ${approved.decision_id}`.execute(env.db);
    const { rows: asked } = await sql<{ amount_yen: number }>`select amount_yen from review_items where decision_id = ${approved.decision_id} and kind = 'missing_account'`.execute(env.db);
    expect([...lines, ...asked].length).toBe(1);
    expect([...lines, ...asked][0].amount_yen).toBeGreaterThan(0);
    const { rows: notices } = await sql<{ kind: string; decision_id: string | null }>`
      select kind, decision_id from notices where decision_id in (${approved.decision_id}, ${rejected.decision_id}) or review_item_id = ${askItem.id}`.execute(env.db);
    expect(notices.map((n) => n.kind)).toContain('確認のお願い');
    expect(notices.filter((n) => n.decision_id === approved.decision_id).map((n) => n.kind)).toEqual(['支給決定']);
    // A case staff reject is a 処分 of theirs: a 不支給 letter with their reason and the 教示 (docs/notices.md).
    expect(notices.filter((n) => n.decision_id === rejected.decision_id).map((n) => n.kind)).toEqual(['不支給']);
    expect(await lineStatus()).toEqual(['held']);
    // The engine does not undo a staff decision while its own result stays the same.
    await runNightly(nightlyContext(env, BASE_PROGRAMS), '2024-12-14', true);
    const last = await sql<{ decided_by: number | null }>`select decided_by from decisions where household_id = ${approveItem.household_id} and program = ${approveItem.program} and municipality_code = ${f.m} order by id desc limit 1`.execute(env.db);
    expect(last.rows[0].decided_by).not.toBeNull();

    // Released: the held lines are planned afresh by the next run, and paid.
    expect((await post(c, `/v1/decisions/${held}/review`, { action: 'approve' })).json().item_status).toBe('resolved');
    await runNightly(nightlyContext(env, BASE_PROGRAMS), '2024-12-15', false);
    expect(await lineStatus()).toContain('due');
    expect(await lineStatus()).not.toContain('held');
  });

  it('logs every read of a person\'s data with who, what and why; the resident\'s log cannot be changed; the CLI prints it', async () => {
    const c = await signIn(f.users.viewer);
    const { rows: [h] } = await sql<{ household_id: string; person_id: string }>`select household_id, person_id from persons where municipality_code = ${f.m} order by person_id limit 1`.execute(env.db);
    expect((await get(c, `/v1/households/${h.household_id}`)).statusCode).toBe(400);
    expect((await get(c, `/v1/households/${h.household_id}?purpose=counter`)).statusCode).toBe(200);
    const log = (await get(c, `/v1/persons/${h.person_id}/access-log`)).json().entries as { staff_login: string; what: string; purpose: string; purpose_ja: string }[];
    expect(log).toContainEqual(expect.objectContaining({ staff_login: f.users.viewer, what: `世帯 ${h.household_id}`, purpose: 'counter', purpose_ja: '窓口・電話でのお問い合わせへの対応' }));
    await expect(sql`update access_log set purpose = 'audit' where person_id = ${h.person_id}`.execute(env.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from access_log where person_id = ${h.person_id}`.execute(env.db)).rejects.toThrow(/append-only/);
    const cli = await runCli(['access-log', '--person', h.person_id, '--municipality', f.m, '--json'], { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' });
    expect(cli.code, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines).toContainEqual(expect.objectContaining({ person_id: h.person_id, municipality_code: f.m, staff_login: f.users.viewer, purpose: 'counter' }));
  });

  it('writes no personal data to the server\'s log', async () => {
    const c = await signIn(f.users.viewer);
    const { rows: [someone] } = await sql<{ family_name_kana: string; given_name_kana: string; person_id: string }>`
      select family_name_kana, given_name_kana, person_id from persons where municipality_code = ${f.m} limit 1`.execute(env.db);
    const search = await get(c, `/v1/persons?q=${encodeURIComponent(`${someone.family_name_kana} ${someone.given_name_kana}`)}&purpose=counter`);
    expect(search.json().rows.length).toBeGreaterThan(0);
    const { rows } = await sql<{ family_name: string; given_name: string; family_name_kana: string; address: string; birth_date: string }>`
      select family_name, given_name, family_name_kana, address, to_char(birth_date, 'YYYY-MM-DD') as birth_date from persons where municipality_code = ${f.m}`.execute(env.db);
    const text = logged.join('');
    expect(text.length).toBeGreaterThan(1000);
    for (const p of rows) {
      for (const value of [`${p.family_name}${p.given_name}`, p.family_name_kana, p.address, p.birth_date]) expect(text.includes(value), value).toBe(false);
    }
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(someone.person_id);
    expect(text).toContain('"route":"/v1/persons"');
  });
});
