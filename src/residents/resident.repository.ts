import { sql, type Kysely } from 'kysely';
import type { DB, IncomeRow, PersonRow } from '../db/schema.ts';

/**
 * "As the facts stood on date D, as we knew them at time T" (DOMAIN.md, bitemporal): the
 * version of each record with the latest (valid_from, recorded_at, change_row) among those
 * that took effect on or before D and were recorded at or before T. A retroactive row (an
 * earlier effective date, recorded later) and a correction (the same effective date, recorded
 * later) both change the answer from their recorded_at on, and never before.
 */
export interface PointInTime {
  /** The valid-time date, YYYY-MM-DD. */
  asOf: string;
  /** The knowledge time; default: everything recorded so far. */
  knownAt?: Date;
}

type Db = Kysely<DB>;
const knownAtOf = (at: PointInTime) => at.knownAt ?? new Date('9999-12-31T00:00:00Z');

/** The state of these persons on the date (whatever their status), one row each at most. */
export async function personsAsOf(db: Db, municipalityCode: string, personIds: string[], at: PointInTime): Promise<PersonRow[]> {
  const { rows } = await sql<PersonRow>`
    select distinct on (person_id) * from person_history
    where municipality_code = ${municipalityCode} and person_id = any(${personIds}::text[])
      and valid_from <= ${at.asOf}::date and recorded_at <= ${knownAtOf(at)}
    order by person_id, valid_from desc, recorded_at desc, change_row desc`.execute(db);
  return rows;
}

export async function personAsOf(db: Db, municipalityCode: string, personId: string, at: PointInTime): Promise<PersonRow | undefined> {
  return (await personsAsOf(db, municipalityCode, [personId], at))[0];
}

/** A household member as the engine sees them: no names or addresses. */
export type MemberRow = Pick<PersonRow, 'household_id' | 'person_id' | 'relationship' | 'birth_date'> & {
  /** The first day of the person's earliest resident record: when residence here began. */
  resident_since: string;
};

/**
 * The resident members of these households on the date: persons whose state on that date
 * names the household and has status `resident` (someone who moved out or died is no longer a
 * member; someone whose move-in takes effect later is not one yet).
 */
export async function householdMembersAsOf(
  db: Db,
  municipalityCode: string,
  householdIds: string[],
  at: PointInTime,
): Promise<MemberRow[]> {
  // Per person through the index (LATERAL): with a few thousand ids the planner would otherwise
  // hash them against a scan of the whole history, which grows with the municipality. The
  // earliest resident record on or before the date is the earliest of all, since the state on
  // the date is itself a resident record.
  const { rows } = await sql<MemberRow>`
    select s.household_id, s.person_id, s.relationship, s.birth_date, since.valid_from::text as resident_since
    from (select distinct person_id from person_history where municipality_code = ${municipalityCode} and household_id = any(${householdIds}::text[])) c
    cross join lateral (
      select h.household_id, h.person_id, h.relationship, h.birth_date, h.status from person_history h
      where h.municipality_code = ${municipalityCode} and h.person_id = c.person_id
        and h.valid_from <= ${at.asOf}::date and h.recorded_at <= ${knownAtOf(at)}
      order by h.valid_from desc, h.recorded_at desc, h.change_row desc limit 1
    ) s
    cross join lateral (
      select r.valid_from from person_history r
      where r.municipality_code = ${municipalityCode} and r.person_id = c.person_id and r.status = 'resident' and r.recorded_at <= ${knownAtOf(at)}
      order by r.valid_from limit 1
    ) since
    where s.household_id = any(${householdIds}::text[]) and s.status = 'resident'
    order by s.household_id, (s.relationship <> '世帯主'), s.birth_date, s.person_id`.execute(db);
  return rows;
}

export async function householdAsOf(db: Db, municipalityCode: string, householdId: string, at: PointInTime): Promise<MemberRow[]> {
  return householdMembersAsOf(db, municipalityCode, [householdId], at);
}

/** Each person's assessment for the fiscal year as it stood on the date (a correction replaces it). */
export async function taxAssessmentsAsOf(
  db: Db,
  municipalityCode: string,
  personIds: string[],
  fiscalYear: number,
  at: PointInTime,
): Promise<IncomeRow[]> {
  const { rows } = await sql<IncomeRow>`
    select distinct on (person_id) * from income_history
    where municipality_code = ${municipalityCode} and person_id = any(${personIds}::text[]) and fiscal_year = ${fiscalYear}
      and valid_from <= ${at.asOf}::date and recorded_at <= ${knownAtOf(at)}
    order by person_id, valid_from desc, recorded_at desc, change_row desc`.execute(db);
  return rows;
}
