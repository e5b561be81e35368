/**
 * 2026-11-30 20:31:05: the instant in Japan time (UTC+9 all year, no summer time), the office's
 * calendar and clock. Take a prefix for less (10: the date, 16: to the minute).
 */
export function japanTime(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}
