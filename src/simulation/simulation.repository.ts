import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The district of each household's 世帯主 as registered now ('不明' where none is recorded). */
export async function headDistricts(db: Kysely<DB>, m: string, households: string[]): Promise<Map<string, string>> {
  const { rows } = await sql<{ household_id: string; district: string | null }>`
    select household_id, district_code as district from persons
    where municipality_code = ${m} and household_id = any(${households}::text[]) and relationship = '世帯主'`.execute(db);
  return new Map(rows.map((r) => [r.household_id, r.district ?? '不明']));
}
