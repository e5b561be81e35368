import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { addUser, sessionFor, signIn } from '../../src/staff/staff.service.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { runCli } from '../support/run-cli.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';

/**
 * `benefit access-log --person ID` without --municipality: the person's municipality is found in
 * the data (the register and the log), not in the municipalities' settings, which a municipality
 * whose residents were imported may not have.
 */
describe('benefit access-log and users, on PostgreSQL', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const other = freshMunicipality();
  let person: string;

  beforeAll(async () => {
    env = await postgresWithRedis();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-access-log-'));
    const { files } = await generateMunicipality({ households: 5, seed: 'access-log', municipalityCode: m, outDir: dir });
    expect((await importFile(env, 'residents', files.residents)).rejectedRows).toBe(0);
    ({ rows: [{ person_id: person }] } = await sql<{ person_id: string }>`select person_id from persons where municipality_code = ${m} order by person_id limit 1`.execute(env.db));
    // A store loaded without the import (COPY, as the bench does; a restore) has no municipalities
    // row for m: no settings, no staff of its own. The writer's account lives in another one.
    await sql`delete from municipalities where municipality_code = ${m}`.execute(env.db);
    const writer = await addUser(env.db, { login: `auditor-${m}`, role: 'viewer', municipalityCode: other, password: 'a long enough password' });
    await sql`insert into access_log (municipality_code, person_id, staff_user_id, staff_login, staff_role, what, purpose)
      values (${m}, ${person}, ${writer.id}, ${writer.login}, 'viewer', ${'世帯 テスト'}, 'audit')`.execute(env.db);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it('finds the log of a person whose municipality has no settings row, without --municipality', async () => {
    expect((await sql`select 1 from municipalities where municipality_code = ${m}`.execute(env.db)).rows).toEqual([]);
    const cli = await runCli(['access-log', '--person', person, '--json'], { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' });
    expect(cli.code, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ person_id: person, municipality_code: m, what: '世帯 テスト', purpose: 'audit' })]);
  });

  it('records its own read in the person\'s log: the OS user who ran it, when, and why (--purpose, by default a disclosure request)', async () => {
    const database = { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' };
    const before = await sql<{ n: string }>`select count(*) as n from access_log where person_id = ${person} and municipality_code = ${m}`.execute(env.db);
    const cli = await runCli(['access-log', '--person', person, '--purpose', 'audit'], database);
    expect(cli.code, cli.stderr).toBe(0);
    const { rows } = await sql<{ staff_user_id: number | null; staff_login: string; staff_role: string; what: string; purpose: string }>`
      select staff_user_id, staff_login, staff_role, what, purpose from access_log where person_id = ${person} and municipality_code = ${m} order by id`.execute(env.db);
    expect(rows.length).toBe(Number(before.rows[0].n) + 1);
    expect(rows.at(-1)).toEqual({ staff_user_id: null, staff_login: `cli:${os.userInfo().username}`, staff_role: 'operator', what: 'アクセス記録（benefit access-log）', purpose: 'audit' });
    // The next read shows it, in Japan time, with the purpose in words.
    const again = await runCli(['access-log', '--person', person], database);
    // The role in Japanese, as the page shows it (システム運用者, 閲覧者…).
    expect(again.stdout).toContain(`cli:${os.userInfo().username}（システム運用者）\tアクセス記録（benefit access-log）\t監査`);
    expect(again.stdout).toContain(`auditor-${m}（閲覧者）\t世帯 テスト\t監査`);
    expect((await runCli(['access-log', '--person', person, '--purpose', 'curiosity'], database)).code).toBe(2);
  });

  it('refuses a 宛名番号 no record knows (9631 for 0000009631) with exit 2, naming the full number, instead of answering 0件', async () => {
    const database = { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' };
    const short = person.replace(/^0+/, '');
    expect(short).not.toBe(person);
    const logged = async () => (await sql<{ n: string }>`select count(*) as n from access_log where person_id in (${short}, ${person})`.execute(env.db)).rows[0].n;
    const before = await logged();
    for (const args of [['--person', short], ['--person', short, '--municipality', m], ['--person', short, '--json']]) {
      const cli = await runCli(['access-log', ...args], database);
      expect(cli.code, args.join(' ')).toBe(2);
      expect(cli.stdout).toBe('');
      expect(cli.stderr).toContain(`宛名番号 ${short} の住民の記録はありません`);
      expect(cli.stderr).toContain('先頭の0も含めて');
      expect(cli.stderr).toContain(`${person} ではありませんか`);
    }
    // A number no one has at all: the same refusal, without a guess; a known person in another municipality is not found there.
    const nobody = await runCli(['access-log', '--person', 'nobody-at-all'], database);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('宛名番号 nobody-at-all の住民の記録はありません');
    expect(nobody.stderr).not.toContain('ではありませんか');
    expect((await runCli(['access-log', '--person', person, '--municipality', other], database)).code).toBe(2);
    // Nothing was read, so nothing was logged.
    expect(await logged()).toBe(before);
  });

  it('creates a system operator without a municipality, and refuses a municipality\'s role without one', async () => {
    const database = { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' };
    const created = await runCli(['users', 'add', '--login', `ops-${m}`, '--role', 'operator'], database, 'a long enough password\n');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe(`created ops-${m} (operator)\n`);
    expect((await runCli(['users', 'add', '--login', `ops2-${m}`, '--role', 'operator', '--municipality', m], database, 'a long enough password\n')).code).toBe(2);
    expect((await runCli(['users', 'add', '--login', `admin-${m}`, '--role', 'admin'], database, 'a long enough password\n')).code).toBe(2);
    const { rows } = await sql<{ role: string; municipality_code: string | null }>`select role, municipality_code from staff_users where login like ${`%-${m}`} order by login`.execute(env.db);
    expect(rows).toEqual([{ role: 'viewer', municipality_code: other }, { role: 'operator', municipality_code: null }]);
  });

  it('disables an account: it can no longer sign in; disabling it again or an unknown login exits 2', async () => {
    const database = { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' };
    const login = `leaver-${m}`;
    await addUser(env.db, { login, role: 'reviewer', municipalityCode: other, password: 'a long enough password' });
    const { token } = await signIn(env.db, login, 'a long enough password');
    expect(await sessionFor(env.db, token)).toBeDefined();
    const disabled = await runCli(['users', 'disable', '--login', login], database);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toBe(`disabled ${login}\n`);
    expect(await sessionFor(env.db, token)).toBeUndefined();
    await expect(signIn(env.db, login, 'a long enough password')).rejects.toThrow('wrong login or password');
    expect((await runCli(['users', 'disable', '--login', login], database)).code).toBe(2);
    expect((await runCli(['users', 'disable', '--login', `nobody-${m}`], database)).code).toBe(2);
  });
});
