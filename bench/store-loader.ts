import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { RECORD_STORES } from '../src/changes/record-stores.ts';
import type { RecordKind } from '../src/db/schema.ts';

/**
 * Loads generated files straight into the store with COPY and set-based SQL: the evaluation
 * benchmark measures deciding, not importing (the import has its own benchmark). The rows land
 * exactly where the ingest worker would put them: changes, history, current, households touched.
 */
export async function loadStoreDirectly(databaseUrl: string, files: Partial<Record<RecordKind, string>>): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const kind of Object.keys(files) as RecordKind[]) {
      const file = files[kind]!;
      const header = fs.readFileSync(file, 'utf8').slice(0, 4096).split('\n')[0].trim().split(',');
      const staging = `staging_${kind}`;
      await client.query(`drop table if exists ${staging}; create unlogged table ${staging} (${header.map((h) => `"${h}" text`).join(', ')})`);
      await pipeline(fs.createReadStream(file), client.query(copyFrom(`copy ${staging} from stdin with (format csv, header true)`)));
      const store = RECORD_STORES[kind];
      const columns = Object.keys(store.columns);
      // Optional columns the file leaves out are null, as the import would store them.
      // Key columns that may be empty are stored as '' (RecordStore.emptyAsBlank), as the import does.
      const blank = new Set(store.emptyAsBlank ?? []);
      const payload = columns.filter((c) => header.includes(c)).map((c) => `'${c}', ${blank.has(c) ? `coalesce(s."${c}", '')` : `nullif(s."${c}", '')`}`).join(', ');
      await client.query(`insert into municipalities (municipality_code) select distinct municipality_code from ${staging} on conflict do nothing`);
      await client.query(`
        insert into changes (municipality_code, change_id, kind, person_id, effective_date, payload, content_hash, status, applied_at)
        select s.municipality_code, s.change_id, '${kind}', s.person_id, s.effective_date::date, jsonb_build_object(${payload}), md5(s::text), 'applied', now()
        from ${staging} s`);
      const typed = columns.map((c) => `(c.payload->>'${c}')::${store.columns[c]}`).join(', ');
      const all = ['change_row', 'municipality_code', 'person_id', 'valid_from', 'recorded_at', ...columns].join(', ');
      await client.query(`insert into ${store.history} (${all}) select c.id, c.municipality_code, c.person_id, c.effective_date, c.received_at, ${typed} from changes c where c.kind = '${kind}'`);
      const key = ['municipality_code', ...store.key].join(', ');
      await client.query(`insert into ${store.current} (${all}) select distinct on (${key}) ${all} from ${store.history} order by ${key}, valid_from desc, recorded_at desc, change_row desc`);
      await client.query(`drop table ${staging}`);
    }
    await client.query(`insert into household_changes (change_row, municipality_code, household_id, effective_date, recorded_at)
      select change_row, municipality_code, household_id, valid_from, recorded_at from person_history`);
    // As autovacuum leaves a store some time after its import: hint bits set, visibility map and
    // statistics fresh. Otherwise whatever reads the store first (the SQL baseline) pays for it.
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}
