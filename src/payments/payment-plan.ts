import { addMonths, monthlyPeriodOf, type Period } from './payment-schedule.ts';

/**
 * What one household's payments for one program must become, from its decisions and what was
 * already paid: pure, so every rule about money is in one place and tested without a database.
 *
 * For each period due by the target payment date: what the decisions say is due to each
 * recipient (monthly: the decision in force on the first of each month; once: the decision in
 * force now), less what lines already pay (a failed line still counts: it is re-paid by a
 * reissue once the account is fixed) and plus what recovery items already claim back. The
 * difference is paid by one line on the target date (追給 when the period was paid before), or,
 * when it is negative, claimed back by a recovery item for staff (返還): never netted silently.
 * A line on the target date that is not exported yet is a plan, recomputed from scratch.
 */
export interface PlanDecision {
  decision_id: string;
  id: number;
  effective_from: string;
  outcome: 'eligible' | 'ineligible' | 'review';
  amount_yen: number;
  recipient_person_id: string | null;
}

export interface PlanLine {
  id: number;
  recipient_person_id: string;
  period_start: string;
  payment_date: string;
  status: 'due' | 'cancelled' | 'exported' | 'failed' | 'held';
  amount_yen: number;
  reissue_of: number | null;
  account_key: string | null;
  period_end: string;
  decision_id: string;
}

export interface PlanRecovery {
  person_id: string | null;
  period_start: string | null;
  amount_yen: number | null;
}

export interface PlanInput {
  periodKind: 'monthly' | 'once';
  /** once: the program's base date. */
  baseDate?: string;
  /** The first period to look at (monthly: a period start). */
  from: string;
  /** The last period due on the payment date (monthly: its start). */
  lastPeriodStart: string;
  paymentDate: string;
  decisions: PlanDecision[];
  lines: PlanLine[];
  recoveries: PlanRecovery[];
  /** The usable account of a person ("bank|branch|type|number"), or undefined when there is none. */
  accountOf: (personId: string) => string | undefined;
}

export interface PlannedLine {
  recipient_person_id: string;
  period: Period;
  amount_yen: number;
  kind: 'regular' | 'arrears';
  decision_id: string;
}

export interface Plan {
  lines: PlannedLine[];
  /** Unexported lines on the payment date that are no longer due. */
  cancel: number[];
  missingAccounts: { person_id: string; period: Period; amount_yen: number; decision_id: string }[];
  recoveries: { person_id: string; period: Period; amount_yen: number; decision_id: string }[];
  /** Failed lines to pay again now that the person has another usable account. */
  reissues: PlanLine[];
}

export function planHouseholdPayments(input: PlanInput): Plan {
  const plan: Plan = { lines: [], cancel: [], missingAccounts: [], recoveries: [], reissues: [] };
  const decisions = [...input.decisions].sort((a, b) => a.effective_from.localeCompare(b.effective_from) || a.id - b.id);
  for (const period of periods(input)) {
    const { due, basis } = dueIn(period, decisions, input.periodKind);
    const inPeriod = input.lines.filter((l) => l.period_start === period.start && l.reissue_of === null);
    const recipients = new Set([...due.keys(), ...inPeriod.map((l) => l.recipient_person_id)]);
    for (const person of [...recipients].sort()) {
      const planned = inPeriod.find((l) => l.recipient_person_id === person && l.payment_date === input.paymentDate && l.status === 'due');
      const earlier = inPeriod.filter((l) => l !== planned && l.recipient_person_id === person && l.status !== 'cancelled');
      const paid = sum(earlier.map((l) => l.amount_yen));
      const claimed = sum(input.recoveries.filter((r) => r.person_id === person && r.period_start === period.start).map((r) => r.amount_yen ?? 0));
      const owed = due.get(person) ?? { amount: 0, decision_id: basis };
      const delta = owed.amount - paid + claimed;
      if (delta > 0 && input.accountOf(person)) {
        plan.lines.push({ recipient_person_id: person, period, amount_yen: delta, kind: earlier.length ? 'arrears' : 'regular', decision_id: owed.decision_id });
        continue;
      }
      if (planned) plan.cancel.push(planned.id);
      if (delta > 0) plan.missingAccounts.push({ person_id: person, period, amount_yen: delta, decision_id: owed.decision_id });
      if (delta < 0) plan.recoveries.push({ person_id: person, period, amount_yen: -delta, decision_id: basis });
    }
  }
  const reissued = new Set(input.lines.map((l) => l.reissue_of).filter((id) => id !== null));
  for (const failed of input.lines.filter((l) => l.status === 'failed' && !reissued.has(l.id))) {
    const account = input.accountOf(failed.recipient_person_id);
    if (account && account !== failed.account_key) plan.reissues.push(failed);
  }
  return plan;
}

function periods(input: PlanInput): Period[] {
  if (input.periodKind === 'once') return [{ start: input.baseDate!, end: input.baseDate! }];
  const list: Period[] = [];
  for (let start = monthlyPeriodOf(input.from).start; start <= input.lastPeriodStart; start = addMonths(start, 2)) list.push(monthlyPeriodOf(start));
  return list;
}

/**
 * What the decisions owe each recipient for a period, each with the latest decision it rests
 * on, and the decision in force at the period's end (what a recovery rests on).
 */
function dueIn(period: Period, decisions: PlanDecision[], periodKind: 'monthly' | 'once'): { due: Map<string, { amount: number; decision_id: string }>; basis: string } {
  const due = new Map<string, { amount: number; decision_id: string }>();
  const days = periodKind === 'once' ? [period.start] : [period.start, addMonths(period.start, 1)];
  let basis = '';
  for (const day of days) {
    const inForce = periodKind === 'once' ? decisions[decisions.length - 1] : decisions.filter((d) => d.effective_from <= day).pop();
    if (inForce) basis = inForce.decision_id;
    if (!inForce || inForce.outcome !== 'eligible' || !inForce.recipient_person_id || inForce.amount_yen <= 0) continue;
    const entry = due.get(inForce.recipient_person_id) ?? { amount: 0, decision_id: inForce.decision_id };
    entry.amount += inForce.amount_yen;
    entry.decision_id = inForce.decision_id;
    due.set(inForce.recipient_person_id, entry);
  }
  return { due, basis };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
