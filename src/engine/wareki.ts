const FORMAT = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
const MONTH = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', month: 'long', timeZone: 'UTC' });

/** 2024-12-13 → 令和6年12月13日 (the Japanese calendar, from the ICU data Node ships). */
export function wareki(iso: string): string {
  return FORMAT.format(new Date(`${iso}T00:00:00Z`));
}

/** 2024-12-01 → 令和6年12月 */
export function warekiMonth(iso: string): string {
  return MONTH.format(new Date(`${iso}T00:00:00Z`));
}

export function yen(amount: number): string {
  return `${amount.toLocaleString('ja-JP')}円`;
}
