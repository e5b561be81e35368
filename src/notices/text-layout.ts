/**
 * Line breaking for Japanese text in a fixed width, with the usual 禁則処理 (JIS X 4051):
 * a line does not start with closing brackets, 、。, small kana or ー, and does not end with an
 * opening bracket. Runs of Latin letters and digits (40,000円, 045-671-2345, ****567) stay
 * whole unless they are wider than the line.
 */

/** Characters a line must not start with (行頭禁則). */
const NO_START = new Set(
  Array.from(
    '、。，．,.)]}）〕］｝〉》」』】〙〗〟’”｠»' +
      'ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎゕゖㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻' +
      '‐゠–〜～？！?!‼⁇⁈⁉・：；:;%％',
  ),
);
/** Characters a line must not end with (行末禁則). */
const NO_END = new Set(Array.from('（〔［｛〈《「『【〘〖〝‘“｟«([{￥$＄〒'));

/** A word of Latin letters/digits (with the punctuation inside amounts, phone and account numbers), a run of spaces, or one character. */
const TOKEN = /[A-Za-z0-9][A-Za-z0-9,.\-/:@%&+#_'*]*円?|\*+[A-Za-z0-9][A-Za-z0-9,.-]*|[ \u3000]+|[\s\S]/gu;

const isSpace = (token: string) => /^[ \u3000]+$/.test(token);
const first = (token: string) => String.fromCodePoint(token.codePointAt(0)!);
const last = (token: string) => Array.from(token).pop() ?? '';

export interface WrappedLine {
  text: string;
  /** Offset from the left edge of the box: the first-line or hanging indent. */
  indent: number;
  width: number;
}

export interface WrapOptions {
  /** Indent of the first line (一字下げ). */
  firstLineIndent?: number;
  /** Indent of the lines after the first (a hanging indent under a 1. or ・ marker). */
  continuationIndent?: number;
  /**
   * Break at the last space of a line when there is one in its second half (an address
   * keeps its building name, after the space, whole on the next line).
   */
  preferSpaces?: boolean;
}

/**
 * Breaks one paragraph (no line ends in it) into lines no wider than `maxWidth`.
 * `widthOf` gives the width of a string as it will be drawn.
 */
export function wrapParagraph(text: string, maxWidth: number, widthOf: (s: string) => number, options: WrapOptions = {}): WrappedLine[] {
  const firstIndent = options.firstLineIndent ?? 0;
  const contIndent = options.continuationIndent ?? 0;
  const tokens = text.match(TOKEN) ?? [];
  const lines: WrappedLine[] = [];
  let cur: string[] = [];
  let curWidth = 0;
  const indent = () => (lines.length === 0 ? firstIndent : contIndent);
  const room = () => Math.max(maxWidth - indent(), 1);
  const EPSILON = 0.01;

  const flush = () => {
    while (cur.length > 0 && isSpace(cur[cur.length - 1])) cur.pop();
    const line = cur.join('');
    lines.push({ text: line, indent: indent(), width: widthOf(line) });
    cur = [];
    curWidth = 0;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const width = widthOf(token);
    if (isSpace(token) && cur.length === 0 && lines.length > 0) continue; // no space at the start of a wrapped line
    if (curWidth + width <= room() + EPSILON) {
      cur.push(token);
      curWidth += width;
      continue;
    }
    if (isSpace(token)) {
      flush();
      continue;
    }
    if (width > room() + EPSILON && token.length > 1) {
      // Wider than a whole line: fall back to breaking it between characters.
      tokens.splice(i, 1, ...Array.from(token));
      i--;
      continue;
    }
    // Break before `token`, moving characters down so that neither 禁則 is broken (追い出し).
    const carry: string[] = [];
    if (NO_START.has(first(token))) {
      while (cur.length > 1 && (carry.length === 0 || NO_START.has(first(carry[0])))) carry.unshift(cur.pop()!);
    }
    while (cur.length > 1 && NO_END.has(last(cur[cur.length - 1]))) carry.unshift(cur.pop()!);
    if (options.preferSpaces && carry.length === 0) {
      let space = cur.length - 1;
      while (space > 0 && !isSpace(cur[space])) space--;
      if (space > 0 && widthOf(cur.slice(0, space).join('')) >= room() / 2) carry.push(...cur.splice(space).slice(1));
    }
    const carried = carry.reduce((sum, t) => sum + widthOf(t), 0) + width;
    if (carried > maxWidth - contIndent + EPSILON) {
      // Moving them down would overflow the next line: give up on 禁則 here.
      cur.push(...carry);
      carry.length = 0;
    }
    if (cur.length > 0) flush();
    cur = [...carry, token];
    curWidth = carry.reduce((sum, t) => sum + widthOf(t), 0) + width;
  }
  if (cur.length > 0 || lines.length === 0) flush();
  return lines;
}

/** A leading list marker (1 and a space, ・, ○, ×, ？, ※, （1）) whose width the following lines hang under. */
export function listMarker(text: string): string {
  const match = /^(?:\d{1,2}[ \u3000.．、]|[（(]\d{1,2}[）)][ \u3000]?|[・○×？※●■◎△▲▼◇◆□][ \u3000]?)/u.exec(text);
  return match ? match[0] : '';
}
