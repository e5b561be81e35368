import { sql, type Kysely } from 'kysely';
import { waitFor } from '../batch/wait-for.ts';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { JOB, QUEUE } from '../queue/queue-names.ts';
import { createNotices, type CreateNoticesInput } from './create-notices.service.ts';
import { writePrintManifest } from './print-manifest.ts';

const RENDER_CHUNK = 100;

/**
 * The notice stage of a nightly run for one municipality: creates the notices due, has the
 * notices workers render every pending one (a notice left pending by an interrupted run is
 * rendered now), waits for them, and writes the run's print manifest. Without rendering, the
 * notices wait, pending, for the next run that renders.
 */
export async function runNotices(
  ctx: { db: Kysely<DB>; jobs: JobQueue; noticesDir: string; renderNotices?: boolean },
  input: CreateNoticesInput,
): Promise<{ notices_created: number; manifest?: string }> {
  const { db } = ctx;
  const m = input.municipalityCode;
  const created = await createNotices(db, input);
  if (ctx.renderNotices === false) return { notices_created: created };
  const pending = await db.selectFrom('notices').select('id').where('municipality_code', '=', m).where('status', '=', 'pending').orderBy('id').execute();
  const jobs = [];
  for (let i = 0; i < pending.length; i += RENDER_CHUNK) {
    const ids = pending.slice(i, i + RENDER_CHUNK).map((p) => p.id);
    jobs.push({ queue: QUEUE.notices, name: JOB.renderNotices, data: { ids }, jobId: `notices-${m}-${ids[0]}-${ids[ids.length - 1]}` });
  }
  await ctx.jobs.enqueue(jobs);
  const ids = pending.map((p) => p.id);
  await waitFor(async () => {
    if (ids.length === 0) return 0;
    const row = await db.selectFrom('notices').select(db.fn.countAll<number>().as('n')).where('id', '=', sql<number>`any(${ids}::bigint[])`).where('status', '=', 'pending').executeTakeFirstOrThrow();
    return Number(row.n);
  }, 'notices to render');
  const manifest = await writePrintManifest(db, ctx.noticesDir, m, input.runId, input.issuedOn);
  return { notices_created: created, manifest };
}
