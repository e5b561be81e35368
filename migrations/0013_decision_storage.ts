import type { Kysely } from 'kysely';
import { runScript } from '../src/db/sql-script.ts';

/**
 * Issue 15: a decision stores values only. Its household snapshot is no longer kept (replay
 * rebuilds it from the bitemporal store and checks it against `inputs_hash`); its explanation
 * is kept compact and its Japanese text rendered on read (src/decisions/stored-explanation.ts).
 * Decisions stored before keep their full inputs, explanation and text, and read as before.
 * The 世帯主, which notices and review items address when no recipient is named, gets a column
 * of its own (filled from the snapshot for the older ones).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    alter table decisions
      alter column inputs drop not null,
      alter column explanation_text drop not null,
      add column inputs_hash text,
      add column head_person_id text;
    update decisions set head_person_id =
      (select m ->> 'person_id' from jsonb_array_elements(inputs -> 'members') m where m ->> 'relationship' = '世帯主' limit 1)
      where jsonb_typeof(inputs -> 'members') = 'array';
    alter table decisions add constraint decisions_inputs_recorded check (inputs is not null or inputs_hash is not null or decided_by is not null);

    -- One index for a chain's start and its lookups, instead of two (each entry of either took
    -- about 120 bytes a decision): one decision per chain and superseded one (a chain's first,
    -- superseding nothing, counted once: nulls not distinct), found by its household.
    create unique index decisions_chain on decisions (municipality_code, program, household_id, subject_person_id, supersedes) nulls not distinct;
    drop index decisions_chain_start;
    drop index decisions_household;
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runScript(db, `
    create index decisions_household on decisions (municipality_code, program, household_id, effective_from, id);
    create unique index decisions_chain_start on decisions (municipality_code, program, household_id, subject_person_id) where supersedes is null;
    drop index decisions_chain;
    alter table decisions drop constraint decisions_inputs_recorded, drop column head_person_id, drop column inputs_hash;
  `);
}
