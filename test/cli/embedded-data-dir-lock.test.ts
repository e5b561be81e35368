import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { LOCK_FILE } from '../../src/db/data-dir-lock.ts';
import { BIN, runCli } from '../support/run-cli.ts';

/**
 * Issue 13 point 13: two processes on the embedded database never lose a write. While one
 * process has the embedded database of a BENEFIT_DATA_DIR open (`benefit serve`, `demo --serve`),
 * another command on the same directory refuses at once with exit 2, naming the process that
 * holds it, and writes nothing; once the holder has exited, or died, the command works.
 */
const M = '141003';

function start(args: string[], env: Record<string, string>): ChildProcess {
  const { DATABASE_URL: _d, REDIS_URL: _r, BENEFIT_DATA_DIR: _b, LOG_LEVEL: _l, ...inherited } = process.env;
  return spawn(process.execPath, [BIN, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the process ends first. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => pattern.test(l));
      if (line) resolve(line);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${out}${err}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

async function logins(dataDir: string): Promise<string[]> {
  const database = await openDatabase({ databaseUrl: undefined, dataDir });
  try {
    const rows = await database.db.selectFrom('staff_users').select('login').orderBy('login').execute();
    return rows.map((r) => r.login);
  } finally {
    await database.close();
  }
}

describe('two processes on one embedded data directory', () => {
  const running: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of running.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  const addUser = (env: Record<string, string>, login: string) =>
    runCli(['users', 'add', '--login', login, '--role', 'admin', '--municipality', M], env, 'correct horse battery staple\n');

  it('refuses a second process while `serve` holds the directory (exit 2, naming it), and works once it has exited', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-lock-'));
    const env = { BENEFIT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const server = start(['serve', '--port', '0'], env);
    running.push(server);
    await waitForLine(server, /^listening on /);

    const refused = await addUser(env, 'tanaka');
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stdout).not.toMatch(/created/);
    expect(refused.stderr).toContain(`process ${server.pid} (benefit serve --port 0)`);
    expect(refused.stderr).toContain(dataDir);
    expect(refused.stderr).not.toMatch(/^\s+at /m);

    server.kill('SIGTERM');
    await exited(server);
    expect(server.exitCode).toBe(0);
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    const added = await addUser(env, 'tanaka');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^created tanaka/);
    expect(await logins(dataDir)).toEqual(['tanaka']);
  }, 120_000);

  it('`demo --serve`: a user added meanwhile is refused, not lost; the demo\'s own login stays', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-lock-demo-'));
    const env = { BENEFIT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const demo = start(['demo', '--households', '30', '--out', path.join(dataDir, 'out'), '--serve', '--port', '0'], env);
    running.push(demo);
    const login = (await waitForLine(demo, /^sign in as /)).split(' ')[3];
    await waitForLine(demo, /^listening on /);

    const refused = await addUser(env, 'suzuki');
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`process ${demo.pid} (benefit demo --households 30`);

    demo.kill('SIGTERM');
    await exited(demo);
    expect(await logins(dataDir)).toEqual([login]);
    expect((await addUser(env, 'suzuki')).code).toBe(0);
    expect(await logins(dataDir)).toEqual([login, 'suzuki'].sort());
  }, 300_000);

  it('takes over the lock of a process that died (kill -9)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-lock-dead-'));
    const env = { BENEFIT_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const server = start(['serve', '--port', '0'], env);
    running.push(server);
    await waitForLine(server, /^listening on /);
    server.kill('SIGKILL');
    await exited(server);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: server.pid });

    const added = await addUser(env, 'sato');
    expect(added.code, added.stderr).toBe(0);
    expect(await logins(dataDir)).toEqual(['sato']);
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  }, 120_000);
});
