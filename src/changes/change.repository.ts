import { sql, type Kysely } from 'kysely';
import type { DB, RecordKind } from '../db/schema.ts';
import type { InputRecord } from './record-schemas.ts';

export interface StagedChange {
  record: InputRecord;
  contentHash: string;
  line: number;
}

export interface Rejection {
  municipalityCode: string;
  line: number | null;
  changeId: string | null;
  field: string;
  reason: string;
}

export async function createImport(db: Kysely<DB>, kind: RecordKind, source: string): Promise<number> {
  const row = await db.insertInto('imports').values({ kind, source }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function finishImport(
  db: Kysely<DB>,
  id: number,
  counts: { rows_read: number; accepted: number; duplicates: number; rejected: number },
): Promise<void> {
  await db.updateTable('imports').set({ ...counts, finished_at: new Date() }).where('id', '=', id).execute();
}

/**
 * Stores new changes in one statement. A change_id seen before is not stored again, unless
 * its earlier row was rejected (a corrected row may reuse the id) or is still received from an
 * import that stopped before it queued it (`adoptFrom`, src/changes/import-recovery.ts): that
 * row becomes this import's, with this row's content, and is queued with it. Returns the keys
 * (`municipality/change_id`) that were not stored, with the content hash already on record.
 */
export async function insertChanges(
  db: Kysely<DB>,
  importId: number,
  kind: RecordKind,
  staged: StagedChange[],
  adoptFrom: number[] = [],
): Promise<Map<string, { contentHash: string; kind: RecordKind }>> {
  // The payload keeps the kind's own fields; the common ones are columns already.
  const rows = staged.map(({ record: { municipality_code, change_id, person_id, effective_date, ...payload }, contentHash, line }) => ({
    municipality_code,
    change_id,
    person_id,
    effective_date,
    payload,
    content_hash: contentHash,
    line,
  }));
  const municipalities = [...new Set(rows.map((r) => r.municipality_code))];
  await sql`
    insert into municipalities (municipality_code) select unnest(${municipalities}::text[])
    on conflict do nothing`.execute(db);
  const inserted = await sql<{ municipality_code: string; change_id: string }>`
    insert into changes as c (municipality_code, change_id, kind, person_id, effective_date, payload, content_hash, import_id, line)
    select r.municipality_code, r.change_id, ${kind}, r.person_id, r.effective_date, r.payload, r.content_hash, ${importId}, r.line
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(municipality_code text, change_id text, person_id text, effective_date date, payload jsonb, content_hash text, line int)
    on conflict (municipality_code, change_id) do update set
      kind = excluded.kind, person_id = excluded.person_id, effective_date = excluded.effective_date,
      payload = excluded.payload, content_hash = excluded.content_hash, import_id = excluded.import_id,
      line = excluded.line, status = 'received', received_at = now(), applied_at = null
    where c.status = 'rejected' or (c.status = 'received' and c.import_id = any(${adoptFrom}::bigint[]))
    returning c.municipality_code, c.change_id`.execute(db);
  const stored = new Set(inserted.rows.map((r) => `${r.municipality_code}/${r.change_id}`));
  const notStored = rows.filter((r) => !stored.has(`${r.municipality_code}/${r.change_id}`));
  const existing = new Map<string, { contentHash: string; kind: RecordKind }>();
  if (notStored.length === 0) return existing;
  const found = await sql<{ municipality_code: string; change_id: string; content_hash: string; kind: RecordKind }>`
    select c.municipality_code, c.change_id, c.content_hash, c.kind
    from changes c
    join unnest(${notStored.map((r) => r.municipality_code)}::text[], ${notStored.map((r) => r.change_id)}::text[])
      as k(municipality_code, change_id) using (municipality_code, change_id)`.execute(db);
  for (const r of found.rows) existing.set(`${r.municipality_code}/${r.change_id}`, { contentHash: r.content_hash, kind: r.kind });
  return existing;
}

export async function insertRejections(
  db: Kysely<DB>,
  importId: number,
  source: string,
  rejections: Rejection[],
): Promise<void> {
  if (rejections.length === 0) return;
  const rows = rejections.map((r) => ({
    municipality_code: r.municipalityCode,
    line: r.line,
    change_id: r.changeId,
    field: r.field,
    reason: r.reason,
  }));
  await sql`
    insert into rejections (import_id, source, municipality_code, line, change_id, field, reason)
    select ${importId}, ${source}, r.municipality_code, r.line, r.change_id, r.field, r.reason
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as r(municipality_code text, line int, change_id text, field text, reason text)`.execute(db);
}

/**
 * 続柄 rule (CONTRACT.md): exactly one 世帯主 among the resident members of a household at
 * any date. Checked for every household this import names, on every effective date it brings,
 * over the stored history plus this import's rows; the import's rows for a household that
 * breaks the rule are rejected together (a household arrives as a unit) and marked so.
 */
export async function rejectHouseholdsWithoutOneHead(db: Kysely<DB>, importId: number): Promise<Rejection[]> {
  const broken = await sql<{ municipality_code: string; household_id: string; on_date: string; heads: number }>`
    with incoming as (
      select id as change_row, municipality_code, person_id, effective_date as valid_from, received_at as recorded_at,
             payload->>'household_id' as household_id, payload->>'relationship' as relationship, payload->>'status' as status
      from changes where import_id = ${importId} and kind = 'residents' and status = 'received'
    ),
    households as (select distinct municipality_code, household_id from incoming),
    involved as (
      select distinct municipality_code, person_id from incoming
      union
      select h.municipality_code, h.person_id from person_history h join households using (municipality_code, household_id)
    ),
    versions as (
      select * from incoming
      union all
      select h.change_row, h.municipality_code, h.person_id, h.valid_from, h.recorded_at, h.household_id, h.relationship, h.status
      from person_history h join involved using (municipality_code, person_id)
    ),
    -- each person's state over time: the last-recorded version per effective date, valid until the next one
    last_per_day as (
      select distinct on (municipality_code, person_id, valid_from) *
      from versions order by municipality_code, person_id, valid_from, recorded_at desc, change_row desc
    ),
    intervals as (
      select *, lead(valid_from) over (partition by municipality_code, person_id order by valid_from) as valid_to
      from last_per_day
    ),
    -- membership as events: +1 member (and +1 head) when a resident interval starts, -1 when it ends
    events as (
      select municipality_code, household_id, valid_from as on_date, 1 as members, (relationship = '世帯主')::int as heads
      from intervals where status = 'resident'
      union all
      select municipality_code, household_id, valid_to, -1, -((relationship = '世帯主')::int)
      from intervals where status = 'resident' and valid_to is not null
    ),
    per_day as (
      select municipality_code, household_id, on_date, sum(members) as members, sum(heads) as heads
      from events where (municipality_code, household_id) in (select municipality_code, household_id from households)
      group by municipality_code, household_id, on_date
    ),
    counted as (
      select municipality_code, household_id, on_date,
             sum(members) over w as members, sum(heads) over w as heads
      from per_day window w as (partition by municipality_code, household_id order by on_date)
    )
    -- the first date on which each household with resident members breaks the rule
    select distinct on (municipality_code, household_id) municipality_code, household_id, on_date::text, heads::int
    from counted where members > 0 and heads <> 1
    order by municipality_code, household_id, on_date`.execute(db);
  if (broken.rows.length === 0) return [];
  const rejected = await sql<{ municipality_code: string; change_id: string; line: number; household_id: string }>`
    update changes c set status = 'rejected'
    from unnest(${broken.rows.map((b) => b.municipality_code)}::text[], ${broken.rows.map((b) => b.household_id)}::text[])
      as b(municipality_code, household_id)
    where c.import_id = ${importId} and c.status = 'received' and c.kind = 'residents'
      and c.municipality_code = b.municipality_code and c.payload->>'household_id' = b.household_id
    returning c.municipality_code, c.change_id, c.line, b.household_id`.execute(db);
  const why = new Map(broken.rows.map((b) => [`${b.municipality_code}/${b.household_id}`, b]));
  return rejected.rows.map((r) => {
    const b = why.get(`${r.municipality_code}/${r.household_id}`)!;
    const count = b.heads === 0 ? 'no 世帯主' : `${b.heads} 世帯主`;
    return {
      municipalityCode: r.municipality_code,
      line: r.line,
      changeId: r.change_id,
      field: 'relationship',
      reason: `household ${r.household_id} would have ${count} on ${b.on_date}; exactly one is required`,
    };
  });
}

export async function analyzeChanges(db: Kysely<DB>): Promise<void> {
  await sql`analyze changes`.execute(db);
}

/** The id ranges of this import's changes still to apply, per municipality, in chunks. */
export async function pendingRanges(
  db: Kysely<DB>,
  importId: number,
  chunkSize: number,
): Promise<{ municipality_code: string; from_id: number; to_id: number }[]> {
  const result = await sql<{ municipality_code: string; from_id: number; to_id: number }>`
    select municipality_code, min(id) as from_id, max(id) as to_id
    from (select municipality_code, id, (row_number() over (partition by municipality_code order by id) - 1) / ${chunkSize} as chunk
          from changes where import_id = ${importId} and status = 'received') t
    group by municipality_code, chunk
    order by from_id`.execute(db);
  return result.rows;
}
