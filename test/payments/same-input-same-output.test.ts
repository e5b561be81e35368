import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { exited, runCli, startBenefit as start } from '../support/run-cli.ts';
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from '../support/test-database.ts';

/**
 * Issue 13 point 11: the same input gives the same output. One generated municipality is
 * imported into two fresh PostgreSQL databases and the nightly of 2024-12-13 runs once in each,
 * uninterrupted, as two installations would run it: one with its jobs in process and the
 * default chunks, the other on two worker processes with chunks of 100 households, in a
 * database whose serials are further along (one that has served before, or rolled
 * transactions back). Every decision id, the decisions export, the Zengin files and the print
 * manifest must be the same, byte for byte: an auditor reproduces a run from its input alone.
 */
const SETTINGS = fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url));
const M = '141003';
const DATE = '2024-12-13';

interface RunOutput {
  decisionIds: string[];
  noticeIds: string[];
  exportLines: string[];
  zengin: Map<string, Buffer>;
  manifests: string[];
  manifestNames: string[];
}

describe('the same input gives the same output on two databases', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-same-'));
  const databases: TestDatabase[] = [];
  const workers: ChildProcess[] = [];
  const outputs: RunOutput[] = [];

  async function run(name: string, db: TestDatabase, extra: Record<string, string>): Promise<RunOutput> {
    const env = { DATABASE_URL: db.url!, BENEFIT_DATA_DIR: path.join(dir, name), BENEFIT_NOTICES_DIR: path.join(dir, name, 'notices'), LOG_LEVEL: 'warn', ...extra };
    const files = { residents: path.join(dir, 'data', 'residents.csv'), income: path.join(dir, 'data', 'income.csv'), accounts: path.join(dir, 'data', 'accounts.csv'), circumstances: path.join(dir, 'data', 'circumstances.csv') };
    for (const kind of ['residents', 'income', 'accounts', 'circumstances'] as const) {
      const r = await runCli(['import', kind, files[kind]], env);
      expect(r.code, r.stderr).toBe(0);
    }
    expect((await runCli(['municipality', 'set', M, '--file', SETTINGS], env)).code).toBe(0);
    if (extra.REDIS_URL) for (let i = 0; i < 2; i++) workers.push(start(['worker', '--concurrency', '2'], env));
    const nightly = await runCli(['nightly', '--date', DATE, '--json'], env);
    expect(nightly.code, nightly.stderr).toBe(0);

    const { rows: decisions } = await sql<{ key: string }>`
      select concat_ws(' ', program, household_id, effective_from, change_kind, decision_id) as key from decisions order by 1`.execute(db.db);
    const { rows: notices } = await sql<{ key: string }>`select concat_ws(' ', kind, notice_id) as key from notices order by 1`.execute(db.db);
    const exported = await runCli(['decisions', 'export', '--as-of', DATE], env);
    expect(exported.code, exported.stderr).toBe(0);
    // decided_at says when this installation decided; everything else is what it decided.
    const exportLines = exported.stdout.trimEnd().split('\n').map((line) => {
      const { decided_at: _at, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    const zengin = new Map<string, Buffer>();
    const dates = await runCli(['payments', 'dates'], env);
    for (const date of dates.stdout.trim().split('\n')) {
      const out = path.join(dir, name, `zengin-${date}.txt`);
      const r = await runCli(['payments', 'export', '--date', date, '--format', 'zengin', '--out', out], env);
      expect(r.code, r.stderr).toBe(0);
      zengin.set(date, fs.readFileSync(out));
    }
    const noticesDir = path.join(env.BENEFIT_NOTICES_DIR, M, DATE);
    const manifestNames = fs.readdirSync(noticesDir).filter((f) => f.startsWith('manifest-')).sort();
    const manifests = manifestNames.map((f) => fs.readFileSync(path.join(noticesDir, f), 'utf8'));
    return { decisionIds: decisions.map((d) => d.key), noticeIds: notices.map((n) => n.key), exportLines, zengin, manifests, manifestNames };
  }

  beforeAll(async () => {
    await generateMunicipality({ households: 1200, seed: 'same-input', municipalityCode: M, outDir: path.join(dir, 'data') });
    const a = await createPostgresDatabase();
    databases.push(a);
    const b = await createPostgresDatabase();
    databases.push(b);
    // B has served before: its serials are further along than A's.
    for (const table of ['changes', 'decisions', 'payment_lines', 'notices', 'review_items', 'batch_runs']) {
      await sql`select setval(pg_get_serial_sequence(${table}, 'id'), ${1000 + Math.floor(Math.random() * 100000)})`.execute(b.db);
    }
    outputs.push(await run('a', a, {}));
    outputs.push(await run('b', b, { REDIS_URL, BENEFIT_QUEUE_PREFIX: `same-${randomBytes(4).toString('hex')}`, BENEFIT_CHUNK_HOUSEHOLDS: '100' }));
  }, 600_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));
    for (const db of databases) await db.close();
  });

  it('gives every decision and notice the same id', () => {
    const [a, b] = outputs;
    // The first run of the year decides October, November and December: chains of several decisions.
    expect(a.decisionIds.length).toBeGreaterThan(1200);
    // Decisions per program and household: some chains have several.
    const chains = new Map<string, number>();
    const chain = (key: string) => key.split(' ', 2).join(' ');
    for (const k of a.decisionIds) chains.set(chain(k), (chains.get(chain(k)) ?? 0) + 1);
    expect([...chains.values()].filter((n) => n > 1).length).toBeGreaterThan(10);
    expect(differing(a.decisionIds, b.decisionIds)).toEqual([]);
    expect(a.noticeIds.length).toBeGreaterThan(100);
    expect(differing(a.noticeIds, b.noticeIds)).toEqual([]);
  });

  it('prints the same decisions export', () => {
    const [a, b] = outputs;
    expect(a.exportLines.length).toBeGreaterThan(1000);
    expect(differing(a.exportLines, b.exportLines).map((l) => l.slice(0, 80))).toEqual([]);
  });

  it('writes the same Zengin files, byte for byte', () => {
    const [a, b] = outputs;
    expect([...a.zengin.keys()]).toEqual([DATE]);
    expect([...b.zengin.keys()]).toEqual([...a.zengin.keys()]);
    for (const [date, file] of a.zengin) {
      expect(file.length).toBeGreaterThan(122 * 100);
      const records = (f: Buffer) => f.toString('latin1').split('\r\n');
      // Record numbers (1-based) of the records that differ.
      const other = records(b.zengin.get(date)!);
      expect(records(file).flatMap((r, i) => (r === other[i] ? [] : [i + 1])).slice(0, 10), `zengin ${date}`).toEqual([]);
      expect(b.zengin.get(date)!.equals(file)).toBe(true);
    }
  });

  it('writes the same print manifest', () => {
    const [a, b] = outputs;
    expect(a.manifests.length).toBe(1);
    expect(b.manifests.length).toBe(1);
    const rows = (m: string) => m.split('\r\n');
    // Row numbers, not their content (names and addresses).
    const other = rows(b.manifests[0]);
    expect(rows(a.manifests[0]).flatMap((r, i) => (r === other[i] ? [] : [i + 1])).slice(0, 10)).toEqual([]);
    expect(b.manifests[0]).toBe(a.manifests[0]);
    // Its name too: the run's number for the date, not a database serial.
    expect(a.manifestNames).toEqual([`manifest-${DATE}-run1.csv`]);
    expect(b.manifestNames).toEqual(a.manifestNames);
  });
});

/** At most 5 entries of `a` not at the same place in `b` (or the lengths, if they differ). */
function differing(a: string[], b: string[]): string[] {
  if (a.length !== b.length) return [`${a.length} entries against ${b.length}`];
  return a.filter((x, i) => x !== b[i]).slice(0, 5);
}
