import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';

type Row = Record<string, string>;
let tmp: string;
const generate = async (municipalityCode: string, households = 1500): Promise<Row[]> => {
  const { files } = await generateMunicipality({ households, seed: 'addresses', municipalityCode, outDir: path.join(tmp, municipalityCode) });
  return parse(fs.readFileSync(files.residents), { columns: true }) as Row[];
};

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'benefit-generate-addresses-'));
});
afterAll(() => fs.promises.rm(tmp, { recursive: true, force: true }));

/** Issue 16, points 3 and 11: addresses a letter to the municipality can carry, and names a family would give. */
describe('generated addresses and names', () => {
  it('gives 横浜市 addresses its wards, with the wards’ postal codes (2xx, 神奈川県)', async () => {
    const rows = await generate('141003');
    const prefixes = new Map([['中区', '231'], ['西区', '220'], ['南区', '232'], ['神奈川区', '221'], ['港北区', '223'], ['青葉区', '227'], ['鶴見区', '230'], ['戸塚区', '244']]);
    for (const r of rows) {
      const ward = /^(.+?区)/.exec(r.address)?.[1];
      expect(ward, r.address).toBeDefined();
      expect(r.postal_code.slice(0, 3), r.address).toBe(prefixes.get(ward!));
    }
  });

  it('draws other municipalities’ postal codes within their prefecture', async () => {
    const rows = await generate('011002', 200); // 札幌市 (北海道: 040-099)
    for (const r of rows) expect(Number(r.postal_code.slice(0, 3))).toBeGreaterThanOrEqual(40);
    for (const r of rows) expect(Number(r.postal_code.slice(0, 3))).toBeLessThanOrEqual(99);
    const osaka = await generate('271004', 200); // 大阪市 (530-599)
    for (const r of osaka) expect(Number(r.postal_code.slice(0, 3))).toBeGreaterThanOrEqual(530);
  });

  it('never gives two members of one family in a household the same given name', async () => {
    const rows = await generate('141003', 4000);
    const seen = new Map<string, string>();
    const clashes: string[] = [];
    for (const r of rows) {
      if (r.change_id.endsWith('-2')) continue; // the second row of a person who left
      const key = `${r.household_id}|${r.family_name}|${r.given_name}`;
      if (seen.has(key) && seen.get(key) !== r.person_id) clashes.push(key);
      seen.set(key, r.person_id);
    }
    expect(clashes).toEqual([]);
  });
});
