import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/benefit.js', import.meta.url));

/** Peak resident memory of a live process in MiB (Linux VmHWM), or 0 once it is gone. */
function peakMiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export interface RunningProcess {
  pid: number;
  /** The highest peak seen so far (sampled every 100 ms). */
  peakMiB(): number;
  /** Resolves with the exit code and the process's stdout. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(signal?: NodeJS.Signals): void;
}

/** Starts `benefit ARGS` as a user's `benefit` runs (through its #! line, with its Node options) and samples its peak memory until it exits. */
export function startBenefit(args: string[], env: Record<string, string>): RunningProcess {
  return start(BIN, args, env);
}

/** Starts `node ARGV` and samples its peak memory until it exits. */
export function startNode(argv: string[], env: Record<string, string> = {}): RunningProcess {
  return start(process.execPath, argv, env);
}

function start(command: string, argv: string[], env: Record<string, string>): RunningProcess {
  const child = spawn(command, argv, { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
  let peak = 0;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setInterval(() => (peak = Math.max(peak, peakMiB(child.pid!))), 100);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { pid: child.pid!, peakMiB: () => Math.max(peak, peakMiB(child.pid!)), done, stop: (s = 'SIGTERM') => child.kill(s) };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

export const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
