import { describe, expect, it } from 'vitest';
import { findBranch } from '../../src/codes/bank-codes.ts';
import { isIsoDate } from '../../src/codes/iso-date.ts';
import { isHolderKana, isKatakana } from '../../src/codes/kana.ts';
import { isValidMunicipalityCode, municipalityCheckDigit } from '../../src/codes/municipality-code.ts';
import { isRelationship } from '../../src/codes/relationship.ts';

describe('全国地方公共団体コード', () => {
  it.each([
    ['131016', true], // 千代田区
    ['141003', true], // 横浜市
    ['011002', true], // 札幌市
    ['271004', true], // 大阪市
    ['131017', false],
    ['14100', false],
    ['14100a', false],
  ])('%s is valid: %s', (code, valid) => expect(isValidMunicipalityCode(code)).toBe(valid));

  it('maps a check of 10 to 0 and 11 to 1', () => {
    expect(municipalityCheckDigit('00001')).toBe(9); // sum 2, 11 - 2 = 9
    expect(municipalityCheckDigit('00006')).toBe(0); // sum 12, remainder 1, 11 - 1 = 10 -> 0
    expect(municipalityCheckDigit('00000')).toBe(1); // sum 0, 11 - 0 = 11 -> 1
  });
});

describe('dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2024-13-01', false],
    ['2024-1-01', false],
    ['2024-04-31', false],
  ])('%s is a real date: %s', (d, ok) => expect(isIsoDate(d)).toBe(ok));
});

describe('kana', () => {
  it('takes full-width katakana with voiced, small and long-vowel kana, and ヴ', () => {
    for (const k of ['ガッコウ', 'パーティー', 'ジュンイチロウ', 'ヴィクトリア', 'サトウ　ハナコ']) expect(isKatakana(k)).toBe(true);
  });
  it('refuses latin letters, hiragana, kanji and half-width kana in register names', () => {
    for (const k of ['Yamada', 'やまだ', '山田', 'ﾔﾏﾀﾞ', ' ヤマダ', '']) expect(isKatakana(k)).toBe(false);
  });
  it('takes half-width kana for account holders, as banks print them', () => {
    expect(isHolderKana('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe(true);
    expect(isHolderKana('ヤマダ　タロウ')).toBe(true);
    expect(isHolderKana('YAMADA')).toBe(false);
  });
});

describe('続柄', () => {
  it.each(['世帯主', '妻', '子', '子の妻', '妻の父', '縁故者', '同居人'])('%s is a 続柄', (r) => expect(isRelationship(r)).toBe(true));
  it.each(['友人', '子の', 'の子', 'wife', ''])('%s is not', (r) => expect(isRelationship(r)).toBe(false));
});

describe('bank codes', () => {
  it('knows real banks and branches from the 全銀 list', () => {
    expect(findBranch('0001', '100')?.kana).toBe('ホンテン');
    expect(findBranch('0001', '999')).toBeUndefined();
  });
});
