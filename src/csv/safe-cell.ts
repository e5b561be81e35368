/**
 * CSV files this project writes are opened in spreadsheets (the rejected rows, the print
 * vendor's manifest, a simulation's changed households). A cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return may be taken for a formula (CSV injection, OWASP): such
 * a cell gets a leading single quote, so it shows as the text it is. Numbers stay numbers: a
 * JavaScript number is never touched, and neither is a string that is nothing but a decimal
 * number (a negative amount such as `-5000` cannot be a formula).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

export function safeCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/**
 * csv-stringify's `cast` for every string cell; pass it as `{ cast: SAFE_CAST }`. Numbers,
 * booleans and dates keep csv-stringify's own casting.
 */
export const SAFE_CAST = { string: (value: string): string => safeCell(value) };

/** How many characters of an input value a rejection repeats back. */
export const ECHO_MAX = 100;

/**
 * A value from the input repeated back in a rejection (a change_id, a column name): at most
 * ECHO_MAX characters (code points, so a pair is never split), the rest cut and marked with
 * `…`, and with what PostgreSQL cannot store in text (NUL, an unpaired surrogate) shown as
 * U+FFFD. A 10 MB cell is never copied whole into the rejected file or the rejections table.
 */
export function echoOf(value: string): string {
  const chars = [...value.slice(0, ECHO_MAX * 2 + 1)];
  const cut = chars.length > ECHO_MAX ? `${chars.slice(0, ECHO_MAX).join('')}…` : value;
  return cut.replaceAll('\u0000', '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
