import { describe, expect, it } from 'vitest';
import { planHouseholdPayments, type PlanDecision, type PlanInput, type PlanLine } from '../../src/payments/payment-plan.ts';

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
    expect(plan).toMatchObject({ cancel: [], missingAccounts: [], recoveries: [], reissues: [] });
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
