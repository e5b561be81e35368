// Addresses for synthetic households: a fixed set of towns (町丁), each with a district
// code and a postal code, and house numbers within them.
//
// Why: notices print the address block, the review pages filter by district, and a real
// municipality's postal codes share their leading digits, so a town keeps one postal code
// and one district code for every household in it. Addresses are written the way the
// resident register prints them without the municipality name: 「本町2丁目14-3」, with a
// room number for apartments (「本町2丁目14-3-205」). No commas or quotes, so CSV fields
// never need quoting.

import type { Rng } from './random.ts';

export interface Town {
  readonly name: string;
  readonly districtCode: string;
  readonly postalCode: string;
  /** How many 丁目 the town has (some have none). */
  readonly chome: number;
}

export interface Address {
  readonly town: Town;
  readonly text: string;
}

const TOWN_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['本町', 4], ['栄町', 3], ['緑町', 3], ['旭町', 2], ['中央', 5],
  ['桜台', 3], ['若葉台', 4], ['東町', 2], ['西町', 2], ['南町', 3],
  ['北町', 2], ['新田', 0], ['大和町', 2], ['宮前', 0], ['富士見', 3],
  ['青葉台', 4], ['日吉', 3], ['松原', 2], ['川端', 0], ['山手町', 2],
];

/**
 * The municipality's towns. The postal prefix (3 digits) is drawn once per run; each town
 * gets its own 4-digit suffix, so postal codes are 7 digits and stable within a run.
 */
export function makeTowns(rng: Rng): Town[] {
  const prefix = rng.int(100, 989);
  return TOWN_NAMES.map(([name, chome], i) => ({
    name,
    districtCode: String(i + 1).padStart(2, '0'),
    postalCode: `${prefix}${String(11 + i * 7 + rng.int(0, 5)).padStart(4, '0')}`,
    chome,
  }));
}

/** A house or apartment in one of the towns (apartments more likely for small households). */
export function sampleAddress(rng: Rng, towns: readonly Town[], apartmentShare: number): Address {
  const town = rng.pick(towns);
  const block = town.chome > 0 ? `${rng.int(1, town.chome)}丁目` : '';
  let text = `${town.name}${block}${rng.int(1, 40)}-${rng.int(1, 25)}`;
  if (rng.chance(apartmentShare)) text += `-${rng.int(1, 8)}${String(rng.int(1, 12)).padStart(2, '0')}`;
  return { town, text };
}
