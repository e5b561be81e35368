import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { BIN, runCli } from '../support/run-cli.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * Issue 13 point 12: piped output is complete. Every command that prints data is read through a
 * pipe by a reader that takes its time (a chunk, then a pause), as `benefit decisions export |
 * python3 …` does; the reader must get exactly what the same command writes into a file (which
 * Node writes synchronously), and the command must exit 0. A reader that closes the pipe early
 * (`| head -1`) ends the command at once, without a stack trace.
 */
const SETTINGS = fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url));
const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const M = '141003';
const DATE = '2024-12-13';

/**
 * Reads stdin and writes what it read to stdout: 64 KiB at a time with a short pause, and near
 * the end (the last 100 kB of EXPECTED_BYTES) slowly, 1 kB every 20 ms, as a script that works
 * on each record does: a command that exits before its output drains loses its tail here.
 */
const SLOW_READER = `
  const fs = require('fs');
  const total = Number(process.env.EXPECTED_BYTES);
  const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const chunks = [];
  let got = 0;
  for (;;) {
    const slow = got >= total - 100000;
    const buffer = Buffer.alloc(slow ? 1024 : 65536);
    let n;
    try {
      n = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') { sleep(5); continue; }
      if (error.code === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(buffer.subarray(0, n));
    got += n;
    sleep(slow ? 20 : 2);
  }
  fs.writeSync(1, Buffer.concat(chunks));
`;

function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _d, REDIS_URL: _r, BENEFIT_DATA_DIR: _b, LOG_LEVEL: _l, ...inherited } = process.env;
  return { ...inherited, ...env };
}

const exitOf = (child: ReturnType<typeof spawn>) => new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

/** `benefit ARGS > file`: what the command writes when nothing can be lost. */
async function intoFile(args: string[], env: Record<string, string>, file: string): Promise<{ code: number | null; output: Buffer }> {
  const fd = fs.openSync(file, 'w');
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(env), stdio: ['ignore', fd, 'ignore'] });
  fs.closeSync(fd);
  const code = await exitOf(child);
  return { code, output: fs.readFileSync(file) };
}

/**
 * `benefit ARGS 2>err | READER >out` in bash: the bytes the reader got, both exit codes
 * (PIPESTATUS) and the command's stderr.
 */
async function throughPipe(args: string[], env: Record<string, string>, reader: string, dir: string, expectedBytes = 0): Promise<{ code: number; readerCode: number; output: Buffer; stderr: string }> {
  const [out, err] = [path.join(dir, 'piped.out'), path.join(dir, 'piped.err')];
  const script = `"$NODE" "$BIN" "$@" 2>"$ERR" | ${reader} >"$OUT"; echo "\${PIPESTATUS[0]} \${PIPESTATUS[1]}"`;
  const child = spawn('bash', ['-c', script, 'bash', ...args], {
    env: { ...cliEnv(env), NODE: process.execPath, BIN, ERR: err, OUT: out, SLOW_READER, EXPECTED_BYTES: String(expectedBytes) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let status = '';
  child.stdout!.on('data', (d) => (status += d));
  await new Promise((resolve) => child.once('close', resolve));
  const [code, readerCode] = status.trim().split(' ').map(Number);
  return { code, readerCode, output: fs.readFileSync(out), stderr: fs.readFileSync(err, 'utf8') };
}

describe('piped output is complete', () => {
  let db: TestDatabase;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-piped-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    env = { DATABASE_URL: db.url!, BENEFIT_DATA_DIR: dir, BENEFIT_NOTICES_DIR: path.join(dir, 'notices'), LOG_LEVEL: 'warn' };
    const { files } = await generateMunicipality({ households: 600, seed: 'piped', municipalityCode: M, outDir: path.join(dir, 'data') });
    for (const kind of ['residents', 'income', 'accounts'] as const) expect((await runCli(['import', kind, files[kind]], env)).code).toBe(0);
    expect((await runCli(['municipality', 'set', M, '--file', SETTINGS], env)).code).toBe(0);
    const nightly = await runCli(['nightly', '--date', DATE, '--no-render'], env);
    expect(nightly.code, nightly.stderr).toBe(0);
    // A person whose data staff read many times: a long access log.
    expect((await runCli(['users', 'add', '--login', 'piped', '--role', 'reviewer', '--municipality', M], env, 'a long enough password\n')).code).toBe(0);
    await sql`
      insert into access_log (municipality_code, person_id, staff_user_id, staff_login, staff_role, what, purpose)
      select ${M}, '0000000001', u.id, u.login, u.role, 'decision D' || g, 'review' from staff_users u, generate_series(1, 5000) g
      where u.login = 'piped'`.execute(db.db);
  }, 300_000);
  afterAll(() => db?.close());

  // Without the seconds each stage took, which differ from run to run.
  const withoutSeconds = (b: Buffer) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString('utf8')), seconds: undefined }));
  const withoutOwnReads = (b: Buffer) => Buffer.from(b.toString('utf8').split('\n').filter((line) => !line.includes('"what":"アクセス記録（benefit access-log）"')).join('\n'));
  const commands: { name: string; args: () => string[]; big?: boolean; same?: (b: Buffer) => Buffer }[] = [
    { name: 'decisions export', args: () => ['decisions', 'export', '--as-of', DATE], big: true },
    { name: 'decisions replay', args: () => ['decisions', 'replay', firstDecision] },
    { name: 'payments dates', args: () => ['payments', 'dates'] },
    // Each run logs its own read: the second shows the first's entry, which is not what is compared.
    { name: 'access-log --json', args: () => ['access-log', '--person', '0000000001', '--municipality', M, '--json'], big: true, same: withoutOwnReads },
    { name: 'municipality show', args: () => ['municipality', 'show', M] },
    { name: 'nightly --json', args: () => ['nightly', '--date', DATE, '--json', '--no-render'], same: withoutSeconds },
    { name: 'simulate --json', args: () => ['simulate', '--rules', RULES, '--as-of', DATE, '--out', path.join(dir, 'simulation'), '--json'] },
    { name: 'rules check', args: () => ['rules', 'check', RULES] },
  ];
  let firstDecision = '';

  for (const command of commands) {
    it(`${command.name}: a slow reader on a pipe gets all of it`, async () => {
      if (!firstDecision) {
        const row = await db.db.selectFrom('decisions').select('decision_id').orderBy('id').limit(1).executeTakeFirstOrThrow();
        firstDecision = row.decision_id;
      }
      const expected = await intoFile(command.args(), env, path.join(dir, `${command.name.replace(/\W+/g, '-')}.out`));
      expect(expected.code).toBe(0);
      expect(expected.output.length).toBeGreaterThan(0);
      if (command.big) expect(expected.output.length).toBeGreaterThan(1 << 18);
      const piped = await throughPipe(command.args(), env, '"$NODE" -e "$SLOW_READER"', dir, expected.output.length);
      expect(piped.stderr).toBe('');
      expect(piped.code).toBe(0);
      expect(piped.readerCode).toBe(0);
      expect(piped.output.at(-1)).toBe(0x0a);
      const [got, want] = command.same ? [command.same(piped.output), command.same(expected.output)] : [piped.output, expected.output];
      // By length first: a readable message when the tail is lost.
      expect(got.length).toBe(want.length);
      expect(got.equals(want)).toBe(true);
    }, 120_000);
  }

  it('a reader that closes early (| head -1) ends the command at once, with no stack trace', async () => {
    const started = Date.now();
    const piped = await throughPipe(['decisions', 'export', '--as-of', DATE], env, 'head -1', dir);
    expect(piped.readerCode).toBe(0);
    expect(JSON.parse(piped.output.toString('utf8'))).toHaveProperty('decision_id');
    expect(piped.stderr).toBe('');
    // 141 = 128 + SIGPIPE, what a shell reports for a process a closed pipe ended.
    expect(piped.code).toBe(141);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
