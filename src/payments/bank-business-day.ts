import holidayJp from '@holiday-jp/holiday_jp';
import { addDays, toDate } from '../engine/calendar.ts';

const HOLIDAYS = holidayJp.holidays as Record<string, unknown>;

/**
 * Banks do not transfer on Saturdays, Sundays, national holidays (the maintained
 * @holiday-jp/holiday_jp list) or 12/31-1/3 (DOMAIN.md, Payments).
 */
export function isBankBusinessDay(iso: string): boolean {
  const weekday = toDate(iso).getUTCDay();
  const monthDay = iso.slice(5);
  if (weekday === 0 || weekday === 6) return false;
  if (monthDay === '12-31' || monthDay <= '01-03') return false;
  return !(iso in HOLIDAYS);
}

/** A payment date that is not a bank business day moves to the previous one. */
export function previousBankBusinessDay(iso: string): string {
  let day = iso;
  while (!isBankBusinessDay(day)) day = addDays(day, -1);
  return day;
}

/** The bank business day `days` business days before `iso` (`iso` itself for 0). */
export function bankBusinessDaysBefore(iso: string, days: number): string {
  let day = iso;
  for (let left = days; left > 0; ) {
    day = addDays(day, -1);
    if (isBankBusinessDay(day)) left--;
  }
  return day;
}
