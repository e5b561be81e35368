import { describe, expect, it } from 'vitest';
import { UnusableInputError } from '../../../src/errors.ts';
import { ZenginInputError } from '../../../src/payments/zengin/zengin-errors.ts';
import { padNumber, padZengin, toZenginKana, truncateZengin } from '../../../src/payments/zengin/zengin-kana.ts';

describe('toZenginKana', () => {
  it.each([
    ['ヤマダ　ガッコウ', 'ﾔﾏﾀﾞ ｶﾞﾂｺｳ'], // voiced kana take two bytes, small ッ written large, full-width space
    ['パーティー　ヴィクトリア', 'ﾊﾟ-ﾃｲ- ｳﾞｲｸﾄﾘｱ'], // ﾟ, long vowel → "-", small ィ, ヴ → ｳﾞ
    ['キャップ', 'ｷﾔﾂﾌﾟ'], // small ャ and ッ
    ['シュウ　ジョウ', 'ｼﾕｳ ｼﾞﾖｳ'], // small ュ ョ
    ['ファミリー', 'ﾌｱﾐﾘ-'], // small ァ
    ['クヮ', 'ｸﾜ'], // small ヮ
    ['ヵヶ', 'ｶｹ'],
    ['ヰヱヲ', 'ｲｴｵ'], // old kana; ヲ is outside ｱ-ﾝ and is written ｵ
    ['ヷヸヹヺ', 'ﾜﾞｲﾞｴﾞｵﾞ'],
    ['やまだ　たろう', 'ﾔﾏﾀﾞ ﾀﾛｳ'], // hiragana
    ['ぱっぴー', 'ﾊﾟﾂﾋﾟ-'],
    ['ｶﾞｯｺｳ', 'ｶﾞﾂｺｳ'], // half-width input: small ｯ written large
    ['ｦｧｨｩｪｫｬｭｮｰ', 'ｵｱｲｳｴｵﾔﾕﾖ-'], // half-width signs outside ｱ-ﾝ
    ['Smith John', 'SMITH JOHN'], // lowercase → uppercase
    ['ＡＢＣ　ａｂｃ　０１２', 'ABC ABC 012'], // full-width latin and digits
    ['エス・ビー', 'ｴｽ.ﾋﾞ-'], // middle dot → period
    ['ｴｽ･ﾋﾞｰ', 'ｴｽ.ﾋﾞ-'], // half-width middle dot
    ['カ）ヤマダ（カ', 'ｶ)ﾔﾏﾀﾞ(ｶ'], // full-width parentheses
    ['(ｶ) Y.K-1', '(ｶ) Y.K-1'], // allowed signs as they are
    ['ミツビシユ－エフジエイ', 'ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ'], // zengin-code writes the long vowel as full-width －
    ['エヌ．テイ．テイ', 'ｴﾇ.ﾃｲ.ﾃｲ'], // full-width period
    ['カ\u3099ハ\u309A', 'ｶﾞﾊﾟ'], // decomposed (combining) marks
    ['カ゛ハ゜', 'ｶﾞﾊﾟ'], // spacing marks
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(toZenginKana(input)).toBe(expected);
  });

  it('maps every full-width katakana base letter to its half-width form', () => {
    expect(toZenginKana('アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン')).toBe(
      'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ',
    );
    expect(toZenginKana('ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ')).toBe(
      'ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ',
    );
  });

  it.each([
    ['ヤマダ　太郎', '太', 5],
    ['カブシキガイシャ,', ',', 9],
    ['ア/イ', '/', 2],
    ['〜', '〜', 1],
    ['タブ\tX', '\t', 3],
    ['😀', '😀', 1],
  ])('rejects %j naming the character %j and its position %i', (input, ch, position) => {
    let error: unknown;
    try {
      toZenginKana(input, 'recipientName');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ZenginInputError);
    expect(error).toBeInstanceOf(UnusableInputError);
    const message = (error as Error).message;
    expect(message).toContain('recipientName');
    expect(message).toContain(`"${ch}"`);
    expect(message).toContain(`position ${position}`);
    expect((error as ZenginInputError).context).toMatchObject({ field: 'recipientName', position });
  });

  it('rejects a voiced mark that follows no kana', () => {
    expect(() => toZenginKana('ﾞｱ', 'name')).toThrow(/name: "ﾞ" \(U\+FF9E\) at position 1 does not follow a kana/);
    expect(() => toZenginKana('A゛')).toThrow(/position 2/);
    expect(() => toZenginKana('ｶﾞﾞ')).toThrow(/position 3/);
  });
});

describe('truncateZengin', () => {
  it('keeps text that fits', () => {
    expect(truncateZengin('ﾔﾏﾀﾞ', 4)).toBe('ﾔﾏﾀﾞ');
    expect(truncateZengin('ﾔﾏﾀﾞ', 10)).toBe('ﾔﾏﾀﾞ');
  });

  it('cuts to the byte count', () => {
    expect(truncateZengin('ABCDEF', 3)).toBe('ABC');
    expect(truncateZengin('ﾔﾏﾀﾞ', 3)).toBe('ﾔﾏ'); // ﾀ would lose its ﾞ: both go
    expect(truncateZengin('ﾔﾏﾀﾞ ', 4)).toBe('ﾔﾏﾀﾞ'); // cut after the mark: fine
    expect(truncateZengin('ﾊﾟﾊﾟ', 3)).toBe('ﾊﾟ'); // ﾟ too
    expect(truncateZengin('ﾊﾟﾊﾟ', 1)).toBe('');
  });

  it('refuses text that is not Zengin characters yet', () => {
    expect(() => truncateZengin('ヤマダ', 2, 'x')).toThrow(/x: character "ヤ"/);
  });
});

describe('padZengin and padNumber', () => {
  it('pads text left-aligned with spaces', () => {
    expect(padZengin('ﾐｽﾞﾎ', 15)).toBe('ﾐｽﾞﾎ' + ' '.repeat(11));
    expect(padZengin('', 3)).toBe('   ');
    expect(() => padZengin('ABCD', 3, 'bankName')).toThrow(/bankName: "ABCD" is 4 bytes, more than the 3/);
  });

  it('pads numbers right-aligned with zeros', () => {
    expect(padNumber(12345, 10)).toBe('0000012345');
    expect(padNumber('45', 7)).toBe('0000045');
    expect(padNumber(0, 6)).toBe('000000');
    expect(padNumber(9_999_999_999, 10)).toBe('9999999999');
  });

  it('throws when a number does not fit or is not a whole number of zero or more', () => {
    expect(() => padNumber(10_000_000_000, 10, 'amountYen')).toThrow(/amountYen: 10000000000 has 11 digits, more than the 10/);
    expect(() => padNumber('12345678', 7, 'accountNumber')).toThrow(/accountNumber/);
    expect(() => padNumber(-1, 5)).toThrow(/not a whole number/);
    expect(() => padNumber(1.5, 5)).toThrow(/not a whole number/);
    expect(() => padNumber(Number.NaN, 5)).toThrow(/not a whole number/);
    expect(() => padNumber('12a', 5)).toThrow(/not digits only/);
    expect(() => padNumber('', 5)).toThrow(/not digits only/);
  });
});
