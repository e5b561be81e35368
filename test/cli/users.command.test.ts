import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, sessionFor, signIn } from '../../src/staff/staff.service.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { runCli } from '../support/run-cli.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';

const PASSWORD = 'a long enough password';

/**
 * `benefit users list`, `users disable` and `users reset-password` as an operator runs them (a
 * real process): a leaver is removed and their open sessions end, a forgotten password is
 * replaced and the sessions opened with the old one end.
 */
describe('benefit users, on PostgreSQL', () => {
  let env: TestEnvironment;
  let database: Record<string, string>;
  const m = freshMunicipality();
  const leaver = `leaver-${m}`;
  const forgetful = `forgetful-${m}`;

  beforeAll(async () => {
    env = await postgresWithRedis();
    database = { DATABASE_URL: env.database.url!, LOG_LEVEL: 'warn' };
    await addUser(env.db, { login: leaver, role: 'reviewer', municipalityCode: m, password: PASSWORD });
    await addUser(env.db, { login: forgetful, role: 'supervisor', municipalityCode: m, password: PASSWORD });
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it('says a staff account needs --municipality when it is left out, instead of calling the missing code invalid', async () => {
    const added = await runCli(['users', 'add', '--login', `nomuni-${m}`, '--role', 'reviewer'], database, `${PASSWORD}\n`);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain('a reviewer works for one municipality: give --municipality CODE');
    expect(added.stderr).not.toContain('undefined');
  });

  it('lists the accounts of a municipality with a header row, in Japan time, and as JSON', async () => {
    const listed = await runCli(['users', 'list', '--municipality', m], database);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(lines[0]).toEqual(['login', 'role', 'municipality', 'status', 'created (JST)', 'last session (JST)']);
    expect(lines.slice(1).map((l) => l.slice(0, 4))).toEqual([[forgetful, 'supervisor', m, 'enabled'], [leaver, 'reviewer', m, 'enabled']]);
    const { rows: [created] } = await sql<{ at: string }>`select to_char(created_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI') as at from staff_users where login = ${leaver}`.execute(env.db);
    expect(lines[2][4]).toBe(created.at);
    const json = await runCli(['users', 'list', '--municipality', m, '--json'], database);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ login: forgetful, role: 'supervisor', municipality_code: m, enabled: true }),
      expect.objectContaining({ login: leaver, role: 'reviewer', municipality_code: m, enabled: true }),
    ]);
  });

  it('disables a leaver: no sign-in, their sessions are gone, the list says so', async () => {
    const { token } = await signIn(env.db, leaver, PASSWORD);
    const disabled = await runCli(['users', 'disable', '--login', leaver], database);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(await sessionFor(env.db, token)).toBeUndefined();
    const { rows } = await sql`select 1 from staff_sessions s join staff_users u on u.id = s.user_id where u.login = ${leaver}`.execute(env.db);
    expect(rows).toEqual([]);
    await expect(signIn(env.db, leaver, PASSWORD)).rejects.toThrow('wrong login or password');
    const listed = await runCli(['users', 'list', '--municipality', m], database);
    expect(listed.stdout).toMatch(new RegExp(`^${leaver}\treviewer\t${m}\tdisabled \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}\t`, 'm'));
  });

  it('resets a password from stdin: the old one and its sessions stop, the new one signs in; a short one or an unknown login exits 2', async () => {
    const { token } = await signIn(env.db, forgetful, PASSWORD);
    const reset = await runCli(['users', 'reset-password', '--login', forgetful], database, 'a brand new passphrase\n');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe(`password reset for ${forgetful}; its sessions ended\n`);
    expect(await sessionFor(env.db, token)).toBeUndefined();
    await expect(signIn(env.db, forgetful, PASSWORD)).rejects.toThrow('wrong login or password');
    expect((await signIn(env.db, forgetful, 'a brand new passphrase')).session.user.login).toBe(forgetful);

    const short = await runCli(['users', 'reset-password', '--login', forgetful], database, 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 12 characters');
    expect((await runCli(['users', 'reset-password', '--login', `nobody-${m}`], database, 'a brand new passphrase\n')).code).toBe(2);
    expect((await runCli(['users', 'reset-password', '--login', leaver], database, 'a brand new passphrase\n')).code).toBe(2);
  });
});
