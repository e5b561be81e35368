import { createHash } from 'node:crypto';
import { echoOf } from '../csv/safe-cell.ts';
import type { Kysely } from 'kysely';
import type { DB, RecordKind } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { JOB, QUEUE } from '../queue/queue-names.ts';
import {
  createImport,
  finishImport,
  insertChanges,
  analyzeChanges,
  insertRejections,
  pendingRanges,
  rejectHouseholdsWithoutOneHead,
  type Rejection,
  type StagedChange,
} from './change.repository.ts';
import type { RawRow } from './csv-rows.ts';
import { abandonedImports, adoptAbandonedRows, holdImport } from './import-recovery.ts';
import { parseRecord } from './record-schemas.ts';
import type { RejectionFile } from './rejection-file.ts';

/** Rows stored per statement, and changes applied per ingest job (DESIGN.md: chunked jobs). */
const BATCH_SIZE = 2000;
const APPLY_CHUNK = 5000;
/** How many rejections a summary carries back to an API caller; all are in the database. */
const REJECTIONS_RETURNED = 1000;
const ANALYZE_AFTER = 10_000;

export interface IngestContext {
  db: Kysely<DB>;
  jobs: JobQueue;
  logger: Logger;
}

export interface IngestSummary {
  importId: number;
  kind: RecordKind;
  rowsRead: number;
  accepted: number;
  duplicates: number;
  rejectedRows: number;
  rejections: Rejection[];
  rejectedFile: string | null;
  applyJobs: number;
  /** Rows an earlier run of the same import stored but never queued (it was killed), queued by this one. */
  recovered: number;
}

/**
 * Validates every row, stores the good ones as changes (each change_id once), records every
 * rejection with its line, change_id, field and reason, and queues the stored changes for the
 * ingest worker. Rows stream through in batches: memory does not grow with the input.
 *
 * An import that stopped part-way (killed, crashed) left rows received but not queued: this
 * run takes over those it meets again, and at its end all the rest of an earlier run of the
 * same kind and source, so running the same import again finishes the job. The import is
 * marked finished only once its changes are queued.
 */
export async function ingestRows(
  ctx: IngestContext,
  kind: RecordKind,
  source: string,
  batches: AsyncIterable<RawRow[]> | Iterable<RawRow[]>,
  rejectionFile?: RejectionFile,
): Promise<IngestSummary> {
  const { db } = ctx;
  const abandoned = await abandonedImports(db);
  const adoptFrom = abandoned.map((a) => a.importId);
  const importId = await createImport(db, kind, source);
  const holder = await holdImport(db, importId);
  try {
    const summary = await ingestInto(ctx, importId, kind, source, batches, rejectionFile, adoptFrom, abandoned);
    await holder.release(false);
    return summary;
  } catch (error) {
    await holder.release(true);
    throw error;
  }
}

async function ingestInto(
  ctx: IngestContext,
  importId: number,
  kind: RecordKind,
  source: string,
  batches: AsyncIterable<RawRow[]> | Iterable<RawRow[]>,
  rejectionFile: RejectionFile | undefined,
  adoptFrom: number[],
  abandoned: Awaited<ReturnType<typeof abandonedImports>>,
): Promise<IngestSummary> {
  const { db } = ctx;
  const counts = { rows_read: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const returned: Rejection[] = [];
  let staged: StagedChange[] = [];
  let rejections: Rejection[] = [];

  const report = async () => {
    // Values from the input repeated back are cut short and made storable (src/csv/safe-cell.ts).
    const echoed = rejections.map((r) => ({ ...r, changeId: r.changeId === null ? null : echoOf(r.changeId), field: echoOf(r.field) }));
    await insertRejections(db, importId, source, echoed);
    await rejectionFile?.write(echoed);
    returned.push(...echoed.slice(0, REJECTIONS_RETURNED - returned.length));
    rejections = [];
  };
  const reject = (problems: Rejection[]) => {
    counts.rejected++;
    rejections.push(...problems);
  };
  // One batch is stored while the next is validated: PostgreSQL and Node work at the same time.
  let storing: Promise<void> = Promise.resolve();
  const flush = async () => {
    const batch = staged;
    staged = [];
    await storing;
    storing = store(batch);
  };
  const store = async (batch: StagedChange[]) => {
    const { unique, repeats } = splitRepeats(batch);
    const existing = unique.length ? await insertChanges(db, importId, kind, unique, adoptFrom) : new Map();
    for (const s of unique) {
      const key = keyOf(s);
      if (!existing.has(key)) counts.accepted++;
    }
    for (const s of [...unique.filter((u) => existing.has(keyOf(u))), ...repeats]) {
      const earlier = existing.get(keyOf(s)) ?? { contentHash: unique.find((u) => keyOf(u) === keyOf(s))!.contentHash, kind };
      if (earlier.contentHash === s.contentHash && earlier.kind === kind) counts.duplicates++;
      else reject([rejectionOf(s, 'change_id', 'already received with different content; a change_id is used once')]);
    }
  };

  for await (const rows of batches) {
    for (const row of rows) {
      counts.rows_read++;
      const parsed = row.problems.length ? undefined : parseRecord(kind, row.cells);
      if (parsed?.ok) {
        staged.push({ record: parsed.record, contentHash: hashOf(parsed.record), line: row.line });
      } else {
        const problems = parsed ? parsed.problems : row.problems;
        reject(problems.map((p) => ({
          municipalityCode: row.recordUnder ?? municipalityOf(row.cells.municipality_code),
          line: row.line,
          changeId: row.cells.change_id || null,
          field: p.field,
          reason: p.reason,
        })));
      }
      if (staged.length >= BATCH_SIZE) await flush();
      if (rejections.length >= BATCH_SIZE) await report();
    }
  }
  await flush();
  await storing;
  // What an earlier run of this same import stored but never queued, and this run did not meet.
  const recovered = await adoptAbandonedRows(db, importId, kind, source, abandoned);
  // Fresh statistics after a bulk load, so the checks below and the workers plan for its size.
  if (counts.accepted >= ANALYZE_AFTER) await analyzeChanges(db);

  if (kind === 'residents') {
    const households = await rejectHouseholdsWithoutOneHead(db, importId);
    const lines = new Set(households.map((h) => h.line)).size;
    counts.accepted -= lines;
    counts.rejected += lines;
    rejections.push(...households);
  }
  await report();

  const ranges = await pendingRanges(db, importId, APPLY_CHUNK);
  // Queued first, finished after: a finished import has queued all it stored.
  await ctx.jobs.enqueue(
    ranges.map((r) => ({
      queue: QUEUE.changes,
      name: JOB.applyChanges,
      data: { municipalityCode: r.municipality_code, fromId: r.from_id, toId: r.to_id },
      jobId: `apply-${r.municipality_code}-${r.from_id}-${r.to_id}`,
    })),
  );
  await finishImport(db, importId, counts);
  ctx.logger.info({ importId, kind, ...counts, recovered, applyJobs: ranges.length, queue: ctx.jobs.kind }, 'import finished');
  return {
    importId,
    kind,
    rowsRead: counts.rows_read,
    accepted: counts.accepted,
    duplicates: counts.duplicates,
    rejectedRows: counts.rejected,
    rejections: returned,
    rejectedFile: (await rejectionFile?.close()) ?? null,
    applyJobs: ranges.length,
    recovered,
  };
}

/** A rejected row is recorded under its municipality when it names one; otherwise under none. */
const municipalityOf = (cell: string | undefined): string => (cell && /^\d{6}$/.test(cell) ? cell : '');

const keyOf = (s: StagedChange) => `${s.record.municipality_code}/${s.record.change_id}`;

/** The same change_id twice in one batch: the first is stored, the rest compared with it. */
function splitRepeats(staged: StagedChange[]): { unique: StagedChange[]; repeats: StagedChange[] } {
  const seen = new Set<string>();
  const unique: StagedChange[] = [];
  const repeats: StagedChange[] = [];
  for (const s of staged) {
    const key = keyOf(s);
    (seen.has(key) ? repeats : unique).push(s);
    seen.add(key);
  }
  return { unique, repeats };
}

function hashOf(record: object): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('base64url');
}

function rejectionOf(s: StagedChange, field: string, reason: string): Rejection {
  return { municipalityCode: s.record.municipality_code, line: s.line, changeId: s.record.change_id, field, reason };
}
