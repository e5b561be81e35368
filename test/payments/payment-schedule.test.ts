import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  isLapsed,
  lapsedPeriods,
  lastDayPayable,
  lastDuePeriod,
  monthlySchedule,
  nextPaymentDate,
  nominalPaymentDate,
  paymentDateIn,
  periodOf,
} from '../../src/payments/payment-schedule.ts';
import { loadProgram } from '../../src/rules/program-loader.ts';
import { paymentSchema } from '../../src/rules/program-schema.ts';

const childAllowance = loadProgram(fileURLToPath(new URL('../../rules/child-allowance', import.meta.url))).spec;
const schedule = childAllowance.payment.schedule;
const entries = monthlySchedule(schedule);

describe('payment schedule', () => {
  it('moves a payment day on a weekend, a holiday or 12/31-1/3 to the bank business day before', () => {
    expect(paymentDateIn('2024-12-01', 15)).toBe('2024-12-13'); // Sunday → Friday
    expect(paymentDateIn('2025-02-01', 11)).toBe('2025-02-10'); // 建国記念の日 (Tuesday) → Monday
    expect(paymentDateIn('2025-01-01', 3)).toBe('2024-12-30'); // 1/3 → the last business day of the year
    expect(paymentDateIn('2024-10-01', 15)).toBe('2024-10-15');
  });

  it('pays 児童手当 in even months for the two months before from October 2024; one-off programs every month', () => {
    expect(nextPaymentDate(schedule, 15, '2024-11-20', new Set())).toEqual({ date: '2024-12-13', month: '2024-12-01' });
    expect(nextPaymentDate(schedule, 15, '2024-12-14', new Set())).toEqual({ date: '2025-02-14', month: '2025-02-01' });
    expect(nextPaymentDate(schedule, 15, '2024-12-01', new Set(['2024-12-13']))).toEqual({ date: '2025-02-14', month: '2025-02-01' });
    expect(nextPaymentDate(schedule, 15, '2025-02-15', new Set())).toEqual({ date: '2025-04-15', month: '2025-04-01' });
    expect(nextPaymentDate('next-run', 15, '2024-12-14', new Set())).toEqual({ date: '2025-01-15', month: '2025-01-01' });
    expect(periodOf(entries, '2024-11-01')).toEqual({ start: '2024-10-01', end: '2024-11-30' });
    expect(periodOf(entries, '2025-01-01')).toEqual({ start: '2024-12-01', end: '2025-01-31' });
  });

  it('paid in February, June and October for the four months before until September 2024 (児童手当法第8条第4項, before 令和6年法律第47号)', () => {
    expect(periodOf(entries, '2024-06-01')).toEqual({ start: '2024-06-01', end: '2024-09-30' });
    expect(periodOf(entries, '2024-09-01')).toEqual({ start: '2024-06-01', end: '2024-09-30' });
    expect(periodOf(entries, '2024-01-01')).toEqual({ start: '2023-10-01', end: '2024-01-31' });
    expect(periodOf(entries, '2023-02-01')).toEqual({ start: '2023-02-01', end: '2023-05-31' });
    // The October 2024 payment covers June to September under the old schedule; no payment in August 2024.
    expect(nextPaymentDate(schedule, 15, '2024-06-15', new Set())).toEqual({ date: '2024-10-15', month: '2024-10-01' });
    expect(nextPaymentDate(schedule, 15, '2024-10-16', new Set())).toEqual({ date: '2024-12-13', month: '2024-12-01' });
    expect(nextPaymentDate(schedule, 15, '2023-10-16', new Set())).toEqual({ date: '2024-02-15', month: '2024-02-01' });
    expect(nominalPaymentDate(periodOf(entries, '2024-07-01'), 15)).toBe('2024-10-15');
    expect(nominalPaymentDate(periodOf(entries, '2024-10-01'), 15)).toBe('2024-12-13');
  });

  it('keeps reading the single even-months schedule of earlier rule folders', () => {
    expect(periodOf(monthlySchedule('even-months'), '2024-07-01')).toEqual({ start: '2024-06-01', end: '2024-07-31' });
    expect(nextPaymentDate('even-months', 15, '2024-07-20', new Set())).toEqual({ date: '2024-08-15', month: '2024-08-01' });
  });

  it('finds a payment date moved into the month before (payment day 1 on a holiday)', () => {
    // 2025-06-01 is a Sunday: the June payment is made on Friday 30 May.
    expect(nextPaymentDate(schedule, 1, '2025-05-20', new Set())).toEqual({ date: '2025-05-30', month: '2025-06-01' });
  });

  it('makes a period due once its last month has begun', () => {
    expect(lastDuePeriod(entries, '2024-12-01', '2024-12-13')).toEqual({ start: '2024-10-01', end: '2024-11-30' });
    expect(lastDuePeriod(entries, '2025-02-01', '2024-12-20')).toEqual({ start: '2024-10-01', end: '2024-11-30' });
    expect(lastDuePeriod(entries, '2025-02-01', '2025-01-06')).toEqual({ start: '2024-12-01', end: '2025-01-31' });
    expect(lastDuePeriod(entries, '2024-10-01', '2024-08-20')).toEqual({ start: '2024-02-01', end: '2024-05-31' });
    expect(lastDuePeriod(entries, '2024-10-01', '2024-09-02')).toEqual({ start: '2024-06-01', end: '2024-09-30' });
  });

  it('refuses a schedule whose months are uneven or whose entries do not start and end a period', () => {
    const source = { title: '児童手当法' };
    const problems = (s: unknown) => {
      const r = paymentSchema.safeParse({ schedule: s });
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    expect(problems([{ from: '2024-10-01', months: [2, 4, 6, 8, 10, 12], months_per_payment: 2, source }])).toEqual([]);
    expect(problems([{ from: '2024-10-01', months: [2, 6, 10], months_per_payment: 2, source }])[0]).toMatch(/not 2 months apart/);
    expect(problems([{ from: '2024-11-01', months: [2, 4, 6, 8, 10, 12], months_per_payment: 2, source }])[0]).toMatch(/first day of a period/);
    expect(problems([{ from: '2022-10-01', to: '2024-08-31', months: [2, 6, 10], months_per_payment: 4, source }])[0]).toMatch(/last day of a period/);
    expect(
      problems([
        { from: '2022-10-01', months: [2, 6, 10], months_per_payment: 4, source },
        { from: '2024-10-01', months: [2, 4, 6, 8, 10, 12], months_per_payment: 2, source },
      ])[0],
    ).toMatch(/no end before 2024-10-01/);
  });
});

describe('時効 (児童手当法第23条: two years from each 支払期月)', () => {
  const prescription = { years: 2, paymentDay: 15 };

  it('counts from the nominal payment date of the period, not from each month', () => {
    expect(entries[0].from).toBe('2022-10-01'); // the folder's schedule starts with its first rules version
    const oct2022 = periodOf(entries, '2022-10-01');
    expect(oct2022).toEqual({ start: '2022-10-01', end: '2023-01-31' });
    expect(nominalPaymentDate(oct2022, 15)).toBe('2023-02-15');
    expect(lastDayPayable(oct2022, prescription)).toBe('2025-02-15');
    // Every month of the period lapses on the same day: October 2022 lapses with January 2023.
    expect(isLapsed(oct2022, '2025-02-15', prescription)).toBe(false);
    expect(isLapsed(oct2022, '2025-02-16', prescription)).toBe(true);
  });

  it('pays on the day two years after the payment date, not the day after', () => {
    const p = periodOf(entries, '2023-06-01'); // June to September 2023, due 2023-10-13 (the 15th was a Sunday)
    expect(nominalPaymentDate(p, 15)).toBe('2023-10-13');
    expect(isLapsed(p, '2025-10-13', prescription)).toBe(false);
    expect(isLapsed(p, '2025-10-14', prescription)).toBe(true);
    expect(isLapsed(p, '2099-01-01', undefined)).toBe(false);
  });

  it('lists the lapsed periods from a month on', () => {
    expect(lapsedPeriods(entries, '2022-10-01', '2025-06-16', prescription)).toEqual([
      { start: '2022-10-01', end: '2023-01-31' },
      { start: '2023-02-01', end: '2023-05-31' },
    ]);
    expect(lapsedPeriods(entries, '2022-10-01', '2025-06-15', prescription)).toEqual([{ start: '2022-10-01', end: '2023-01-31' }]);
    expect(lapsedPeriods(entries, '2024-10-01', '2025-06-16', prescription)).toEqual([]);
    expect(lapsedPeriods(entries, '2022-10-01', '2025-06-13', undefined)).toEqual([]);
  });
});
