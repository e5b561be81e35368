import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { generateMunicipality } from '../src/generate/generate-municipality.ts';
import { benchExpressions } from './expressions.bench.ts';
import { benchImport } from './import.bench.ts';
import { benchNightly } from './nightly.bench.ts';
import { benchNotices, benchZengin } from './payments.bench.ts';
import { benchStartup } from './startup.bench.ts';
import buildDistIfStale from '../test/support/build-dist.ts';
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
    only: { type: 'string' },
    'zengin-lines': { type: 'string', default: '100000' },
    notices: { type: 'string', default: '10000' },
    'expression-households': { type: 'string', default: '50000' },
  },
});
const wants = (stage: string) => !values.only || values.only.split(',').includes(stage);
const households = Number(values.households);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// BENCH_DATABASE_SUFFIX also keeps side-by-side runs' generated files apart.
const outDir = path.resolve(`bench-out${process.env.BENCH_DATABASE_SUFFIX ?? ''}`);
const MUNICIPALITY = '141003';

async function freshDatabase(name: string, template?: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withDatabase<T>(name: string, fn: (url: string, db: Database['db']) => Promise<T>): Promise<T> {
  const url = await freshDatabase(name);
  const database = await openDatabase({ databaseUrl: url, dataDir: '' });
  await migrateToLatest(database.db);
  try {
    return await fn(url, database.db);
  } finally {
    await database.close();
  }
}

// The benchmarks run `benefit` as a process, which runs dist/: built first if a source is newer.
buildDistIfStale();
const results: Record<string, unknown> = { households, machine: { cores: (await import('node:os')).cpus().length } };
console.log(`benefit bench: ${fmt(households, 0)} households, PostgreSQL ${adminUrl.replace(/\/\/[^@]*@/, '//')}, Redis ${redisUrl}`);

if (wants('startup')) results.startup = await benchStartup();
if (wants('zengin')) {
  results.zengin = await withDatabase('benefit_bench_zengin', (databaseUrl, db) => benchZengin(db, databaseUrl, MUNICIPALITY, Number(values['zengin-lines'])));
}
if (wants('notices')) results.notices = await benchNotices(Number(values.notices));
if (wants('expressions')) {
  const n = Number(values['expression-households']);
  const generated = await generateMunicipality({ households: n, seed: values.seed!, municipalityCode: MUNICIPALITY, outDir: path.join(outDir, 'expressions-data') });
  results.expressions = await withDatabase('benefit_bench_expressions', (databaseUrl, db) => benchExpressions(db, databaseUrl, MUNICIPALITY, generated.files));
}

if (wants('import') || wants('nightly')) {
  const generated = await timed(() =>
    // An import-only run writes its own folder: a nightly bench running at the same time regenerates 'data'.
    generateMunicipality({ households, seed: values.seed!, municipalityCode: MUNICIPALITY, outDir: path.join(outDir, wants('nightly') ? 'data' : 'import-data') }),
  );
  console.log(`generate: ${fmt(generated.value.counts.residents, 0)} residents in ${fmt(generated.seconds)} s`);
  results.generate = { seconds: generated.seconds, ...generated.value.counts };

  if (wants('import')) {
    results.import = await withDatabase('benefit_bench', (databaseUrl, db) =>
      benchImport({ databaseUrl, redisUrl, db }, generated.value.files.residents, `bench-${Date.now()}`),
    );
  }
  if (wants('nightly')) {
    results.nightly = await benchNightly(
      { adminUrl, redisUrl, municipality: MUNICIPALITY, freshDatabase },
      generated.value.files,
      outDir,
      Math.round(generated.value.counts.residents / 100),
    );
  }
}
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`results: ${path.join(outDir, 'results.json')}`);
