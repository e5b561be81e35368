import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';

/**
 * The address block of a letter: the resident register holds the address within the
 * municipality (「中区本町2丁目14-3」, as the generator and many registers write it), but a
 * letter carries the full address, with the prefecture and the city (and, in a 政令指定都市,
 * the ward the register address starts with). The prefecture is the one whose governor the
 * settings name (神奈川県知事 → 神奈川県): the municipality set it, so it cannot disagree.
 */
export function prefectureOf(settings: Pick<MunicipalitySettings, 'prefectural_governor'>): string | undefined {
  return /^(.+[都道府県])知事$/.exec(settings.prefectural_governor)?.[1];
}

/** 横浜市 + 中区本町2丁目14-3 → 神奈川県横浜市中区本町2丁目14-3; an address already full stays as it is. */
export function fullAddress(address: string, settings: Pick<MunicipalitySettings, 'name' | 'prefectural_governor'>): string {
  const prefecture = prefectureOf(settings) ?? '';
  if (prefecture && address.startsWith(prefecture)) return address;
  if (address.startsWith(settings.name)) return `${prefecture}${address}`;
  return `${prefecture}${settings.name}${address}`;
}
