// Calendar arithmetic on day numbers (days since 1970-01-01, UTC, proleptic Gregorian).
//
// Why not Date: the generator formats millions of dates; integer day numbers with Howard
// Hinnant's civil-calendar algorithms are exact, time-zone free (no risk of a date shifting
// by the machine's TZ) and several times faster than Date#toISOString.

import { civilDate, dayNumber } from '../codes/day-number.ts';

export { civilDate, dayNumber };

const TWO_DIGITS: readonly string[] = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, '0'));

/** YYYY-MM-DD of a day number (years 1000-9999, which is all the generator produces). */
export function formatDay(dayNo: number): string {
  const [y, m, d] = civilDate(dayNo);
  return `${y}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/** Day number of a YYYY-MM-DD string; throws on anything that is not a real date. */
export function parseDay(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new Error(`not a YYYY-MM-DD date: ${text}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const dayNo = dayNumber(year, month, day);
  const [y2, m2, d2] = civilDate(dayNo);
  if (y2 !== year || m2 !== month || d2 !== day) throw new Error(`not a real date: ${text}`);
  return dayNo;
}

/** Age in whole years on a given day, counting a birthday as reached on the birthday itself. */
export function ageOn(birthDay: number, onDay: number): number {
  const [by, bm, bd] = civilDate(birthDay);
  const [y, m, d] = civilDate(onDay);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}

/** Average days per Gregorian year, for turning sampled ages into birth days. */
export const DAYS_PER_YEAR = 365.2425;
