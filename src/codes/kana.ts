/**
 * Katakana checks for name fields. Full-width katakana (including ヴ, small kana and ー) and
 * the full-width space between family and given names; account holders' names may also come
 * half-width, as banks print them (ｶﾞ, ﾊﾟ, the half-width space, and the few signs the Zengin
 * set allows in names).
 */
const FULL_WIDTH_KANA = /^[ァ-ヺー・\u3000]+$/u;
const HOLDER_KANA = /^[ァ-ヺー・\u3000 ｦ-ﾟ()（）\-－.．]+$/u;

export function isKatakana(value: string): boolean {
  return FULL_WIDTH_KANA.test(value) && value.trim() === value;
}

export function isHolderKana(value: string): boolean {
  return HOLDER_KANA.test(value) && /[ァ-ヺｦ-ﾝ]/u.test(value);
}
