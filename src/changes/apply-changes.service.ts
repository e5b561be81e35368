import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, RecordKind } from '../db/schema.ts';
import { withMunicipality } from '../db/tenant.ts';
import type { ApplyChangesJob } from '../queue/queue-names.ts';
import { RECORD_STORES } from './record-stores.ts';

/**
 * The ingest worker's work: applies the received changes in an id range to the store, in one
 * transaction under the municipality's row-level security. Idempotent: rows already applied
 * are skipped, so a retried or duplicated job changes nothing. Chunks may be applied in any
 * order: every statement orders versions by (valid_from, recorded_at, change_row), never by
 * arrival at the worker.
 */
export async function applyChanges(db: Kysely<DB>, job: ApplyChangesJob): Promise<{ applied: number }> {
  return withMunicipality(db, job.municipalityCode, async (trx) => {
    const todo = await sql<{ id: number; kind: RecordKind }>`
      select id, kind from changes
      where municipality_code = ${job.municipalityCode} and id between ${job.fromId} and ${job.toId} and status = 'received'
      order by id
      for update`.execute(trx);
    if (todo.rows.length === 0) return { applied: 0 };
    for (const kind of Object.keys(RECORD_STORES) as RecordKind[]) {
      const ids = todo.rows.filter((r) => r.kind === kind).map((r) => r.id);
      if (ids.length > 0) await applyKind(trx, kind, chunkOf(ids));
    }
    const chunk = chunkOf(todo.rows.map((r) => r.id));
    await recordTouchedHouseholds(trx, chunk);
    await sql`update changes set status = 'applied', applied_at = now() where ${inChunk('id', chunk)}`.execute(trx);
    return { applied: chunk.ids.length };
  });
}

/**
 * The ids of one chunk, and their range. Every statement filters on both: the range lets the
 * planner take a short primary-key scan even when statistics lag behind a bulk load or when
 * row-level security adds a municipality predicate; the list keeps the set exact.
 */
interface Chunk {
  ids: number[];
  from: number;
  to: number;
}

const chunkOf = (ids: number[]): Chunk => ({ ids, from: Math.min(...ids), to: Math.max(...ids) });
const inChunk = (column: string, c: Chunk) =>
  sql`${sql.ref(column)} between ${c.from} and ${c.to} and ${sql.ref(column)} = any(${c.ids}::bigint[])`;

async function applyKind(trx: Transaction<DB>, kind: RecordKind, chunk: Chunk): Promise<void> {
  const store = RECORD_STORES[kind];
  const payloadColumns = Object.keys(store.columns);
  const recordType = payloadColumns.map((c) => `${c} ${store.columns[c]}`).join(', ');
  const all = ['change_row', 'municipality_code', 'person_id', 'valid_from', 'recorded_at', ...payloadColumns];
  const key = ['municipality_code', ...store.key];
  // One statement: the current table takes the latest version of each record from the history
  // rows just written, whatever order chunks arrive in (a history row is written only with its
  // change marked applied, in one transaction, so the chunk's received rows have none yet).
  await sql`
    with stored as (
      insert into ${sql.raw(store.history)} (${sql.raw(all.join(', '))})
      select c.id, c.municipality_code, c.person_id, c.effective_date, c.received_at, ${sql.raw(payloadColumns.map((p) => (store.emptyAsBlank?.includes(p) ? `coalesce(p.${p}, '')` : `p.${p}`)).join(', '))}
      from changes c, jsonb_to_record(c.payload) as p(${sql.raw(recordType)})
      where ${inChunk('c.id', chunk)}
      on conflict (change_row) do nothing
      returning ${sql.raw(all.join(', '))}
    )
    insert into ${sql.raw(store.current)} (${sql.raw(all.join(', '))})
    select distinct on (${sql.raw(key.join(', '))}) ${sql.raw(all.join(', '))}
    from stored
    order by ${sql.raw(key.join(', '))}, valid_from desc, recorded_at desc, change_row desc
    on conflict (${sql.raw(key.join(', '))}) do update set
      ${sql.raw(all.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`).join(', '))}
    where (excluded.valid_from, excluded.recorded_at, excluded.change_row)
        > (${sql.raw(store.current)}.valid_from, ${sql.raw(store.current)}.recorded_at, ${sql.raw(store.current)}.change_row)`.execute(trx);
}

/**
 * Which households a change may affect, for the nightly batch to re-decide: every household
 * the person has ever belonged to, whatever the kind of change (moving out of one household is
 * a change to both; a circumstance or an account counts wherever the person lived), and for
 * a tax record also the households of the person's tax dependants, whose benefits depend on
 * whether their supporter is taxed. Over-approximating costs a re-evaluation; missing one
 * would leave a decision wrong.
 *
 * Each change looks its person up by index (LATERAL … OFFSET 0 keeps the subquery from being
 * flattened into a join): during a bulk load the history tables grow faster than their
 * statistics, and row-level security hides the municipality from the estimates, so a plain
 * join was planned as a nested loop over every history row of the municipality for every
 * change, its cost growing with the square of the rows (docs/performance.md, Import).
 */
async function recordTouchedHouseholds(trx: Transaction<DB>, chunk: Chunk): Promise<void> {
  await sql`
    insert into household_changes (change_row, municipality_code, household_id, effective_date, recorded_at)
    select distinct c.id, c.municipality_code, h.household_id, c.effective_date, c.received_at
    from changes c
    cross join lateral (
      select household_id from person_history
      where municipality_code = c.municipality_code and person_id = c.person_id offset 0
    ) h
    where ${inChunk('c.id', chunk)}
    union
    select distinct c.id, c.municipality_code, h.household_id, c.effective_date, c.received_at
    from changes c
    cross join lateral (
      select person_id from income_history
      where municipality_code = c.municipality_code and dependent_of = c.person_id offset 0
    ) d
    cross join lateral (
      select household_id from person_history
      where municipality_code = c.municipality_code and person_id = d.person_id offset 0
    ) h
    where ${inChunk('c.id', chunk)} and c.kind = 'income'
    on conflict do nothing`.execute(trx);
}
