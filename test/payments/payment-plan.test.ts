import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planHouseholdPayments, type PlanDecision, type PlanInput, type PlanLine } from '../../src/payments/payment-plan.ts';
import { monthlySchedule } from '../../src/payments/payment-schedule.ts';
import { loadProgram } from '../../src/rules/program-loader.ts';

const childAllowance = loadProgram(fileURLToPath(new URL('../../rules/child-allowance', import.meta.url))).spec;
const schedule = monthlySchedule(childAllowance.payment.schedule);
const prescription = { years: childAllowance.payment.prescription!.years, paymentDay: 15 };

const decision = (effective_from: string, amount_yen: number, extra: Partial<PlanDecision> = {}): PlanDecision => ({
  decision_id: `D-${effective_from}-${amount_yen}`,
  id: Number(effective_from.replaceAll('-', '')) + amount_yen,
  effective_from,
  outcome: amount_yen > 0 ? 'eligible' : 'ineligible',
  amount_yen,
  recipient_person_id: 'P1',
  ...extra,
});

let lineId = 0;
const line = (period_start: string, payment_date: string, amount_yen: number, extra: Partial<PlanLine> = {}): PlanLine => ({
  id: ++lineId,
  recipient_person_id: 'P1',
  period_start,
  payment_date,
  status: 'exported',
  amount_yen,
  reissue_of: null,
  account_key: '0001|100|1|1234567',
  period_end: '',
  decision_id: 'D-paid',
  ...extra,
});

const base = (over: Partial<PlanInput>): PlanInput => ({
  periodKind: 'monthly',
  from: '2024-10-01',
  lastPeriodStart: '2024-10-01',
  paymentDate: '2024-12-13',
  schedule,
  decisions: [],
  lines: [],
  recoveries: [],
  accountOf: () => '0001|100|1|1234567',
  ...over,
});

describe('payment plan (monthly, two months a payment)', () => {
  it('pays the two months of the period from the decision in force on the first of each month', () => {
    const plan = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000), decision('2024-11-01', 25000)] }));
    expect(plan.lines).toEqual([
      { recipient_person_id: 'P1', period: { start: '2024-10-01', end: '2024-11-30' }, amount_yen: 35000, kind: 'regular', decision_id: 'D-2024-11-01-25000' },
    ]);
    expect(plan).toMatchObject({ cancel: [], missingAccounts: [], recoveries: [], reissues: [], lapsed: [] });
  });

  it('pays nothing more when the period is already paid, and pays the difference as arrears when the amount rose', () => {
    const paid = [line('2024-10-01', '2024-12-13', 20000)];
    const same = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000)], lines: paid, paymentDate: '2025-02-14', lastPeriodStart: '2024-12-01' }));
    expect(same.lines.filter((l) => l.period.start === '2024-10-01')).toEqual([]);
    const raised = planHouseholdPayments(
      base({ decisions: [decision('2024-10-01', 10000), decision('2024-10-01', 40000, { id: 99999999 })], lines: paid, paymentDate: '2025-02-14', lastPeriodStart: '2024-12-01' }),
    );
    expect(raised.lines.find((l) => l.period.start === '2024-10-01')).toMatchObject({ amount_yen: 60000, kind: 'arrears' });
  });

  it('never nets a lowered amount: it opens a recovery for what was overpaid, once', () => {
    const paid = [line('2024-10-01', '2024-12-13', 20000)];
    const lowered = [decision('2024-10-01', 10000), decision('2024-11-01', 0, { outcome: 'ineligible' })];
    const plan = planHouseholdPayments(base({ decisions: lowered, lines: paid, paymentDate: '2025-02-14' }));
    expect(plan.lines).toEqual([]);
    expect(plan.recoveries).toEqual([{ person_id: 'P1', period: { start: '2024-10-01', end: '2024-11-30' }, amount_yen: 10000, decision_id: 'D-2024-11-01-0' }]);
    const again = planHouseholdPayments(
      base({ decisions: lowered, lines: paid, paymentDate: '2025-02-14', recoveries: [{ person_id: 'P1', period_start: '2024-10-01', amount_yen: 10000 }] }),
    );
    expect(again.recoveries).toEqual([]);
  });

  it('recomputes an unexported line on the payment date instead of adding another, and cancels it when nothing is due', () => {
    const planned = line('2024-10-01', '2024-12-13', 20000, { status: 'due' });
    const more = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 15000)], lines: [planned] }));
    expect(more.lines).toMatchObject([{ amount_yen: 30000, kind: 'regular' }]);
    const none = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 0, { outcome: 'ineligible' })], lines: [planned] }));
    expect(none).toMatchObject({ lines: [], cancel: [planned.id], recoveries: [] });
  });

  it('pays a new recipient and claims back from the old one when the recipient changes after payment', () => {
    const paid = [line('2024-10-01', '2024-12-13', 20000)];
    const plan = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000, { recipient_person_id: 'P2' })], lines: paid, paymentDate: '2025-02-14' }));
    expect(plan.lines).toMatchObject([{ recipient_person_id: 'P2', amount_yen: 20000, kind: 'regular' }]);
    expect(plan.recoveries).toMatchObject([{ person_id: 'P1', amount_yen: 20000 }]);
  });

  it('without a usable account makes no line and asks for an account; review decisions pay nothing', () => {
    const plan = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000)], accountOf: () => undefined }));
    expect(plan.lines).toEqual([]);
    expect(plan.missingAccounts).toMatchObject([{ person_id: 'P1', amount_yen: 20000 }]);
    const review = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000, { outcome: 'review' })] }));
    expect(review.lines).toEqual([]);
  });

  it('pays a failed transfer again only once the account has changed', () => {
    const failed = line('2024-10-01', '2024-12-13', 20000, { status: 'failed' });
    const input = base({ decisions: [decision('2024-10-01', 10000)], lines: [failed], paymentDate: '2025-02-14' });
    expect(planHouseholdPayments(input).reissues).toEqual([]);
    expect(planHouseholdPayments({ ...input, accountOf: () => '0005|001|1|7654321' }).reissues).toEqual([failed]);
    const reissue = line('2024-10-01', '2025-02-14', 20000, { reissue_of: failed.id, status: 'due' });
    expect(planHouseholdPayments({ ...input, lines: [failed, reissue], accountOf: () => '0005|001|1|7654321' })).toMatchObject({ reissues: [], lines: [] });
  });
});

describe('payment plan across the 2024-10 schedule change (four months a payment before October 2024)', () => {
  it('groups June to September 2024 into one period and pays a retroactive correction of it as arrears on the next payment date', () => {
    const paid = [line('2024-06-01', '2024-10-15', 40000, { period_end: '2024-09-30' })];
    const decisions = [decision('2024-06-01', 10000), decision('2024-08-01', 15000, { id: 99999999 })];
    const plan = planHouseholdPayments(base({ decisions, lines: paid, from: '2024-08-01', lastPeriodStart: '2024-10-01', paymentDate: '2024-12-13' }));
    expect(plan.lines).toEqual([
      { recipient_person_id: 'P1', period: { start: '2024-06-01', end: '2024-09-30' }, amount_yen: 10000, kind: 'arrears', decision_id: 'D-2024-08-01-15000' },
      { recipient_person_id: 'P1', period: { start: '2024-10-01', end: '2024-11-30' }, amount_yen: 30000, kind: 'regular', decision_id: 'D-2024-08-01-15000' },
    ]);
  });

  it('counts a line of another grouping of the same months as paid for the period, and replaces one planned on the payment date', () => {
    const old = [line('2024-08-01', '2024-10-15', 20000, { period_end: '2024-09-30' })];
    const plan = planHouseholdPayments(base({ decisions: [decision('2024-06-01', 10000)], lines: old, from: '2024-06-01', lastPeriodStart: '2024-06-01', paymentDate: '2024-12-13' }));
    expect(plan.lines).toMatchObject([{ period: { start: '2024-06-01' }, amount_yen: 20000, kind: 'arrears' }]);
    const planned = line('2024-08-01', '2024-12-13', 20000, { status: 'due' });
    const replaced = planHouseholdPayments(base({ decisions: [decision('2024-06-01', 10000)], lines: [planned], from: '2024-06-01', lastPeriodStart: '2024-06-01' }));
    expect(replaced).toMatchObject({ cancel: [planned.id], lines: [{ period: { start: '2024-06-01' }, amount_yen: 40000, kind: 'regular' }] });
  });
});

describe('payment plan: 時効 (児童手当法第23条)', () => {
  // February to May 2023 was due on 15 June 2023: payable until 15 June 2025.
  const decisions = [decision('2023-02-01', 10000)];
  const on = (paymentDate: string) =>
    planHouseholdPayments(base({ decisions, from: '2023-02-01', lastPeriodStart: '2023-06-01', paymentDate, prescription }));

  it('still pays a period two years to the day after its nominal payment date', () => {
    const plan = on('2025-06-15');
    expect(plan.lines.map((l) => `${l.period.start} ${l.amount_yen}`)).toEqual(['2023-02-01 40000', '2023-06-01 40000']);
    expect(plan.lapsed).toEqual([]);
  });

  it('does not pay it the day after, and records it as lapsed with its months and amount (no account request either)', () => {
    const plan = on('2025-06-16');
    expect(plan.lines.map((l) => `${l.period.start} ${l.amount_yen}`)).toEqual(['2023-06-01 40000']);
    expect(plan.lapsed).toEqual([{ person_id: 'P1', period: { start: '2023-02-01', end: '2023-05-31' }, amount_yen: 40000, decision_id: 'D-2023-02-01-10000' }]);
    const noAccount = planHouseholdPayments(base({ decisions, from: '2023-02-01', lastPeriodStart: '2023-02-01', paymentDate: '2025-06-16', prescription, accountOf: () => undefined }));
    expect(noAccount).toMatchObject({ missingAccounts: [], lapsed: [{ amount_yen: 40000 }] });
  });

  it('lapses arrears too, but still claims back an overpayment, and pays nothing lapsed without a prescription', () => {
    const paid = [line('2023-02-01', '2023-06-15', 40000, { period_end: '2023-05-31' })];
    const raised = planHouseholdPayments(base({ decisions: [decision('2023-02-01', 15000)], lines: paid, from: '2023-02-01', lastPeriodStart: '2023-02-01', paymentDate: '2025-08-15', prescription }));
    expect(raised).toMatchObject({ lines: [], lapsed: [{ amount_yen: 20000 }] });
    const lowered = planHouseholdPayments(base({ decisions: [decision('2023-02-01', 5000)], lines: paid, from: '2023-02-01', lastPeriodStart: '2023-02-01', paymentDate: '2025-08-15', prescription }));
    expect(lowered).toMatchObject({ lines: [], lapsed: [], recoveries: [{ amount_yen: 20000 }] });
    const none = planHouseholdPayments(base({ decisions: [decision('2023-02-01', 15000)], lines: paid, from: '2023-02-01', lastPeriodStart: '2023-02-01', paymentDate: '2025-08-15' }));
    expect(none.lines).toMatchObject([{ amount_yen: 20000, kind: 'arrears' }]);
  });
});

describe('payment plan: 辞退 (declined)', () => {
  const declined = (effective_from: string) => decision(effective_from, 0, { id: 99999990, outcome: 'ineligible', declined: true, recipient_person_id: 'P1' });

  it('cancels the unexported line for months from the decline on and pays the months before it', () => {
    const planned = line('2024-10-01', '2024-12-13', 20000, { status: 'due' });
    const plan = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000), declined('2024-11-01')], lines: [planned] }));
    expect(plan).toMatchObject({ lines: [{ amount_yen: 10000, kind: 'regular' }], recoveries: [] });
    const whole = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000), declined('2024-10-01')], lines: [planned] }));
    expect(whole).toMatchObject({ lines: [], cancel: [planned.id], recoveries: [], missingAccounts: [] });
  });

  it('cancels a line due on an earlier date that is not exported yet instead of claiming it back', () => {
    const due = line('2024-10-01', '2024-12-13', 20000, { status: 'due' });
    const plan = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000), declined('2024-10-01')], lines: [due], paymentDate: '2025-02-14' }));
    expect(plan).toMatchObject({ lines: [], cancel: [due.id], recoveries: [] });
  });

  it('claims nothing back for months paid before a retroactive decline, but still claims an overpayment the corrected amount shows', () => {
    const paid = [line('2024-10-01', '2024-12-13', 20000)];
    const plan = planHouseholdPayments(base({ decisions: [decision('2024-10-01', 10000), declined('2024-11-01')], lines: paid, paymentDate: '2025-02-14' }));
    expect(plan).toMatchObject({ lines: [], recoveries: [], cancel: [] });
    const corrected = [decision('2024-10-01', 10000), decision('2024-10-01', 5000, { id: 99999999 }), declined('2024-11-01')];
    const lowered = planHouseholdPayments(base({ decisions: corrected, lines: paid, paymentDate: '2025-02-14' }));
    expect(lowered.recoveries).toMatchObject([{ person_id: 'P1', amount_yen: 10000 }]);
  });

  it('pays a later raise of a month before the 辞退 without paying the declined month again', () => {
    const paid = [line('2024-10-01', '2024-12-13', 20000)];
    const raised = [decision('2024-10-01', 10000), declined('2024-11-01'), decision('2024-10-01', 15000, { id: 99999999 })];
    const plan = planHouseholdPayments(base({ decisions: raised, lines: paid, paymentDate: '2025-02-14' }));
    expect(plan).toMatchObject({ lines: [{ amount_yen: 5000, kind: 'arrears' }], recoveries: [] });
  });
});

describe('payment plan (once)', () => {
  it('pays the decision in force once, and the difference when it rises later', () => {
    const once = (over: Partial<PlanInput>) => base({ periodKind: 'once', baseDate: '2024-12-13', from: '2024-12-13', lastPeriodStart: '2024-12-13', ...over });
    const d1 = decision('2024-12-13', 30000);
    expect(planHouseholdPayments(once({ decisions: [d1] })).lines).toMatchObject([{ amount_yen: 30000, period: { start: '2024-12-13', end: '2024-12-13' } }]);
    const paid = [line('2024-12-13', '2024-12-13', 30000)];
    const d2 = decision('2024-12-13', 50000, { id: d1.id + 1 });
    expect(planHouseholdPayments(once({ decisions: [d1, d2], lines: paid, paymentDate: '2025-01-15' })).lines).toMatchObject([{ amount_yen: 20000, kind: 'arrears' }]);
  });
});
