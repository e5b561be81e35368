// Who lives together: household types, ages, sexes, relationships (続柄), names, move-in
// dates and the few departures (転出 / 死亡) of the synthetic municipality.
//
// Why these shares: the engine's tests, demos and benchmarks need a population that looks
// like a Japanese municipality. Household types follow the census roughly (single person
// ~38%, many of them elderly; couple only ~20%; couple with children ~25%; single parent
// ~9%; three generations ~4%; others), giving about 2.2 persons per household and an age
// pyramid heavy in the 45-75 range with relatively few children. Birth dates are drawn
// uniformly over days, so the 1st/2nd of a month and 1-2 April (where the law's age
// boundaries fall) all occur.
//
// Three-generation households (三世代世帯): 3.8% of all households in 2022 (208万6千 of
// 5431万; 厚生労働省「2022年 国民生活基礎調査の概況」; 4.9% in 2021) and 11.2% of households
// with children under 18 in 2023 (110万5千 of 983万5千; 「2023年 国民生活基礎調査の概況」表5).
// Both registration shapes occur: the young couple heads the household and the head's 父
// and/or 母 (or 妻の父/母) live with it, or the grandparents head it with their 子, the 子の妻
// or 子の夫, and the 孫. A city has fewer of them than the national figure (rural prefectures
// raise it), so 3.8% is an upper bound here. The split between the shapes (55% young head,
// 45% grandparent head) and the share of grandparent heads living with a daughter and her
// husband (30%) are this generator's assumptions: the survey does not publish them. A few
// grandparents raise grandchildren with no parent in the household (祖父母と孫のみ, assumed
// 0.2% of households): there a grandparent receives the 児童手当 (児童手当法第4条).
//
// Invariants the importer relies on: exactly one 世帯主 per household among residents at
// every date (every member's record starts on or after the head's, and a head only ever
// leaves together with the whole household, which happens only in single-person
// households), and relationships taken from the 続柄 list (with "の" chains).

import { ageOn, civilDate, dayNumber, DAYS_PER_YEAR } from './dates.ts';
import {
  FAMILY_NAMES,
  FEMALE_GIVEN_NAMES,
  FOREIGN_NAME_SETS,
  MALE_GIVEN_NAMES,
  nameEra,
  type ForeignNameSet,
  type Name,
} from './names.ts';
import { sampleAddress, type Address, type Town } from './addresses.ts';
import { WeightedTable, type Rng } from './random.ts';

export type Sex = 1 | 2;

/** Position in the family, independent of who is registered as head. */
export type Role =
  | 'head'
  | 'spouse'
  | 'child'
  | 'childSpouse'
  | 'grandchild'
  | 'parent'
  | 'grandparent'
  | 'sibling'
  | 'lodger';

export type HouseholdKind =
  | 'single'
  | 'couple'
  | 'coupleWithChildren'
  | 'singleParent'
  | 'elderParentWithAdultChild'
  | 'threeGenerations'
  | 'grandparentWithGrandchildren'
  | 'other';

/** Income profile: gross yearly amounts for the income year before the as-of fiscal year. */
export interface IncomeProfile {
  /** 給与収入 (gross salary). */
  salary: number;
  /** 公的年金等の収入 (taxable public pension; survivors' pensions are not taxable and not here). */
  pension: number;
  /** 事業所得 etc. (already an income, not a revenue). */
  business: number;
  /** Multipliers for the fiscal years as-of-1, as-of, as-of+1 (year-to-year variation). */
  factors: [number, number, number];
  /**
   * Further multipliers of salary and business income only, for the same three fiscal years:
   * 1, except around a job lost, retirement, or a job found (income-sampler.ts, sampleYearEvents).
   */
  work: [number, number, number];
  /**
   * 所得控除 the tax record holds besides the basic, social-insurance, personal and family ones
   * (生命保険料控除, 地震保険料控除, 医療費控除), per fiscal year, for 所得税 and for 住民税.
   */
  otherDeductions: { incomeTax: [number, number, number]; residentTax: [number, number, number] };
}

export interface Departure {
  readonly day: number;
  readonly status: 'moved_out' | 'deceased';
}

export interface Member {
  personId: string;
  relationship: string;
  role: Role;
  sex: Sex;
  birthDay: number;
  /** Age in whole years on the as-of date. */
  age: number;
  family: Name;
  given: Name;
  /** 寡婦: a widowed woman without a spouse (均等割 exempt up to 1,350,000 yen). */
  widowed: boolean;
  /** 障害者 (same 1,350,000 yen exemption). */
  disabled: boolean;
  /** Full-time student with at most a small part-time income. */
  student: boolean;
  /** Nationality of a foreign-born family (ISO 3166 alpha-2), '' for Japanese. */
  country: string;
  /** 公務員 whose 児童手当 the employer pays (児童手当法第17条); set with the incomes. */
  publicServant: boolean;
  /** Untaxed only under a tax treaty (租税条約), e.g. a Chinese student; set with the incomes. */
  treatyExempt: boolean;
  /** The tax record leaves the optional columns empty (an older system); set with the incomes. */
  partialTaxRecord: boolean;
  /** When the current resident record took effect (birth or move-in). */
  effectiveDay: number;
  departure: Departure | null;
  income: IncomeProfile;
}

export interface Household {
  householdId: string;
  kind: HouseholdKind;
  members: Member[];
  address: Address;
  moveInDay: number;
  /** Moved in after 1 January of the as-of year (so the previous municipality assessed them). */
  recentMoveIn: boolean;
  /** Index in members of the person who claims the household's dependants (-1: none). */
  mainEarner: number;
  /** Set when everyone is a tax dependant of a relative living in another municipality. */
  outsideSupporter: { personId: string; taxed: boolean } | null;
  /**
   * Dependants the main earner claims who live elsewhere (another municipality, a care home,
   * abroad): they appear only in the earner's `dependants` counts, never as rows.
   */
  elsewhereDependants: ElsewhereDependant[];
  /**
   * Every member registered on 1 January 2024 is exempt from the fiscal-2024 均等割 (and nobody
   * moved in later or is a dependant of someone elsewhere): the household the 令和6年度
   * 非課税世帯 給付金 pays. Set with the income rows.
   */
  exemptOnLowIncomeBase: boolean;
}

export interface ElsewhereDependant {
  readonly relation: 'spouse' | 'parent' | 'child';
  readonly birthDay: number;
  /** 国外居住親族. */
  readonly abroad: boolean;
}

export interface GenerationContext {
  readonly asOfDay: number;
  readonly asOfYear: number;
  /** 1 January of the as-of year (賦課期日 of the as-of fiscal year). */
  readonly jan1: number;
  readonly towns: readonly Town[];
}

const NO_INCOME: IncomeProfile = {
  salary: 0,
  pension: 0,
  business: 0,
  factors: [1, 1, 1],
  work: [1, 1, 1],
  otherDeductions: { incomeTax: [0, 0, 0], residentTax: [0, 0, 0] },
};

const KINDS = new WeightedTable<HouseholdKind>([
  ['single', 0.38],
  ['couple', 0.2],
  ['coupleWithChildren', 0.255],
  ['singleParent', 0.055],
  ['elderParentWithAdultChild', 0.03],
  ['threeGenerations', 0.038],
  ['grandparentWithGrandchildren', 0.002],
  ['other', 0.04],
]);

/** Who heads a three-generation household (see the header). */
const THREE_GENERATION_SHAPES = new WeightedTable<'youngHead' | 'grandparentHead'>([
  ['youngHead', 0.55],
  ['grandparentHead', 0.45],
]);

/** Elderly ages: flat to 84, thinning after that (few centenarians). */
const ELDERLY_AGES = new WeightedTable<number>(
  Array.from({ length: 36 }, (_, i) => {
    const age = 65 + i;
    const weight = age < 85 ? 1 : age < 90 ? 0.6 : age < 95 ? 0.3 : 0.07;
    return [age, weight] as const;
  }),
);

const CHILD_COUNTS = new WeightedTable<number>([[1, 0.42], [2, 0.42], [3, 0.13], [4, 0.02], [5, 0.01]]);
const SINGLE_PARENT_CHILD_COUNTS = new WeightedTable<number>([[1, 0.55], [2, 0.35], [3, 0.1]]);
const SIBLING_GAPS = new WeightedTable<number>([[1, 0.2], [2, 0.35], [3, 0.25], [4, 0.12], [5, 0.08]]);

/**
 * Age of the oldest child living with a couple: mostly school age, but many adult children
 * (students, and unmarried workers into their 30s) live with parents in their 50s-70s.
 */
const OLDEST_CHILD_AGES = new WeightedTable<number>(
  Array.from({ length: 43 }, (_, age) => {
    const weight = age < 6 ? 0.6 : age < 18 ? 0.9 : age <= 22 ? 0.9 : age < 30 ? 0.6 : 0.22;
    return [age, weight] as const;
  }),
);
/**
 * Oldest grandchild's age when three generations live together: mostly school age, but about
 * a quarter of these households have only adult grandchildren (nationally only ~53% of 三世代
 * 世帯 have a child under 18: 2.0% of all households against 3.8%; this generator has more
 * households with children than the nation, so it keeps the share of 三世代 among them at
 * about the survey's 11%).
 */
const THREE_GENERATION_OLDEST_CHILD_AGES = new WeightedTable<number>(
  Array.from({ length: 35 }, (_, age) => [age, age < 6 ? 0.6 : age <= 22 ? 1 : 0.5] as const),
);
/** Adult children still at home rarely come with many younger siblings. */
const ADULT_CHILD_COUNTS = new WeightedTable<number>([[1, 0.7], [2, 0.3]]);
const SINGLE_PARENT_OLDEST_AGES = new WeightedTable<number>(
  Array.from({ length: 26 }, (_, age) => [age, age < 3 ? 0.4 : age < 18 ? 1 : 0.5] as const),
);

const OTHER_KINDS = new WeightedTable<'siblings' | 'coupleWithMother' | 'lodger' | 'grandmother' | 'relative'>([
  ['siblings', 0.35],
  ['coupleWithMother', 0.25],
  ['lodger', 0.2],
  ['grandmother', 0.1],
  ['relative', 0.1],
]);

/** Share of households that moved in after 1 January of the as-of year. */
const RECENT_MOVE_IN_SHARE = 0.03;
/** Share of single-person households whose only member is a dependant of a relative elsewhere. */
const OUTSIDE_SUPPORTED_SINGLE_SHARE = 0.026;

/** Builds one household's members, names, address and dates (incomes come later). */
export class HouseholdSampler {
  private nextPerson = 1;
  private nextHousehold = 1;
  private nextOutsider = 1;

  constructor(
    private readonly rng: Rng,
    private readonly ctx: GenerationContext,
  ) {}

  sample(): Household {
    const rng = this.rng;
    const kind = rng.weighted(KINDS);
    const builder = new MemberBuilder(rng, this.ctx);
    let outsideSupporter: Household['outsideSupporter'] = null;
    switch (kind) {
      case 'single':
        outsideSupporter = this.buildSingle(builder);
        break;
      case 'couple':
        buildCouple(builder);
        break;
      case 'coupleWithChildren':
        buildCoupleWithChildren(builder);
        break;
      case 'singleParent':
        buildSingleParent(builder);
        break;
      case 'elderParentWithAdultChild':
        buildElderParentWithAdultChild(builder);
        break;
      case 'threeGenerations':
        buildThreeGenerations(builder);
        break;
      case 'grandparentWithGrandchildren':
        buildGrandparentWithGrandchildren(builder);
        break;
      case 'other':
        buildOther(builder);
        break;
    }
    const members = builder.members;
    // Head first, then the others in the order built (spouse, children, ...).
    const headIndex = members.findIndex((m) => m.relationship === '世帯主');
    if (headIndex > 0) members.unshift(...members.splice(headIndex, 1));

    const head = members[0]!;
    const { moveInDay, recent } = this.sampleMoveIn(head.birthDay);
    for (const m of members) {
      m.effectiveDay = Math.max(m.birthDay, moveInDay);
      m.personId = String(this.nextPerson++).padStart(10, '0');
    }
    const apartmentShare = members.length <= 2 ? 0.55 : 0.3;
    return {
      householdId: String(this.nextHousehold++).padStart(10, '0'),
      kind,
      members,
      address: sampleAddress(rng, this.ctx.towns, apartmentShare),
      moveInDay,
      recentMoveIn: recent,
      mainEarner: -1,
      outsideSupporter,
      elsewhereDependants: [],
      exemptOnLowIncomeBase: false,
    };
  }

  /**
   * Departures (~1% of persons): whole single-person households, or members who are neither
   * the head nor the main earner (the head must stay for the household to keep its 世帯主,
   * and dependants' records point at the main earner). Called after incomes are known.
   */
  sampleDepartures(h: Household): void {
    const rng = this.rng;
    const lower0 = this.ctx.jan1 + 1;
    const single = h.members.length === 1;
    h.members.forEach((m, i) => {
      let p: number;
      if (single) p = m.age >= 75 ? 0.045 : 0.014;
      else if (i === 0 || i === h.mainEarner) return;
      else if (m.role === 'parent' || m.role === 'grandparent') p = 0.05;
      else if (m.role === 'spouse') p = m.age >= 75 ? 0.025 : 0.006;
      else if (m.role === 'child') p = m.age >= 18 ? 0.04 : 0.003;
      else if (m.role === 'sibling' || m.role === 'lodger') p = 0.04;
      else p = 0.004;
      if (!rng.chance(p)) return;
      const lower = Math.max(m.effectiveDay + 1, lower0);
      if (lower > this.ctx.asOfDay) return;
      const day = rng.int(lower, this.ctx.asOfDay);
      const deceased = m.age >= 70 ? rng.chance(0.75) : m.age >= 50 && rng.chance(0.1);
      m.departure = { day, status: deceased ? 'deceased' : 'moved_out' };
    });
  }

  /**
   * When the household came to live here: ~3% after 1 January of the as-of year (these have
   * no assessment here for that fiscal year), the rest at some point in the head's adult life.
   */
  private sampleMoveIn(headBirthDay: number): { moveInDay: number; recent: boolean } {
    const { rng, ctx } = this;
    if (rng.chance(RECENT_MOVE_IN_SHARE) && ctx.jan1 + 1 <= ctx.asOfDay) {
      return { moveInDay: rng.int(ctx.jan1 + 1, ctx.asOfDay), recent: true };
    }
    const latest = ctx.jan1 - 1;
    const adult = headBirthDay + Math.round(18 * DAYS_PER_YEAR);
    const earliest = Math.max(adult, ctx.asOfDay - Math.round(50 * DAYS_PER_YEAR), dayNumber(1960, 1, 1));
    return { moveInDay: earliest >= latest ? latest : rng.int(earliest, latest), recent: false };
  }

  private buildSingle(b: MemberBuilder): Household['outsideSupporter'] {
    const rng = this.rng;
    if (rng.chance(OUTSIDE_SUPPORTED_SINGLE_SHARE)) {
      // A student living alone supported by parents, or a frail parent supported by children
      // elsewhere: the household consists only of dependants of someone taxed elsewhere.
      const student = rng.chance(0.6);
      const age = student ? rng.int(18, 22) : rng.int(78, 95);
      const m = b.add('head', '世帯主', student ? (rng.chance(0.5) ? 1 : 2) : rng.chance(0.3) ? 1 : 2, age);
      m.student = student;
      m.widowed = !student && m.sex === 2;
      const personId = `X${String(this.nextOutsider++).padStart(9, '0')}`;
      return { personId, taxed: rng.chance(0.9) };
    }
    const group = rng.float();
    let age: number;
    let maleShare: number;
    if (group < 0.28) {
      age = rng.int(18, 34);
      maleShare = 0.55;
    } else if (group < 0.58) {
      age = rng.chance(0.5) ? rng.int(35, 64) : rng.int(50, 64);
      maleShare = 0.6;
    } else {
      age = rng.weighted(ELDERLY_AGES);
      maleShare = 0.33;
    }
    // Foreign residents are ~2.7% of the population but ~9% of people in their twenties
    // (出入国在留管理庁 在留外国人統計, 2023年末: 3,410,992 in all), most of them living alone.
    b.foreign(age < 30 ? 0.09 : age < 40 ? 0.06 : 0.005);
    const m = b.add('head', '世帯主', rng.chance(maleShare) ? 1 : 2, age);
    m.widowed = m.sex === 2 && age >= 55 && rng.chance(0.55);
    m.student = age <= 22 ? rng.chance(0.45) : age <= 24 && rng.chance(0.1);
    // Young foreign residents living alone are often 留学生 (JASSO 外国人留学生在籍状況調査:
    // 279,274 on 2023-05-01, 115,493 of them from China, about one in seven of the Chinese
    // residents and most of those in their twenties living alone), working part time within
    // the 28 hours a week their status allows.
    if (m.country !== '' && age <= 29) m.student = rng.chance(m.country === 'CN' ? 0.6 : 0.3);
    return null;
  }
}

/** Accumulates a household's members and shares its family name and nationality. */
/**
 * A given name no member of the same family name in the household has (siblings, or a child
 * named after a parent, would share one): the next name of the list when the drawn one is
 * taken, so the random stream, and everything else generated, stays the same.
 */
function unusedName(drawn: Name, names: readonly Name[], family: readonly Member[]): Name {
  const taken = new Set(family.map((m) => m.given.kanji));
  if (!taken.has(drawn.kanji)) return drawn;
  const start = Math.max(0, names.findIndex((n) => n.kanji === drawn.kanji));
  for (let i = 1; i <= names.length; i++) {
    const next = names[(start + i) % names.length];
    if (!taken.has(next.kanji)) return next;
  }
  return drawn;
}

class MemberBuilder {
  readonly members: Member[] = [];
  private foreignSet: ForeignNameSet | null = null;
  private decided = false;
  private family: Name | null = null;

  constructor(
    readonly rng: Rng,
    private readonly ctx: GenerationContext,
  ) {}

  /** Decides once per household whether it is a foreign-born family. */
  foreign(p: number): void {
    if (this.decided) return;
    this.decided = true;
    if (this.rng.chance(p)) this.foreignSet = this.rng.weighted(FOREIGN_NAME_SETS);
  }

  /** Nationality of a foreign-born household ('' for Japanese); decides it if not yet decided. */
  country(): string {
    this.foreign(0.015);
    return this.foreignSet ? this.foreignSet.country : '';
  }

  /** The household's family name (drawn on first use). */
  familyName(): Name {
    this.foreign(0.015);
    if (!this.family) this.family = this.otherFamilyName();
    return this.family;
  }

  /** A family name for someone not sharing the household's name (e.g. 同居人, 妻の母). */
  otherFamilyName(): Name {
    this.foreign(0.015);
    return this.foreignSet ? this.rng.pick(this.foreignSet.family) : this.rng.weighted(FAMILY_NAMES);
  }

  add(role: Role, relationship: string, sex: Sex, age: number, family?: Name): Member {
    const rng = this.rng;
    const ageYears = Math.max(0, Math.min(age, 105));
    const birthDay = this.ctx.asOfDay - Math.floor((ageYears + rng.float()) * DAYS_PER_YEAR);
    const surname = family ?? this.familyName();
    let given: Name;
    let names: readonly Name[];
    if (this.foreignSet) {
      names = sex === 1 ? this.foreignSet.male : this.foreignSet.female;
      given = rng.pick(names);
    } else {
      const era = nameEra(civilDate(birthDay)[0]);
      const table = (sex === 1 ? MALE_GIVEN_NAMES : FEMALE_GIVEN_NAMES)[era];
      names = table.items;
      given = rng.weighted(table);
    }
    given = unusedName(given, names, this.members.filter((m) => m.family.kanji === surname.kanji));
    const realAge = ageOn(birthDay, this.ctx.asOfDay);
    const member: Member = {
      personId: '',
      relationship,
      role,
      sex,
      birthDay,
      age: realAge,
      family: surname,
      given,
      widowed: false,
      disabled: realAge >= 18 && rng.chance(realAge >= 65 ? 0.08 : 0.03),
      student: false,
      country: this.foreignSet ? this.foreignSet.country : '',
      publicServant: false,
      treatyExempt: false,
      partialTaxRecord: false,
      effectiveDay: birthDay,
      departure: null,
      income: NO_INCOME,
    };
    this.members.push(member);
    return member;
  }

  /** Children of a couple or single parent, oldest first, spaced by realistic gaps. */
  addChildren(count: number, oldestAge: number, relationship: string, role: Role, family?: Name): void {
    let age = oldestAge;
    for (let i = 0; i < count && age >= 0; i++) {
      const child = this.add(role, relationship, this.rng.chance(0.512) ? 1 : 2, age, family);
      child.student = child.age >= 18 && child.age <= 22 && this.rng.chance(0.6);
      age -= this.rng.weighted(SIBLING_GAPS);
    }
  }
}

/** Mother's age at her first child's birth: 24-38, peaking around 31. */
function motherAgeAtFirstBirth(rng: Rng): number {
  return 24 + rng.int(0, 7) + rng.int(0, 7);
}

/** Husband's age relative to his wife: usually 0-4 years older. */
function husbandAgeGap(rng: Rng): number {
  return rng.int(-2, 3) + rng.int(0, 3);
}

function addCouple(b: MemberBuilder, husbandAge: number, husbandIsHead: boolean): [Member, Member] {
  const rng = b.rng;
  const wifeAge = Math.max(18, husbandAge - husbandAgeGap(rng));
  const husband = b.add(husbandIsHead ? 'head' : 'spouse', husbandIsHead ? '世帯主' : '夫', 1, husbandAge);
  const wife = b.add(husbandIsHead ? 'spouse' : 'head', husbandIsHead ? '妻' : '世帯主', 2, wifeAge);
  return [husband, wife];
}

function buildCouple(b: MemberBuilder): void {
  const rng = b.rng;
  const group = rng.float();
  const age = group < 0.13 ? rng.int(25, 39) : group < 0.38 ? rng.int(40, 64) : Math.min(95, rng.weighted(ELDERLY_AGES));
  b.foreign(age < 45 ? 0.02 : 0.003);
  addCouple(b, age, rng.chance(0.93));
}

function buildCoupleWithChildren(b: MemberBuilder): void {
  const rng = b.rng;
  const oldest = rng.weighted(OLDEST_CHILD_AGES);
  const motherAge = oldest + motherAgeAtFirstBirth(rng);
  const fatherAge = motherAge + husbandAgeGap(rng);
  b.foreign(fatherAge < 45 ? 0.02 : 0.003);
  const husbandIsHead = rng.chance(0.95);
  const wifeAge = motherAge;
  b.add(husbandIsHead ? 'head' : 'spouse', husbandIsHead ? '世帯主' : '夫', 1, fatherAge);
  b.add(husbandIsHead ? 'spouse' : 'head', husbandIsHead ? '妻' : '世帯主', 2, wifeAge);
  b.addChildren(rng.weighted(oldest >= 25 ? ADULT_CHILD_COUNTS : CHILD_COUNTS), oldest, '子', 'child');
}

function buildSingleParent(b: MemberBuilder): void {
  const rng = b.rng;
  const oldest = rng.weighted(SINGLE_PARENT_OLDEST_AGES);
  const parentAge = oldest + 22 + rng.int(0, 8) + rng.int(0, 8);
  const parent = b.add('head', '世帯主', rng.chance(0.87) ? 2 : 1, parentAge);
  parent.widowed = parent.sex === 2 && rng.chance(0.1);
  b.addChildren(rng.weighted(SINGLE_PARENT_CHILD_COUNTS), oldest, '子', 'child');
}

function buildElderParentWithAdultChild(b: MemberBuilder): void {
  const rng = b.rng;
  const parentAge = Math.max(68, rng.weighted(ELDERLY_AGES));
  const parentSex: Sex = rng.chance(0.8) ? 2 : 1;
  const childAge = Math.max(30, parentAge - 24 - rng.int(0, 14));
  const childSex: Sex = rng.chance(0.5) ? 1 : 2;
  if (rng.chance(0.45)) {
    b.add('head', '世帯主', childSex, childAge);
    const parent = b.add('parent', parentSex === 1 ? '父' : '母', parentSex, parentAge);
    parent.widowed = parentSex === 2 && rng.chance(0.8);
  } else {
    const parent = b.add('head', '世帯主', parentSex, parentAge);
    parent.widowed = parentSex === 2 && rng.chance(0.8);
    b.add('child', '子', childSex, childAge);
  }
}

function buildThreeGenerations(b: MemberBuilder): void {
  const rng = b.rng;
  if (rng.weighted(THREE_GENERATION_SHAPES) === 'youngHead') {
    // The middle generation heads the household; one or both of the head's parents (or the
    // wife's mother) live with it, often supported by the head (同居老親).
    const oldest = rng.weighted(THREE_GENERATION_OLDEST_CHILD_AGES);
    const wifeAge = oldest + motherAgeAtFirstBirth(rng);
    const headAge = wifeAge + husbandAgeGap(rng);
    addCouple(b, headAge, true);
    b.addChildren(rng.int(1, 3), oldest, '子', 'child');
    const wifesMother = rng.chance(0.15);
    const grandFatherAge = Math.min(98, headAge + 25 + rng.int(0, 10));
    const grandMotherAge = Math.min(98, grandFatherAge - rng.int(0, 5));
    if (wifesMother) {
      const m = b.add('parent', '妻の母', 2, Math.min(98, wifeAge + 25 + rng.int(0, 10)), b.otherFamilyName());
      m.widowed = rng.chance(0.8);
      return;
    }
    const which = rng.float();
    if (which < 0.55) b.add('parent', '父', 1, grandFatherAge);
    if (which >= 0.1) {
      const mother = b.add('parent', '母', 2, grandMotherAge);
      mother.widowed = which >= 0.55 && rng.chance(0.85);
    }
    return;
  }
  // The grandparents head the household; their son and his wife (子, 子の妻) or their
  // daughter and her husband (子, 子の夫) live with them, with the 孫.
  const which = rng.float();
  const grandFatherAge = rng.int(62, 88);
  const grandMotherAge = Math.max(58, grandFatherAge - husbandAgeGap(rng));
  if (which < 0.6) {
    addCouple(b, grandFatherAge, true);
  } else if (which < 0.9) {
    const gm = b.add('head', '世帯主', 2, grandMotherAge);
    gm.widowed = rng.chance(0.85);
  } else {
    b.add('head', '世帯主', 1, grandFatherAge);
  }
  const childAge = Math.max(28, grandMotherAge - 24 - rng.int(0, 12));
  let motherAge: number;
  let family: Name | undefined;
  if (rng.chance(0.7)) {
    // 子の妻 took her husband's family name on marriage, so she shares the household's.
    b.add('child', '子', 1, childAge);
    motherAge = Math.max(24, childAge - husbandAgeGap(rng));
    b.add('childSpouse', '子の妻', 2, motherAge);
  } else {
    // The daughter usually took her husband's name: she, he and the 孫 then bear a family
    // name other than the head's (unless he took hers, ~5% of marriages).
    family = rng.chance(0.05) ? undefined : b.otherFamilyName();
    motherAge = childAge;
    b.add('child', '子', 2, childAge, family);
    b.add('childSpouse', '子の夫', 1, Math.min(70, childAge + husbandAgeGap(rng)), family);
  }
  const oldest = Math.max(0, Math.min(34, motherAge - motherAgeAtFirstBirth(rng)));
  b.addChildren(rng.int(1, 3), oldest, '孫', 'grandchild', family);
}

/**
 * Grandparents raising grandchildren with no parent in the household (祖父母と孫のみ): the
 * grandparent is then the 児童手当 recipient (第4条), and the children are 孫.
 */
function buildGrandparentWithGrandchildren(b: MemberBuilder): void {
  const rng = b.rng;
  const grandMotherAge = rng.int(55, 80);
  if (rng.chance(0.5)) {
    addCouple(b, Math.min(90, grandMotherAge + husbandAgeGap(rng)), true);
  } else {
    const gm = b.add('head', '世帯主', 2, grandMotherAge);
    gm.widowed = rng.chance(0.6);
  }
  const oldest = Math.min(17, Math.max(0, grandMotherAge - 50 + rng.int(-6, 6)));
  b.addChildren(rng.weighted(SINGLE_PARENT_CHILD_COUNTS), oldest, '孫', 'grandchild');
}

function buildOther(b: MemberBuilder): void {
  const rng = b.rng;
  switch (rng.weighted(OTHER_KINDS)) {
    case 'siblings': {
      const headAge = rng.int(35, 75);
      const headSex: Sex = rng.chance(0.5) ? 1 : 2;
      b.add('head', '世帯主', headSex, headAge);
      const otherAge = Math.max(25, headAge + (rng.chance(0.5) ? 1 : -1) * rng.int(1, 10));
      const otherSex: Sex = rng.chance(0.5) ? 1 : 2;
      const older = otherAge > headAge;
      b.add('sibling', otherSex === 1 ? (older ? '兄' : '弟') : older ? '姉' : '妹', otherSex, otherAge);
      return;
    }
    case 'coupleWithMother': {
      const headAge = rng.int(45, 66);
      addCouple(b, headAge, true);
      const mother = b.add('parent', '母', 2, Math.min(98, headAge + 22 + rng.int(0, 14)));
      mother.widowed = rng.chance(0.85);
      return;
    }
    case 'lodger': {
      const headAge = rng.int(22, 45);
      b.add('head', '世帯主', rng.chance(0.5) ? 1 : 2, headAge);
      b.add('lodger', '同居人', rng.chance(0.5) ? 1 : 2, Math.max(20, headAge + rng.int(-5, 5)), b.otherFamilyName());
      return;
    }
    case 'grandmother': {
      const headAge = rng.int(20, 32);
      b.add('head', '世帯主', rng.chance(0.5) ? 1 : 2, headAge);
      const gm = b.add('grandparent', '祖母', 2, Math.min(98, headAge + 45 + rng.int(0, 15)));
      gm.widowed = rng.chance(0.85);
      return;
    }
    case 'relative': {
      const headAge = rng.int(60, 85);
      b.add('head', '世帯主', rng.chance(0.5) ? 1 : 2, headAge);
      const family = rng.chance(0.5) ? b.familyName() : b.otherFamilyName();
      b.add('lodger', '縁故者', rng.chance(0.5) ? 1 : 2, rng.int(30, 55), family);
      return;
    }
  }
}
