/** Date arithmetic on 'YYYY-MM-DD' strings, in UTC so no time zone shifts a legal date. */
export function toDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

export function toIso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const d = toDate(iso);
  d.setUTCDate(d.getUTCDate() + days);
  return toIso(d);
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
  const [y, m, d] = iso.split('-').map(Number);
  const result = new Date(Date.UTC(y + years, m - 1, d));
  return toIso(result);
}
