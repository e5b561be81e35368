// Rows of residents.csv for one household.
//
// Why a separate module: the column list is part of the public input-file contract
// (CONTRACT.md "Input files") and is easier to check against it in one place. Every member
// gets a row stating their record from `effective_date` (birth or move-in) on; the ~1% who
// moved out or died get a second row, same person and fields, a later effective_date and
// status moved_out / deceased.

import { formatDay } from './dates.ts';
import type { Household } from './household-sampler.ts';

export const RESIDENT_COLUMNS = [
  'change_id',
  'municipality_code',
  'person_id',
  'effective_date',
  'household_id',
  'relationship',
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'birth_date',
  'sex',
  'postal_code',
  'address',
  'district_code',
  'status',
] as const;

export type ResidentRow = [
  string, string, string, string, string, string, string, string,
  string, string, string, number, string, string, string, string,
];

export function emitResidentRows(h: Household, municipalityCode: string, emit: (row: ResidentRow) => void): void {
  const { town, text } = h.address;
  for (const m of h.members) {
    const row: ResidentRow = [
      `R-${municipalityCode}-${m.personId}-1`,
      municipalityCode,
      m.personId,
      formatDay(m.effectiveDay),
      h.householdId,
      m.relationship,
      m.family.kanji,
      m.given.kanji,
      m.family.kana,
      m.given.kana,
      formatDay(m.birthDay),
      m.sex,
      town.postalCode,
      text,
      town.districtCode,
      'resident',
    ];
    emit(row);
    if (m.departure) {
      const second = row.slice() as ResidentRow;
      second[0] = `R-${municipalityCode}-${m.personId}-2`;
      second[3] = formatDay(m.departure.day);
      second[15] = m.departure.status;
      emit(second);
    }
  }
}
