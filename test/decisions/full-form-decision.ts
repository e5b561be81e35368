import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Evaluation } from '../../src/engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../../src/engine/household-snapshot.ts';

/**
 * Writes a decision as engines 1 and 2 stored them before issue 15: the whole snapshot, the
 * full explanation and its text, no hash.
 */
export async function insertFullFormDecision(
  db: Kysely<DB>,
  d: { decision_id: string; household_id: string; as_of: string; supersedes?: number | null },
  snapshot: HouseholdSnapshot,
  e: Evaluation,
): Promise<void> {
  await sql`
    insert into decisions (decision_id, municipality_code, program, household_id, change_kind, outcome, amount_yen, recipient_person_id,
      period_kind, effective_from, rule_version, engine_version, as_of, known_at, inputs, explanation, explanation_text, supersedes)
    values (${d.decision_id}, ${snapshot.municipality_code}, ${e.program}, ${d.household_id}, 'new', ${e.outcome}, ${e.amount_yen}, ${e.recipient_person_id},
      ${e.period_kind}, ${e.evaluation_date}, ${e.rule_version}, ${e.engine_version}, ${d.as_of}, now(), ${JSON.stringify(snapshot)}::jsonb,
      ${JSON.stringify(e.explanation)}::jsonb, ${e.explanation_text}, ${d.supersedes ?? null})`.execute(db);
}
