import type { ProgramSpec } from '../rules/program-schema.ts';
import { previousBankBusinessDay } from './bank-business-day.ts';

/**
 * When a program pays and which period each payment covers (DOMAIN.md):
 * - `even-months` (児童手当): in February, April, …, December, each payment covering the two
 *   months before, e.g. December pays October and November.
 * - `next-run` (one-off benefits): on the next payment date after the decision, every month.
 * The payment date is the municipality's payment day of that month, moved back to the previous
 * bank business day when it falls on a weekend, a national holiday or 12/31-1/3.
 */
export type Schedule = ProgramSpec['payment']['schedule'];

export interface Period {
  /** First day of the period (monthly) or the program's base date (once). */
  start: string;
  /** Last day of the period (monthly) or the base date (once). */
  end: string;
}

/** 'YYYY-MM-01' of the month `months` after the month of `iso`. */
export function addMonths(iso: string, months: number): string {
  const [y, m] = iso.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

function lastDayOfMonth(iso: string): string {
  const d = new Date(`${addMonths(iso, 1)}T00:00:00Z`);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

/** The payment date in the month of `monthIso`. */
export function paymentDateIn(monthIso: string, paymentDay: number): string {
  return previousBankBusinessDay(`${monthIso.slice(0, 7)}-${String(paymentDay).padStart(2, '0')}`);
}

function paysIn(schedule: Schedule, monthIso: string): boolean {
  return schedule === 'next-run' || Number(monthIso.slice(5, 7)) % 2 === 0;
}

/**
 * The first payment date on or after `from` that has not been exported yet (`exported` holds
 * the dates whose file was already written: no line may join them any more), with the month it
 * is the payment of (a moved date may fall in the month before).
 */
export function nextPaymentDate(schedule: Schedule, paymentDay: number, from: string, exported: ReadonlySet<string>): { date: string; month: string } {
  for (let month = addMonths(from, -1); ; month = addMonths(month, 1)) {
    if (!paysIn(schedule, month)) continue;
    const date = paymentDateIn(month, paymentDay);
    if (date >= from && !exported.has(date)) return { date, month };
  }
}

/** The two-month period (even-months) that a month belongs to. */
export function monthlyPeriodOf(monthIso: string): Period {
  const month = Number(monthIso.slice(5, 7));
  const start = addMonths(monthIso, month % 2 === 0 ? 0 : -1);
  return { start, end: lastDayOfMonth(addMonths(start, 1)) };
}

/** The nominal payment month of a two-month period: two months after its start. */
export function paymentMonthOf(period: Period): string {
  return addMonths(period.start, 2);
}
