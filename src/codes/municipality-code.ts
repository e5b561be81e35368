/**
 * 全国地方公共団体コード: five digits and a check digit (DOMAIN.md, Codes): mod 11 over the
 * first five with weights 6,5,4,3,2; check = 11 − remainder, with 10 → 0 and 11 → 1.
 */
export function municipalityCheckDigit(firstFive: string): number {
  const weights = [6, 5, 4, 3, 2];
  const sum = [...firstFive].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return (11 - (sum % 11)) % 10;
}

export function isValidMunicipalityCode(code: string): boolean {
  return /^[0-9]{6}$/.test(code) && municipalityCheckDigit(code.slice(0, 5)) === Number(code[5]);
}
