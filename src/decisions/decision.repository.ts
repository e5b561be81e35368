import { sql, type Kysely } from 'kysely';
import type { ChangeKind, DB, DecisionTable } from '../db/schema.ts';
import type { Explanation } from '../engine/evaluate-household.ts';
import type { Program } from '../rules/program-loader.ts';
import type { CompactExplanation } from './compact-explanation.ts';
import { withFullExplanations } from './stored-explanation.ts';

export interface DecisionRow {
  id: number;
  decision_id: string;
  municipality_code: string;
  program: string;
  household_id: string;
  /** The person decided (programs with `subject: person`); '' for a household. */
  subject_person_id: string;
  change_kind: ChangeKind;
  outcome: DecisionTable['outcome'];
  amount_yen: number;
  recipient_person_id: string | null;
  period_kind: 'monthly' | 'once';
  effective_from: string;
  effective_to: string | null;
  rule_version: string;
  engine_version: string;
  as_of: string;
  known_at: Date;
  /** The snapshot decided on, for decisions stored before issue 15; null: rebuilt from the store (replay). */
  inputs: Record<string, unknown> | null;
  inputs_hash: string | null;
  head_person_id: string | null;
  /** The full explanation (expanded on read). */
  explanation: Record<string, unknown>;
  explanation_text: string;
  supersedes: number | null;
  decided_at: Date;
  /** The staff member who decided; null for the engine. */
  decided_by: number | null;
}

/** For a staff decision, what the engine had said: the engine's next result is compared with that. */
export type EngineView = Pick<DecisionRow, 'outcome' | 'amount_yen' | 'recipient_person_id'>;

/** A decision to write: its explanation as stored (compact), no text (rendered on read). */
export type NewDecision = Omit<DecisionRow, 'id' | 'decided_at' | 'effective_to' | 'decided_by' | 'subject_person_id' | 'explanation' | 'explanation_text' | 'inputs'> & {
  subject_person_id?: string;
  explanation: CompactExplanation | Explanation;
};

/** Keeps the exact files of a rule version, so its decisions can be replayed later. */
export async function recordRuleVersion(db: Kysely<DB>, program: Program): Promise<void> {
  await db
    .insertInto('rule_versions')
    .values({ program: program.spec.id, rule_version: program.ruleVersion, files: JSON.stringify(program.files) })
    .onConflict((c) => c.doNothing())
    .execute();
}

/** What deciding compares with: the decision in force, and for a staff decision what the engine had said. */
/** The decision in force; ever_eligible: whether any decision of its chain was eligible (a benefit after it is 再開, not 新規). */
type InForce = EngineView & { engine?: EngineView; ever_eligible: boolean };

/** A chain's key in currentDecisions: the household, and the person for person-level programs. */
export const chainKey = (householdId: string, subjectPersonId = '') => `${householdId}\u0000${subjectPersonId}`;

/** Where a household's chain stands: the decision in force and the chain's last decision. */
export interface ChainPosition {
  inForce?: InForce;
  /** The last decision's row id (a database serial: stored as `supersedes`, never hashed). */
  lastId: number;
  lastDecisionId: string;
}

/**
 * Per household: the decision in force on `onDate` (the latest effective_from on or before it,
 * the latest made among equals) and the chain's last decision (its row id, which a new one
 * supersedes, and its decision_id, which the new one's id is derived from). Only the compared
 * columns are read, not the stored inputs and explanations.
 */
export async function currentDecisions(
  db: Kysely<DB>,
  municipalityCode: string,
  program: string,
  householdIds: string[],
  onDate: string,
): Promise<Map<string, ChainPosition>> {
  const { rows } = await sql<EngineView & { id: number; decision_id: string; household_id: string; subject_person_id: string; in_force: boolean; is_last: boolean; ever_eligible: boolean; engine: EngineView | null }>`
    with chain as (
      select d.id, d.decision_id, d.household_id, d.subject_person_id, d.outcome, d.amount_yen, d.recipient_person_id, d.decided_by, d.supersedes,
             bool_or(d.outcome = 'eligible') over (partition by household_id, subject_person_id) as ever_eligible,
             row_number() over (partition by household_id, subject_person_id order by id desc) = 1 as is_last,
             row_number() over (partition by household_id, subject_person_id order by (effective_from <= ${onDate}::date) desc, effective_from desc, id desc) = 1
               and effective_from <= ${onDate}::date as in_force
      from decisions d
      where municipality_code = ${municipalityCode} and program = ${program} and household_id = any(${householdIds}::text[])
    )
    select c.id, c.decision_id, c.household_id, c.subject_person_id, c.outcome, c.amount_yen, c.recipient_person_id, c.in_force, c.is_last, c.ever_eligible,
           case when c.decided_by is not null then
             jsonb_build_object('outcome', e.outcome, 'amount_yen', e.amount_yen, 'recipient_person_id', e.recipient_person_id) end as engine
    from chain c left join decisions e on e.id = c.supersedes
    where in_force or is_last`.execute(db);
  const map = new Map<string, ChainPosition>();
  for (const r of rows) {
    const key = chainKey(r.household_id, r.subject_person_id);
    const entry = map.get(key) ?? { lastId: r.id, lastDecisionId: r.decision_id };
    if (r.in_force) entry.inForce = { outcome: r.outcome, amount_yen: r.amount_yen, recipient_person_id: r.recipient_person_id, engine: r.engine ?? undefined, ever_eligible: r.ever_eligible };
    if (r.is_last) Object.assign(entry, { lastId: r.id, lastDecisionId: r.decision_id });
    map.set(key, entry);
  }
  return map;
}

/** Inserts decisions in one statement; one already made (same chain position) is skipped. */
export async function insertDecisions(db: Kysely<DB>, decisions: NewDecision[]): Promise<number> {
  if (decisions.length === 0) return 0;
  const result = await sql`
    insert into decisions (decision_id, municipality_code, program, household_id, subject_person_id, change_kind, outcome, amount_yen,
      recipient_person_id, period_kind, effective_from, rule_version, engine_version, as_of, known_at, inputs_hash,
      head_person_id, explanation, supersedes)
    select r.decision_id, r.municipality_code, r.program, r.household_id, coalesce(r.subject_person_id, ''), r.change_kind, r.outcome, r.amount_yen,
      r.recipient_person_id, r.period_kind, r.effective_from, r.rule_version, r.engine_version, r.as_of, r.known_at, r.inputs_hash,
      r.head_person_id, r.explanation, r.supersedes
    from jsonb_to_recordset(${JSON.stringify(decisions)}::jsonb) as r(
      decision_id text, municipality_code text, program text, household_id text, subject_person_id text, change_kind text, outcome text,
      amount_yen int, recipient_person_id text, period_kind text, effective_from date, rule_version text,
      engine_version text, as_of date, known_at timestamptz, inputs_hash text, head_person_id text, explanation jsonb,
      supersedes bigint)
    on conflict do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** The decisions in force on a date, one per (program, household, person decided), with effective_to derived from the next. */
export async function decisionsInForce(
  db: Kysely<DB>,
  asOf: string,
  filter: { program?: string; municipalityCode?: string },
): Promise<AsyncIterable<DecisionRow>> {
  // Streamed in pages of households: the next keys come straight from the index, then the
  // decision in force is picked for those keys only, so no page sorts the whole table.
  const pageSize = 5000;
  const program = filter.program ?? null;
  const municipality = filter.municipalityCode ?? null;
  return {
    async *[Symbol.asyncIterator]() {
      let after = ['', '', ''];
      for (;;) {
        const { rows: keys } = await sql<{ municipality_code: string; program: string; household_id: string }>`
          select distinct municipality_code, program, household_id from decisions
          where (municipality_code, program, household_id) > (${after[0]}, ${after[1]}, ${after[2]})
            and (${program}::text is null or program = ${program})
            and (${municipality}::text is null or municipality_code = ${municipality})
          order by municipality_code, program, household_id
          limit ${pageSize}`.execute(db);
        if (keys.length === 0) return;
        const { rows } = await sql<DecisionRow>`
          select distinct on (d.municipality_code, d.program, d.household_id, d.subject_person_id) d.*,
            (select min(n.effective_from) - 1 from decisions n
              where n.municipality_code = d.municipality_code and n.program = d.program and n.household_id = d.household_id
                and n.subject_person_id = d.subject_person_id and n.effective_from > d.effective_from)::text as effective_to
          from decisions d
          join unnest(${keys.map((k) => k.municipality_code)}::text[], ${keys.map((k) => k.program)}::text[], ${keys.map((k) => k.household_id)}::text[])
            as k(municipality_code, program, household_id) using (municipality_code, program, household_id)
          where d.effective_from <= ${asOf}::date
          order by d.municipality_code, d.program, d.household_id, d.subject_person_id, d.effective_from desc, d.id desc`.execute(db);
        yield* await withFullExplanations(db, rows);
        if (keys.length < pageSize) return;
        const last = keys[keys.length - 1];
        after = [last.municipality_code, last.program, last.household_id];
      }
    },
  };
}

export async function findDecision(db: Kysely<DB>, decisionId: string): Promise<DecisionRow | undefined> {
  const { rows } = await sql<DecisionRow>`select *, null::text as effective_to from decisions where decision_id = ${decisionId}`.execute(db);
  return (await withFullExplanations(db, rows))[0];
}

export async function ruleVersionFiles(db: Kysely<DB>, program: string, ruleVersion: string): Promise<Record<string, string> | undefined> {
  const row = await db.selectFrom('rule_versions').select('files').where('program', '=', program).where('rule_version', '=', ruleVersion).executeTakeFirst();
  return row?.files as Record<string, string> | undefined;
}
