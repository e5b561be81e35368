import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, startBenefit, startNode, timed } from './measure.ts';

const RUNS = 5;
/** Only what the embedded database itself costs a command: open it, one query, close. */
const PGLITE_ONLY = `const { PGlite } = await import(${JSON.stringify(import.meta.resolve('@electric-sql/pglite'))});
const db = await PGlite.create(process.argv[1]);
await db.query('select 1');
await db.close();`;

async function medianSeconds(run: () => Promise<unknown>): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < RUNS; i++) seconds.push((await timed(run)).seconds);
  return seconds.sort((a, b) => a - b)[RUNS >> 1];
}

async function benefit(args: string[], env: Record<string, string> = {}): Promise<void> {
  const r = await startBenefit(args, env).done;
  if (r.code !== 0) throw new Error(`benefit ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

/**
 * CLI start-up, medians of 5 runs: `--version` and `--help` next to `node -e 0`, and `db
 * migrate` on an up-to-date embedded database (a command with no work of its own) next to a
 * script that only opens the same PGlite database, queries it and closes it.
 */
export async function benchStartup() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-bench-startup-'));
  // Empty means unset: the embedded database in dataDir, jobs in process.
  const embedded = { BENEFIT_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '' };
  try {
    const node = await medianSeconds(() => startNode(['-e', '0']).done);
    const version = await medianSeconds(() => benefit(['--version']));
    const help = await medianSeconds(() => benefit(['--help']));
    await benefit(['db', 'migrate'], embedded); // creates the database: not measured
    const pglite = await medianSeconds(() => startNode(['--input-type=module', '-e', PGLITE_ONLY, path.join(dataDir, 'pgdata')]).done);
    const migrate = await medianSeconds(() => benefit(['db', 'migrate'], embedded));
    console.log(
      `start-up: --version ${fmt(version, 2)} s, --help ${fmt(help, 2)} s (node -e 0: ${fmt(node, 2)} s); ` +
        `db migrate on the embedded database ${fmt(migrate, 2)} s (PGlite alone: ${fmt(pglite, 2)} s, ${migrate >= pglite ? '+' : ''}${fmt(migrate - pglite, 2)} s)`,
    );
    return { runs: RUNS, node_seconds: node, version_seconds: version, help_seconds: help, pglite_only_seconds: pglite, embedded_migrate_seconds: migrate };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
