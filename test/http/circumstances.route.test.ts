import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { resident, writeCsv } from '../support/rows.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';
import { signIn as signInAs, type Client } from './support/api-client.ts';
import { PASSWORD } from './support/review-fixture.ts';

const NOTE = '確認書を窓口で受理、勤務先は県教育委員会';

/**
 * A reviewer records a circumstance through the API or the household page: the import's
 * validation, stored bitemporally, queued for the nightly, in the access log, the note never
 * logged.
 */
describe('recording a circumstance (PostgreSQL)', () => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  const m = freshMunicipality();
  const other = freshMunicipality();
  const suffix = Math.random().toString(36).slice(2, 8);
  const logins = { reviewer: `reviewer-${suffix}`, viewer: `viewer-${suffix}`, elsewhere: `elsewhere-${suffix}` };
  const logged: string[] = [];

  beforeAll(async () => {
    env = await postgresWithRedis();
    const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _e, done) => (logged.push(String(chunk)), done()) }));
    server = await buildServer({ ...env, logger });
    for (const code of [m, other]) {
      expect((await importFile(env, 'residents', writeCsv([
        resident({ municipality_code: code, person_id: 'A', household_id: 'H1', relationship: '世帯主', birth_date: '1985-01-01' }),
        resident({ municipality_code: code, person_id: 'B', household_id: 'H1', relationship: '子', birth_date: '2015-01-01' }),
        resident({ municipality_code: code, person_id: 'C', household_id: 'H2', relationship: '世帯主', birth_date: '1950-01-01' }),
      ]))).rejectedRows).toBe(0);
    }
    await addUser(env.db, { login: logins.reviewer, role: 'reviewer', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: logins.viewer, role: 'viewer', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: logins.elsewhere, role: 'supervisor', municipalityCode: other, password: PASSWORD });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  const signIn = (login: string) => signInAs(server, login);
  const record = (c: Client, person: string, body: Record<string, unknown>, csrf: string | null = c.csrf) =>
    server.inject({ method: 'POST', url: `/v1/persons/${person}/circumstances`, payload: body, headers: { cookie: c.cookie, ...(csrf ? { 'x-csrf-token': csrf } : {}) } });
  const stored = () => env.db.selectFrom('circumstances').select(['person_id', 'circumstance', 'program', 'active', 'valid_from', 'note']).where('municipality_code', '=', m).orderBy('person_id').orderBy('circumstance').execute();
  const SERVANT = { circumstance: 'public_servant', active: true, effective_date: '2024-10-01', note: NOTE, purpose: 'review' };

  it('stores a reviewer\'s circumstance as a change, applied bitemporally and queued for the nightly, in the access log', async () => {
    const reviewer = await signIn(logins.reviewer);
    const res = await record(reviewer, 'A', SERVANT);
    expect(res.statusCode, res.body).toBe(200);
    const { change_id } = res.json();
    expect(change_id).toMatch(new RegExp(`^staff:${logins.reviewer}:[0-9a-f-]{36}$`));
    await env.settle();
    expect(await stored()).toEqual([{ person_id: 'A', circumstance: 'public_servant', program: '', active: true, valid_from: '2024-10-01', note: NOTE }]);
    const change = await env.db.selectFrom('changes').innerJoin('imports', 'imports.id', 'changes.import_id')
      .select(['changes.id', 'changes.kind', 'changes.status', 'imports.source']).where('changes.change_id', '=', change_id).executeTakeFirstOrThrow();
    expect(change).toMatchObject({ kind: 'circumstances', status: 'applied', source: `staff:${logins.reviewer}` });
    // The person's household is marked for the next nightly.
    const touched = await env.db.selectFrom('household_changes').select('household_id').where('change_row', '=', change.id).execute();
    expect(touched).toEqual([{ household_id: 'H1' }]);
    const log = await env.db.selectFrom('access_log').select(['staff_login', 'what', 'purpose']).where('municipality_code', '=', m).where('person_id', '=', 'A').execute();
    expect(log).toContainEqual({ staff_login: logins.reviewer, what: '状況の記録（public_servant）', purpose: 'review' });
  });

  it('validates as the import does: every bad field named with its reason, nothing stored', async () => {
    const reviewer = await signIn(logins.reviewer);
    const before = await stored();
    const declined = await record(reviewer, 'A', { circumstance: 'declined', active: true, effective_date: '2024-12-20', purpose: 'counter' });
    expect(declined.statusCode).toBe(400);
    expect(declined.json().message).toBe('program: required when circumstance is declined: the program the person declined');
    const long = await record(reviewer, 'A', { ...SERVANT, note: 'あ'.repeat(201), effective_date: '2024-13-01' });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toBe('effective_date: not a real date in YYYY-MM-DD form; note: longer than 200 characters');
    expect((await record(reviewer, 'A', { ...SERVANT, circumstance: 'retired' })).statusCode).toBe(400);
    expect((await record(reviewer, 'A', { ...SERVANT, purpose: undefined })).statusCode).toBe(400);
    await env.settle();
    expect(await stored()).toEqual(before);
  });

  it('refuses viewers, a missing CSRF token, and persons of another municipality', async () => {
    const viewer = await signIn(logins.viewer);
    expect((await record(viewer, 'B', SERVANT)).statusCode).toBe(403);
    const reviewer = await signIn(logins.reviewer);
    const noCsrf = await record(reviewer, 'B', SERVANT, null);
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error).toBe('csrf');
    expect((await record(reviewer, 'NOBODY', SERVANT)).statusCode).toBe(404);
    const elsewhere = await signIn(logins.elsewhere);
    expect((await record(elsewhere, 'B', { ...SERVANT, circumstance: 'facility_placement' })).statusCode).toBe(200);
    await env.settle();
    // Recorded in the other municipality only.
    expect((await stored()).map((s) => s.person_id)).toEqual(['A']);
  });

  it('shows the household\'s circumstances in the household API, and logs that read', async () => {
    const viewer = await signIn(logins.viewer);
    const res = await server.inject({ method: 'GET', url: '/v1/households/H1?purpose=counter', headers: { cookie: viewer.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().circumstances).toEqual([
      { person_id: 'A', circumstance: 'public_servant', program: null, active: true, valid_from: '2024-10-01', recorded_at: expect.any(String), note: NOTE },
    ]);
    const log = await env.db.selectFrom('access_log').select(['what', 'purpose']).where('municipality_code', '=', m).where('person_id', '=', 'A').where('staff_login', '=', logins.viewer).execute();
    expect(log).toContainEqual({ what: '世帯 H1 の状況（公務員・施設入所・辞退など）', purpose: 'counter' });
  });

  it('records one from the household page\'s form (CSRF field), for members of that household only', async () => {
    const reviewer = await signIn(logins.reviewer);
    const form = (fields: Record<string, string>) =>
      server.inject({ method: 'POST', url: '/households/H1/circumstances', headers: { cookie: reviewer.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
    const fields = { _csrf: reviewer.csrf, purpose: 'review', person_id: 'A', circumstance: 'declined', active: 'true', program: 'low-income-household-2024', effective_date: '2024-12-20', note: '' };
    expect((await form({ ...fields, _csrf: 'forged' })).statusCode).toBe(403);
    const ok = await form(fields);
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toBe('/households/H1?purpose=review&recorded=1#circumstances');
    const wrongHousehold = await form({ ...fields, person_id: 'C' });
    expect(wrongHousehold.statusCode).toBe(400);
    expect(wrongHousehold.body).toContain('その方はこの世帯の世帯員ではありません。');
    await env.settle();
    const page = await server.inject({ method: 'GET', url: '/households/H1?purpose=review&recorded=1', headers: { cookie: reviewer.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('状況を記録しました');
    expect(page.body).toContain('受給の辞退（辞退届）');
    expect(page.body).toContain('low-income-household-2024');
    expect(page.body).toContain('name="_csrf"');
    // A viewer sees the circumstances but not the form.
    const viewer = await signIn(logins.viewer);
    const viewed = await server.inject({ method: 'GET', url: '/households/H1?purpose=review', headers: { cookie: viewer.cookie } });
    expect(viewed.body).toContain('受給の辞退（辞退届）');
    expect(viewed.body).not.toContain('/households/H1/circumstances');
  });

  it('never logs the note, in the request log or anywhere else', () => {
    const all = logged.join('');
    expect(all).toContain('"route":"/v1/persons/:id/circumstances"');
    expect(all).toContain('"route":"/households/:id/circumstances"');
    expect(all).not.toContain('確認書');
    expect(all).not.toContain('教育委員会');
  });
});
