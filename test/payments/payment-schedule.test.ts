import { describe, expect, it } from 'vitest';
import { monthlyPeriodOf, nextPaymentDate, paymentDateIn } from '../../src/payments/payment-schedule.ts';

describe('payment schedule', () => {
  it('moves a payment day on a weekend, a holiday or 12/31-1/3 to the bank business day before', () => {
    expect(paymentDateIn('2024-12-01', 15)).toBe('2024-12-13'); // Sunday → Friday
    expect(paymentDateIn('2025-02-01', 11)).toBe('2025-02-10'); // 建国記念の日 (Tuesday) → Monday
    expect(paymentDateIn('2025-01-01', 3)).toBe('2024-12-30'); // 1/3 → the last business day of the year
    expect(paymentDateIn('2024-10-01', 15)).toBe('2024-10-15');
  });

  it('pays 児童手当 in even months for the two months before; one-off programs every month', () => {
    expect(nextPaymentDate('even-months', 15, '2024-11-20', new Set())).toEqual({ date: '2024-12-13', month: '2024-12-01' });
    expect(nextPaymentDate('even-months', 15, '2024-12-14', new Set())).toEqual({ date: '2025-02-14', month: '2025-02-01' });
    expect(nextPaymentDate('even-months', 15, '2024-12-01', new Set(['2024-12-13']))).toEqual({ date: '2025-02-14', month: '2025-02-01' });
    expect(nextPaymentDate('next-run', 15, '2024-12-14', new Set())).toEqual({ date: '2025-01-15', month: '2025-01-01' });
    expect(monthlyPeriodOf('2024-11-01')).toEqual({ start: '2024-10-01', end: '2024-11-30' });
    expect(monthlyPeriodOf('2025-01-01')).toEqual({ start: '2024-12-01', end: '2025-01-31' });
  });

  it('finds a payment date moved into the month before (payment day 1 on a holiday)', () => {
    // 2025-06-01 is a Sunday: the June payment is made on Friday 30 May.
    expect(nextPaymentDate('even-months', 1, '2025-05-20', new Set())).toEqual({ date: '2025-05-30', month: '2025-06-01' });
  });
});
