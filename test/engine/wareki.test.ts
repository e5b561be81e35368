import { describe, expect, it } from 'vitest';
import { numberJa, yen } from '../../src/engine/wareki.ts';

const intl = new Intl.NumberFormat('ja-JP');

describe('numberJa', () => {
  it('groups digits as Intl.NumberFormat does for ja-JP', () => {
    const values = [0, -0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 999999, 1000000, 12345678, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, 0.5, 1234.5, -1234.56, NaN, Infinity];
    for (let x = 1; x < 1e16; x = x * 7 + 3) values.push(x, -x, x + 1, x - 1);
    for (let i = 0; i < 20000; i++) values.push(Math.floor((Math.random() - 0.3) * 10 ** Math.floor(Math.random() * 16)));
    const differing = values.filter((v) => numberJa(v) !== intl.format(v)).map((v) => `${v}: ${numberJa(v)} / ${intl.format(v)}`);
    expect(differing).toEqual([]);
    expect(numberJa(1234567)).toBe('1,234,567');
    expect(numberJa(-1000)).toBe('-1,000');
    expect(yen(70000)).toBe('70,000円');
  });
});
