import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup, also run by bench/bench.ts: tests and benchmarks that start `benefit` as
 * a process run bin/benefit.js, which runs the compiled dist/. After an edit of the sources
 * dist/ is out of date, and they would run the old code: it is built again (incrementally) when
 * any source is newer than the last build. Nothing is done when it is up to date.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAMP = path.join(ROOT, 'dist', '.tsbuildinfo'); // written by each build (tsconfig.build.json)
const SOURCES = ['src', 'workers', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestChange(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((name) => newestChange(path.join(file, name))));
}

export default function setup(): void {
  const built = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
  if (Math.max(...SOURCES.map((s) => newestChange(path.join(ROOT, s)))) <= built) return;
  const started = new Date();
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  // A type error still emits the JavaScript (vitest runs the sources regardless): say it, go on.
  if (result.status !== 0) process.stderr.write(`build of dist/ for the CLI tests: tsc exited ${result.status}\n${result.stdout}${result.stderr}`);
  // Edits made while it built are newer than this, so the next run builds again.
  if (fs.existsSync(STAMP)) fs.utimesSync(STAMP, started, started);
}
