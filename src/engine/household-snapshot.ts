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

/** An account as far as deciding needs it: never the account number (snapshots are stored). */
export interface AccountSummary {
  source: 'koukin' | 'registered';
  bank_code: string;
  branch_code: string;
  account_type: number;
}

export interface MemberSnapshot {
  person_id: string;
  relationship: string;
  birth_date: string;
  /** First day of the person's residence in the municipality (their earliest resident record). */
  resident_since: string;
  /** Assessments by fiscal year ('2024': …); a missing year means the municipality holds none. */
  tax: Record<string, TaxRecord>;
  /** Accounts on record (公金受取口座 and one registered with the municipality). */
  accounts?: AccountSummary[];
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
