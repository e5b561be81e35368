import { sql, type RawBuilder } from 'kysely';

/**
 * A 辞退 (circumstance `declined`, 辞退届) shows in a decision as a failed condition with this id
 * in `explanation.conditions`: the decision is ineligible because the recipient declined.
 * Payments pay nothing for its months and claim nothing back that was paid before it; notices
 * write nothing for the program while the household stays declined.
 */
export const DECLINED_CONDITION = 'declined';

export function isDeclined(explanation: { conditions?: { id: string; result: boolean | null }[] } | null | undefined): boolean {
  return (explanation?.conditions ?? []).some((c) => c.id === DECLINED_CONDITION && c.result === false);
}

/** The same test in SQL, on a decisions row's `explanation` column (e.g. `d.explanation`). */
export function declinedSql(explanationColumn: string): RawBuilder<boolean> {
  return sql<boolean>`coalesce(jsonb_path_exists(${sql.ref(explanationColumn)}, '$.conditions[*] ? (@.id == "declined" && @.result == false)'), false)`;
}
