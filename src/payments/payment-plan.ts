import { isLapsed, monthsOf, nextPeriod, periodOf, type MonthlySchedule, type Period, type Prescription } from './payment-schedule.ts';

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
 * A line on the target date that is not exported yet is a plan, recomputed from scratch; a line
 * on an earlier date not exported yet is cancelled before anything is claimed back.
 *
 * Monthly periods follow the schedule entry in force for their months (児童手当: 4 months up to
 * September 2024, 2 from October 2024). A period whose nominal payment date is more than the
 * prescription's years before the payment date is not paid (時効, 児童手当法第23条): the plan
 * lists it instead, for the summary and the notice. Months the recipient declined (辞退) are
 * not paid, and what was paid for them before is not claimed back.
 */
export interface PlanDecision {
  decision_id: string;
  id: number;
  effective_from: string;
  outcome: 'eligible' | 'ineligible' | 'review';
  amount_yen: number;
  recipient_person_id: string | null;
  /** The decision records a 辞退 (a failed condition `declined`): nothing is paid or claimed back for its months. */
  declined?: boolean;
  /** The person decided (programs with `subject: person`): each person's decisions are a chain of their own. */
  subject_person_id?: string;
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
  /** The first period to look at (monthly: any month of it). */
  from: string;
  /** monthly: the program's payment schedule (which months are paid together). */
  schedule?: MonthlySchedule;
  /** monthly: 時効, when the program has one. */
  prescription?: Prescription;
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
  /** What would be paid but for 時効: the period's right lapsed before the payment date. */
  lapsed: { person_id: string; period: Period; amount_yen: number; decision_id: string }[];
}

export function planHouseholdPayments(input: PlanInput): Plan {
  const plan: Plan = { lines: [], cancel: [], missingAccounts: [], recoveries: [], reissues: [], lapsed: [] };
  const decisions = [...input.decisions].sort((a, b) => a.effective_from.localeCompare(b.effective_from) || a.id - b.id);
  for (const period of periods(input)) {
    const { due, declinedPaid, basis } = dueIn(period, decisions, input.periodKind);
    // A line belongs to the period its first month is in (a line of another grouping of months too).
    const inPeriod = input.lines.filter((l) => l.reissue_of === null && (input.periodKind === 'once' ? l.period_start === period.start : period.start <= l.period_start && l.period_start <= period.end));
    const recipients = new Set([...due.keys(), ...inPeriod.map((l) => l.recipient_person_id)]);
    const lapsed = input.periodKind === 'monthly' && isLapsed(period, input.paymentDate, input.prescription);
    for (const person of [...recipients].sort()) {
      const mine = inPeriod.filter((l) => l.recipient_person_id === person && l.status !== 'cancelled');
      const onDate = mine.filter((l) => l.payment_date === input.paymentDate && l.status === 'due');
      const planned = onDate.find((l) => l.period_start === period.start);
      // Planned on this date for other months' grouping (an earlier schedule): replaced by this period's line.
      for (const l of onDate) if (l !== planned) plan.cancel.push(l.id);
      let earlier = mine.filter((l) => !onDate.includes(l));
      const claimed = sum(input.recoveries.filter((r) => r.person_id === person && r.period_start === period.start).map((r) => r.amount_yen ?? 0));
      const found = due.get(person) ?? { amount: 0, decision_id: basis };
      // Declined months are not paid; what was sent for them before the 辞退 stays paid (never claimed back).
      const owed = () => found.amount + (earlier.some((l) => l.status !== 'due') ? (declinedPaid.get(person) ?? 0) : 0);
      let delta = owed() - sum(earlier.map((l) => l.amount_yen)) + claimed;
      const unsent = earlier.filter((l) => l.status === 'due');
      if (delta < 0 && unsent.length > 0) {
        // Less is owed than lines pay: what has not been sent is cancelled before anything is claimed back.
        plan.cancel.push(...unsent.map((l) => l.id));
        earlier = earlier.filter((l) => l.status !== 'due');
        delta = owed() - sum(earlier.map((l) => l.amount_yen)) + claimed;
      }
      if (delta > 0 && lapsed) {
        if (planned) plan.cancel.push(planned.id);
        plan.lapsed.push({ person_id: person, period, amount_yen: delta, decision_id: found.decision_id });
        continue;
      }
      if (delta > 0 && input.accountOf(person)) {
        plan.lines.push({ recipient_person_id: person, period, amount_yen: delta, kind: earlier.length ? 'arrears' : 'regular', decision_id: found.decision_id });
        continue;
      }
      if (planned) plan.cancel.push(planned.id);
      if (delta > 0) plan.missingAccounts.push({ person_id: person, period, amount_yen: delta, decision_id: found.decision_id });
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
  const schedule = input.schedule;
  if (!schedule || schedule.length === 0) throw new Error('a monthly payment plan needs the program\'s payment schedule');
  const first = schedule.reduce((a, e) => (e.from < a ? e.from : a), schedule[0].from);
  const list: Period[] = [];
  for (let period = periodOf(schedule, input.from < first ? first : input.from); period.start <= input.lastPeriodStart; period = nextPeriod(schedule, period)) list.push(period);
  return list;
}

/**
 * What the decisions owe each recipient for a period, each with the latest decision it rests
 * on, and the decision in force at the period's end (what a recovery rests on). For months a
 * decision in force declines (辞退): nothing is owed, and `declinedPaid` holds what is taken as
 * paid for them and kept: what the decisions before the first 辞退 said (what was sent), but no
 * more than the decisions other than the 辞退 say now (a correction of the facts still shows
 * an overpayment).
 */
function dueIn(
  period: Period,
  decisions: PlanDecision[],
  periodKind: 'monthly' | 'once',
): { due: Map<string, { amount: number; decision_id: string }>; declinedPaid: Map<string, number>; basis: string } {
  const subjects = [...new Set(decisions.map((d) => d.subject_person_id ?? ''))];
  if (subjects.length <= 1) return dueInChain(period, decisions, periodKind);
  // A person-level program: each person's chain owes its own recipient (the person).
  const due = new Map<string, { amount: number; decision_id: string }>();
  const declinedPaid = new Map<string, number>();
  let basis = '';
  for (const subject of subjects) {
    const chain = dueInChain(period, decisions.filter((d) => (d.subject_person_id ?? '') === subject), periodKind);
    for (const [person, entry] of chain.due) due.set(person, { amount: (due.get(person)?.amount ?? 0) + entry.amount, decision_id: entry.decision_id });
    for (const [person, amount] of chain.declinedPaid) declinedPaid.set(person, (declinedPaid.get(person) ?? 0) + amount);
    basis = chain.basis || basis;
  }
  return { due, declinedPaid, basis };
}

/** dueIn for one chain of decisions (a household's, or one person's). */
function dueInChain(
  period: Period,
  decisions: PlanDecision[],
  periodKind: 'monthly' | 'once',
): { due: Map<string, { amount: number; decision_id: string }>; declinedPaid: Map<string, number>; basis: string } {
  const due = new Map<string, { amount: number; decision_id: string }>();
  const declinedPaid = new Map<string, number>();
  const days = periodKind === 'once' ? [period.start] : monthsOf(period);
  const pays = (d: PlanDecision | undefined): d is PlanDecision & { recipient_person_id: string } =>
    d !== undefined && d.outcome === 'eligible' && d.recipient_person_id !== null && d.amount_yen > 0;
  let basis = '';
  for (const day of days) {
    const before = periodKind === 'once' ? decisions : decisions.filter((d) => d.effective_from <= day);
    const inForce = before[before.length - 1];
    if (inForce) basis = inForce.decision_id;
    if (inForce?.declined) {
      const firstDecline = Math.min(...before.filter((d) => d.declined).map((d) => d.id));
      const sent = before.filter((d) => d.id < firstDecline).pop();
      const now = before.filter((d) => !d.declined).pop();
      if (pays(sent) && pays(now) && sent.recipient_person_id === now.recipient_person_id) {
        declinedPaid.set(sent.recipient_person_id, (declinedPaid.get(sent.recipient_person_id) ?? 0) + Math.min(sent.amount_yen, now.amount_yen));
      }
      continue;
    }
    if (!pays(inForce)) continue;
    const entry = due.get(inForce.recipient_person_id) ?? { amount: 0, decision_id: inForce.decision_id };
    entry.amount += inForce.amount_yen;
    entry.decision_id = inForce.decision_id;
    due.set(inForce.recipient_person_id, entry);
  }
  return { due, declinedPaid, basis };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
