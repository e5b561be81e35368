import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { withMunicipality } from '../db/tenant.ts';
import { NotFoundError, UnusableInputError } from '../errors.ts';
import type { StaffUser } from '../staff/staff.service.ts';

/** Why staff may read a person's data; the resident sees the Japanese label in their log. */
export const PURPOSES = {
  review: '支給の審査',
  counter: '窓口・電話でのお問い合わせへの対応',
  appeal: '審査請求・苦情への対応',
  disclosure: 'ご本人からの開示請求への対応',
  audit: '監査',
} as const;
export type Purpose = keyof typeof PURPOSES;

export function checkedPurpose(purpose: unknown): Purpose {
  if (typeof purpose === 'string' && Object.hasOwn(PURPOSES, purpose)) return purpose as Purpose;
  throw new UnusableInputError('purpose_required', `say why you read this person's data: purpose is one of ${Object.keys(PURPOSES).join(', ')}`);
}

/**
 * Records that `actor` read these people's data, what and why, in the transaction that read
 * it: no read without its record. The table refuses updates and deletes.
 */
export async function logAccess(trx: Transaction<DB>, actor: StaffUser, personIds: Iterable<string>, what: string, purpose: Purpose): Promise<void> {
  const persons = [...new Set(personIds)];
  if (persons.length === 0) return;
  await trx
    .insertInto('access_log')
    .values(
      persons.map((person_id) => ({
        municipality_code: actor.municipalityCode, person_id, staff_user_id: actor.id, staff_login: actor.login, staff_role: actor.role, what, purpose,
      })),
    )
    .execute();
}

/**
 * Records a read of the person's log from the command line (benefit access-log), in the
 * transaction that read it: by the OS user who ran it, as the server knows them (no staff
 * account signs in there), with the purpose given.
 */
export async function logCommandLineRead(trx: Transaction<DB>, municipalityCode: string, personId: string, osUser: string, purpose: Purpose): Promise<void> {
  await trx
    .insertInto('access_log')
    .values({ municipality_code: municipalityCode, person_id: personId, staff_user_id: null, staff_login: `cli:${osUser}`, staff_role: 'operator', what: 'アクセス記録（benefit access-log）', purpose })
    .execute();
}

export interface AccessLogEntry {
  accessed_at: Date;
  staff_login: string;
  staff_role: string;
  what: string;
  purpose: string;
  purpose_ja: string;
}

/** Every access by staff to one person's data, oldest first (what the resident is entitled to see). */
export async function accessLogOf(trx: Kysely<DB> | Transaction<DB>, personId: string): Promise<AccessLogEntry[]> {
  const rows = await trx
    .selectFrom('access_log')
    .select(['accessed_at', 'staff_login', 'staff_role', 'what', 'purpose'])
    .where('person_id', '=', personId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, purpose_ja: PURPOSES[r.purpose as Purpose] ?? r.purpose }));
}

/** A staff member reads a person's access log; that read is itself logged. */
export async function accessLogForStaff(db: Kysely<DB>, actor: StaffUser, personId: string, purpose: Purpose): Promise<AccessLogEntry[]> {
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    const exists = await trx.selectFrom('persons').select('person_id').where('person_id', '=', personId).executeTakeFirst();
    if (!exists) throw new NotFoundError('person_not_found', `no person ${personId}`);
    const entries = await accessLogOf(trx, personId);
    await logAccess(trx, actor, [personId], 'アクセス記録', purpose);
    return entries;
  });
}
