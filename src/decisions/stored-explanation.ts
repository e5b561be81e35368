import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { membershipDate, type Explanation } from '../engine/evaluate-household.ts';
import { explanationText } from '../engine/explanation-text.ts';
import { programFromFiles, type Program } from '../rules/program-loader.ts';
import { expandExplanation, isCompact, type CompactExplanation } from './compact-explanation.ts';

/** A decision's columns as stored that its explanation is rebuilt from. */
export interface StoredDecision {
  program: string;
  rule_version: string;
  engine_version: string;
  outcome: Explanation['outcome'];
  effective_from: string;
  as_of: string;
  period_kind: 'monthly' | 'once';
  recipient_person_id: string | null;
  explanation: unknown;
  explanation_text: string | null;
}

/**
 * Rule versions are named by the hash of their files, so a program built from one never
 * changes: built once per process.
 */
const programs = new Map<string, Promise<Program>>();

/** The program of a recorded rule version, exactly as its decisions were made with. */
export function recordedProgram(db: Kysely<DB>, program: string, ruleVersion: string): Promise<Program> {
  const key = `${program}\0${ruleVersion}`;
  let built = programs.get(key);
  if (!built) {
    built = sql<{ files: Record<string, string> }>`select files from rule_versions where program = ${program} and rule_version = ${ruleVersion}`
      .execute(db)
      .then(({ rows }) => {
        if (!rows[0]) throw new Error(`rule version ${ruleVersion} of ${program} is not recorded`);
        return programFromFiles(program, rows[0].files);
      });
    built.catch(() => programs.delete(key));
    programs.set(key, built);
  }
  return built;
}

/** The decision facts an explanation repeats, with the membership date its program reads. */
export function decisionFacts(program: Program, d: Omit<StoredDecision, 'explanation' | 'explanation_text'>) {
  return {
    program: d.program,
    rule_version: d.rule_version,
    engine_version: d.engine_version,
    outcome: d.outcome,
    effective_from: d.effective_from,
    period_kind: d.period_kind,
    recipient_person_id: d.recipient_person_id,
    membership_date: membershipDate(program, d.as_of),
  };
}

/**
 * The decisions with their full explanation and Japanese text: a compact explanation is
 * expanded from its rule version's files, a text not stored is rendered from the explanation.
 * Older decisions stored in full read as they are.
 */
export async function withFullExplanations<T extends StoredDecision>(db: Kysely<DB>, rows: T[]): Promise<(T & { explanation: Explanation; explanation_text: string })[]> {
  const out: (T & { explanation: Explanation; explanation_text: string })[] = [];
  for (const d of rows) {
    let explanation = d.explanation as Explanation;
    if (isCompact(d.explanation)) {
      const program = await recordedProgram(db, d.program, d.rule_version);
      explanation = expandExplanation(program, d.explanation as CompactExplanation, decisionFacts(program, d));
    }
    out.push({ ...d, explanation, explanation_text: d.explanation_text ?? explanationText(explanation) });
  }
  return out;
}

/**
 * The hash a decision records of the household snapshot it was made from (its canonical JSON:
 * keys sorted, at every level), so replay can prove the snapshot it rebuilds from the store is
 * that one. JSON.stringify writes each object's keys in the order of the list it is given: every
 * key in the snapshot, sorted. Twice as fast as sorting object by object, and the same text.
 */
export function inputsHash(snapshot: unknown): string {
  const keys = new Set<string>();
  keysOf(snapshot, keys);
  return createHash('sha256').update(JSON.stringify(snapshot, [...keys].sort())).digest('hex').slice(0, 16);
}

function keysOf(value: unknown, into: Set<string>): void {
  if (value === null || typeof value !== 'object' || value instanceof Date) return;
  if (Array.isArray(value)) {
    for (const v of value) keysOf(v, into);
    return;
  }
  for (const k of Object.keys(value)) {
    into.add(k);
    keysOf((value as Record<string, unknown>)[k], into);
  }
}
