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

/**
 * 1234567 → 1,234,567. Integers, nearly every number an explanation prints, are grouped by hand:
 * Intl.NumberFormat took 10 % of an evaluation (issue 15). The rest (fractions, -0, beyond 2^53)
 * keep Intl's rules, and the two agree on integers (test/engine/wareki.test.ts).
 */
export function numberJa(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return NUMBER.format(n);
  const digits = String(n < 0 ? -n : n);
  let text = digits.slice(0, digits.length % 3 || 3);
  for (let i = text.length; i < digits.length; i += 3) text += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${text}` : text;
}

export function yen(amount: number): string {
  return `${numberJa(amount)}円`;
}
