import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { generateMunicipality } from '../src/generate/generate-municipality.ts';
import { benchImport } from './import.bench.ts';
import { fmt, timed } from './measure.ts';

/**
 * `npm run bench [-- --households N]`: measures the engine on the real PostgreSQL and Redis
 * of this machine, each figure next to a baseline measured in the same run. Results go to
 * stdout and bench-out/results.json.
 */
const { values } = parseArgs({
  options: {
    households: { type: 'string', default: '450000' },
    seed: { type: 'string', default: 'bench' },
  },
});
const households = Number(values.households);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const outDir = path.resolve('bench-out');
const MUNICIPALITY = '141003';

async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('drop database if exists benefit_bench with (force)');
  await admin.query('create database benefit_bench');
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = '/benefit_bench';
  return url.toString();
}

const results: Record<string, unknown> = { households, machine: { cores: (await import('node:os')).cpus().length } };
console.log(`benefit bench: ${fmt(households, 0)} households, PostgreSQL ${adminUrl.replace(/\/\/[^@]*@/, '//')}, Redis ${redisUrl}`);

const generated = await timed(() =>
  generateMunicipality({ households, seed: values.seed!, municipalityCode: MUNICIPALITY, outDir: path.join(outDir, 'data') }),
);
console.log(`generate: ${fmt(generated.value.counts.residents, 0)} residents in ${fmt(generated.seconds)} s`);
results.generate = { seconds: generated.seconds, ...generated.value.counts };

const databaseUrl = await freshDatabase();
const database = await openDatabase({ databaseUrl, dataDir: '' });
await migrateToLatest(database.db);
try {
  results.import = await benchImport({ databaseUrl, redisUrl, db: database.db }, generated.value.files.residents, `bench-${Date.now()}`);
} finally {
  await database.close();
}
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`results: ${path.join(outDir, 'results.json')}`);
