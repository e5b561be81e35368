import { z } from 'zod';
import { isIsoDate } from '../codes/iso-date.ts';
import { FACT_TYPES } from '../engine/program-expressions.ts';

/**
 * The program folder format (rules/<program-id>/), modelled on OpenFisca's dated parameters and
 * Catala's law next to the code. docs/rules-format.md explains each part with an example.
 */
const isoDate = z.string().refine(isIsoDate, 'not a YYYY-MM-DD date');

export const citationSchema = z.object({
  title: z.string().min(1),
  article: z.string().optional(),
  url: z.url().optional(),
});

/** A threshold: a literal, a parameter's value on the evaluation date, or another household fact. */
const thresholdSchema = z.union([
  z.number(),
  z.string(),
  z.boolean(),
  z.array(z.string()),
  z.object({ parameter: z.string() }),
  z.object({ fact: z.string(), params: z.record(z.string(), z.unknown()).optional() }),
]);

export const OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn'] as const;
export type Operator = (typeof OPERATORS)[number];

/** A test on one household member's facts (see MEMBER_FACTS), or `any` of several tests. */
const memberFactTestSchema = z.object({
  fact: z.string(),
  operator: z.enum(OPERATORS),
  value: thresholdSchema,
});
export type MemberTest = z.infer<typeof memberFactTestSchema> | { any: MemberTest[] };
export const memberTestSchema: z.ZodType<MemberTest> = z.lazy(() =>
  z.union([memberFactTestSchema, z.object({ any: z.array(memberTestSchema).min(1) })]),
);

export const conditionSchema = z.object({
  /** The condition's id: its citation and sentences hang on it. */
  name: z.string().regex(/^[a-z0-9_]+$/),
  /**
   * A household that fails this condition is not one the program concerns (no child for the
   * child allowance): it gets no decision unless it already has one, which a failure stops.
   */
  concerns: z.boolean().optional(),
  fact: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
  operator: z.enum(OPERATORS),
  value: thresholdSchema,
  citation: citationSchema,
  text_ja: z.object({ pass: z.string(), fail: z.string(), unknown: z.string().optional() }),
});

const tierSchema = z.object({
  when: z.array(memberTestSchema),
  parameter: z.string(),
  text_ja: z.string(),
});

export const amountComponentSchema = z.discriminatedUnion('kind', [
  z.object({ id: z.string(), kind: z.literal('flat'), parameter: z.string(), text_ja: z.string(), citation: citationSchema }),
  /** An amount in yen computed by an expression (docs/expressions.md), e.g. a sum rounded up once. */
  z.object({ id: z.string(), kind: z.literal('expression'), expr: z.string().min(1), text_ja: z.string(), citation: citationSchema }),
  z.object({
    id: z.string(),
    kind: z.literal('per_member'),
    /** Household tests that must all hold for the component to apply (e.g. an income band). */
    applies_if: z.array(z.object({ fact: z.string(), params: z.record(z.string(), z.unknown()).optional(), operator: z.enum(OPERATORS), value: thresholdSchema })).default([]),
    /** Which members the component pays for. */
    members: z.array(memberTestSchema),
    /** Birth order (第1子, 第2子, …): among the members these tests select, oldest first. */
    birth_order: z
      .object({
        among: z.array(memberTestSchema),
        /**
         * Members who would count for the order once something the records cannot show is
         * confirmed (児童手当: a 19–22-year-old the recipient supports, 確認書). When counting
         * them would raise the amount, the outcome is review with this condition unknown,
         * never the lower amount in silence.
         */
        unconfirmed: z
          .object({
            members: z.array(memberTestSchema),
            condition: z.object({ name: z.string().regex(/^[a-z0-9_]+$/), citation: citationSchema, text_ja: z.string() }),
          })
          .optional(),
      })
      .optional(),
    /** The first tier whose tests all hold gives the member's amount; none: nothing for that member. */
    tiers: z.array(tierSchema).min(1),
    citation: citationSchema,
  }),
]);

/**
 * A fact the program defines itself: a CEL expression over the household (docs/expressions.md)
 * with its declared type. Conditions and amounts name it like a built-in fact.
 */
export const derivedFactSchema = z.object({
  type: z.enum(FACT_TYPES),
  description_ja: z.string().min(1),
  expr: z.string().min(1),
});

export const rulesVersionSchema = z.object({
  /** Whose household composition counts: at the end of the month before (monthly programs) or on the base date. */
  membership: z.enum(['end_of_previous_month', 'base_date']),
  /** `subject`: the person decided (programs with `subject: person`). */
  recipient: z.enum(['higher_income_parent', 'head_of_household', 'subject']),
  /** Derived facts, evaluated in order: each may use the ones before it. */
  facts: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), derivedFactSchema).default({}),
  conditions: z.array(conditionSchema).min(1),
  amount: z.object({ components: z.array(amountComponentSchema).min(1) }),
});

/**
 * One dated entry of a monthly payment schedule, keyed by the month paid for (a month from
 * `from` to `to`): paid in `months` (1–12), each payment covering the `months_per_payment`
 * months before it (児童手当法第8条第4項: before 2024-10, February, June and October for 4
 * months; from 2024-10, even months for 2).
 */
export const scheduleEntrySchema = z.object({
  from: isoDate,
  to: isoDate.optional(),
  months: z.array(z.number().int().min(1).max(12)).min(1),
  months_per_payment: z.number().int().min(1).max(12),
  source: citationSchema,
});
export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>;

/** Problems with a dated schedule: uneven months, entries that do not start or end a period, overlaps. */
function scheduleProblems(entries: ScheduleEntry[]): string[] {
  const problems: string[] = [];
  const month = (iso: string) => Number(iso.slice(5, 7));
  entries.forEach((e, i) => {
    const at = `schedule.${i}`;
    const months = [...new Set(e.months)].sort((a, b) => a - b);
    const gaps = months.map((m, j) => (j + 1 < months.length ? months[j + 1] - m : months[0] + 12 - m));
    if (gaps.some((g) => g !== e.months_per_payment)) {
      problems.push(`${at}: months ${months.join(',')} are not ${e.months_per_payment} months apart (each payment covers the months since the one before)`);
      return;
    }
    if (!e.from.endsWith('-01') || !months.includes(((month(e.from) - 1 + e.months_per_payment) % 12) + 1)) {
      problems.push(`${at}.from: ${e.from} is not the first day of a period paid together`);
    }
    if (e.to && (e.to.slice(8) !== String(new Date(Date.UTC(Number(e.to.slice(0, 4)), month(e.to), 0)).getUTCDate()) || !months.includes((month(e.to) % 12) + 1))) {
      problems.push(`${at}.to: ${e.to} is not the last day of a period paid together`);
    }
  });
  const sorted = [...entries].sort((a, b) => a.from.localeCompare(b.from));
  sorted.slice(1).forEach((e, i) => {
    if (!sorted[i].to || sorted[i].to! >= e.from) problems.push(`schedule: the entry from ${sorted[i].from} has no end before ${e.from}`);
  });
  return problems;
}

export const paymentSchema = z
  .object({
    /**
     * `next-run` (one-off: paid on the next payment day after the decision), dated entries
     * (monthly), or `even-months`, the single schedule of earlier rule folders (2 months each in
     * even months), still read so decisions recorded with them can be replayed.
     */
    schedule: z.union([z.literal('next-run'), z.literal('even-months'), z.array(scheduleEntrySchema).min(1)]),
    /** Only with `even-months`: ignored, 2. */
    months_per_payment: z.number().int().positive().optional(),
    /**
     * 時効: a period whose nominal payment date is more than `years` before the payment date is
     * not paid (児童手当法第23条: counted from each 支払期月, not from each month).
     */
    prescription: z.object({ years: z.number().int().positive(), source: citationSchema }).optional(),
  })
  .superRefine((p, ctx) => {
    if (Array.isArray(p.schedule)) for (const message of scheduleProblems(p.schedule)) ctx.addIssue({ code: 'custom', message });
  });

/**
 * What the program's letters say to a resident (data, not code): the titles a municipality uses
 * for its notices, the 文書番号's symbol, and per condition the sentence a resident reads,
 * drawn from the recorded explanation through placeholders ({value}, {threshold}; in
 * membership_ja {date} and {month}). Without a sentence, the condition's text_ja is used.
 */
export const NOTICE_TEMPLATE_PLACEHOLDERS = ['value', 'threshold', 'date', 'month'] as const;
const residentSentences = z.object({ pass: z.string().min(1).optional(), fail: z.string().min(1).optional(), unknown: z.string().min(1).optional() }).strict();
export const noticeTextSchema = z
  .object({
    /** e.g. { "支給決定": "認定通知書", "支給停止": "支給事由消滅通知書" }, printed after the program's name. */
    titles: z.partialRecord(z.enum(['支給決定', '額の変更', '支給停止', '不支給']), z.string().min(1)).default({}),
    /** The 文書番号's symbol (e.g. こ家 → こ家第N…号). */
    document_symbol: z.string().min(1).optional(),
    /** Why the household is read on the date it is, e.g. 「{month}分の手当は、前月末（{date}）の世帯の状況で決まります」. */
    membership_ja: z.string().min(1).optional(),
    /** By condition name: the sentence a resident reads when it is met, not met or unknown. */
    resident_ja: z.record(z.string().regex(/^[a-z0-9_]+$/), residentSentences).default({}),
  })
  .strict();
export type NoticeText = z.infer<typeof noticeTextSchema>;

export const programSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.object({ ja: z.string(), en: z.string() }),
  legal_basis: z.array(citationSchema).min(1),
  period_kind: z.enum(['monthly', 'once']),
  /** Who a decision is about: a household, or each person in it (e.g. each taxpayer). */
  subject: z.enum(['household', 'person']),
  /**
   * Other programs whose recorded decisions this one reads (a member's `decisions`): the
   * planner decides them first and re-decides this program when theirs change.
   */
  reads_decisions: z.array(z.string().regex(/^[a-z0-9-]+$/)).default([]),
  /** 'all', or the 全国地方公共団体コード of the municipalities that run it (a 独自施策). */
  municipalities: z.union([z.literal('all'), z.array(z.string().regex(/^\d{6}$/)).min(1)]),
  disposition: z.object({
    /** Whether a decision is a 処分 whose notice carries the 教示. */
    is_disposition: z.boolean(),
    /** Who hears a 審査請求 (e.g. 都道府県知事 for 法定受託事務); null when not a 処分. */
    appeal_to: z.string().nullable(),
  }),
  payment: paymentSchema,
  /** Whether an ineligible decision is notified (不支給決定通知); push-style programs rarely do. */
  notify_ineligible: z.boolean().default(false),
  base_date: isoDate.optional(),
  versions: z
    .array(z.object({ from: isoDate, to: isoDate.optional(), rules: z.string().regex(/^[\w.-]+\.json$/) }))
    .min(1),
  not_modelled: z.array(z.string()),
  /** What its letters say (titles, 文書番号, residents' sentences); see noticeTextSchema. */
  notice: noticeTextSchema.optional(),
});


export const parameterSchema = z.object({
  description_ja: z.string(),
  unit: z.enum(['yen', 'count', 'date', 'yen_by_dependants']),
  values: z
    .array(
      z.object({
        from: isoDate,
        to: isoDate.optional(),
        value: z.union([z.number(), z.string(), z.array(z.number())]),
        source: citationSchema,
      }),
    )
    .min(1),
});

export const parametersSchema = z.record(z.string().regex(/^[a-z0-9_]+$/), parameterSchema);

const taxRecords = z
  .record(
    z.string().regex(/^\d{4}$/),
    z.object({
      total_income: z.number().int().nonnegative(),
      kintowari: z.number().int().nonnegative(),
      shotokuwari: z.number().int().nonnegative().default(0),
      dependent_of: z.string().optional(),
      supporter_taxed: z.boolean().optional(),
      salary_income: z.number().int().nonnegative().optional(),
      pension_income: z.number().int().nonnegative().optional(),
      dependants: z.number().int().nonnegative().optional(),
      elderly_dependants: z.number().int().nonnegative().optional(),
      dependants_abroad: z.number().int().nonnegative().optional(),
      treaty_exempt: z.boolean().optional(),
      income_tax: z.number().int().nonnegative().optional(),
    }),
  )
  .default({});

export const caseSchema = z.object({
  /** The case as a sentence: what it shows. */
  name: z.string().min(10),
  as_of: isoDate,
  municipality_code: z.string().regex(/^\d{6}$/).optional(),
  household: z.object({
    members: z
      .array(
        z.object({
          person_id: z.string(),
          relationship: z.string(),
          birth_date: isoDate,
          /** The first day of residence in the municipality; default: the birth date. */
          resident_since: isoDate.optional(),
          tax: taxRecords,
          /** Circumstances active for the decision (circumstances.csv), e.g. a returned 確認書. */
          circumstances: z
            .array(z.object({ circumstance: z.enum(['public_servant', 'facility_placement', 'supported_student', 'declined']), program: z.string().optional() }))
            .optional(),
          /** Other programs' decisions about the household the member belonged to on their base date. */
          decisions: z
            .array(z.object({ program: z.string(), outcome: z.enum(['eligible', 'ineligible', 'review']), amount_yen: z.number().int().nonnegative().optional() }))
            .optional(),
        }),
      )
      .min(1),
    /** Tax records of supporters who live in the municipality but outside the household. */
    supporters: z.record(z.string(), taxRecords).default({}),
  }),
  /** For a program with `subject: person`: the person decided (the household is their context). */
  subject_person_id: z.string().optional(),
  expect: z.object({
    outcome: z.enum(['eligible', 'ineligible', 'review', 'not_in_force']),
    amount_yen: z.number().int().nonnegative().optional(),
    recipient_person_id: z.string().optional(),
  }),
});

export const casesSchema = z.array(caseSchema).min(1);

export type Citation = z.infer<typeof citationSchema>;
export type Threshold = z.infer<typeof thresholdSchema>;
export type ConditionSpec = z.infer<typeof conditionSchema>;
export type AmountComponent = z.infer<typeof amountComponentSchema>;
export type RulesVersion = z.infer<typeof rulesVersionSchema>;
export type ProgramSpec = z.infer<typeof programSchema>;
export type Parameters = z.infer<typeof parametersSchema>;
export type RuleCase = z.infer<typeof caseSchema>;
