import { civilDate, dayNumber } from '../codes/day-number.ts';

/**
 * Date arithmetic on 'YYYY-MM-DD' strings, in the proleptic Gregorian calendar, so no time zone
 * shifts a legal date. The engine does this several times per person and date, so it counts
 * days as integers (H. Hinnant's civil-from-days algorithms) instead of building Date objects
 * (which took 14 % of an evaluation, issue 15), with the same results as Date.UTC
 * (test/engine/calendar.test.ts).
 */
export function toDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

export function toIso(d: Date): string {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

function isoOfDay(dayNo: number): string {
  const [year, month, day] = civilDate(dayNo);
  return `${year < 1000 ? String(year).padStart(4, '0') : year}-${pad2(month)}-${pad2(day)}`;
}

/** The two digits at i and i+1, without slicing the string. */
const digits2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function shifted(iso: string, years: number, days: number): string {
  const year = digits2(iso, 0) * 100 + digits2(iso, 2) + years;
  // Anything else (an expression's malformed argument, Date.UTC's years 0–99 meaning 1900–1999)
  // goes through Date.UTC, so every input prints what it printed before.
  if (year < 100 || year > 9999 || !ISO_DATE.test(iso)) return toIso(new Date(Date.UTC(Number(iso.slice(0, 4)) + years, Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) + days)));
  return isoOfDay(dayNumber(year, digits2(iso, 5), 1) + digits2(iso, 8) - 1 + days);
}

export function addDays(iso: string, days: number): string {
  return shifted(iso, 0, days);
}

export function firstOfMonth(iso: string): string {
  return `${iso.slice(0, 7)}-01`;
}

/** The last day of the month before the one `iso` is in. */
export function endOfPreviousMonth(iso: string): string {
  return addDays(firstOfMonth(iso), -1);
}

/** The same month and day, `years` later; 29 February becomes 1 March in a common year. */
export function addYears(iso: string, years: number): string {
  return shifted(iso, years, 0);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
