import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';
import { signIn, type Client } from './support/api-client.ts';
import { PASSWORD } from './support/review-fixture.ts';

/** A refused request on a page is explained in Japanese; the services' English stays in the API. */
describe('error pages', () => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  const m = freshMunicipality();
  const s = Math.random().toString(36).slice(2, 8);
  let reviewer: Client;
  let viewer: Client;

  beforeAll(async () => {
    env = await postgresWithRedis();
    await addUser(env.db, { login: `reviewer-${s}`, role: 'reviewer', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: `viewer-${s}`, role: 'viewer', municipalityCode: m, password: PASSWORD });
    server = await buildServer(env);
    reviewer = await signIn(server, `reviewer-${s}`);
    viewer = await signIn(server, `viewer-${s}`);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  const form = (c: Client, url: string, fields: Record<string, string>) =>
    server.inject({ method: 'POST', url, headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: c.csrf, ...fields }).toString() });
  const get = (c: Client, url: string) => server.inject({ method: 'GET', url, headers: { cookie: c.cookie } });

  it('says what is wrong in Japanese, never in the services\' English', async () => {
    const cases: [Promise<{ statusCode: number; body: string }>, number, string][] = [
      [form(reviewer, '/review-items/999999/actions', { action: 'reject', reason: ' ' }), 400, '理由を入力してください。'],
      [form(reviewer, '/review-items/999999/actions', { action: 'approve' }), 404, '審査項目が見つかりません。'],
      [form(viewer, '/review-items/999999/actions', { action: 'approve' }), 403, 'この操作を行う権限がありません。'],
      [get(reviewer, '/decisions/NOSUCH?purpose=review'), 404, '決定が見つかりません。'],
      [get(reviewer, '/households/NOSUCH?purpose=nosuch'), 400, '閲覧の目的を選んでください。'],
      [get(reviewer, '/search?q=x&purpose=counter&page=0'), 400, 'ページ番号が正しくありません。'],
      [get(reviewer, `/search?birth_date=${encodeURIComponent('R7.2.30')}&purpose=counter`), 400, '生年月日は「1985-04-01」や「昭和60年4月1日」のように入力してください。'],
    ];
    for (const [request, status, text] of cases) {
      const res = await request;
      expect(res.statusCode, res.body).toBe(status);
      expect(res.body).toContain(text);
      // No English sentence on the page: the error's own message is the API's.
      expect(res.body.replace(/<[^>]+>/g, ' ')).not.toMatch(/\b(no|needs?|must|is|the|you are)\b [a-z]/);
    }
    // Refused for want of a role: the usual header (who is signed in, the links), the message once.
    for (const res of [await form(viewer, '/review-items/999999/actions', { action: 'approve' }), await get(reviewer, '/admin/users')]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('<a href="/review">審査キュー</a>');
      expect(res.body).toContain('<button>ログアウト</button>');
    }
    // Opening a page is not an 「操作」 (issue 16, newcomer trial): a GET says the page may not be shown.
    const refusedAction = await form(viewer, '/review-items/999999/actions', { action: 'approve' });
    expect(refusedAction.body.split('この操作を行う権限がありません。').length - 1).toBe(1);
    expect(refusedAction.body).not.toContain('このページを表示する権限がありません。');
    const refusedPage = await get(reviewer, '/admin/users');
    expect(refusedPage.body.split('このページを表示する権限がありません。').length - 1).toBe(1);
    expect(refusedPage.body).not.toContain('この操作を行う権限がありません。');
    // An API caller still gets JSON.
    const refusedApi = await server.inject({ method: 'POST', url: '/v1/decisions/X/review', headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf }, payload: { action: 'approve' } });
    expect(refusedApi.statusCode).toBe(403);
    expect(refusedApi.json()).toMatchObject({ error: 'role' });
    // The API keeps its messages, with their codes.
    const api = await server.inject({ method: 'GET', url: '/v1/decisions/NOSUCH?purpose=review', headers: { cookie: reviewer.cookie } });
    expect(api.json()).toEqual({ error: 'decision_not_found', message: 'no decision NOSUCH' });
  });

  it('a mistyped page address gets the page layout\'s 404 in a browser, JSON for the API (issue 16, newcomer trial)', async () => {
    const page = await server.inject({ method: 'GET', url: '/review/1', headers: { cookie: reviewer.cookie, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('見つかりません。');
    expect(page.body).toContain('<a href="/review">審査キュー</a>');
    expect(page.body).not.toContain('Route GET');
    const api = await server.inject({ method: 'GET', url: '/v1/nosuch', headers: { cookie: reviewer.cookie, accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ statusCode: 404 });
    const script = await server.inject({ method: 'GET', url: '/review/1', headers: { cookie: reviewer.cookie, accept: 'application/json' } });
    expect(script.json()).toMatchObject({ statusCode: 404 });
  });

  it('a refused review action offers the way back to the item it came from (issue 16, newcomer trial)', async () => {
    const back = '/decisions/D123?purpose=review';
    const res = await form(reviewer, '/review-items/999999/actions', { action: 'reject', reason: '', back });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('理由を入力してください。');
    expect(res.body).toContain(`<a href="${back.replace('&', '&amp;')}">審査項目の画面へ戻る</a>`);
    // A back that is not this site's own path is not offered.
    const foreign = await form(reviewer, '/review-items/999999/actions', { action: 'reject', reason: '', back: '//evil.example/' });
    expect(foreign.body).not.toContain('evil.example');
  });
});
