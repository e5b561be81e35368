import { sql, type Kysely } from 'kysely';
import { isValidMunicipalityCode } from '../codes/municipality-code.ts';
import type { DB } from '../db/schema.ts';
import { UnusableInputError } from '../errors.ts';
import { MunicipalitySettingsSchema, type MunicipalitySettings } from './municipality-settings.ts';

/** The stored settings, as they are (possibly incomplete). */
export async function storedSettings(db: Kysely<DB>, municipalityCode: string): Promise<Record<string, unknown>> {
  const row = await db.selectFrom('municipalities').select('settings').where('municipality_code', '=', municipalityCode).executeTakeFirst();
  return (row?.settings ?? {}) as Record<string, unknown>;
}

/** The settings payments and notices need, or why they cannot be used yet. */
export async function municipalitySettings(
  db: Kysely<DB>,
  municipalityCode: string,
): Promise<{ settings: MunicipalitySettings; problem?: undefined } | { settings?: undefined; problem: string }> {
  const parsed = MunicipalitySettingsSchema.safeParse(await storedSettings(db, municipalityCode));
  if (parsed.success) return { settings: parsed.data };
  const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; ');
  return { problem: `municipality ${municipalityCode} settings are incomplete (benefit municipality set ${municipalityCode}): ${fields}` };
}

/**
 * Merges `changes` (a partial settings object) into the stored settings and stores the result
 * only when the whole is valid: every field is checked, and each problem is named.
 */
export async function updateSettings(db: Kysely<DB>, municipalityCode: string, changes: Record<string, unknown>): Promise<MunicipalitySettings> {
  if (!isValidMunicipalityCode(municipalityCode)) {
    throw new UnusableInputError('bad_municipality', `'${municipalityCode}' is not a 全国地方公共団体コード (6 digits with a valid check digit)`);
  }
  const merged = mergeDeep(await storedSettings(db, municipalityCode), changes);
  const parsed = MunicipalitySettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(settings)'}: ${i.message}`).join('\n');
    throw new UnusableInputError('bad_settings', `settings for ${municipalityCode} not saved:\n${problems}`);
  }
  await sql`
    insert into municipalities (municipality_code, name, settings) values (${municipalityCode}, ${parsed.data.name}, ${JSON.stringify(parsed.data)}::jsonb)
    on conflict (municipality_code) do update set name = excluded.name, settings = excluded.settings`.execute(db);
  return parsed.data;
}

function mergeDeep(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    const old = out[key];
    out[key] = isObject(old) && isObject(value) ? mergeDeep(old, value) : value;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
