import { municipalityCheckDigit } from '../../src/codes/municipality-code.ts';

let next = 10000 + Math.floor(Math.random() * 80000);

/** A fresh valid municipality code, so tests sharing a database never see each other's rows. */
export function freshMunicipality(): string {
  const firstFive = String(next++).padStart(5, '0');
  return `${firstFive}${municipalityCheckDigit(firstFive)}`;
}
