import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inputsHash } from '../../src/decisions/stored-explanation.ts';

/**
 * Decisions store the hash of the snapshot they were made from, and replay compares it years
 * later: its definition (canonical JSON, keys sorted at every level) may never change.
 */
describe('inputsHash', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

  it('hashes the canonical JSON: keys sorted at every level, undefined members left out, undefined in arrays null', () => {
    const snapshot = {
      household_id: '0001',
      members: [{ tax: { '2024': { kintowari: 0 }, '2023': null }, person_id: 'P1', note: undefined, birth_date: new Date('2020-01-02T00:00:00Z') }],
      accounts: [undefined, 'a'],
      b: true,
    };
    const canonical =
      '{"accounts":[null,"a"],"b":true,"household_id":"0001",' +
      '"members":[{"birth_date":"2020-01-02T00:00:00.000Z","person_id":"P1","tax":{"2023":null,"2024":{"kintowari":0}}}]}';
    expect(inputsHash(snapshot)).toBe(sha(canonical));
  });

  it('does not depend on the order keys were written in', () => {
    expect(inputsHash({ a: 1, b: { d: [1, { f: 2, e: 3 }], c: 'x' } })).toBe(inputsHash({ b: { c: 'x', d: [1, { e: 3, f: 2 }] }, a: 1 }));
  });
});
