import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { DB, RecordKind } from '../db/schema.ts';
import { ConflictError } from '../errors.ts';
import { processExists } from '../os/process-exists.ts';

/**
 * Imports that stopped before they finished. An import stores its rows as `received` while it
 * reads the file and queues them for the workers only at its end (after the whole file's
 * household check): one killed or crashed part-way leaves rows received that nobody will ever
 * queue. Such an import is recognised by its holder: the process that runs an import renews
 * `heartbeat_at` every 10 s; an unfinished import is gone when its process no longer exists on
 * this machine, or when it has not renewed for a minute (a process on another machine), or
 * when it failed and said so. Running the same import again takes its rows over and queues
 * them (ingestRows); the nightly refuses to start while one is gone, naming it.
 */
const HEARTBEAT_MS = 10_000;
export const IMPORT_STALE_SECONDS = 60;

export interface AbandonedImport {
  importId: number;
  kind: RecordKind;
  /** The file's path, or `api:LOGIN` for rows sent to POST /v1/changes. */
  source: string;
  startedAt: Date;
  /** Rows stored as received that were never queued. */
  received: number;
}

/** Records this process as the import's holder and renews it until the returned function is called. */
export async function holdImport(db: Kysely<DB>, importId: number): Promise<{ release(failed: boolean): Promise<void> }> {
  await db.updateTable('imports').set({ host: os.hostname(), pid: process.pid, heartbeat_at: sql`now()` }).where('id', '=', importId).execute();
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = db
      .updateTable('imports')
      .set({ heartbeat_at: sql`now()` })
      .where('id', '=', importId)
      .where('finished_at', 'is', null)
      .execute()
      .catch(() => {}); // a missed renewal is retried at the next tick
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    async release(failed: boolean) {
      clearInterval(timer);
      await renewing;
      // A failed import is gone at once: running it again need not wait for the heartbeat to age.
      if (failed) {
        await db.updateTable('imports').set({ heartbeat_at: null }).where('id', '=', importId).where('finished_at', 'is', null).execute().catch(() => {});
      }
    },
  };
}

/** Unfinished imports whose process is gone, with how many of their rows were received but never queued. */
export async function abandonedImports(db: Kysely<DB>): Promise<AbandonedImport[]> {
  const { rows } = await sql<{ id: number; kind: RecordKind; source: string; started_at: Date; host: string | null; pid: number | null; stale: boolean; received: number }>`
    select i.id, i.kind, i.source, i.started_at, i.host, i.pid,
           (i.heartbeat_at is null or i.heartbeat_at < now() - make_interval(secs => ${IMPORT_STALE_SECONDS})) as stale,
           (select count(*)::int from changes c where c.import_id = i.id and c.status = 'received') as received
    from imports i
    where i.finished_at is null
    order by i.id`.execute(db);
  const here = os.hostname();
  return rows
    .filter((r) => r.received > 0 && (r.stale || (r.host === here && r.pid !== null && !processExists(r.pid))))
    .map((r) => ({ importId: r.id, kind: r.kind, source: r.source, startedAt: r.started_at, received: r.received }));
}

/**
 * Called at the start of the nightly: an import that stopped before it finished left rows that
 * will never be applied, so waiting for them is pointless. Says which import, and what finishes it.
 */
export async function assertNoAbandonedImports(db: Kysely<DB>): Promise<void> {
  const gone = await abandonedImports(db);
  if (gone.length === 0) return;
  const lines = gone.map(
    (g) =>
      `import ${g.importId} (${g.kind}, ${g.source}, started ${g.startedAt.toISOString()}) stopped before it finished: ` +
      `${g.received} rows were received but never queued; ${finishingCommand(g)}`,
  );
  throw new ConflictError(
    'import_unfinished',
    `${lines.join('\n')}\nThe nightly applies only what an import finished: finish ${gone.length === 1 ? 'it' : 'them'}, then run the nightly again.`,
    { imports: gone.map((g) => g.importId) },
  );
}

function finishingCommand(g: AbandonedImport): string {
  return g.source.startsWith('api:')
    ? `send the same rows to POST /v1/changes again (as ${g.source.slice(4)}) to finish it`
    : `run \`benefit import ${g.kind} ${g.source}\` again to finish it`;
}

/**
 * Takes over the rows still received of abandoned imports of the same kind and source (the
 * same file, run again): they become this import's rows, checked and queued with it.
 */
export async function adoptAbandonedRows(db: Kysely<DB>, importId: number, kind: RecordKind, source: string, abandoned: AbandonedImport[]): Promise<number> {
  const ids = abandoned.filter((a) => a.kind === kind && a.source === source).map((a) => a.importId);
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable('changes')
    .set({ import_id: importId })
    .where('import_id', 'in', ids)
    .where('status', '=', 'received')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
