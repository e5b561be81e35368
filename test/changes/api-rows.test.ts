import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { income, resident } from '../support/rows.ts';
import { ENVIRONMENTS, type TestEnvironment } from '../support/test-environments.ts';

const PASSWORD = 'correct horse battery';

/**
 * Issue 13 (points 2, 6 and 14): rows of POST /v1/changes that PostgreSQL cannot store, objects
 * where a cell belongs, rows of another municipality, and huge echoed values: each is a
 * rejected row with its field and reason, recorded under the signed-in user's municipality,
 * and the good rows of the same request are stored.
 */
describe.each(ENVIRONMENTS)('POST /v1/changes with hostile rows ($name)', ({ open }) => {
  let env: TestEnvironment;
  let server: FastifyInstance;
  const m = freshMunicipality();
  const other = freshMunicipality();
  const login = `admin-${Math.random().toString(36).slice(2, 8)}`;
  let auth: { cookie: string; 'x-csrf-token': string };

  beforeAll(async () => {
    env = await open();
    server = await buildServer(env);
    await addUser(env.db, { login, role: 'admin', municipalityCode: m, password: PASSWORD });
    const res = await server.inject({ method: 'POST', url: '/v1/login', payload: { login, password: PASSWORD } });
    const cookie = res.cookies.find((c) => c.name === 'benefit_session')!;
    auth = { cookie: `benefit_session=${cookie.value}`, 'x-csrf-token': res.json().csrf_token as string };
  });
  afterAll(async () => {
    await server?.close();
    await env?.close();
  });

  const post = (kind: string, rows: unknown[]) => server.inject({ method: 'POST', url: '/v1/changes', headers: auth, payload: { kind, rows } });

  it('rejects a NUL byte and a lone surrogate with the field, and stores the good rows', async () => {
    const rows = [
      resident({ municipality_code: m, person_id: 'U1', household_id: 'UH1', change_id: 'u-1' }),
      resident({ municipality_code: m, person_id: 'U2', household_id: 'UH2', change_id: 'u-2', address: '横浜市\u0000中区' }),
      resident({ municipality_code: m, person_id: 'U3', household_id: 'UH3', change_id: 'u-3', family_name: '山\ud800田' }),
      resident({ municipality_code: m, person_id: 'U4', household_id: 'UH4', change_id: 'u-4' }),
      { ...resident({ municipality_code: m, person_id: 'U5', household_id: 'UH5', change_id: 'u-\u00005' }), sex: '9' },
    ];
    const res = await post('residents', rows);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ rows: 5, accepted: 2, rejected_rows: 3 });
    expect(body.rejections.map((r: Record<string, unknown>) => [r.line, r.field])).toEqual([
      [2, 'address'],
      [3, 'family_name'],
      [5, 'change_id'],
      [5, 'sex'],
    ]);
    expect(body.rejections[0].reason).toContain('NUL');
    expect(body.rejections[1].reason).toContain('surrogate');
    await env.settle();
    const stored = await env.db.selectFrom('persons').select('person_id').where('municipality_code', '=', m).orderBy('person_id').execute();
    expect(stored.map((r) => r.person_id)).toEqual(['U1', 'U4']);
  });

  it('rejects an object or an array where a cell belongs instead of storing [object Object]', async () => {
    const rows = [
      { ...income({ municipality_code: m, person_id: 'U1', change_id: 'o-1' }), total_income: { a: 1 } },
      { ...resident({ municipality_code: m, person_id: 'U6', household_id: 'UH6', change_id: 'o-2' }), address: { street: '港町' } },
      { ...resident({ municipality_code: m, person_id: 'U7', household_id: 'UH7', change_id: 'o-3' }), given_name: ['太郎'] },
    ];
    const incomeRes = (await post('income', rows.slice(0, 1))).json();
    expect(incomeRes).toMatchObject({ accepted: 0, rejected_rows: 1 });
    expect(incomeRes.rejections).toEqual([{ line: 1, change_id: 'o-1', field: 'total_income', reason: expect.stringContaining('not an object') }]);
    const residentRes = (await post('residents', rows.slice(1))).json();
    expect(residentRes).toMatchObject({ accepted: 0, rejected_rows: 2 });
    expect(residentRes.rejections.map((r: Record<string, unknown>) => [r.line, r.field])).toEqual([[1, 'address'], [2, 'given_name']]);
    await env.settle();
    const stored = await env.db.selectFrom('persons').select('address').where('municipality_code', '=', m).execute();
    expect(stored.map((r) => r.address)).not.toContain('[object Object]');
  });

  it('records a row for another municipality under the signed-in user’s municipality, and cuts echoed values', async () => {
    const longKey = `k${'x'.repeat(5000)}`;
    const rows = [
      resident({ municipality_code: other, person_id: 'V1', household_id: 'VH1', change_id: 'v-1' }),
      { ...resident({ municipality_code: m, person_id: 'V2', household_id: 'VH2', change_id: 'c'.repeat(500) }) },
      { ...resident({ municipality_code: m, person_id: 'V3', household_id: 'VH3', change_id: 'v-3' }), [longKey]: '1' },
    ];
    const res = await post('residents', rows);
    expect(res.json()).toMatchObject({ accepted: 0, rejected_rows: 3 });
    const { import_id: importId } = res.json();
    const recorded = await env.db.selectFrom('rejections').select(['municipality_code', 'line', 'change_id', 'field']).where('import_id', '=', importId).orderBy('line').execute();
    expect(recorded).toEqual([
      { municipality_code: m, line: 1, change_id: 'v-1', field: 'municipality_code' },
      { municipality_code: m, line: 2, change_id: `${'c'.repeat(100)}…`, field: 'change_id' },
      { municipality_code: m, line: 3, change_id: 'v-3', field: `k${'x'.repeat(99)}…` },
    ]);
  });
});
