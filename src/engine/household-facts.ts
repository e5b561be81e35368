import type { Almanac, Engine } from 'json-rules-engine';
import type { MemberTest, Parameters } from '../rules/program-schema.ts';
import { findBranch } from '../codes/bank-codes.ts';
import { parameterOn } from '../rules/parameter-value.ts';
import type { HouseholdSnapshot } from './household-snapshot.ts';
import type { MemberFacts } from './member-facts.ts';
import { memberPasses } from './member-test.ts';
import { legalAge, withinSchoolYearAfterAge } from './legal-age.ts';
import { allOf, dependantOfTaxed, kintowariExempt } from './resident-tax-status.ts';
import type { LazyFacts } from './program-expressions.ts';
import type { RecipientChoice } from './recipient.ts';

/**
 * The facts a program's conditions may name, computed from a household snapshot. null means
 * "the municipality's records cannot tell": a condition on it is neither met nor failed, and
 * the household goes to review instead of being denied (DOMAIN.md).
 */
export interface FactContext {
  snapshot: HouseholdSnapshot;
  members: MemberFacts[];
  parameters: Parameters;
  /** The date parameters and ages are taken on. */
  evaluationDate: string;
  recipientId: string | undefined;
  recipient: RecipientChoice;
  /** The engine version deciding: '1' replays the rules engine 1 applied (see ENGINE_VERSION). */
  engineVersion: string;
  /** For a program with `subject: person`: the member decided. */
  subjectId?: string;
  /** The program's derived facts (its expressions), each evaluated when first read. */
  derived?: LazyFacts;
}

type FactFn = (params: Record<string, unknown>, ctx: FactContext) => unknown;

const fiscalYearOf = (params: Record<string, unknown>) => String(params.fiscal_year);

export const HOUSEHOLD_FACTS: Record<string, { description_ja: string; compute: FactFn }> = {
  parameter: {
    description_ja: 'プログラムのパラメータの評価日時点の値',
    compute: (params, ctx) => parameterOn(ctx.parameters, String(params.name), ctx.evaluationDate)?.value ?? null,
  },
  member_count: {
    description_ja: '世帯員数（基準日に住民登録のある者）',
    compute: (_p, ctx) => ctx.members.length,
  },
  count_members: {
    description_ja: '条件に当てはまる世帯員の数',
    compute: (params, ctx) =>
      ctx.members.filter((m) => memberPasses(m, params.where as MemberTest[], ctx.parameters, ctx.evaluationDate)).length,
  },
  all_members_exempt_from_kintowari: {
    description_ja: '世帯全員が住民税均等割非課税か（1月2日以降の出生者は非課税、1月2日以降の転入者は他市町村の課税情報が必要）',
    compute: (params, ctx) => {
      return allOf(ctx.snapshot.members.map((m) => kintowariExempt(m, fiscalYearOf(params), ctx.engineVersion)));
    },
  },
  only_dependants_of_taxed_persons: {
    description_ja: '世帯全員が住民税の課税されている者の扶養親族等か',
    compute: (params, ctx) => allOf(ctx.snapshot.members.map((m) => dependantOfTaxed(ctx.snapshot, m, fiscalYearOf(params), ctx.engineVersion))),
  },
  recipient_has_usable_account: {
    description_ja: '受給者に振込可能な口座（全銀の金融機関・支店コード一覧にある口座）があるか',
    compute: (_p, ctx) => {
      const person = ctx.snapshot.members.find((m) => m.person_id === ctx.recipientId);
      return (person?.accounts ?? []).some((a) => findBranch(a.bank_code, a.branch_code) !== undefined);
    },
  },
  recipient_has_circumstance: {
    description_ja: '受給者に指定の事情（公務員・施設入所など、状況の記録）があるか',
    compute: (params, ctx) => {
      const person = ctx.snapshot.members.find((m) => m.person_id === ctx.recipientId);
      return (person?.circumstances ?? []).some((c) => c.circumstance === params.circumstance);
    },
  },
  recipient_income_for_limit: {
    description_ja:
      '受給者の所得（児童手当法施行令第3条: 合計所得金額から8万円を控除し、給与所得と公的年金等に係る雑所得があるときはその合計額から10万円を限度に控除した額）。6月から翌年5月までは前年の所得（その年度の課税情報）',
    compute: (params, ctx) => {
      const person = ctx.snapshot.members.find((m) => m.person_id === ctx.recipientId);
      const record = person?.tax[String(incomeYearFor(ctx.evaluationDate))];
      if (!record) return null;
      const salaryPension = (record.salary_income ?? 0) + (record.pension_income ?? 0);
      const deduction = Number(params.deduction ?? 80000) + Math.min(salaryPension, Number(params.salary_pension_deduction_max ?? 0));
      return Math.max(0, record.total_income - deduction);
    },
  },
  recipient_dependants: {
    description_ja: '受給者の扶養親族等の数（児童手当法第5条）',
    compute: (_p, ctx) => dependantsOf(ctx)?.count ?? null,
  },
  recipient_income_limit: {
    description_ja: '受給者の扶養親族等の数に応じた所得限度額（老人扶養親族等は1人につき加算額が異なる）',
    compute: (params, ctx) => {
      const limits = parameterOn(ctx.parameters, String(params.parameter), ctx.evaluationDate)?.value;
      if (!Array.isArray(limits)) return null;
      const dependants = dependantsOf(ctx);
      if (!dependants) return null;
      const perDependant = Number(params.per_dependant ?? 380000);
      const perElderly = Number(params.per_elderly_dependant ?? perDependant);
      const beyondTable = Math.max(0, dependants.count - (limits.length - 1));
      // 児童手当法施行令第1条: the table is 38万 a dependant; each 老人扶養親族 or 70+ 同一生計配偶者 adds 44万 instead.
      return limits[Math.min(dependants.count, limits.length - 1)] + beyondTable * perDependant + dependants.elderly * (perElderly - perDependant);
    },
  },
};

/**
 * 扶養親族等の数 (児童手当法第5条第1項): the 同一生計配偶者 and 扶養親族 on the recipient's tax
 * record (its `dependants`, which counts those living elsewhere; without it, the household
 * members it names as dependants), less 施設入所等児童, plus children (児童) the recipient
 * maintained on 31 December of the income year who are someone else's tax dependants (e.g.
 * claimed by the other parent or a grandparent). null: the recipient has no record.
 */
function dependantsOf(ctx: FactContext): { count: number; elderly: number } | null {
  const fy = String(incomeYearFor(ctx.evaluationDate));
  const recipient = ctx.snapshot.members.find((m) => m.person_id === ctx.recipientId);
  const record = recipient?.tax[fy];
  const claimed = ctx.snapshot.members.filter((m) => m.tax[fy]?.dependent_of === ctx.recipientId);
  if (ctx.engineVersion === '1') return { count: claimed.length, elderly: 0 };
  if (!record) return null;
  const yearEnd = `${Number(fy) - 1}-12-31`;
  const placed = (m: { circumstances?: { circumstance: string }[] }) => (m.circumstances ?? []).some((c) => c.circumstance === 'facility_placement');
  const supportedChildren = ctx.snapshot.members.filter((m) => {
    const supporter = m.tax[fy]?.dependent_of;
    return supporter && supporter !== ctx.recipientId && m.person_id !== ctx.recipientId && !placed(m) &&
      m.birth_date <= yearEnd && withinSchoolYearAfterAge(m.birth_date, 18, yearEnd);
  }).length;
  const onRecord = record.dependants ?? claimed.length;
  const placedClaimed = claimed.filter(placed).length;
  const elderly = record.elderly_dependants ?? claimed.filter((m) => legalAge(m.birth_date, yearEnd) >= 70).length;
  return { count: Math.max(0, onRecord - placedClaimed) + supportedChildren, elderly };
}

/** 児童手当: from June to May the next year, the fiscal year starting that June decides. */
export function incomeYearFor(date: string): number {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 6 ? year : year - 1;
}

/** The run-time fact that carries a run's FactContext to the registered facts. */
export const CONTEXT_FACT = 'context';

/**
 * Registers on an engine the household facts its conditions name, once; each run passes its
 * context as a fact. Only those: json-rules-engine adds every registered fact to each run's
 * almanac. Uncached: a rule names each fact once or twice, and computing it again is cheaper
 * than the hash of its parameters that json-rules-engine's cache takes on every lookup.
 */
export function registerFacts(engine: Engine, builtIn: string[], derived: string[] = []): void {
  for (const name of builtIn) {
    const fact = HOUSEHOLD_FACTS[name];
    engine.addFact(
      name,
      async (params: Record<string, unknown>, almanac: Almanac) => fact.compute(params ?? {}, (await almanac.factValue(CONTEXT_FACT)) as FactContext),
      { cache: false },
    );
  }
  // The program's own facts come with the context; the engine reads their values.
  for (const name of derived) {
    engine.addFact(name, async (_params: Record<string, unknown>, almanac: Almanac) => ((await almanac.factValue(CONTEXT_FACT)) as FactContext).derived!.value(name), { cache: false });
  }
}
