import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { rowFromObject } from '../changes/csv-rows.ts';
import { ingestRows, type IngestContext } from '../changes/import.service.ts';
import { parseRecord } from '../changes/record-schemas.ts';
import type { CircumstanceKind, DB } from '../db/schema.ts';
import { withMunicipality } from '../db/tenant.ts';
import { ForbiddenError, NotFoundError, UnusableInputError } from '../errors.ts';
import { roleAtLeast, type StaffUser } from '../staff/staff.service.ts';
import { logAccess, type Purpose } from './access-log.service.ts';

export interface CircumstanceInput {
  person_id: string;
  circumstance: string;
  /** true: from effective_date on; false: it stops on effective_date. */
  active: boolean | string;
  program?: string | null;
  effective_date: string;
  /** Free text, ≤ 200 characters: stored, shown to staff, never logged. */
  note?: string | null;
}

export interface RecordedCircumstance {
  change_id: string;
  import_id: number;
}

const CHANGE_ID_MAX = 64;

/**
 * A reviewer records a circumstance (a returned 確認書, a 辞退届…). It goes the way of an
 * imported row: the same validation, stored once as a change (change_id
 * `staff:<login>:<uuid>`), applied bitemporally by the ingest worker and marking the person's
 * households for the next nightly. The write is in the person's access log: who, when, why.
 * With `householdId`, the person must be a member of that household.
 */
export async function recordCircumstance(
  ctx: IngestContext,
  actor: StaffUser,
  input: CircumstanceInput,
  purpose: Purpose,
  householdId?: string,
): Promise<RecordedCircumstance> {
  if (!roleAtLeast(actor.role, 'reviewer')) throw new ForbiddenError('role', `recording a circumstance needs the reviewer role; you are ${actor.role}`);
  const changeId = staffChangeId(actor.login);
  const cells = {
    change_id: changeId,
    municipality_code: actor.municipalityCode,
    person_id: input.person_id,
    effective_date: input.effective_date,
    circumstance: input.circumstance,
    active: input.active,
    program: input.program ?? null,
    note: input.note ?? null,
  };
  const row = rowFromObject('circumstances', 1, cells);
  // Checked before anything is written, with the import's own rules; the reasons never repeat the note.
  const parsed = parseRecord('circumstances', row.cells);
  if (!parsed.ok) {
    throw new UnusableInputError('circumstance_rejected', parsed.problems.map((p) => `${p.field}: ${p.reason}`).join('; '), { fields: parsed.problems.map((p) => p.field) });
  }
  await withMunicipality(ctx.db, actor.municipalityCode, async (trx) => {
    const person = await trx.selectFrom('persons').select(['person_id', 'household_id']).where('person_id', '=', input.person_id).executeTakeFirst();
    if (!person) throw new NotFoundError('person_not_found', `no person ${input.person_id}`);
    if (householdId !== undefined && person.household_id !== householdId) {
      throw new UnusableInputError('not_a_member', `person ${input.person_id} is not a member of household ${householdId}`);
    }
    await logAccess(trx, actor, [input.person_id], `状況の記録（${input.circumstance}）`, purpose);
  });
  const summary = await ingestRows(ctx, 'circumstances', `staff:${actor.login}`, [[row]]);
  if (summary.accepted !== 1) {
    const why = summary.rejections.map((r) => `${r.field}: ${r.reason}`).join('; ');
    throw new UnusableInputError('circumstance_rejected', why || 'the circumstance was not stored');
  }
  return { change_id: changeId, import_id: summary.importId };
}

/** `staff:<login>:<uuid>`, the login shortened where a long one would pass the 64-character limit. */
function staffChangeId(login: string): string {
  const uuid = randomUUID();
  return `staff:${login.slice(0, CHANGE_ID_MAX - 'staff:'.length - 1 - uuid.length)}:${uuid}`;
}

export interface CircumstanceView {
  person_id: string;
  circumstance: CircumstanceKind;
  program: string | null;
  active: boolean;
  valid_from: string;
  recorded_at: Date;
  note: string | null;
}

/**
 * The latest known version of each circumstance of these persons (active or stopped, with the
 * date it took effect), for the household page. The caller logs the read.
 */
export async function circumstancesOf(trx: Kysely<DB> | Transaction<DB>, personIds: string[]): Promise<CircumstanceView[]> {
  if (personIds.length === 0) return [];
  const rows = await trx
    .selectFrom('circumstances')
    .select(['person_id', 'circumstance', 'program', 'active', 'valid_from', 'recorded_at', 'note'])
    .where('person_id', 'in', personIds)
    .orderBy('person_id')
    .orderBy('circumstance')
    .orderBy('program')
    .execute();
  return rows.map((r) => ({ ...r, program: r.program === '' ? null : r.program }));
}
