import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/benefit.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `benefit ARGS` as a user's shell does (through its #! line) with only the given configuration (none of the caller's). */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const { DATABASE_URL: _d, REDIS_URL: _r, BENEFIT_DATA_DIR: _b, LOG_LEVEL: _l, ...inherited } = process.env;
    const child = spawn(BIN, args, { env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    // Decoded as a stream: a character split between two chunks stays whole.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** `benefit ARGS` in the background with the test's configuration only, its output ignored. */
export function startBenefit(args: string[], env: Record<string, string>): ChildProcess {
  const { DATABASE_URL: _d, REDIS_URL: _r, BENEFIT_DATA_DIR: _b, LOG_LEVEL: _l, ...inherited } = process.env;
  return spawn(BIN, args, { env: { ...inherited, ...env }, stdio: 'ignore' });
}

/** Resolves once the process has ended (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
