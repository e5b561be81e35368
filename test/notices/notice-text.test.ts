import { describe, expect, it } from 'vitest';
import { cmapCodePoints, faceFor, fontRuns, primaryFace, unprintableCharacters, woffToSfnt } from '../../src/notices/fonts.ts';
import { kyojiText } from '../../src/notices/kyoji-text.ts';
import { listMarker, wrapParagraph } from '../../src/notices/text-layout.ts';

describe('kyojiText', () => {
  const lines = kyojiText('神奈川県知事', '横浜市');
  const text = lines.join('');

  it('names the body that hears the 審査請求 and the 3-month period from the day after learning of the decision', () => {
    expect(lines[0]).toContain('この処分があったことを知った日の翌日から起算して3か月以内に、神奈川県知事に対して審査請求をすることができます');
  });

  it('gives 6 months for a suit to cancel, against the municipality represented by its mayor', () => {
    expect(lines[1]).toContain('知った日の翌日から起算して6か月以内に、横浜市を被告として');
    expect(lines[1]).toContain('横浜市を代表する者は横浜市長となります');
    expect(lines[1]).toContain('裁決があったことを知った日の翌日から起算して6か月以内'); // 行政事件訴訟法第14条第3項
  });

  it('closes both after 1 year unless there is a legitimate reason', () => {
    expect(lines[2]).toContain('あった日の翌日から起算して1年を経過した場合は、審査請求をすることや処分の取消しの訴えを提起することができなくなります');
    expect(lines[2]).toContain('正当な理由があるときは');
  });

  it('uses the mayor when the program names the mayor, and 町長 for a town', () => {
    expect(kyojiText('横浜市長', '横浜市')[0]).toContain('横浜市長に対して審査請求');
    expect(kyojiText('富加町長', '富加町')[1]).toContain('富加町を代表する者は富加町長');
  });

  it('refuses an empty body', () => {
    expect(() => kyojiText(' ', '横浜市')).toThrow();
    expect(text).not.toContain('undefined');
  });
});

describe('wrapParagraph', () => {
  // Full-width characters 1 wide, ASCII 0.5.
  const widthOf = (s: string) => Array.from(s).reduce((w, ch) => w + (ch.charCodeAt(0) < 0x100 ? 0.5 : 1), 0);
  const texts = (text: string, width: number, options = {}) => wrapParagraph(text, width, widthOf, options).map((l) => l.text);

  it('breaks between Japanese characters and keeps every line within the width', () => {
    const lines = wrapParagraph('あいうえおかきくけこさしすせそ', 6, widthOf);
    expect(lines.map((l) => l.text)).toEqual(['あいうえおか', 'きくけこさし', 'すせそ']);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(6);
  });

  it('does not start a line with 。、」 or small kana, nor end one with 「', () => {
    expect(texts('あいうえお。かきく', 5)).toEqual(['あいうえ', 'お。かきく']);
    expect(texts('あいうえおっと', 5)).toEqual(['あいうえ', 'おっと']);
    expect(texts('あいう「えお」', 4)).toEqual(['あいう', '「えお」']);
    for (const line of texts('支給額は「月額」で、児童1人につき10,000円です。詳しくは、お問い合わせください。', 7)) {
      expect(line).not.toMatch(/^[、。」）ぁぃぅぇぉっゃゅょー]/);
      expect(line).not.toMatch(/[「（]$/);
    }
  });

  it('keeps amounts, phone and account numbers whole', () => {
    expect(texts('合計は40,000円です', 6)).toEqual(['合計は', '40,000円です']);
    expect(texts('電話045-671-2345まで', 7)).toEqual(['電話', '045-671-2345ま', 'で']);
    expect(texts('口座番号****567です', 6)).toEqual(['口座番号', '****567です']);
  });

  it('breaks a word wider than the line between its characters', () => {
    const lines = texts('ABCDEFGHIJKLMNOPQRST', 4);
    expect(lines.join('')).toBe('ABCDEFGHIJKLMNOPQRST');
    for (const line of lines) expect(widthOf(line)).toBeLessThanOrEqual(4);
  });

  it('drops spaces at a break and can prefer breaking at a space (addresses)', () => {
    expect(texts('横浜市中区港町1丁目1番地 グランドメゾン関内1203号室', 14, { preferSpaces: true })).toEqual(['横浜市中区港町1丁目1番地', 'グランドメゾン関内1203号室']);
    expect(texts('あいう えお', 3)).toEqual(['あいう', 'えお']);
  });

  it('indents the first line and hangs the rest under a marker', () => {
    const lines = wrapParagraph('○ あいうえおかきくけこ', 6, widthOf, { firstLineIndent: 1, continuationIndent: widthOf(listMarker('○ あ')) });
    expect(lines[0].indent).toBe(1);
    expect(lines[1].indent).toBe(1.5);
    expect(listMarker('1\u3000この処分')).toBe('1\u3000');
    expect(listMarker('（2）理由')).toBe('（2）');
    expect(listMarker('世帯の構成')).toBe('');
  });

  it('returns one empty line for an empty paragraph', () => {
    expect(texts('', 5)).toEqual(['']);
  });
});

describe('fonts', () => {
  it('covers kana, kanji, digits, latin, 〒 and 円 with the japanese subset', () => {
    const primary = primaryFace(400);
    for (const ch of 'あアー漢字通知書0123456789AZaz,.-*〒円（）「」、。＊') {
      expect(primary.codePoints.has(ch.codePointAt(0)!), ch).toBe(true);
    }
  });

  it('finds what the japanese subset lacks in the other slices of Noto Sans JP', () => {
    for (const ch of ['○', '※', '①', '～', '髙', '﨑', '𠮷']) {
      const face = faceFor(ch.codePointAt(0)!, 400);
      expect(face, ch).not.toBeNull();
      expect(face!.subset).not.toBe('japanese');
    }
    expect(fontRuns('髙﨑 花子', 400).map((r) => r.text).join('')).toBe('髙﨑 花子');
  });

  it('reports characters no slice has and prints them as 〓', () => {
    expect(unprintableCharacters('山田\u{1F600}太郎')).toEqual(['\u{1F600}']);
    expect(fontRuns('山\u{1F600}田', 400).map((r) => r.text).join('')).toBe('山〓田');
  });

  it('drops variation selectors (IVS) and prints the base character', () => {
    expect(fontRuns('葛\u{E0100}飾', 400).map((r) => r.text).join('')).toBe('葛飾');
  });

  it('decodes WOFF to a TrueType font with the same characters', () => {
    const sfnt = primaryFace(700).bytes;
    expect(sfnt.readUInt32BE(0)).toBe(0x00010000);
    expect(cmapCodePoints(sfnt).size).toBeGreaterThan(6800);
    expect(() => woffToSfnt(Buffer.from('not a font at all, not at all'))).toThrow(/WOFF/);
  });
});
