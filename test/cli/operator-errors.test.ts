import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { runCli } from '../support/run-cli.ts';
import { ADMIN_DATABASE_URL, createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

/** A local port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

/** Issue 16 point 10: an error names its cause in one line, and a wrong option exits 2 before any work. */
describe('errors name the cause', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-operator-errors-'));

  beforeAll(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url!, BENEFIT_DATA_DIR: dir, LOG_LEVEL: 'warn' };
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Redis unreachable: names the URL (password masked), no stack trace, nothing imported', async () => {
    const { files } = await generateMunicipality({ households: 2, seed: 'errors', municipalityCode: '141003', outDir: dir });
    const url = `redis://:secret@127.0.0.1:${await freePort()}`;
    const r = await runCli(['import', 'residents', files.residents], { ...env, REDIS_URL: url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Redis at ${url.replace('secret', '***')} (REDIS_URL) cannot be reached`);
    expect(r.stderr).not.toContain('secret');
    noStack(r.stderr);
    expect((await sql<{ n: number }>`select count(*)::int as n from changes`.execute(database.db)).rows[0].n).toBe(0);
  });

  it('a database that does not exist: says so, exit 2', async () => {
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = '/benefit_no_such_database';
    const r = await runCli(['payments', 'dates'], { DATABASE_URL: url.toString(), LOG_LEVEL: 'warn' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the database 'benefit_no_such_database' does not exist");
    noStack(r.stderr);
  });

  it('payments export --out into a missing folder: exit 2 at the start', async () => {
    const r = await runCli(['payments', 'export', '--date', '2024-12-13', '--format', 'zengin', '--out', path.join(dir, 'nowhere', 'z.txt')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does not exist; create it first');
    noStack(r.stderr);
  });

  it('decisions export --program nosuch: exit 2 naming the programs', async () => {
    const r = await runCli(['decisions', 'export', '--as-of', '2024-12-13', '--program', 'nosuch'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--program 'nosuch' is not a program");
    expect(r.stderr).toContain('child-allowance');
    expect((await runCli(['decisions', 'export', '--as-of', '2024-12-13', '--program', 'child-allowance'], env)).code).toBe(0);
  });

  it('payments returns on a file that is not a result file: a readable message, exit 2', async () => {
    const wrong = path.join(dir, 'wrong.csv');
    fs.writeFileSync(wrong, 'a,b\n1,2\n');
    const r = await runCli(['payments', 'returns', wrong], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${wrong} is not a bank transfer-result file`);
    expect(r.stderr).toContain('nothing was recorded');
    noStack(r.stderr);
  });

  it('a mistyped option is named, even where a required option is then missing: exit 2, for every command', async () => {
    const cases = [
      ['nightly', '--dat', '2024-12-13'],
      ['generate', '--household', '3'],
      ['payments', 'export', '--dat', '2024-12-13', '--format', 'zengin', '--out', path.join(dir, 'z.txt')],
      ['decisions', 'export', '--asof', '2024-12-13'],
      ['access-log', '--persn', 'P-1'],
      ['simulate', '--rule', 'rules'],
      ['users', 'add', '--logn', 'x', '--role', 'viewer'],
      ['payments', 'dates', '--bogus'],
    ];
    for (const args of cases) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(`unknown option '${args.find((a) => /^--(dat|household|asof|persn|rule|logn|bogus)$/.test(a))}'`);
      expect(r.stderr, args.join(' ')).not.toContain('required option');
    }
    // A required option that is missing (and nothing mistyped) is still named.
    const missing = await runCli(['nightly'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--date <date>' not specified");
  });

  it('--help marks required options', async () => {
    for (const args of [['payments', 'export'], ['decisions', 'export'], ['nightly'], ['access-log'], ['generate'], ['simulate']]) {
      const help = await runCli([...args, '--help']);
      expect(help.stdout, args.join(' ')).toMatch(/\(required\)/);
    }
  });

  it('municipality set --help points to a document that exists', async () => {
    const help = await runCli(['municipality', 'set', '--help']);
    const doc = /docs\/municipality-settings\.md/.exec(help.stdout)?.[0];
    expect(doc).toBeDefined();
    expect(fs.existsSync(new URL(`../../${doc}`, import.meta.url))).toBe(true);
  });

  it('a nightly on a database nothing was imported into says why nobody was decided', async () => {
    const r = await runCli(['nightly', '--date', '2024-12-13'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 households evaluated');
    expect(r.stderr).toContain('this database has no municipality yet (nothing was imported), so nobody was decided: import residents first');
    noStack(r.stderr);
  });

  it('access-log prints Japan time under a header row', async () => {
    const writer = await addUser(database.db, { login: 'auditor-errors', role: 'viewer', municipalityCode: '141003', password: 'a long enough password' });
    await sql`insert into access_log (municipality_code, person_id, staff_user_id, staff_login, staff_role, what, purpose, accessed_at)
      values ('141003', 'P-ERR', ${writer.id}, ${writer.login}, 'viewer', '世帯', 'audit', '2024-12-13T15:30:00Z')`.execute(database.db);
    const r = await runCli(['access-log', '--person', 'P-ERR', '--municipality', '141003'], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toBe('日時（日本時間）\t市区町村コード\t職員（役割）\t閲覧した内容\t目的');
    expect(lines[2]).toMatch(/^2024-12-14 00:30:00\t141003\tauditor-errors（閲覧者）\t世帯\t/);
  });
});
