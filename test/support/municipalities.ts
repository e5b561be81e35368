import fs from 'node:fs';
import type { Kysely } from 'kysely';
import { municipalityCheckDigit } from '../../src/codes/municipality-code.ts';
import type { DB } from '../../src/db/schema.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';

let next = 10000 + Math.floor(Math.random() * 80000);

/** A fresh valid municipality code, so tests sharing a database never see each other's rows. */
export function freshMunicipality(): string {
  const firstFive = String(next++).padStart(5, '0');
  return `${firstFive}${municipalityCheckDigit(firstFive)}`;
}

/**
 * The example settings for payments and notices, under a Zengin requester code of the
 * municipality's own (the code is unique across municipalities).
 */
export function payingSettings(m: string) {
  const base = JSON.parse(fs.readFileSync(new URL('../../examples/municipality-141003.json', import.meta.url), 'utf8'));
  return { ...base, requester: { ...base.requester, code: `97${m}00` } };
}

/** A fresh municipality with payingSettings. */
export async function payingMunicipality(db: Kysely<DB>): Promise<string> {
  const m = freshMunicipality();
  await updateSettings(db, m, payingSettings(m));
  return m;
}
