import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { isIsoDate } from '../codes/iso-date.ts';
import type { DB } from '../db/schema.ts';
import { withMunicipality } from '../db/tenant.ts';
import type { CompiledProgram } from '../engine/evaluate-household.ts';
import { AppError, ForbiddenError, NotFoundError, UnusableInputError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { JOB, QUEUE } from '../queue/queue-names.ts';
import { loadPrograms } from '../rules/program-loader.ts';
import { roleAtLeast, type StaffUser } from '../staff/staff.service.ts';
import { simulate } from './simulate.service.ts';
import type { SimulationThreads } from './simulate-threads.ts';
import { openChangedCsv, writeSimulationReport } from './simulation-report.ts';

const DRAFT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The draft folders supervisors may choose: the folders directly under the drafts folder. */
export function draftFolders(draftsDir: string): string[] {
  if (!fs.existsSync(draftsDir)) return [];
  return fs
    .readdirSync(draftsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && DRAFT_NAME.test(d.name))
    .map((d) => d.name)
    .sort();
}

/**
 * A supervisor asks for a simulation of a draft folder on their municipality's population; a
 * worker runs it in the background (runSimulation) and the report appears on the pages.
 */
export async function requestSimulation(
  ctx: { db: Kysely<DB>; jobs: JobQueue; logger: Logger; draftsDir: string },
  actor: StaffUser,
  input: { draft: string; as_of: string },
): Promise<number> {
  if (!roleAtLeast(actor.role, 'supervisor')) throw new ForbiddenError('role', `simulations need the supervisor role; you are ${actor.role}`);
  if (!draftFolders(ctx.draftsDir).includes(input.draft)) throw new UnusableInputError('unknown_draft', `no draft folder '${input.draft}' in the drafts folder`);
  if (!isIsoDate(input.as_of)) throw new UnusableInputError('bad_date', `'${input.as_of}' is not a YYYY-MM-DD date`);
  const { id } = await withMunicipality(ctx.db, actor.municipalityCode, (trx) =>
    trx
      .insertInto('simulations')
      .values({ municipality_code: actor.municipalityCode, draft: input.draft, as_of: input.as_of, requested_by: actor.id, requested_login: actor.login })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  // Not awaited: without Redis the job runs in this process, and the page must not wait for it.
  ctx.jobs
    .enqueue([{ queue: QUEUE.simulate, name: JOB.simulate, data: { simulationId: id }, jobId: `simulation-${id}` }])
    .catch((error: Error) => ctx.logger.error({ simulation: id, err: error.message }, 'simulation failed'));
  return id;
}

/**
 * Runs one requested simulation: loads the draft, simulates on the requester's municipality
 * only, writes the report under reportsDir/<id>, and records the summary, or why it failed (a
 * broken draft is a result, not a retry).
 */
export async function runSimulation(
  deps: { db: Kysely<DB>; programs: CompiledProgram[]; draftsDir: string; reportsDir: string; simulationThreads?: SimulationThreads },
  id: number,
): Promise<void> {
  const row = await deps.db.selectFrom('simulations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || row.status === 'done' || row.status === 'failed') return;
  await deps.db.updateTable('simulations').set({ status: 'running' }).where('id', '=', id).execute();
  try {
    const drafts = loadPrograms(path.join(deps.draftsDir, row.draft));
    const dir = path.join(deps.reportsDir, String(id));
    const csv = openChangedCsv(dir);
    const summary = await simulate(deps.db, { drafts, inForce: deps.programs.map((p) => p.program), asOf: row.as_of, municipalityCodes: [row.municipality_code], onChanged: csv.write, threads: deps.simulationThreads });
    await csv.close();
    writeSimulationReport(dir, summary);
    await deps.db.updateTable('simulations').set({ status: 'done', summary: JSON.stringify(summary), finished_at: new Date() }).where('id', '=', id).execute();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await deps.db.updateTable('simulations').set({ status: 'failed', error: error.message, finished_at: new Date() }).where('id', '=', id).execute();
  }
}

export async function listSimulations(db: Kysely<DB>, actor: StaffUser) {
  return withMunicipality(db, actor.municipalityCode, (trx) =>
    trx.selectFrom('simulations').select(['id', 'draft', 'as_of', 'requested_login', 'status', 'error', 'created_at', 'finished_at']).orderBy('id', 'desc').limit(50).execute(),
  );
}

/** A file of a finished simulation's report folder, for a staff member of its municipality. */
export async function simulationReportFile(db: Kysely<DB>, reportsDir: string, actor: StaffUser, id: number, file: string): Promise<string> {
  const row = await withMunicipality(db, actor.municipalityCode, (trx) => trx.selectFrom('simulations').select(['status']).where('id', '=', id).executeTakeFirst());
  if (!row || row.status !== 'done') throw new NotFoundError('simulation_not_found', `no finished simulation ${id}`);
  if (!/^(report\.html|summary\.json|changed-households\.csv|fonts\/[a-z0-9-]+\.(css|woff2))$/.test(file)) throw new NotFoundError('file_not_found', `no such report file: ${file}`);
  return path.join(reportsDir, String(id), file);
}
