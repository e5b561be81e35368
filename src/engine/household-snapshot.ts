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
  // The optional columns of the tax record (CONTRACT.md): null or absent means the record does not say.
  /** 給与所得の金額 within total_income. */
  salary_income?: number | null;
  /** 公的年金等に係る雑所得の金額 within total_income. */
  pension_income?: number | null;
  /** 扶養親族等の数 on the record: 同一生計配偶者 and 扶養親族 (年少 included), wherever they live. */
  dependants?: number | null;
  /** How many of `dependants` are 老人扶養親族 or 同一生計配偶者 aged 70 or more. */
  elderly_dependants?: number | null;
  /** How many of `dependants` live outside Japan (国外居住). */
  dependants_abroad?: number | null;
  /** Untaxed only under a tax treaty (租税条約): not exempt for 非課税世帯 programs. */
  treaty_exempt?: boolean | null;
  /** 所得税額 of the calendar year before the fiscal year, as the record estimates it. */
  income_tax?: number | null;
}

/** What neither the register nor the tax record says (circumstances.csv), active on the snapshot's date. */
export type CircumstanceKind = 'public_servant' | 'facility_placement' | 'supported_student' | 'declined';

export interface Circumstance {
  circumstance: CircumstanceKind;
  /** The program it concerns, or null when it concerns none in particular. */
  program: string | null;
}

/** An account as far as deciding needs it: never the account number (snapshots are stored). */
export interface AccountSummary {
  source: 'koukin' | 'registered';
  bank_code: string;
  branch_code: string;
  account_type: number;
}

/**
 * A recorded decision of another program that a program reads (its `reads_decisions`): the
 * decision in force, as known at the decision's knowledge time, for the household the member
 * belonged to on that program's membership date.
 */
export interface PriorDecision {
  program: string;
  outcome: 'eligible' | 'ineligible' | 'review';
  amount_yen: number;
  household_id: string;
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
  /** Circumstances active on the date the snapshot's program reads them (see loadHouseholdSnapshots). */
  circumstances?: Circumstance[];
  /** Other programs' decisions, only for programs that read them (see PriorDecision). */
  decisions?: PriorDecision[];
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
