import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import { takeDataDirLock } from './data-dir-lock.ts';
import type { DB } from './schema.ts';

// Dates stay 'YYYY-MM-DD' strings (a legal date has no time zone) and bigints become
// numbers (counts and yen amounts are far below 2^53).
const DATE_OID = 1082;
const INT8_OID = 20;
pg.types.setTypeParser(DATE_OID, (v) => v);
pg.types.setTypeParser(INT8_OID, (v) => Number(v));

export interface Database {
  db: Kysely<DB>;
  /** 'postgres' for a server from DATABASE_URL, 'embedded' for PGlite under the data dir. */
  kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
    // An idle connection the server ends (a restart, a dropped database) is replaced on next
    // use; unheard, its error event would end the process.
    pool.on('error', () => {});
    // So is one in use (a transaction between two queries when the server restarts): its query
    // fails, the job or command meets that error, and the pool drops the connection when it
    // comes back. The pool listens only while a connection is idle; this listens always.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      // No JIT: the batch's statements are short and row-level security hides the municipality
      // from the planner's estimates, so JIT compiled statements it then ran in milliseconds.
      // A full nightly of 100,000 households decided and paid 10-25% faster without it
      // (docs/performance.md). Queued before the connection's first query.
      client.query('set jit = off').catch(() => {});
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  return openEmbedded(path.join(config.dataDir, 'pgdata'));
}

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in this process, stored in `dir` ('memory://' for
 * none). A stored one is this process's alone while open: see takeDataDirLock.
 */
export async function openEmbedded(dir: string): Promise<Database> {
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  // One process at a time: the data directory (the folder holding `dir`) is locked first.
  const lock = dir.startsWith('memory://') ? undefined : takeDataDirLock(path.dirname(dir));
  let pglite;
  try {
    if (!dir.startsWith('memory://')) fs.mkdirSync(dir, { recursive: true });
    pglite = await PGlite.create(dir, {
      parsers: { [DATE_OID]: (v: string) => v, [INT8_OID]: (v: string) => Number(v) },
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'embedded',
    close: async () => {
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}
