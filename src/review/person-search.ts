import { sql, type RawBuilder } from 'kysely';

/**
 * How a name or an address is compared in the resident search. Staff type what the resident
 * says or writes: やまもと or ﾔﾏﾓﾄ for ヤマモト, 高橋 for 髙橋, with or without a space. The query
 * is folded here (NFKC for half-width kana and full-width digits and letters, the character map
 * below, no spaces); the register side is matched against every form of each folded character
 * (formsPattern), which gives the same result as folding both sides at a fraction of the cost.
 */

/**
 * 異体字 that registers and residents write either way (the 戸籍 form and the common one), to
 * the common form; then hiragana to katakana, so one map does both. Chosen from the variants
 * municipalities' name searches usually fold. 斉/斎 are different characters in the dictionary
 * but the same family name to a resident at the counter (サイトウ), so they fold too.
 */
const VARIANTS: [string, string][] = [
  ['髙', '高'], ['﨑', '崎'], ['嵜', '崎'], ['邊', '辺'], ['邉', '辺'], ['齋', '斎'], ['齊', '斎'], ['斉', '斎'],
  ['濵', '浜'], ['濱', '浜'], ['德', '徳'], ['瀨', '瀬'], ['槇', '槙'], ['冨', '富'], ['曻', '昇'], ['惠', '恵'],
  ['廣', '広'], ['國', '国'], ['澤', '沢'], ['櫻', '桜'], ['眞', '真'], ['實', '実'], ['壽', '寿'], ['藏', '蔵'],
  ['龍', '竜'], ['𠮷', '吉'], ['舘', '館'], ['峯', '峰'], ['嶋', '島'], ['嶌', '島'], ['埜', '野'],
];
// ぁ (U+3041) … ゖ (U+3096) → ァ (U+30A1) … ヶ (U+30F6); ゝゞ → ヽヾ.
const HIRAGANA = [...Array.from({ length: 0x56 }, (_, i) => String.fromCodePoint(0x3041 + i)), 'ゝ', 'ゞ'];
const KATAKANA = [...Array.from({ length: 0x56 }, (_, i) => String.fromCodePoint(0x30a1 + i)), 'ヽ', 'ヾ'];
const FROM = [...VARIANTS.map(([v]) => v), ...HIRAGANA];
const TO = [...VARIANTS.map(([, c]) => c), ...KATAKANA];
const MAP = new Map(FROM.map((c, i) => [c, TO[i]]));

/** The text as the search compares it (see above). */
export function searchKey(text: string): string {
  return [...text.normalize('NFKC')].map((c) => MAP.get(c) ?? c).join('').replace(/\s+/g, '');
}

/**
 * The register side, in SQL. Folding every row with translate() took seconds on a large
 * register, so the register is only NFKC-normalised with its spaces removed (cheap), and the
 * query, already folded, becomes a regular expression in which each character that has other
 * forms is a class of them: 高 → [高髙], サ → [サさ]. Same result as folding both sides.
 */
export function registerText(expression: RawBuilder<string>): RawBuilder<string> {
  return sql<string>`replace(normalize(${expression}, NFKC), ' ', '')`;
}

const FORMS = new Map<string, string[]>();
FROM.forEach((c, i) => FORMS.set(TO[i], [...(FORMS.get(TO[i]) ?? [TO[i]]), c]));

/** A folded search text as a PostgreSQL regular expression matching each of its forms (anchored at the start unless `anywhere`). */
export function formsPattern(key: string, anywhere = false): string {
  const body = [...key].map((c) => (FORMS.has(c) ? `[${FORMS.get(c)!.join('')}]` : c.replace(/[.^$*+?()[\]{}|\\-]/g, '\\$&'))).join('');
  return anywhere ? body : `^${body}`;
}

/** LIKE's own characters in a search text, escaped (the default escape is the backslash). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const ERAS: Record<string, number> = { 明治: 1868, 大正: 1912, 昭和: 1926, 平成: 1989, 令和: 2019, M: 1868, T: 1912, S: 1926, H: 1989, R: 2019 };

/**
 * A birth date as staff type it: 1985-04-01, 1985/4/1, 19850401, 昭和60年4月1日, S60.4.1 or
 * 平成元年… (digits in either width). Undefined when it is no date of the calendar.
 */
export function parseBirthDate(text: string): string | undefined {
  const t = text.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  let year: number;
  if (m) {
    year = Number(m[1]);
  } else {
    m = /^(明治|大正|昭和|平成|令和|[MTSHR])(\d{1,2}|元)[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(t);
    if (!m) return undefined;
    year = ERAS[m[1]] + (m[2] === '元' ? 1 : Number(m[2])) - 1;
    m = [m[0], String(year), m[3], m[4]] as unknown as RegExpExecArray;
  }
  const iso = `${String(year).padStart(4, '0')}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : undefined;
}
