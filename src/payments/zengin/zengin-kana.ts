import { ZenginInputError } from './zengin-errors.ts';

/**
 * The Zengin single-byte character set (DOMAIN.md, Payments): digits, A-Z, space, half-width
 * katakana ｱ-ﾝ with ﾞ and ﾟ as separate characters, and in names ( ) - . only. Every name
 * field of the file (依頼人名, bank and branch names, 受取人名) is a name, so all of them may
 * hold the four signs.
 *
 * Mapping choices (names as banks write them):
 * - voiced and semi-voiced kana take two bytes: ガ → ｶﾞ, パ → ﾊﾟ, ヴ → ｳﾞ (ヷヸヹヺ → ﾜﾞｲﾞｴﾞｵﾞ);
 * - small kana are written large: ッ → ﾂ, ャュョ → ﾔﾕﾖ, ァィゥェォ → ｱｲｳｴｵ, ヮ → ﾜ, ヵヶ → ｶｹ;
 * - the long vowel mark ー (and the hyphens and minus signs people and the zengin-code list
 *   use for it: －, -, ‐, −, ｰ) → "-";
 * - ヰ → ｲ, ヱ → ｴ, and ヲ → ｵ: ｦ is JIS X 0201 0xA6, outside the allowed ｱ (0xB1)-ﾝ (0xDD)
 *   range, and banks' lists of usable characters exclude it ("カナ (ヲと小文字を除く)"), so
 *   ヲ (and a half-width ｦ given as input) is written ｵ, as it is pronounced;
 * - the middle dot ・ (and half-width ･) → "." : banks do not accept ・ in account names and
 *   write it as a period (ｶ)ﾔﾏﾀﾞ.ｴ-ｼﾞｴﾝｼ-); a period is an allowed name character, and unlike
 *   a space it keeps the separator visible;
 * - full-width space → space, full-width latin and digits → half-width, lowercase → uppercase,
 *   hiragana → katakana, （ ） ． → ( ) . ;
 * - anything else (kanji, comma, other signs) is an error naming the character and its
 *   position: a name is never silently changed into something else.
 */

const FULL_KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';
const HALF_KANA = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ';
const DAKUTEN = 'ﾞ';
const HANDAKUTEN = 'ﾟ';

/** Full-width katakana (and the half-width forms outside ｱ-ﾝ) → Zengin characters. */
const KANA_MAP = new Map<string, string>();
for (let i = 0; i < FULL_KANA.length; i++) KANA_MAP.set(FULL_KANA[i], HALF_KANA[i]);
for (const [voiced, plain] of pairs('ガギグゲゴザジズゼゾダヂヅデドバビブベボ', 'カキクケコサシスセソタチツテトハヒフヘホ')) {
  KANA_MAP.set(voiced, KANA_MAP.get(plain) + DAKUTEN);
}
for (const [semi, plain] of pairs('パピプペポ', 'ハヒフヘホ')) KANA_MAP.set(semi, KANA_MAP.get(plain) + HANDAKUTEN);
for (const [voiced, base] of pairs('ヴヷヸヹヺ', 'ｳﾜｲｴｵ')) KANA_MAP.set(voiced, base + DAKUTEN);
for (const [small, large] of pairs('ァィゥェォッャュョヮヵヶ', 'ｱｲｳｴｵﾂﾔﾕﾖﾜｶｹ')) KANA_MAP.set(small, large);
for (const [old, modern] of pairs('ヰヱヲ', 'ｲｴｵ')) KANA_MAP.set(old, modern);
// Half-width input outside ｱ-ﾝ: ｦ, the small kana ｧ-ｯ, the long vowel ｰ and the middle dot ･.
for (const [half, zengin] of pairs('ｦｧｨｩｪｫｬｭｮｯｰ･', 'ｵｱｲｳｴｵﾔﾕﾖﾂ-.')) KANA_MAP.set(half, zengin);
for (const dash of 'ー－-‐‑−') KANA_MAP.set(dash, '-');
for (const [sign, zengin] of pairs('・（）．() .\u3000', '.().() . ')) KANA_MAP.set(sign, zengin);

/** Voiced-sound marks given on their own: half-width, spacing and combining forms. */
const MARKS = new Map<string, string>([
  ['ﾞ', DAKUTEN],
  ['゛', DAKUTEN],
  ['\u3099', DAKUTEN],
  ['ﾟ', HANDAKUTEN],
  ['゜', HANDAKUTEN],
  ['\u309A', HANDAKUTEN],
]);

function pairs(from: string, to: string): [string, string][] {
  const a = Array.from(from);
  const b = Array.from(to);
  if (a.length !== b.length) throw new Error(`zengin-kana table mismatch: ${from} / ${to}`);
  return a.map((c, i) => [c, b[i]]);
}

/** One Zengin character (or a kana and its mark), or undefined if it has none. */
function mapChar(ch: string): string | undefined {
  const mapped = KANA_MAP.get(ch);
  if (mapped !== undefined) return mapped;
  const code = ch.codePointAt(0) ?? 0;
  if (/^[0-9A-Z]$/.test(ch) || (code >= 0xff71 && code <= 0xff9d)) return ch; // ｱ-ﾝ as given
  if (/^[a-z]$/.test(ch)) return ch.toUpperCase();
  if ((code >= 0xff10 && code <= 0xff19) || (code >= 0xff21 && code <= 0xff3a)) return String.fromCharCode(code - 0xfee0);
  if (code >= 0xff41 && code <= 0xff5a) return String.fromCharCode(code - 0xfee0).toUpperCase();
  // Hiragana ぁ-ゖ sit 0x60 below katakana ァ-ヶ.
  if (code >= 0x3041 && code <= 0x3096) return KANA_MAP.get(String.fromCharCode(code + 0x60));
  return undefined;
}

function describe(ch: string): string {
  const hex = (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `"${ch}" (U+${hex})`;
}

/**
 * Converts a name to the Zengin single-byte set (see the mapping choices above). Throws a
 * `ZenginInputError` naming `field`, the character and its 1-based position for anything it
 * cannot map.
 */
export function toZenginKana(text: string, field = 'text'): string {
  let out = '';
  Array.from(text).forEach((ch, index) => {
    const mark = MARKS.get(ch);
    if (mark !== undefined) {
      // A mark only follows a kana (ｶﾞ); after a space, a digit or another mark it means nothing.
      if (!isZenginKana(out.at(-1))) {
        throw new ZenginInputError(field, `${describe(ch)} at position ${index + 1} does not follow a kana`, {
          value: text,
          position: index + 1,
        });
      }
      out += mark;
      return;
    }
    const mapped = mapChar(ch);
    if (mapped === undefined) {
      throw new ZenginInputError(
        field,
        `character ${describe(ch)} at position ${index + 1} cannot be written in the Zengin character set (digits, A-Z, kana, space, ( ) - .)`,
        { value: text, position: index + 1, character: ch },
      );
    }
    out += mapped;
  });
  return out;
}

function isZenginKana(ch: string | undefined): boolean {
  return ch !== undefined && ch >= 'ｱ' && ch <= 'ﾝ';
}

/** Exactly the characters a Zengin name field may hold. */
const ZENGIN_TEXT = /^[0-9A-Z ()\-.ｱ-ﾝﾞﾟ]*$/u;

export function isZenginText(text: string): boolean {
  return ZENGIN_TEXT.test(text);
}

function assertZenginText(text: string, field: string): void {
  if (!isZenginText(text)) {
    const bad = Array.from(text).findIndex((ch) => !isZenginText(ch));
    const ch = Array.from(text)[bad];
    throw new ZenginInputError(field, `character ${describe(ch)} at position ${bad + 1} is not a Zengin character (convert with toZenginKana first)`, {
      value: text,
    });
  }
}

/**
 * Cuts Zengin text to at most `bytes` characters (each is one byte in the file). A kana and
 * its ﾞ or ﾟ are never separated: if the cut falls between them, both are dropped.
 */
export function truncateZengin(text: string, bytes: number, field = 'text'): string {
  assertZenginText(text, field);
  if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`truncateZengin: bad length ${bytes}`);
  if (text.length <= bytes) return text;
  const next = text[bytes];
  const cut = text.slice(0, bytes);
  return next === DAKUTEN || next === HANDAKUTEN ? cut.slice(0, -1) : cut;
}

/** Left-aligned, space-padded to exactly `bytes`; text that does not fit is an error. */
export function padZengin(text: string, bytes: number, field = 'text'): string {
  assertZenginText(text, field);
  if (text.length > bytes) {
    throw new ZenginInputError(field, `"${text}" is ${text.length} bytes, more than the ${bytes} the field holds`, { value: text });
  }
  return text.padEnd(bytes, ' ');
}

/**
 * Right-aligned, zero-padded to exactly `digits`. Accepts a non-negative safe integer or a
 * string of digits; anything else, or a value with more digits than the field, is an error.
 */
export function padNumber(n: number | string, digits: number, field = 'number'): string {
  let text: string;
  if (typeof n === 'number') {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new ZenginInputError(field, `${n} is not a whole number of zero or more`, { value: n });
    }
    text = String(n);
  } else {
    if (!/^[0-9]+$/.test(n)) throw new ZenginInputError(field, `"${n}" is not digits only`, { value: n });
    text = n;
  }
  if (text.length > digits) {
    throw new ZenginInputError(field, `${text} has ${text.length} digits, more than the ${digits} the field holds`, { value: n });
  }
  return text.padStart(digits, '0');
}
