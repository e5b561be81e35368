import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Kysely } from 'kysely';
import { pendingChanges } from '../src/batch/batch.repository.ts';
import type { DB } from '../src/db/schema.ts';
import { fmt, startBenefit, timed } from './measure.ts';

export interface BenchTarget {
  databaseUrl: string;
  redisUrl: string;
  db: Kysely<DB>;
}

/**
 * Import throughput end to end: `benefit import` (validate, store, queue) in one process,
 * `benefit worker` (apply to history and current tables) in another, until every row is
 * applied; next to PostgreSQL's COPY of the same file into a table of the same columns, the
 * floor for getting those bytes into the database at all.
 */
export async function benchImport(target: BenchTarget, residentsFile: string, prefix: string): Promise<Record<string, unknown>> {
  const rows = (await countLines(residentsFile)) - 1;
  const env = { DATABASE_URL: target.databaseUrl, REDIS_URL: target.redisUrl, BENEFIT_QUEUE_PREFIX: prefix };
  const worker = startBenefit(['worker'], env);
  let importPeak = 0;
  let importSeconds = 0;
  const e2e = await timed(async () => {
    const importer = startBenefit(['import', 'residents', residentsFile, '--json'], env);
    const { seconds, value: result } = await timed(() => importer.done);
    importSeconds = seconds;
    importPeak = importer.peakMiB();
    if (result.code !== 0) throw new Error(`import failed (${result.code}): ${result.stderr}`);
    await waitUntilApplied(target.db);
    return { summary: JSON.parse(result.stdout) };
  });
  const workerPeak = worker.peakMiB();
  worker.stop();
  await worker.done;

  const copy = await timed(() => copyIntoStaging(target.databaseUrl, residentsFile));
  const report = {
    rows,
    end_to_end_seconds: e2e.seconds,
    // The import process alone (validate, store, check, queue); the rest is the workers' tail.
    import_process_seconds: importSeconds,
    rows_per_second: rows / e2e.seconds,
    copy_seconds: copy.seconds,
    ratio_to_copy: e2e.seconds / copy.seconds,
    import_peak_mib: importPeak,
    worker_peak_mib: workerPeak,
    accepted: e2e.value.summary.accepted,
  };
  console.log(
    `import ${fmt(rows, 0)} resident rows end to end: ${fmt(e2e.seconds)} s = ${fmt(report.rows_per_second, 0)} rows/s ` +
      `(the import process ${fmt(importSeconds)} s, then applying ${fmt(e2e.seconds - importSeconds)} s) ` +
      `(COPY of the same file: ${fmt(copy.seconds, 2)} s; ratio ${fmt(report.ratio_to_copy)}x); ` +
      `peak memory: import ${fmt(importPeak, 0)} MiB, worker ${fmt(workerPeak, 0)} MiB`,
  );
  return report;
}

async function waitUntilApplied(db: Kysely<DB>): Promise<void> {
  for (;;) {
    if ((await pendingChanges(db, new Date())) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function copyIntoStaging(databaseUrl: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const header = (await firstLine(file)).split(',');
    await client.query(`drop table if exists bench_copy; create table bench_copy (${header.map((h) => `"${h}" text`).join(', ')})`);
    await pipeline(fs.createReadStream(file), client.query(copyFrom(`copy bench_copy from stdin with (format csv, header true)`)));
    await client.query('drop table bench_copy');
  } finally {
    await client.end();
  }
}

async function firstLine(file: string): Promise<string> {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  fs.readSync(fd, buf, 0, 4096, 0);
  fs.closeSync(fd);
  return buf.toString('utf8').split('\n')[0].replace(/^\uFEFF/, '');
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of fs.createReadStream(file)) for (const b of chunk as Buffer) if (b === 10) n++;
  return n;
}

