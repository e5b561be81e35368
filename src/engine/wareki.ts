const FORMAT = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const MONTH = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', month: 'long', timeZone: 'UTC' });

// Every explanation prints several dates and ICU formatting is slow; the dates a run prints are
// few (at most one per calendar day), so each is formatted once per process.
const days = new Map<string, string>();
const months = new Map<string, string>();

/** 2024-12-13 → 令和6年12月13日 (the Japanese calendar, from the ICU data Node ships). */
export function wareki(iso: string): string {
  return remembered(days, iso, FORMAT);
}

/** 2024-12-01 → 令和6年12月 */
export function warekiMonth(iso: string): string {
  return remembered(months, iso, MONTH);
}

function remembered(cache: Map<string, string>, iso: string, format: Intl.DateTimeFormat): string {
  let text = cache.get(iso);
  if (text === undefined) {
    text = format.format(new Date(`${iso}T00:00:00Z`));
    cache.set(iso, text);
  }
  return text;
}

// One formatter for the process: toLocaleString builds a new one on every call.
const NUMBER = new Intl.NumberFormat('ja-JP');

/** 1234567 → 1,234,567 */
export function numberJa(n: number): string {
  return NUMBER.format(n);
}

export function yen(amount: number): string {
  return `${numberJa(amount)}円`;
}
