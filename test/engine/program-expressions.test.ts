import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../../src/engine/evaluate-household.ts';
import type { AccountSummary, HouseholdSnapshot } from '../../src/engine/household-snapshot.ts';
import { memberFacts } from '../../src/engine/member-facts.ts';
import { compileExpressions, evaluateFacts } from '../../src/engine/program-expressions.ts';
import { runCases } from '../../src/rules/case-runner.ts';
import { ProgramInvalidError, programFromFiles, type Program } from '../../src/rules/program-loader.ts';

/**
 * The expression layer of program folders (derived `facts` and `expression` amounts, CEL): type
 * checking when a folder loads, equivalence with the built-in facts, three-valued logic and the
 * standard library, and person-level programs.
 */

const PROGRAM = 'low-income-household-2024';
const BASE_DIR = fileURLToPath(new URL(`../../rules/${PROGRAM}`, import.meta.url));

/** The program folder's files as read from rules/low-income-household-2024. */
function baseFiles(): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(BASE_DIR).sort().map((name) => [name, fs.readFileSync(`${BASE_DIR}/${name}`, 'utf8')]));
}

type Json = Record<string, unknown>;
type FactSpecs = Record<string, { type: string; description_ja?: string; expr: string }>;

const describeFacts = (facts: FactSpecs) =>
  Object.fromEntries(Object.entries(facts).map(([name, f]) => [name, { description_ja: `テスト用の事実 ${name}`, ...f }]));

/** The base folder with rules.json changed by `change`, and optionally other cases. */
function filesWith(change: (rules: Json) => void, cases?: unknown[]): Record<string, string> {
  const files = baseFiles();
  const rules = JSON.parse(files['rules.json']) as Json;
  change(rules);
  files['rules.json'] = JSON.stringify(rules, null, 2);
  if (cases) files['cases.json'] = JSON.stringify(cases, null, 2);
  return files;
}

/** The problems loading the folder reports (none: it loaded). */
function problemsOf(files: Record<string, string>, dir = PROGRAM): string[] {
  try {
    programFromFiles(dir, files);
    return [];
  } catch (error) {
    if (error instanceof ProgramInvalidError) return error.problems;
    throw error;
  }
}

const CITATION = { title: 'テスト用の根拠' };

describe('type checking: a folder whose expressions do not check does not load', () => {
  // Each broken expression next to its corrected form: the first is refused naming the file,
  // `facts.<name>` and the reason, the second loads.
  const pairs: { what: string; name: string; broken: { type: string; expr: string }; fixed: { type: string; expr: string }; reason: RegExp }[] = [
    {
      what: 'a string compared with an int',
      name: 'many_members',
      broken: { type: 'bool', expr: 'members.size() > "2"' },
      fixed: { type: 'bool', expr: 'members.size() > 2' },
      reason: /no such overload: int > string/,
    },
    {
      what: 'an unknown function',
      name: 'all_exempt',
      broken: { type: 'dyn', expr: 'all_of(members.map(m, kintowari_exemption(m, 2024)))' },
      fixed: { type: 'dyn', expr: 'all_of(members.map(m, kintowari_exempt(m, 2024)))' },
      reason: /found no matching overload for 'kintowari_exemption\(Member, int\)'/,
    },
    {
      what: 'an unknown member field',
      name: 'anyone_born_2006',
      broken: { type: 'bool', expr: 'members.exists(m, m.brith_date.startsWith("2006"))' },
      fixed: { type: 'bool', expr: 'members.exists(m, m.birth_date.startsWith("2006"))' },
      reason: /No such key: brith_date/,
    },
    {
      what: 'an unknown tax record field',
      name: 'recipient_income',
      broken: { type: 'int', expr: 'recipient.tax["2024"].totl_income' },
      fixed: { type: 'int', expr: 'recipient.tax["2024"].total_income' },
      reason: /No such key: totl_income/,
    },
    {
      what: 'a syntax error',
      name: 'children',
      broken: { type: 'int', expr: 'members.filter(m, m.age < 18).size(' },
      fixed: { type: 'int', expr: 'members.filter(m, m.age < 18).size()' },
      reason: /Unexpected token/,
    },
    {
      what: 'a declared type other than the expression gives',
      name: 'household_size',
      broken: { type: 'string', expr: 'members.size()' },
      fixed: { type: 'int', expr: 'members.size()' },
      reason: /declared string, but the expression gives int/,
    },
    {
      what: 'a fact used before it is defined',
      name: 'twice',
      broken: { type: 'int', expr: 'later * 2' },
      fixed: { type: 'int', expr: 'members.size() * 2' },
      reason: /Unknown variable: later/,
    },
  ];

  it.each(pairs.map((p) => [p.what, p]))('%s is reported with the file, the fact and the reason; the corrected fact loads', (_what, p) => {
    const broken = problemsOf(filesWith((r) => (r.facts = describeFacts({ [p.name]: p.broken, later: { type: 'int', expr: '1' } }))));
    expect(broken).toHaveLength(1);
    expect(broken[0].startsWith(`rules.json facts.${p.name}: `)).toBe(true);
    expect(broken[0]).toMatch(p.reason);

    const fixed = filesWith((r) => (r.facts = describeFacts({ [p.name]: p.fixed, later: { type: 'int', expr: '1' } })));
    expect(problemsOf(fixed)).toEqual([]);
    const program = programFromFiles(PROGRAM, fixed);
    expect(program.versions[0].expressions.facts.map((f) => f.name)).toEqual([p.name, 'later']);
  });

  // tax() is typed TaxRecord (a year without a record makes the fact unknown at run time), so
  // what is read through it is checked like m.tax["2024"].
  it('a misspelt tax record field read through tax() is reported when the folder loads', () => {
    const problems = problemsOf(filesWith((r) => (r.facts = describeFacts({ income: { type: 'dyn', expr: 'tax(recipient, 2024).totl_income' } }))));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^rules\.json facts\.income: .*totl_income/);
  });

  it('a parameter an expression reads that parameters.json does not define is reported when the folder loads', () => {
    const withParam = (expr: string) => problemsOf(filesWith((r) => (r.facts = describeFacts({ amount: { type: 'dyn', expr } }))));
    expect(withParam('params.child_amout + 1')).toEqual(["rules.json facts.amount: parameter 'child_amout' is not in parameters.json"]);
    expect(withParam("value_on(parameters.child_amout, '2024-12-13')")).toEqual(["rules.json facts.amount: parameter 'child_amout' is not in parameters.json"]);
    expect(withParam('params.child_amount + 1')).toEqual([]);
  });

  it('reads a parameter on any date with value_on: the value in force then, or null outside its dates', async () => {
    const e = await evaluate({
      on_base_date: { type: 'dyn', expr: "value_on(parameters.child_amount, '2024-12-13')" },
      day_after: { type: 'dyn', expr: "value_on(parameters.child_amount, '2024-12-14')" },
      birth_limit: { type: 'dyn', expr: "value_on(parameters.child_born_on_or_after, date)" },
    }, single());
    expect(e.explanation.facts).toEqual({ on_base_date: 20000, day_after: null, birth_limit: '2006-04-02' });
  });

  it('reports every broken fact of a file, and checks a later fact against a broken one’s declared type', () => {
    const problems = problemsOf(filesWith((r) => (r.facts = describeFacts({
      a: { type: 'int', expr: 'members.size() > "x"' },
      b: { type: 'bool', expr: 'a + 1' },
      c: { type: 'int', expr: 'a + 1' },
    }))));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^rules\.json facts\.a: no such overload: int > string/);
    // a is declared int, so a + 1 is an int: b (declared bool) is wrong, c is right.
    expect(problems[1]).toBe('rules.json facts.b: declared bool, but the expression gives int');
  });

  it('an expression amount is checked as an int in yen', () => {
    const withAmount = (expr: string) => filesWith((r) => {
      (r.amount as { components: unknown[] }).components.push({ id: 'extra', kind: 'expression', expr, text_ja: '加算', citation: CITATION });
    });
    const problems = problemsOf(withAmount('"30000"'));
    expect(problems).toEqual(['rules.json amount extra: declared int, but the expression gives string']);
    expect(problemsOf(withAmount('members.size() * 1000'))).toEqual([]);
  });

  it('a condition may name a derived fact, and only a defined one', () => {
    const condition = (fact: string) => ({
      name: 'derived', fact, operator: 'equal', value: true, citation: CITATION, text_ja: { pass: '満たす', fail: '満たさない' },
    });
    const withCondition = (fact: string) => filesWith((r) => {
      r.facts = describeFacts({ all_exempt: { type: 'dyn', expr: 'all_of(members.map(m, kintowari_exempt(m, 2024)))' } });
      (r.conditions as unknown[]).push(condition(fact));
    });
    expect(problemsOf(withCondition('all_exempt'))).toEqual([]);
    const problems = problemsOf(withCondition('all_exmept'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^rules\.json: unknown fact 'all_exmept'/);
  });
});

/**
 * rules/low-income-household-2024 with its conditions on derived facts instead of the built-in
 * household facts, and its こども加算 an expression amount instead of a per_member component.
 */
function derivedLowIncomeFiles(): Record<string, string> {
  return filesWith((rules) => {
    rules.facts = describeFacts({
      all_exempt: { type: 'dyn', expr: 'all_of(members.map(m, kintowari_exempt(m, 2024)))' },
      only_dependants_of_taxed: { type: 'dyn', expr: 'all_of(members.map(m, dependant_of_taxed(m, 2024)))' },
      child_count: {
        type: 'int',
        expr: 'members.filter(m, m.birth_date >= params.child_born_on_or_after && m.relationship != "世帯主" && !m.facility_placement).size()',
      },
    });
    const conditions = rules.conditions as { name: string; fact: string; params?: unknown }[];
    const byName = (name: string) => conditions.find((c) => c.name === name)!;
    Object.assign(byName('all_members_exempt'), { fact: 'all_exempt' });
    Object.assign(byName('not_only_dependants_of_taxed'), { fact: 'only_dependants_of_taxed' });
    for (const c of conditions) delete c.params;
    const components = (rules.amount as { components: { id: string; kind: string }[] }).components;
    const children = components.findIndex((c) => c.id === 'children');
    components[children] = {
      id: 'children',
      kind: 'expression',
      expr: 'child_count * params.child_amount',
      text_ja: 'こども加算',
      citation: CITATION,
    } as (typeof components)[number];
  });
}

describe('equivalence: derived facts and an expression amount decide low-income-household-2024 as the built-in facts do', async () => {
  const original = programFromFiles(PROGRAM, baseFiles());
  const derived = programFromFiles(PROGRAM, derivedLowIncomeFiles());
  const before = await runCases(original);
  const after = await runCases(derived);

  it('the derived program uses no built-in eligibility fact and no per_member component', () => {
    const rules = derived.versions[0].rules;
    expect(rules.conditions.map((c) => c.fact)).toEqual(['all_exempt', 'only_dependants_of_taxed']);
    expect(rules.amount.components.map((c) => c.kind)).toEqual(['flat', 'expression']);
    expect(derived.cases).toHaveLength(original.cases.length);
    expect(original.cases.length).toBeGreaterThanOrEqual(40);
  });

  it('the cases cover every outcome, so equality is not trivial', () => {
    const outcomes = new Set(before.map((r) => r.actual.outcome));
    expect([...outcomes].sort()).toEqual(['eligible', 'ineligible', 'review']);
    expect(before.every((r) => r.passed)).toBe(true);
  });

  it.each(original.cases.map((c, i) => [c.name, i]))('%s: same outcome, amount and recipient', (_name, i) => {
    expect(after[i].name).toBe(before[i].name);
    expect(after[i].actual).toEqual(before[i].actual);
    expect(after[i].passed).toBe(true);
    const a = after[i].evaluation!;
    const b = before[i].evaluation!;
    expect(a.explanation.amount.total_yen).toBe(b.explanation.amount.total_yen);
    // Each condition's value is the same whether a built-in or a derived fact gave it.
    expect(a.explanation.conditions.map((c) => [c.id, c.value, c.result])).toEqual(b.explanation.conditions.map((c) => [c.id, c.value, c.result]));
    // The derived values are in the explanation; the built-in program has none.
    expect(b.explanation.facts).toBeUndefined();
    expect(a.explanation.facts).toMatchObject({ all_exempt: b.explanation.conditions.find((c) => c.id === 'all_members_exempt')!.value });
    // One expression step for the こども加算 instead of one step per child, with the same sum.
    const childYen = (e: Evaluation) => e.explanation.amount.steps.filter((s) => s.component === 'children').reduce((sum, s) => sum + s.value_yen, 0);
    expect(childYen(a)).toBe(childYen(b));
    expect(a.explanation.amount.steps.filter((s) => s.component === 'children')).toHaveLength(1);
    expect(a.explanation.facts!.child_count).toBe(childYen(b) / 20000);
  });
});

const EXEMPT = { total_income: 400000, kintowari: 0 };

/** One case of the base program with `facts` added (and conditions on some of them). */
async function evaluate(
  facts: FactSpecs,
  members: Json[],
  options: { conditions?: string[] } = {},
): Promise<Evaluation> {
  const files = filesWith((rules) => {
    rules.facts = describeFacts(facts);
    for (const fact of options.conditions ?? []) {
      (rules.conditions as unknown[]).push({
        name: `check_${fact}`, fact, operator: 'equal', value: true, citation: CITATION,
        text_ja: { pass: `${fact} を満たす`, fail: `${fact} を満たさない`, unknown: `${fact} が分からない` },
      });
    }
  }, [{ name: 'a case written by the expression tests', as_of: '2024-12-13', household: { members }, expect: { outcome: 'eligible' } }]);
  const [result] = await runCases(programFromFiles(PROGRAM, files));
  return result.evaluation!;
}

const single = (tax: Json = { '2024': EXEMPT }, extra: Json = {}) => [{ person_id: 'A', relationship: '世帯主', birth_date: '1950-06-01', tax, ...extra }];

describe("three-valued logic (Kleene): null is 'the records cannot tell'", () => {
  it.each([
    ['all_of([true, true])', true],
    ['all_of([true, null])', null],
    ['all_of([false, null])', false],
    ['all_of([true, false])', false],
    ['all_of([])', true],
    ['any_of([false, false])', false],
    ['any_of([false, null])', null],
    ['any_of([true, null])', true],
    ['any_of([])', false],
  ])('%s is %s', async (expr, expected) => {
    const e = await evaluate({ v: { type: 'dyn', expr } }, single());
    expect(e.explanation.facts).toEqual({ v: expected });
  });

  it('a derived fact that is null makes its condition unknown and the outcome review; true makes it eligible; false ineligible', async () => {
    // Every built-in condition holds (an exempt pensioner): only the derived one decides.
    const facts = { v: { type: 'dyn', expr: 'all_of(members.map(m, was_eligible(m, "price-relief-2023-exempt")))' } };
    const withDecision = (outcome: string) => evaluate(facts, single(undefined, { decisions: [{ program: 'price-relief-2023-exempt', outcome }] }), { conditions: ['v'] });
    const [unknown, known, denied] = [await withDecision('review'), await withDecision('eligible'), await withDecision('ineligible')];
    expect([unknown.outcome, known.outcome, denied.outcome]).toEqual(['review', 'eligible', 'ineligible']);
    expect([unknown.amount_yen, known.amount_yen, denied.amount_yen]).toEqual([0, 30000, 0]);
    for (const e of [unknown, known, denied]) {
      expect(e.explanation.conditions.filter((c) => c.id !== 'check_v').every((c) => c.result === true)).toBe(true);
    }
    expect(unknown.explanation.conditions.find((c) => c.id === 'check_v')).toMatchObject({ value: null, result: null, text_ja: 'v が分からない' });
    // null from the functions is not an error: only a failing expression records one.
    expect(unknown.explanation.conditions.find((c) => c.id === 'check_v')!.error).toBeUndefined();
    expect(known.explanation.conditions.find((c) => c.id === 'check_v')).toMatchObject({ value: true, result: true, text_ja: 'v を満たす' });
    expect(denied.explanation.conditions.find((c) => c.id === 'check_v')).toMatchObject({ value: false, result: false, text_ja: 'v を満たさない' });
  });

  it('a household the built-in facts cannot tell about is also unknown to the same derived fact', async () => {
    const facts = { v: { type: 'dyn', expr: 'all_of(members.map(m, kintowari_exempt(m, 2024)))' } };
    const movedIn = (resident_since: string, tax: Json) => evaluate(facts, [...single(), { person_id: 'B', relationship: '妻', birth_date: '1960-01-01', resident_since, tax }], { conditions: ['v'] });
    const unknown = await movedIn('2024-03-01', {});
    const known = await movedIn('2023-12-31', { '2024': EXEMPT });
    expect(unknown.explanation.facts).toEqual({ v: null });
    expect(known.explanation.facts).toEqual({ v: true });
    expect([unknown.outcome, known.outcome]).toEqual(['review', 'eligible']);
  });

  it('an expression reading an optional column the record lacks makes the fact unknown (review) with the error in the condition', async () => {
    const facts = { has_income_tax: { type: 'dyn', expr: 'tax(recipient, 2024).income_tax + 1 > 0' } };
    const absent = await evaluate(facts, single(), { conditions: ['has_income_tax'] });
    const present = await evaluate(facts, single({ '2024': { ...EXEMPT, income_tax: 0 } }), { conditions: ['has_income_tax'] });

    expect(absent.outcome).toBe('review');
    expect(absent.amount_yen).toBe(0);
    expect(absent.explanation.facts).toEqual({ has_income_tax: null });
    const condition = absent.explanation.conditions.find((c) => c.id === 'check_has_income_tax')!;
    expect(condition).toMatchObject({ fact: 'has_income_tax', value: null, result: null });
    expect(condition.error).toBe('no such overload: dyn<null> + int');

    expect(present.outcome).toBe('eligible');
    expect(present.amount_yen).toBe(30000);
    expect(present.explanation.facts).toEqual({ has_income_tax: true });
    expect(present.explanation.conditions.find((c) => c.id === 'check_has_income_tax')).toMatchObject({ value: true, result: true });
    expect(present.explanation.conditions.find((c) => c.id === 'check_has_income_tax')!.error).toBeUndefined();
  });

  it('a fact using an unknown earlier fact is unknown too; has_tax tells whether a year has a record, and tax() of a year without one is unknown', async () => {
    const e = await evaluate({
      income_tax: { type: 'dyn', expr: 'tax(recipient, 2024).income_tax' },
      doubled: { type: 'dyn', expr: 'income_tax * 2' },
      record_2023: { type: 'bool', expr: 'has_tax(recipient, 2023)' },
      record_2024: { type: 'bool', expr: 'has_tax(recipient, 2024)' },
      kintowari_2023: { type: 'int', expr: 'tax(recipient, 2023).kintowari' },
    }, single());
    expect(e.explanation.facts).toEqual({ income_tax: null, doubled: null, record_2023: false, record_2024: true, kintowari_2023: null });
  });

  it('an expression amount that cannot be computed sends the case to review with an amount_<id> condition; computable, it is paid', async () => {
    const withAmount = async (tax: Json) => {
      const files = filesWith((rules) => {
        (rules.amount as { components: unknown[] }).components.push({ id: 'tax_top_up', kind: 'expression', expr: 'max(0, 10000 - tax(recipient, 2024).income_tax)', text_ja: '所得税分の加算', citation: CITATION });
      }, [{ name: 'a case written by the expression tests', as_of: '2024-12-13', household: { members: single(tax) }, expect: { outcome: 'eligible' } }]);
      return (await runCases(programFromFiles(PROGRAM, files)))[0].evaluation!;
    };
    const absent = await withAmount({ '2024': EXEMPT });
    expect(absent.outcome).toBe('review');
    expect(absent.explanation.conditions.find((c) => c.id === 'amount_tax_top_up')).toMatchObject({ result: null, error: 'no such overload: int - dyn<null>' });

    const present = await withAmount({ '2024': { ...EXEMPT, income_tax: 4000 } });
    expect(present.outcome).toBe('eligible');
    expect(present.amount_yen).toBe(30000 + 6000);
    expect(present.explanation.conditions.some((c) => c.id === 'amount_tax_top_up')).toBe(false);
  });
});

describe('the standard library', () => {
  const values = async (facts: FactSpecs, members: Json[] = single()) => (await evaluate(facts, members)).explanation.facts;

  it('round_up and round_down to a unit', async () => {
    expect(await values({
      up_25001: { type: 'int', expr: 'round_up(25001, 10000)' },
      up_30000: { type: 'int', expr: 'round_up(30000, 10000)' },
      up_30001: { type: 'int', expr: 'round_up(30001, 10000)' },
      up_0: { type: 'int', expr: 'round_up(0, 10000)' },
      down_29999: { type: 'int', expr: 'round_down(29999, 10000)' },
      down_30000: { type: 'int', expr: 'round_down(30000, 10000)' },
    })).toEqual({ up_25001: 30000, up_30000: 30000, up_30001: 40000, up_0: 0, down_29999: 20000, down_30000: 30000 });
  });

  it('sum, max, min', async () => {
    expect(await values({
      total: { type: 'int', expr: 'sum([1000, 2000, 3000])' },
      none: { type: 'int', expr: 'sum([])' },
      larger: { type: 'int', expr: 'max(0, 30000 - 35000)' },
      smaller: { type: 'int', expr: 'min(30000, 25000)' },
    })).toEqual({ total: 6000, none: 0, larger: 0, smaller: 25000 });
  });

  it('legal_age: the age is reached at the end of the day before the birthday (年齢計算ニ関スル法律), so it counts from that day', async () => {
    expect(await values({
      two_days_before: { type: 'int', expr: 'legal_age("2006-04-02", "2024-03-31")' },
      day_before: { type: 'int', expr: 'legal_age("2006-04-02", "2024-04-01")' },
      birthday: { type: 'int', expr: 'legal_age("2006-04-02", "2024-04-02")' },
      leap_day_before: { type: 'int', expr: 'legal_age("2020-02-29", "2021-02-27")' },
      leap_reached: { type: 'int', expr: 'legal_age("2020-02-29", "2021-02-28")' },
    })).toEqual({ two_days_before: 17, day_before: 18, birthday: 18, leap_day_before: 0, leap_reached: 1 });
  });

  it('school_year_end: born 2006-04-01 ends its 18th school year a year before born 2006-04-02', async () => {
    expect(await values({
      april_1: { type: 'string', expr: 'school_year_end("2006-04-01", 18)' },
      april_2: { type: 'string', expr: 'school_year_end("2006-04-02", 18)' },
      in_fy2024_1: { type: 'bool', expr: 'school_year_end("2006-04-01", 18) >= "2025-03-31"' },
      in_fy2024_2: { type: 'bool', expr: 'school_year_end("2006-04-02", 18) >= "2025-03-31"' },
    })).toEqual({ april_1: '2024-03-31', april_2: '2025-03-31', in_fy2024_1: false, in_fy2024_2: true });
  });

  it('add_days and add_years (29 February becomes 1 March in a common year)', async () => {
    expect(await values({
      next_day: { type: 'string', expr: 'add_days("2024-12-31", 1)' },
      day_before: { type: 'string', expr: 'add_days("2024-03-01", -1)' },
      leap: { type: 'string', expr: 'add_years("2020-02-29", 1)' },
      leap_to_leap: { type: 'string', expr: 'add_years("2020-02-29", 4)' },
    })).toEqual({ next_day: '2025-01-01', day_before: '2024-02-29', leap: '2021-03-01', leap_to_leap: '2024-02-29' });
  });

  it('was_eligible: eligible is true, review null, ineligible and no decision false', async () => {
    const program = 'price-relief-2023-exempt';
    const member = (id: string, decisions?: Json[]) => ({ person_id: id, relationship: id === 'A' ? '世帯主' : '子', birth_date: '1980-01-01', tax: { '2024': EXEMPT }, ...(decisions && { decisions }) });
    const facts = await values({ was: { type: 'dyn', expr: `members.map(m, was_eligible(m, "${program}"))` } }, [
      member('A', [{ program, outcome: 'eligible', amount_yen: 30000 }]),
      member('B', [{ program, outcome: 'review' }]),
      member('C', [{ program, outcome: 'ineligible' }]),
      member('D'),
      member('E', [{ program: 'price-relief-2023-kintowari-only', outcome: 'eligible' }]),
      member('F', [{ program, outcome: 'review' }, { program, outcome: 'eligible' }]),
    ]);
    expect(facts).toEqual({ was: [true, null, false, false, false, true] });
  });

  it('members carry their decisions, circumstances and tax records as fields', async () => {
    const facts = await values({
      amounts: { type: 'list<int>', expr: 'members[0].decisions.map(d, d.amount_yen)' },
      placed: { type: 'bool', expr: 'members[0].facility_placement' },
      circumstances: { type: 'list<string>', expr: 'members[0].circumstances' },
      income: { type: 'dyn', expr: 'members[0].tax["2024"].total_income' },
      years: { type: 'list<string>', expr: 'members[0].tax.map(y, y)' },
    }, single({ '2024': EXEMPT, '2023': EXEMPT }, {
      decisions: [{ program: 'price-relief-2023-exempt', outcome: 'eligible', amount_yen: 70000 }],
      circumstances: [{ circumstance: 'facility_placement' }],
    }));
    expect(facts).toEqual({ amounts: [70000], placed: true, circumstances: ['facility_placement'], income: 400000, years: ['2023', '2024'] });
  });

  it('kintowari_exempt / shotokuwari_exempt / dependant_of_shotokuwari_payer read the record and the 1 January rules', async () => {
    const facts = await values({
      kintowari: { type: 'dyn', expr: 'members.map(m, kintowari_exempt(m, 2024))' },
      shotokuwari: { type: 'dyn', expr: 'members.map(m, shotokuwari_exempt(m, 2024))' },
      dependant: { type: 'dyn', expr: 'members.map(m, dependant_of_shotokuwari_payer(m, 2024))' },
    }, [
      // 均等割 only: not exempt from 均等割, exempt from 所得割.
      { person_id: 'A', relationship: '世帯主', birth_date: '1970-01-01', tax: { '2024': { total_income: 1000000, kintowari: 5000, shotokuwari: 0 } } },
      // A dependant of A, who pays no 所得割.
      { person_id: 'B', relationship: '子', birth_date: '2000-01-01', tax: { '2024': { total_income: 0, kintowari: 0, dependent_of: 'A' } } },
      // Moved in after 1 January with no record here: unknown.
      { person_id: 'C', relationship: '妻', birth_date: '1970-01-01', resident_since: '2024-02-01', tax: {} },
    ]);
    expect(facts).toEqual({ kintowari: [false, true, null], shotokuwari: [true, true, null], dependant: [false, false, null] });
  });

  // BUG (src/engine/program-expressions.ts, toJson): a derived fact whose value is a tax record
  // (or a Decision, or a list of them) is put in explanation.facts as a CelTaxRecord with BigInt
  // fields, so JSON.stringify(explanation) throws "Do not know how to serialize a BigInt" (the
  // explanation is stored as jsonb, and replay.service.ts stringifies it). toJson converts
  // bigint, arrays, Maps and CelMember, but not CelTaxRecord / CelDecision.
  it('a fact whose value is a tax record can be stored (explanation is JSON)', async () => {
    const e = await evaluate({ record: { type: 'dyn', expr: 'tax(recipient, 2024)' } }, single());
    expect(() => JSON.stringify(e.explanation)).not.toThrow();
    expect(JSON.parse(JSON.stringify(e.explanation)).facts.record).toMatchObject({ total_income: 400000, kintowari: 0 });
  });

  it('a fact whose value is a member is recorded as the person_id, and the explanation is JSON', async () => {
    const e = await evaluate({ who: { type: 'dyn', expr: 'recipient' }, ids: { type: 'list<string>', expr: 'members.map(m, m.person_id)' } }, single());
    expect(e.explanation.facts).toEqual({ who: 'A', ids: ['A'] });
    expect(JSON.parse(JSON.stringify(e.explanation)).facts).toEqual({ who: 'A', ids: ['A'] });
  });
});

describe('a person-level program: each subject is decided separately', () => {
  const ID = 'tax-adjustment-test';
  const programJson = (subject: 'person' | 'household') => ({
    id: ID,
    name: { ja: '定額減税 調整給付（テスト）', en: 'Tax cut adjustment (test)' },
    legal_basis: [CITATION],
    period_kind: 'once',
    subject,
    municipalities: 'all',
    disposition: { is_disposition: false, appeal_to: null },
    payment: { schedule: 'next-run' },
    base_date: '2024-06-03',
    versions: [{ from: '2024-06-03', to: '2024-06-03', rules: 'rules.json' }],
    not_modelled: [],
  });
  const rulesJson = (recipient: string) => ({
    membership: 'base_date',
    recipient,
    facts: describeFacts({
      pays_shotokuwari: { type: 'dyn', expr: 'tax(subject, 2024).shotokuwari > 0' },
      income_tax_short: { type: 'int', expr: 'max(0, 30000 - tax(subject, 2024).income_tax)' },
      resident_tax_short: { type: 'int', expr: 'max(0, 10000 - tax(subject, 2024).shotokuwari)' },
    }),
    conditions: [{
      name: 'pays_shotokuwari', fact: 'pays_shotokuwari', operator: 'equal', value: true, citation: CITATION,
      text_ja: { pass: '所得割が課されています', fail: '所得割が課されていません', unknown: '課税情報がありません' },
    }],
    amount: {
      components: [{
        id: 'adjustment',
        kind: 'expression',
        expr: 'round_up(max(0, 30000 - tax(subject, 2024).income_tax) + max(0, 10000 - tax(subject, 2024).shotokuwari), 10000)',
        text_ja: '調整給付額（所得税分と個人住民税分の合計を1万円単位に切り上げ）',
        citation: CITATION,
      }],
    },
  });
  const record = (income_tax: number | undefined, shotokuwari: number) => ({
    '2024': { total_income: 3000000, kintowari: 5000, shotokuwari, ...(income_tax !== undefined && { income_tax }) },
  });
  const household: { members: Json[]; supporters: Json } = {
    members: [
      { person_id: 'A', relationship: '世帯主', birth_date: '1970-01-01', tax: record(25000, 7000) },
      { person_id: 'B', relationship: '妻', birth_date: '1972-01-01', tax: record(12000, 9500) },
      { person_id: 'C', relationship: '子', birth_date: '2000-01-01', tax: record(30000, 10000) },
      { person_id: 'D', relationship: '子', birth_date: '2002-01-01', tax: record(29999, 10000) },
      { person_id: 'E', relationship: '母', birth_date: '1945-01-01', tax: { '2024': { total_income: 800000, kintowari: 0, shotokuwari: 0, income_tax: 0 } } },
      { person_id: 'F', relationship: '子', birth_date: '2004-01-01', tax: record(undefined, 4000) },
      { person_id: 'G', relationship: '兄', birth_date: '1968-01-01', resident_since: '2024-03-01', tax: {} },
    ],
    supporters: {},
  };
  const expectations: [string, Json][] = [
    ['A', { outcome: 'eligible', amount_yen: 10000, recipient_person_id: 'A' }],
    ['B', { outcome: 'eligible', amount_yen: 20000, recipient_person_id: 'B' }],
    ['C', { outcome: 'eligible', amount_yen: 0, recipient_person_id: 'C' }],
    ['D', { outcome: 'eligible', amount_yen: 10000, recipient_person_id: 'D' }],
    ['E', { outcome: 'ineligible', amount_yen: 0, recipient_person_id: 'E' }],
    ['F', { outcome: 'review', amount_yen: 0, recipient_person_id: 'F' }],
    ['G', { outcome: 'review', amount_yen: 0, recipient_person_id: 'G' }],
  ];
  const cases = expectations.map(([subject, expect]) => ({
    name: `subject ${subject} of the same household is decided on their own record`,
    as_of: '2024-06-03',
    household,
    subject_person_id: subject,
    expect,
  }));
  const files = (subject: 'person' | 'household' = 'person', recipient = 'subject', caseList: unknown[] = cases) => ({
    'program.json': JSON.stringify(programJson(subject)),
    'parameters.json': '{}',
    'rules.json': JSON.stringify(rulesJson(recipient)),
    'cases.json': JSON.stringify(caseList),
  });

  it('every subject of one household gets its own outcome, amount and recipient', async () => {
    const program: Program = programFromFiles(ID, files());
    expect(program.spec.subject).toBe('person');
    const results = await runCases(program);
    expect(results.map((r) => [r.evaluation!.recipient_person_id, r.actual])).toEqual(expectations.map(([id, e]) => [id, e]));
    expect(results.every((r) => r.passed)).toBe(true);
  });

  it('the sum is rounded up once: 5,000 + 3,000 gives 10,000, not 10,000 + 10,000', async () => {
    const [a, b] = await runCases(programFromFiles(ID, files()));
    expect(a.evaluation!.explanation.facts).toEqual({ pays_shotokuwari: true, income_tax_short: 5000, resident_tax_short: 3000 });
    expect(a.evaluation!.explanation.amount.steps).toEqual([expect.objectContaining({ component: 'adjustment', value_yen: 10000 })]);
    // Rounded separately it would be round_up(5000) + round_up(3000) = 20,000.
    expect(a.evaluation!.amount_yen).toBe(10000);
    // 18,000 + 500 = 18,500 → 20,000.
    expect(b.evaluation!.explanation.facts).toEqual({ pays_shotokuwari: true, income_tax_short: 18000, resident_tax_short: 500 });
    expect(b.evaluation!.amount_yen).toBe(20000);
  });

  it('one yen short of the full cut gives 10,000; none short gives 0', async () => {
    const results = await runCases(programFromFiles(ID, files()));
    const c = results.find((r) => r.evaluation!.recipient_person_id === 'C')!.evaluation!;
    const d = results.find((r) => r.evaluation!.recipient_person_id === 'D')!.evaluation!;
    expect([c.explanation.amount.total_yen, d.explanation.amount.total_yen]).toEqual([0, 10000]);
  });

  it('a subject whose record lacks income_tax is review with the amount unknown; one with no record, review with the fact unknown', async () => {
    const results = await runCases(programFromFiles(ID, files()));
    const f = results.find((r) => r.evaluation!.recipient_person_id === 'F')!.evaluation!;
    expect(f.explanation.conditions.find((c) => c.id === 'pays_shotokuwari')).toMatchObject({ result: true });
    expect(f.explanation.conditions.find((c) => c.id === 'amount_adjustment')).toMatchObject({ result: null, error: expect.stringContaining('null') });
    expect(f.explanation.facts).toMatchObject({ income_tax_short: null, resident_tax_short: 6000 });

    const g = results.find((r) => r.evaluation!.recipient_person_id === 'G')!.evaluation!;
    const condition = g.explanation.conditions.find((c) => c.id === 'pays_shotokuwari')!;
    expect(condition).toMatchObject({ value: null, result: null, text_ja: '課税情報がありません' });
    expect(condition.error).toBeTruthy();
  });

  it("'subject' goes only with a person-level program, whose cases must name the subject", () => {
    expect(problemsOf(files('household', 'subject'), ID)).toContain("rules.json recipient: 'subject' goes with, and only with, program.json subject 'person'");
    expect(problemsOf(files('person', 'head_of_household'), ID)).toContain("rules.json recipient: 'subject' goes with, and only with, program.json subject 'person'");
    const { subject_person_id: _s, ...unnamed } = cases[0];
    expect(problemsOf(files('person', 'subject', [unnamed]), ID)).toEqual(["cases.json 0: subject_person_id: required for a program with subject 'person'"]);
    expect(problemsOf(files(), ID)).toEqual([]);
  });
});

describe('accounts in expressions: which bank and branch, never the number', () => {
  it('gives each member\'s accounts with whether the 全銀 list has the branch', () => {
    const { compiled, problems } = compileExpressions('rules.json', {
      usable: { type: 'bool', description_ja: '振込可能な口座がある', expr: 'members.exists(m, m.accounts.exists(a, a.usable))' },
      koukin: { type: 'list<string>', description_ja: '公金受取口座の金融機関', expr: "members.map(m, m.accounts.filter(a, a.source == 'koukin').map(a, a.bank_code)).filter(l, l.size() > 0).map(l, l[0])" },
    }, []);
    expect(problems).toEqual([]);
    const member = (accounts: AccountSummary[]) => ({ person_id: 'A', relationship: '世帯主', birth_date: '1950-06-01', resident_since: '1950-06-01', tax: {}, accounts });
    const factsOf = (accounts: AccountSummary[]) => {
      const snapshot: HouseholdSnapshot = { municipality_code: '141003', household_id: 'H', membership_date: '2024-12-13', members: [member(accounts)], supporters: {} };
      const members = snapshot.members.map((m) => memberFacts(m, '2024-12-13', { person: undefined, parents: [], reason_ja: '' }, '2'));
      return evaluateFacts(compiled, { snapshot, members, parameters: {}, evaluationDate: '2024-12-13', recipientId: undefined, engineVersion: '2' }).values;
    };
    expect(factsOf([{ source: 'koukin', bank_code: '0001', branch_code: '001', account_type: 1 }])).toEqual({ usable: true, koukin: ['0001'] });
    expect(factsOf([{ source: 'registered', bank_code: '9999', branch_code: '999', account_type: 1 }])).toEqual({ usable: false, koukin: [] });
    expect(factsOf([])).toEqual({ usable: false, koukin: [] });
    // An account as a fact's value is stored as plain JSON, without the account type's internals.
    const first = compileExpressions('rules.json', { first: { type: 'dyn', description_ja: '最初の口座', expr: 'members[0].accounts[0]' } }, []).compiled;
    const snapshot: HouseholdSnapshot = { municipality_code: '141003', household_id: 'H', membership_date: '2024-12-13', members: [member([{ source: 'koukin', bank_code: '0001', branch_code: '001', account_type: 1 }])], supporters: {} };
    const facts = snapshot.members.map((m) => memberFacts(m, '2024-12-13', { person: undefined, parents: [], reason_ja: '' }, '2'));
    expect(evaluateFacts(first, { snapshot, members: facts, parameters: {}, evaluationDate: '2024-12-13', recipientId: undefined, engineVersion: '2' }).values)
      .toEqual({ first: { source: 'koukin', bank_code: '0001', branch_code: '001', usable: true } });
    // The number is not a field: an expression that reads it does not load.
    expect(compileExpressions('rules.json', { n: { type: 'dyn', description_ja: '口座番号', expr: 'members[0].accounts[0].account_number' } }, []).problems[0]).toMatch(/^rules\.json facts\.n: .*account_number/);
  });
});
