import type { DecisionRow } from './decision.repository.ts';

/** A decision as `benefit decisions export` prints it (CONTRACT.md, Decisions export). */
export function exportLine(d: DecisionRow) {
  return {
    decision_id: d.decision_id,
    program: d.program,
    municipality_code: d.municipality_code,
    household_id: d.household_id,
    // Programs that decide each person (subject: person) name the person; household programs as before.
    ...(d.subject_person_id ? { subject_person_id: d.subject_person_id } : {}),
    recipient_person_id: d.recipient_person_id,
    outcome: d.outcome,
    amount_yen: d.amount_yen,
    period_kind: d.period_kind,
    effective_from: d.effective_from,
    effective_to: d.effective_to,
    rule_version: d.rule_version,
    decided_at: d.decided_at,
    change_kind: d.change_kind,
    explanation: d.explanation,
    explanation_text: d.explanation_text,
  };
}
