import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { resident } from '../support/rows.ts';
import { ENVIRONMENTS, type TestEnvironment } from '../support/test-environments.ts';

const PASSWORD = 'correct horse battery';

describe.each(ENVIRONMENTS)('POST /v1/changes ($name)', ({ open }) => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  const m = freshMunicipality();
  const other = freshMunicipality();
  const suffix = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    env = await open();
    server = await buildServer(env);
    await addUser(env.db, { login: `admin-${suffix}`, role: 'admin', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: `viewer-${suffix}`, role: 'viewer', municipalityCode: m, password: PASSWORD });
  });
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  async function signIn(login: string) {
    const res = await server.inject({ method: 'POST', url: '/v1/login', payload: { login, password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'benefit_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    return { cookie: `benefit_session=${cookie.value}`, csrf: res.json().csrf_token as string };
  }

  it('answers /health without a session', async () => {
    const res = await server.inject({ method: 'GET', url: '/health' });
    expect(res.json()).toEqual({ status: 'ok', queue: env.jobs.kind });
  });

  it('refuses anonymous requests with 401 and wrong passwords too', async () => {
    const anonymous = await server.inject({ method: 'POST', url: '/v1/changes', payload: { kind: 'residents', rows: [resident()] } });
    expect(anonymous.statusCode).toBe(401);
    // Authentication comes before body validation: an anonymous caller learns nothing of the schema.
    const malformed = await server.inject({ method: 'POST', url: '/v1/changes', payload: { nonsense: true } });
    expect(malformed.statusCode).toBe(401);
    const wrong = await server.inject({ method: 'POST', url: '/v1/login', payload: { login: `admin-${suffix}`, password: 'nope nope nope' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const { cookie } = await signIn(`admin-${suffix}`);
    const res = await server.inject({ method: 'POST', url: '/v1/changes', headers: { cookie }, payload: { kind: 'residents', rows: [resident({ municipality_code: m })] } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('csrf');
  });

  it('refuses a viewer', async () => {
    const { cookie, csrf } = await signIn(`viewer-${suffix}`);
    const res = await server.inject({ method: 'POST', url: '/v1/changes', headers: { cookie, 'x-csrf-token': csrf }, payload: { kind: 'residents', rows: [resident({ municipality_code: m })] } });
    expect(res.statusCode).toBe(403);
  });

  it('stores good rows and rejects bad ones, including rows of another municipality, with line, field and reason', async () => {
    const { cookie, csrf } = await signIn(`admin-${suffix}`);
    const rows = [
      resident({ municipality_code: m, person_id: 'W1', household_id: 'HW', change_id: 'api-1' }),
      resident({ municipality_code: other, person_id: 'W2', household_id: 'HX', change_id: 'api-2' }),
      { ...resident({ municipality_code: m, person_id: 'W3', household_id: 'HY', change_id: 'api-3' }), sex: '3' },
      { ...resident({ municipality_code: m, person_id: 'W4', household_id: 'HZ', change_id: 'api-4' }), hobby: 'go' },
    ];
    const res = await server.inject({ method: 'POST', url: '/v1/changes', headers: { cookie, 'x-csrf-token': csrf }, payload: { kind: 'residents', rows } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ rows: 4, accepted: 1, duplicates: 0, rejected_rows: 3 });
    expect(body.rejections.map((r: Record<string, unknown>) => [r.line, r.change_id, r.field])).toEqual([
      [2, 'api-2', 'municipality_code'],
      [3, 'api-3', 'sex'],
      [4, 'api-4', 'hobby'],
    ]);
    await env.settle();
    const stored = await env.db.selectFrom('persons').select('person_id').where('municipality_code', 'in', [m, other]).execute();
    expect(stored).toEqual([{ person_id: 'W1' }]);
    const again = await server.inject({ method: 'POST', url: '/v1/changes', headers: { cookie, 'x-csrf-token': csrf }, payload: { kind: 'residents', rows: rows.slice(0, 1) } });
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('takes circumstance rows (JSON booleans and nulls allowed), with the same validation and no-op duplicates', async () => {
    const { cookie, csrf } = await signIn(`admin-${suffix}`);
    const rows = [
      { change_id: 'api-c1', municipality_code: m, person_id: 'W1', effective_date: '2024-10-01', circumstance: 'public_servant', active: true, program: null, note: '共済組合' },
      { change_id: 'api-c2', municipality_code: m, person_id: 'W1', effective_date: '2024-12-20', circumstance: 'declined', active: true, program: 'low-income-household-2024' },
      { change_id: 'api-c3', municipality_code: m, person_id: 'W1', effective_date: '2024-12-20', circumstance: 'declined', active: true },
      { change_id: 'api-c4', municipality_code: m, person_id: 'W1', effective_date: '2024-12-20', circumstance: 'public_servant', active: 'maybe' },
    ];
    const post = (payload: Record<string, unknown>) => server.inject({ method: 'POST', url: '/v1/changes', headers: { cookie, 'x-csrf-token': csrf }, payload });
    const res = await post({ kind: 'circumstances', rows });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 4, accepted: 2, duplicates: 0, rejected_rows: 2 });
    expect(res.json().rejections).toEqual([
      { line: 3, change_id: 'api-c3', field: 'program', reason: 'required when circumstance is declined: the program the person declined' },
      { line: 4, change_id: 'api-c4', field: 'active', reason: 'must be true (from effective_date on) or false (it stops)' },
    ]);
    await env.settle();
    const stored = await env.db.selectFrom('circumstances').select(['circumstance', 'program', 'active', 'note']).where('municipality_code', '=', m).orderBy('circumstance').execute();
    expect(stored).toEqual([
      { circumstance: 'declined', program: 'low-income-household-2024', active: true, note: null },
      { circumstance: 'public_servant', program: '', active: true, note: '共済組合' },
    ]);
    expect((await post({ kind: 'circumstances', rows: rows.slice(0, 2) })).json()).toMatchObject({ accepted: 0, duplicates: 2, rejected_rows: 0 });
    const doc = (await server.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/changes'].post.summary).toContain('circumstance');
    expect(doc.paths['/v1/changes'].post.requestBody.content['application/json'].schema.properties.kind.enum).toContain('circumstances');
  });

  it('rejects a malformed body with 400', async () => {
    const { cookie, csrf } = await signIn(`admin-${suffix}`);
    const res = await server.inject({ method: 'POST', url: '/v1/changes', headers: { cookie, 'x-csrf-token': csrf }, payload: { kind: 'pets', rows: [] } });
    expect(res.statusCode).toBe(400);
  });

  it('describes the API in /openapi.json', async () => {
    const doc = (await server.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/changes', '/v1/login', '/health']));
  });
});
