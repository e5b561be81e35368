import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';
import { signIn, type Client } from './support/api-client.ts';
import { PASSWORD } from './support/review-fixture.ts';

/** The administrator's accounts page: own municipality only, admins only, never their own account. */
describe('the staff accounts page', () => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  const m = freshMunicipality();
  const other = freshMunicipality();
  const s = Math.random().toString(36).slice(2, 8);
  const logins = { admin: `admin-${s}`, reviewer: `reviewer-${s}`, otherReviewer: `other-reviewer-${s}` };

  beforeAll(async () => {
    env = await postgresWithRedis();
    await addUser(env.db, { login: logins.admin, role: 'admin', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: logins.reviewer, role: 'reviewer', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: logins.otherReviewer, role: 'reviewer', municipalityCode: other, password: PASSWORD });
    server = await buildServer(env);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  const post = (c: Client, url: string, fields: Record<string, string>) =>
    server.inject({ method: 'POST', url, headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: c.csrf, ...fields }).toString() });

  it('lists this municipality\'s accounts to its administrator only', async () => {
    const admin = await signIn(server, logins.admin);
    const page = await server.inject({ method: 'GET', url: '/admin/users', headers: { cookie: admin.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<td>${logins.reviewer}</td>`);
    expect(page.body).not.toContain(logins.otherReviewer);
    const reviewer = await signIn(server, logins.reviewer);
    expect((await server.inject({ method: 'GET', url: '/admin/users', headers: { cookie: reviewer.cookie } })).statusCode).toBe(403);
    expect((await post(reviewer, '/admin/users/disable', { login: logins.admin })).statusCode).toBe(403);
  });

  it('refuses another municipality\'s account and the administrator\'s own, in Japanese; disabling ends the sessions at once', async () => {
    const admin = await signIn(server, logins.admin);
    const foreign = await post(admin, '/admin/users/disable', { login: logins.otherReviewer });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('有効なアカウントが見つかりません。');
    expect(foreign.body).not.toContain('no enabled account');
    const own = await post(admin, '/admin/users/disable', { login: logins.admin });
    expect(own.statusCode).toBe(400);
    expect(own.body).toContain('自分のアカウントは無効にできません。');
    expect((await post(admin, '/admin/users/reset-password', { login: logins.otherReviewer })).statusCode).toBe(400);
    // Without the CSRF token: refused.
    const noToken = await server.inject({ method: 'POST', url: '/admin/users/disable', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `login=${logins.reviewer}` });
    expect(noToken.statusCode).toBe(403);

    const reviewer = await signIn(server, logins.reviewer);
    const done = await post(admin, '/admin/users/disable', { login: logins.reviewer });
    expect(done.statusCode).toBe(303);
    expect((await server.inject({ method: 'GET', url: '/v1/review-items', headers: { cookie: reviewer.cookie } })).statusCode).toBe(401);
    expect((await server.inject({ method: 'POST', url: '/v1/login', payload: { login: logins.reviewer, password: PASSWORD } })).statusCode).toBe(401);
  });
});
