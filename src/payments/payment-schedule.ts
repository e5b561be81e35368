import type { ProgramSpec, ScheduleEntry } from '../rules/program-schema.ts';
import { previousBankBusinessDay } from './bank-business-day.ts';

/**
 * When a program pays and which period each payment covers, from `payment.schedule` in
 * program.json:
 * - dated entries (児童手当), keyed by the month paid for: the entry in force for a month says in
 *   which months payments are made and how many months before each one it covers. 児童手当法第8条
 *   第4項: up to September 2024, February, June and October, 4 months each (October pays June to
 *   September); from October 2024, even months, 2 months each (December pays October and
 *   November). A period is paid on the payment date of the month after its last month, its
 *   nominal payment date; arrears for it found later go on the next payment date instead.
 * - `even-months`: the single schedule of rule folders written before the dated entries (2 months
 *   each in even months, whatever the month); read so recorded rules can be replayed.
 * - `next-run` (one-off benefits): on the next payment date after the decision, every month.
 * The payment date is the municipality's payment day of that month, moved back to the previous
 * bank business day when it falls on a weekend, a national holiday or 12/31-1/3.
 */
export type Schedule = ProgramSpec['payment']['schedule'];

/** A monthly program's schedule as dated entries (`even-months` made into one). */
export type MonthlySchedule = ScheduleEntry[];

export interface Period {
  /** First day of the period (monthly) or the program's base date (once). */
  start: string;
  /** Last day of the period (monthly) or the base date (once). */
  end: string;
}

/** 時効 of a program's payments (program.json `payment.prescription`) and the municipality's payment day. */
export interface Prescription {
  years: number;
  paymentDay: number;
}

const EVEN_MONTHS: MonthlySchedule = [
  { from: '0001-01-01', months: [2, 4, 6, 8, 10, 12], months_per_payment: 2, source: { title: 'even-months' } },
];

/** The dated entries of a monthly schedule; `next-run` has none. */
export function monthlySchedule(schedule: Schedule): MonthlySchedule {
  if (schedule === 'next-run') return [];
  return schedule === 'even-months' ? EVEN_MONTHS : schedule;
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

/** The schedule entry for the month paid for. */
export function scheduleEntryFor(schedule: MonthlySchedule, monthIso: string): ScheduleEntry {
  const month = `${monthIso.slice(0, 7)}-01`;
  const entry = schedule.find((e) => e.from <= month && (!e.to || month <= e.to));
  if (!entry) throw new Error(`the payment schedule has no entry for ${month.slice(0, 7)}`);
  return entry;
}

function scheduleCovers(schedule: MonthlySchedule, monthIso: string): ScheduleEntry | undefined {
  const month = `${monthIso.slice(0, 7)}-01`;
  return schedule.find((e) => e.from <= month && (!e.to || month <= e.to));
}

/**
 * Whether payments are made in a month: `next-run` every month; a dated schedule when the month
 * before it (the last month a payment in it covers) is paid in it under its entry. October 2024
 * pays June to September under the old entry; August 2024 pays nothing (the new entry starts
 * with October).
 */
function paysIn(schedule: Schedule, monthIso: string): boolean {
  if (schedule === 'next-run') return true;
  const entry = scheduleCovers(monthlySchedule(schedule), addMonths(monthIso, -1));
  return entry !== undefined && entry.months.includes(Number(monthIso.slice(5, 7)));
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

/**
 * The period a month belongs to under the schedule entry in force for it: the months paid
 * together on the first payment month after it (June 2024 → June to September 2024; October
 * 2024 → October and November 2024).
 */
export function periodOf(schedule: MonthlySchedule, monthIso: string): Period {
  const month = `${monthIso.slice(0, 7)}-01`;
  const entry = scheduleEntryFor(schedule, month);
  let paymentMonth = addMonths(month, 1);
  while (!entry.months.includes(Number(paymentMonth.slice(5, 7)))) paymentMonth = addMonths(paymentMonth, 1);
  const start = addMonths(paymentMonth, -entry.months_per_payment);
  return { start, end: lastDayOfMonth(addMonths(paymentMonth, -1)) };
}

/** The period after a period. */
export function nextPeriod(schedule: MonthlySchedule, period: Period): Period {
  return periodOf(schedule, addMonths(period.end, 1));
}

/** The months of a period ('YYYY-MM-01' each). */
export function monthsOf(period: Period): string[] {
  const months: string[] = [];
  for (let month = `${period.start.slice(0, 7)}-01`; month <= period.end; month = addMonths(month, 1)) months.push(month);
  return months;
}

/** The nominal payment month of a period: the month after its last month (the 支払期月). */
export function paymentMonthOf(period: Period): string {
  return addMonths(period.end, 1);
}

/** The date a period is paid on when paid on time (its 支払期月's payment date). */
export function nominalPaymentDate(period: Period, paymentDay: number): string {
  return paymentDateIn(paymentMonthOf(period), paymentDay);
}

/**
 * The last period a monthly payment may pay on `date`: the one the payment covers, but never a
 * period whose last month has not begun (on 20 December the December-January period is not
 * due yet: January is decided in January).
 */
export function lastDuePeriod(schedule: MonthlySchedule, paymentMonth: string, date: string): Period {
  const paid = periodOf(schedule, addMonths(paymentMonth, -1));
  const current = periodOf(schedule, date);
  const begun = current.end.slice(0, 7) === date.slice(0, 7) ? current : periodOf(schedule, addMonths(current.start, -1));
  return paid.start <= begun.start ? paid : begun;
}

/**
 * The last day on which a period can still be paid under 時効 (児童手当法第23条): the right to
 * a payment can be exercised from its nominal payment date (the 支払期月, not each month paid
 * for), and lapses when `years` have passed since. 民法第140条・第143条: counted from the day
 * after, the period ends at the end of the same date `years` later (a 29 February with no
 * counterpart: the end of February), so that day still pays and the next does not.
 */
export function lastDayPayable(period: Period, prescription: Prescription): string {
  const nominal = nominalPaymentDate(period, prescription.paymentDay);
  const year = Number(nominal.slice(0, 4)) + prescription.years;
  const monthStart = `${String(year).padStart(4, '0')}-${nominal.slice(5, 7)}-01`;
  const last = lastDayOfMonth(monthStart);
  const day = `${monthStart.slice(0, 8)}${nominal.slice(8)}`;
  return day > last ? last : day;
}

/** Whether a period paid on `paymentDate` would be paid after its right lapsed (時効). */
export function isLapsed(period: Period, paymentDate: string, prescription: Prescription | undefined): boolean {
  return prescription !== undefined && paymentDate > lastDayPayable(period, prescription);
}

/**
 * The lapsed periods among the periods from the month of `from` on, for a payment on
 * `paymentDate` (a notice says which months 時効 leaves unpaid).
 */
export function lapsedPeriods(schedule: MonthlySchedule, from: string, paymentDate: string, prescription: Prescription | undefined): Period[] {
  const lapsed: Period[] = [];
  if (!prescription || schedule.length === 0) return lapsed;
  const first = schedule.reduce((a, e) => (e.from < a ? e.from : a), schedule[0].from);
  let period: Period;
  try {
    period = periodOf(schedule, from < first ? first : from);
  } catch {
    return lapsed;
  }
  for (; isLapsed(period, paymentDate, prescription); period = nextPeriod(schedule, period)) lapsed.push(period);
  return lapsed;
}
