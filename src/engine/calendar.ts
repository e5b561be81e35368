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

/** Days from 1970-01-01 to year-month-day (month 1–12); a day past the month's end carries over, as in Date.UTC. */
function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

function isoOfDay(dayNo: number): string {
  const z = dayNo + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
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
