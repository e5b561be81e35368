import { sql } from 'kysely';
import { runStage, type RunRef, type StageContext } from '../batch/batch-stage.service.ts';
import { waitFor } from '../batch/wait-for.ts';
import type { CompiledProgram } from '../engine/evaluate-household.ts';
import { ConflictError } from '../errors.ts';
import { JOB, QUEUE, type JobRequest } from '../queue/queue-names.ts';
import { createOtherNotices, decisionGroups, type CreateNoticesInput } from './create-notices.service.ts';
import { writePrintManifest } from './print-manifest.ts';

const RENDER_CHUNK = 100;
/** Rounds of queuing lost or failed render jobs again before the run stops and says why. */
const MAX_ROUNDS = 3;

/** Jobs of about RENDER_CHUNK letters, never splitting an envelope (ids come grouped by envelope). */
function envelopeJobs(m: string, ids: number[], envelopeOf: Map<number, string>, suffix: string): JobRequest<typeof JOB.renderNotices>[] {
  const jobs: JobRequest<typeof JOB.renderNotices>[] = [];
  let chunk: number[] = [];
  const flush = () => {
    if (chunk.length === 0) return;
    const sorted = [...chunk].sort((a, b) => a - b);
    jobs.push({ queue: QUEUE.notices, name: JOB.renderNotices, data: { ids: chunk }, jobId: `notices-${m}-${sorted[0]}-${sorted[sorted.length - 1]}-${chunk.length}${suffix}` });
    chunk = [];
  };
  ids.forEach((id, i) => {
    if (chunk.length >= RENDER_CHUNK && envelopeOf.get(id) !== envelopeOf.get(ids[i - 1])) flush();
    chunk.push(id);
  });
  flush();
  return jobs;
}

/**
 * The notice stage of a nightly run for one municipality: the notices workers create the
 * decisions' letters, a chunk of decision groups each (a stage: runStage), then this process
 * creates the other notices due (createOtherNotices); the notices workers render every pending
 * one (a notice left pending by an interrupted run is rendered now), and it waits for them and
 * writes the run's print manifest. Without rendering, the notices wait, pending, for the next
 * run that renders.
 */
export async function runNotices(
  ctx: StageContext & { noticesDir: string; renderNotices?: boolean; programs: CompiledProgram[]; chunkHouseholds?: number },
  run: RunRef,
  input: CreateNoticesInput,
): Promise<{ notices_created: number; manifest?: string }> {
  const { db } = ctx;
  const m = input.municipalityCode;
  const stage = `notices:${input.issuedOn}`;
  const totals = await runStage(ctx, run, stage, {
    items: () => decisionGroups(db, input),
    chunkSize: ctx.chunkHouseholds ?? 1000,
    job: (groups, chunk): Omit<JobRequest<typeof JOB.createNotices>, 'jobId'> => ({
      queue: QUEUE.notices,
      name: JOB.createNotices,
      data: {
        runId: run.runId, stage, chunk, municipalityCode: m, issuedOn: input.issuedOn, since: input.since.toISOString(), settings: input.settings,
        paymentDates: Object.fromEntries(input.paymentDates),
        programs: ctx.programs.map((p) => ({ id: p.program.spec.id, ruleVersion: p.program.ruleVersion })),
        groups,
      },
    }),
  });
  const created = ((totals.notices_created as number | undefined) ?? 0) + (await createOtherNotices(db, input));
  if (ctx.renderNotices === false) return { notices_created: created };
  // By envelope (household, addressee), so that a chunk holds its envelopes whole: a worker
  // renders every letter of an envelope its chunk touches (render-notices.service.ts).
  const pending = await db
    .selectFrom('notices')
    .select(['id', 'batch_run_id', 'household_id', 'person_id'])
    .where('municipality_code', '=', m)
    .where('status', '=', 'pending')
    .orderBy('batch_run_id')
    .orderBy('household_id')
    .orderBy('person_id')
    .orderBy('id')
    .execute();
  const ids = pending.map((p) => p.id);
  const envelopeOf = new Map(pending.map((p) => [p.id, `${p.batch_run_id}|${p.household_id}|${p.person_id}`]));
  const renderJobs = (list: number[], suffix: string) => envelopeJobs(m, list, envelopeOf, suffix);
  let queued = renderJobs(ids, '');
  await ctx.jobs.enqueue(queued);
  const stillPending = async () =>
    ids.length === 0
      ? []
      : (await db.selectFrom('notices').select('id').where('id', '=', sql<number>`any(${ids}::bigint[])`).where('status', '=', 'pending').orderBy('id').execute()).map((r) => r.id);
  let round = 0;
  await waitFor(async () => (await stillPending()).length, 'notices to render', {
    // A Redis restarted without its data lost the render jobs, or one failed for good: render
    // what is still pending under new job ids (rendering is idempotent: only pending notices).
    check: async () => {
      if (!ctx.jobs.whyStuck) return;
      const left = new Set(await stillPending());
      const why = await ctx.jobs.whyStuck(queued.filter((j) => j.data.ids.some((id) => left.has(id))));
      if (!why) return;
      if (round >= MAX_ROUNDS) {
        throw new ConflictError('notices_stuck', `${left.size} notices cannot be rendered: ${why} (queued again ${round} times). The 'benefit worker' logs say why; once fixed, run the same command again`);
      }
      round++;
      queued = renderJobs(ids.filter((id) => left.has(id)), `-r${round}`);
      await ctx.jobs.enqueue(queued);
    },
  });
  const manifest = await writePrintManifest(db, ctx.noticesDir, m, input.runId, input.issuedOn);
  return { notices_created: created, manifest };
}
