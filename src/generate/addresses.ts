// Addresses for synthetic households: a fixed set of towns (町丁), each with a district
// code and a postal code matching the municipality's prefecture (and ward), and house numbers
// within them.
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

/** 都道府県コード → the first three digits of its postal codes (the lowest and highest). */
const PREFECTURE_POSTAL: Record<string, readonly [number, number]> = {
  '01': [40, 99], '02': [30, 39], '03': [20, 29], '04': [980, 989], '05': [10, 19], '06': [990, 999], '07': [960, 979],
  '08': [300, 319], '09': [320, 329], '10': [370, 379], '11': [330, 369], '12': [260, 299], '13': [100, 209], '14': [210, 259],
  '15': [940, 959], '16': [930, 939], '17': [920, 929], '18': [910, 919], '19': [400, 409], '20': [380, 399], '21': [500, 509],
  '22': [410, 439], '23': [440, 499], '24': [510, 519], '25': [520, 529], '26': [600, 629], '27': [530, 599], '28': [650, 679],
  '29': [630, 639], '30': [640, 649], '31': [680, 689], '32': [690, 699], '33': [700, 719], '34': [720, 739], '35': [740, 759],
  '36': [770, 779], '37': [760, 769], '38': [790, 799], '39': [780, 789], '40': [800, 839], '41': [840, 849], '42': [850, 859],
  '43': [860, 869], '44': [870, 879], '45': [880, 889], '46': [890, 899], '47': [900, 909],
};

/**
 * Wards (区) of the 政令指定都市 the demo and examples use, with their postal prefixes: the
 * resident register's address there starts with the ward (「中区本町2丁目14-3」).
 */
const WARDS: Record<string, ReadonlyArray<readonly [string, number]>> = {
  '141003': [['中区', 231], ['西区', 220], ['南区', 232], ['神奈川区', 221], ['港北区', 223], ['青葉区', 227], ['鶴見区', 230], ['戸塚区', 244]],
};

/**
 * The municipality's towns. The postal prefix (3 digits) is drawn once per run within the
 * municipality's prefecture (in a city with wards, each ward has its own); each town gets its
 * own 4-digit suffix, so postal codes are 7 digits and stable within a run. The draws are the
 * same for every municipality, so the rest of the generated data does not depend on this.
 */
export function makeTowns(rng: Rng, municipalityCode = ''): Town[] {
  const draw = rng.int(100, 989);
  const [lo, hi] = PREFECTURE_POSTAL[municipalityCode.slice(0, 2)] ?? [100, 989];
  const prefix = lo + ((draw - 100) % (hi - lo + 1));
  const wards = WARDS[municipalityCode];
  return TOWN_NAMES.map(([name, chome], i) => {
    const ward = wards?.[i % wards.length];
    return {
      name: ward ? `${ward[0]}${name}` : name,
      districtCode: String(i + 1).padStart(2, '0'),
      postalCode: `${String(ward ? ward[1] : prefix).padStart(3, '0')}${String(11 + i * 7 + rng.int(0, 5)).padStart(4, '0')}`,
      chome,
    };
  });
}

/** A house or apartment in one of the towns (apartments more likely for small households). */
export function sampleAddress(rng: Rng, towns: readonly Town[], apartmentShare: number): Address {
  const town = rng.pick(towns);
  const block = town.chome > 0 ? `${rng.int(1, town.chome)}丁目` : '';
  let text = `${town.name}${block}${rng.int(1, 40)}-${rng.int(1, 25)}`;
  if (rng.chance(apartmentShare)) text += `-${rng.int(1, 8)}${String(rng.int(1, 12)).padStart(2, '0')}`;
  return { town, text };
}
