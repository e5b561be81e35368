/**
 * What the engine knows of one household: its resident members on the membership date, with
 * their tax assessments by fiscal year, as the store answered "as of D, as known at T". The
 * engine takes this and nothing else, so nightly, review and simulation evaluate alike and a
 * decision can be replayed from the snapshot it recorded.
 */
export interface TaxRecord {
  total_income: number;
  kintowari: number;
  shotokuwari: number;
  dependent_of?: string | null;
  supporter_taxed?: boolean | null;
}

export interface MemberSnapshot {
  person_id: string;
  relationship: string;
  birth_date: string;
  /** First day of the person's residence in the municipality (their earliest resident record). */
  resident_since: string;
  /** Assessments by fiscal year ('2024': …); a missing year means the municipality holds none. */
  tax: Record<string, TaxRecord>;
}

export interface HouseholdSnapshot {
  municipality_code: string;
  household_id: string;
  /** The date whose household composition this is. */
  membership_date: string;
  members: MemberSnapshot[];
  /** Tax records of people in the municipality who claim a member as dependant but are not members. */
  supporters: Record<string, Record<string, TaxRecord>>;
}
