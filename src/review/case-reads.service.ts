import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB, ReviewItemKind, ReviewItemStatus } from '../db/schema.ts';
import { withMunicipality } from '../db/tenant.ts';
import { decisionInputs } from '../decisions/replay.service.ts';
import { withFullExplanations } from '../decisions/stored-explanation.ts';
import type { Explanation } from '../engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../engine/household-snapshot.ts';
import { NotFoundError, UnusableInputError } from '../errors.ts';
import type { StaffUser } from '../staff/staff.service.ts';
import { logAccess, type Purpose } from './access-log.service.ts';
import { circumstancesOf } from './circumstance.service.ts';
import { escapeLike, formsPattern, parseBirthDate, registerText, searchKey } from './person-search.ts';

/**
 * What staff read about cases, each read of a person's data logged in the same transaction,
 * always within the staff member's own municipality (row-level security).
 */

export const PAGE_SIZE = 50;

export interface Paged<T> {
  rows: T[];
  total: number;
  page: number;
  pages: number;
}

/** resolved_desc: the latest resolved first (a supervisor checking the day's work); unresolved items, with no such time, last. */
export const QUEUE_SORTS = ['date', 'date_desc', 'amount', 'amount_desc', 'kind', 'resolved_desc'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/**
 * A queue filter's state: the item's own status, or awaiting_reply, an unresolved item whose
 * last action asked the resident (照会) and which waits for the answer. That is read from the
 * actions, not stored: the item stays open (or held) for the next action, as before.
 */
export type QueueStatus = ReviewItemStatus | 'awaiting_reply';

export interface QueueFilter {
  kind?: ReviewItemKind;
  program?: string;
  /** Default: open and held. */
  status?: QueueStatus;
  /** Default: oldest first (date). */
  sort?: QueueSort;
  page?: number;
  /** Every row at once (the CSV export), not a page. */
  all?: boolean;
}

/**
 * The amount at stake on an item: for a case the engine could not decide (recorded at 0円), the
 * amount the rules computed, which approving it pays; otherwise the item's own amount.
 */
const AT_STAKE = sql<number | null>`case when r.kind = 'decision_review'
  then coalesce(d.explanation -> 'amount' ->> 'total_yen', (d.explanation ->> 'v')::jsonb ->> 1)::bigint else r.amount_yen end`;

export async function reviewQueue(db: Kysely<DB>, actor: StaffUser, filter: QueueFilter) {
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    let query = trx
      .selectFrom('review_items as r')
      .leftJoin('decisions as d', 'd.decision_id', 'r.decision_id')
      // The 世帯主 as the register has them now (one row, should a register name two).
      .leftJoinLateral(
        (eb) => eb.selectFrom('persons as h').select(['h.person_id as head_person_id', 'h.family_name', 'h.given_name']).whereRef('h.household_id', '=', 'r.household_id').where('h.relationship', '=', '世帯主').orderBy('h.person_id').limit(1).as('h'),
        (join) => join.onTrue(),
      )
      // What staff decided on a resolved item: its last approve, reject or (confirmed) override.
      .leftJoinLateral(
        (eb) =>
          eb.selectFrom('review_actions as a').select(['a.action as decided_action', 'a.outcome as decided_outcome', 'a.amount_yen as decided_amount_yen'])
            .whereRef('a.review_item_id', '=', 'r.id').where('a.action', 'in', ['approve', 'reject', 'override']).orderBy('a.id', 'desc').limit(1).as('a'),
        (join) => join.onTrue(),
      )
      // The item's last action of any kind: a 照会 still waiting for its answer, and who resolved it.
      .leftJoinLateral(
        (eb) => eb.selectFrom('review_actions as l').select(['l.action as last_action', 'l.staff_login as last_staff_login'])
          .whereRef('l.review_item_id', '=', 'r.id').orderBy('l.id', 'desc').limit(1).as('l'),
        (join) => join.onTrue(),
      );
    if (filter.status === 'awaiting_reply') query = query.where('r.status', 'in', ['open', 'held']).where('l.last_action', '=', 'request_info');
    else query = filter.status ? query.where('r.status', '=', filter.status) : query.where('r.status', 'in', ['open', 'held']);
    if (filter.kind) query = query.where('r.kind', '=', filter.kind);
    if (filter.program) query = query.where('r.program', '=', filter.program);
    const page = pageOf(filter.page);
    const [{ n }] = await query.select((eb) => eb.fn.countAll<string>().as('n')).execute();
    let rows = query
      .select(['r.id', 'r.kind', 'r.status', 'r.program', 'r.household_id', 'r.person_id', 'r.decision_id', 'r.period_start', 'r.detail', 'r.created_at', 'r.resolved_at'])
      // Who resolved a resolved item: its last action's author (the confirming supervisor, for an override).
      .select(sql<string | null>`case when r.status = 'resolved' then l.last_staff_login end`.as('resolved_by'))
      .select(['d.outcome', 'd.change_kind', 'd.effective_from', 'd.period_kind', 'h.head_person_id'])
      .select(['a.decided_action', 'a.decided_outcome', 'a.decided_amount_yen'])
      .select(sql<boolean>`r.status <> 'resolved' and l.last_action is not distinct from 'request_info'`.as('awaiting_reply'))
      .select(AT_STAKE.as('amount_yen'))
      .select(sql<string | null>`h.family_name || ' ' || h.given_name`.as('head_name'));
    const sort = filter.sort ?? 'date';
    if (sort === 'amount' || sort === 'amount_desc') rows = rows.orderBy(AT_STAKE, (ob) => (sort === 'amount' ? ob.asc().nullsFirst() : ob.desc().nullsLast()));
    if (sort === 'kind') rows = rows.orderBy('r.kind');
    if (sort === 'resolved_desc') rows = rows.orderBy('r.resolved_at', (ob) => ob.desc().nullsLast());
    const newestFirst = sort === 'date_desc' || sort === 'resolved_desc';
    rows = rows.orderBy('r.created_at', newestFirst ? 'desc' : 'asc').orderBy('r.id', newestFirst ? 'desc' : 'asc');
    const found = await (filter.all ? rows : rows.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).execute();
    const result = found.map((r) => ({ ...r, amount_yen: r.amount_yen === null ? null : Number(r.amount_yen) }));
    await logAccess(trx, actor, result.flatMap((r) => [r.person_id, r.head_person_id].filter((p): p is string => !!p)), filter.all ? '審査キュー（CSV出力）' : '審査キュー', 'review');
    return paged(result, Number(n), filter.all ? 1 : page);
  });
}

/**
 * The programs of the municipality's queue and decisions with their Japanese names, as the
 * decisions recorded them (the rules folder in force may no longer hold an ended program).
 * A loose index scan: one probe per program, not a read of every decision.
 */
export async function programNames(db: Kysely<DB>, actor: StaffUser): Promise<Map<string, string>> {
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    const { rows } = await sql<{ program: string; name_ja: string | null }>`
      with recursive p(program) as (
        select min(program) from decisions
        union all
        select (select min(program) from decisions where program > p.program) from p where p.program is not null)
      select p.program, (select coalesce(d.explanation ->> 'program_name_ja', (v.files ->> 'program.json')::jsonb -> 'name' ->> 'ja')
                         from decisions d join rule_versions v using (program, rule_version) where d.program = p.program limit 1) as name_ja
      from p where p.program is not null
      union
      select distinct r.program, null from review_items r where not exists (select from decisions d where d.program = r.program)`.execute(trx);
    return new Map(rows.map((r) => [r.program, r.name_ja ?? r.program]));
  });
}

export interface DecisionFilter {
  program?: string;
  outcome?: 'eligible' | 'ineligible' | 'review';
  household?: string;
  needs_review?: boolean;
  page?: number;
}

/** The decisions in force now (the last of each chain), filtered and paged. */
export async function listDecisions(db: Kysely<DB>, actor: StaffUser, filter: DecisionFilter, purpose: Purpose) {
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    let query = trx
      .selectFrom('decisions as d')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('decisions as n').select('n.id').whereRef('n.supersedes', '=', 'd.id'))));
    if (filter.program) query = query.where('d.program', '=', filter.program);
    if (filter.outcome) query = query.where('d.outcome', '=', filter.outcome);
    if (filter.household) query = query.where('d.household_id', '=', filter.household);
    if (filter.needs_review) {
      query = query.where(({ exists, selectFrom }) =>
        exists(selectFrom('review_items as r').select('r.id').whereRef('r.decision_id', '=', 'd.decision_id').where('r.status', '<>', 'resolved')),
      );
    }
    const page = pageOf(filter.page);
    const [{ n }] = await query.select((eb) => eb.fn.countAll<string>().as('n')).execute();
    const rows = await query
      .select(['d.decision_id', 'd.program', 'd.household_id', 'd.recipient_person_id', 'd.outcome', 'd.amount_yen', 'd.period_kind', 'd.effective_from', 'd.change_kind', 'd.decided_at', 'd.decided_by'])
      .orderBy('d.id')
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute();
    await logAccess(trx, actor, rows.flatMap((r) => (r.recipient_person_id ? [r.recipient_person_id] : [])), '決定の一覧', purpose);
    return paged(rows, Number(n), page);
  });
}

/**
 * One decision with what a reviewer needs: its explanation, the decision it replaced, the
 * household's members as the engine saw them, the review items and actions on it, and the
 * payment lines and notices that rest on it.
 */
export async function decisionView(db: Kysely<DB>, actor: StaffUser, decisionId: string, purpose: Purpose) {
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    const [decision] = await withFullExplanations(trx, await trx.selectFrom('decisions').selectAll().where('decision_id', '=', decisionId).execute());
    if (!decision) throw new NotFoundError('decision_not_found', `no decision ${decisionId}`);
    const [previous, next, items, payments, notices] = await Promise.all([
      decision.supersedes ? trx.selectFrom('decisions').selectAll().where('id', '=', decision.supersedes).execute().then(async (rows) => (await withFullExplanations(trx, rows))[0]) : undefined,
      trx.selectFrom('decisions').select(['decision_id', 'change_kind', 'decided_by']).where('supersedes', '=', decision.id).executeTakeFirst(),
      trx.selectFrom('review_items').selectAll().where('decision_id', '=', decisionId).orderBy('id').execute(),
      trx.selectFrom('payment_lines')
        .select(['id', 'recipient_person_id', 'period_start', 'period_end', 'payment_date', 'kind', 'amount_yen', 'status', 'bank_code', 'branch_code', 'account_number'])
        .where('decision_id', '=', decisionId).orderBy('period_start').execute(),
      // A letter's row names the last of the run's decisions it notifies; the earlier ones, of the
      // same chain, find it by its decisionIds.
      trx.selectFrom('notices').select(['notice_id', 'kind', 'issued_on', 'status', 'person_id'])
        .where('decision_id', 'in', trx.selectFrom('decisions').select('decision_id').where('municipality_code', '=', decision.municipality_code)
          .where('program', '=', decision.program).where('household_id', '=', decision.household_id).where('id', '>=', decision.id))
        .where((eb) => eb.or([eb('decision_id', '=', decisionId), sql<boolean>`content -> 'decisionIds' ? ${decisionId}`]))
        .orderBy('id').execute(),
    ]);
    const actions = items.length
      ? await trx.selectFrom('review_actions').selectAll().where('review_item_id', 'in', items.map((i) => i.id)).orderBy('id').execute()
      : [];
    const inputs = (await decisionInputs(trx, decision)) ?? { municipality_code: decision.municipality_code, household_id: decision.household_id, membership_date: '', members: [], supporters: {} };
    const sources = await decisionSources(trx, inputs, decision.explanation as unknown as Explanation, decision.known_at);
    // The previous decision is shown for the comparison only: its outcome, amount, recipient and
    // conditions, not the household it read (open it to see that, which logs its members).
    const { inputs: _previousInputs, explanation_text: _previousText, ...previousShown } = previous ?? {};
    // Everyone whose data the answer carries: the members and the supporters whose tax records
    // the engine read, whoever they claim as dependant, the recipients (now and before), the
    // review items', payment lines' and notices' persons.
    await logAccess(
      trx,
      actor,
      [
        ...personsOfSnapshot(inputs),
        ...[decision.recipient_person_id, previous?.recipient_person_id].filter((p): p is string => !!p),
        ...(previous ? personsOfExplanation(previous.explanation as unknown as Explanation) : []),
        ...items.flatMap((i) => (i.person_id ? [i.person_id] : [])),
        ...payments.map((p) => p.recipient_person_id),
        ...notices.flatMap((n) => (n.person_id ? [n.person_id] : [])),
      ],
      `決定 ${decisionId}`,
      purpose,
    );
    const names = await namesAsKnown(trx, [...inputs.members.map((m) => m.person_id), ...(decision.recipient_person_id ? [decision.recipient_person_id] : [])], inputs.membership_date || decision.as_of, decision.known_at);
    // The nightly run that made an engine decision, by its business date: a run decides earlier
    // months too (a retroactive change), so the decision's as_of is not always the run's date.
    // batch_runs is no tenant table (no personal data, no grant to the tenant role): read outside
    // the transaction, for the decision's own municipality, which row-level security let us see.
    const run = decision.decided_by === null
      ? await db.selectFrom('batch_runs').select(sql<string>`to_char(run_date, 'YYYY-MM-DD')`.as('run_date'))
        .where('municipality_code', '=', decision.municipality_code).where('known_at', '=', decision.known_at).orderBy('id').executeTakeFirst()
      : undefined;
    return {
      /** The business date of the nightly run that made it (engine decisions only; undefined if unknown). */
      nightly_date: run?.run_date,
      decision: { ...decision, explanation: decision.explanation as unknown as Explanation & { staff?: { login: string; reason: string } } },
      previous: previous && { ...(previousShown as Omit<typeof previous, 'inputs' | 'explanation_text'>), explanation: previous.explanation as unknown as Explanation },
      next,
      members: inputs.members,
      /** Names and kana by 宛名番号, as the register had them for the decision (logged above with the members and recipient). */
      names,
      sources,
      items,
      actions,
      // Staff see where the money goes, never the whole account number.
      payments: payments.map(({ account_number, ...p }) => ({ ...p, account_masked: account_number ? `****${account_number.slice(-3)}` : null })),
      notices,
    };
  });
}

/** The persons a stored snapshot names: members, the supporters whose tax it holds, and whom members' records name as taxpayer. */
function personsOfSnapshot(inputs: HouseholdSnapshot): string[] {
  return [
    ...inputs.members.map((m) => m.person_id),
    ...Object.keys(inputs.supporters ?? {}),
    ...inputs.members.flatMap((m) => Object.values(m.tax ?? {}).flatMap((t) => (t.dependent_of ? [t.dependent_of] : []))),
  ];
}

/** The persons an explanation names: the children its amount steps count and the recipient. */
function personsOfExplanation(explanation: Explanation): string[] {
  return [...explanation.amount.steps.flatMap((s) => (s.person_id ? [s.person_id] : [])), ...(explanation.recipient?.person_id ? [explanation.recipient.person_id] : [])];
}

/**
 * The persons' names and kana as the register had them on the date, as known at the moment (the
 * snapshot's rule: latest valid_from on or before the date, recorded by then), by 宛名番号.
 */
async function namesAsKnown(trx: Transaction<DB>, persons: string[], on: string, knownAt: Date) {
  if (persons.length === 0 || !on) return new Map<string, { name: string; kana: string }>();
  const { rows } = await sql<{ person_id: string; name: string; kana: string }>`
    select distinct on (person_id) person_id, family_name || ' ' || given_name as name, family_name_kana || ' ' || given_name_kana as kana
    from person_history where person_id = any(${persons}::text[]) and valid_from <= ${on}::date and recorded_at <= ${knownAt}
    order by person_id, valid_from desc, recorded_at desc, change_row desc`.execute(trx);
  return new Map(rows.map((r) => [r.person_id, { name: r.name, kana: r.kana }]));
}

export interface SourceRecord {
  kind: 'residents' | 'income';
  person_id: string;
  fiscal_year: number | null;
  valid_from: string;
  recorded_at: Date;
  change_id: string;
}

/**
 * The stored records a decision's facts came from: each member's resident record on the
 * membership date and their tax records of the fiscal years its conditions read, as known when
 * it was decided (the same rule as the snapshot: latest valid_from on or before the date,
 * recorded by then).
 */
async function decisionSources(trx: Transaction<DB>, inputs: HouseholdSnapshot, explanation: Explanation, knownAt: Date): Promise<SourceRecord[]> {
  const persons = inputs.members.map((m) => m.person_id);
  if (persons.length === 0) return [];
  const years = [...new Set(explanation.conditions.flatMap((c) => (typeof c.params?.fiscal_year === 'number' ? [c.params.fiscal_year] : [])))];
  const { rows } = await sql<SourceRecord>`
    select * from (
      select distinct on (h.person_id) 'residents' as kind, h.person_id, null::int as fiscal_year,
             to_char(h.valid_from, 'YYYY-MM-DD') as valid_from, h.recorded_at, c.change_id
      from person_history h join changes c on c.id = h.change_row
      where h.person_id = any(${persons}::text[]) and h.valid_from <= ${inputs.membership_date}::date and h.recorded_at <= ${knownAt}
      order by h.person_id, h.valid_from desc, h.recorded_at desc, h.change_row desc) r
    union all
    select * from (
      select distinct on (i.person_id, i.fiscal_year) 'income', i.person_id, i.fiscal_year,
             to_char(i.valid_from, 'YYYY-MM-DD'), i.recorded_at, c.change_id
      from income_history i join changes c on c.id = i.change_row
      where i.person_id = any(${persons}::text[]) and i.fiscal_year = any(${years}::int[])
        and i.valid_from <= ${explanation.evaluation_date}::date and i.recorded_at <= ${knownAt}
      order by i.person_id, i.fiscal_year, i.valid_from desc, i.recorded_at desc, i.change_row desc) t
    order by person_id, kind, fiscal_year`.execute(trx);
  return rows;
}

/** A household: its members now with their circumstances, and its timeline of decisions, payments, notices and review. */
export async function householdView(db: Kysely<DB>, actor: StaffUser, householdId: string, purpose: Purpose) {
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    const members = await trx
      .selectFrom('persons')
      .select(['person_id', 'relationship', 'family_name', 'given_name', 'family_name_kana', 'given_name_kana', 'birth_date', 'sex', 'postal_code', 'address', 'status', 'valid_from'])
      .where('household_id', '=', householdId)
      .orderBy('birth_date')
      .execute();
    const decisions = await trx
      .selectFrom('decisions')
      .select(['decision_id', 'program', 'change_kind', 'outcome', 'amount_yen', 'period_kind', 'effective_from', 'recipient_person_id', 'decided_at', 'decided_by'])
      .where('household_id', '=', householdId)
      .orderBy('id')
      .execute();
    if (members.length === 0 && decisions.length === 0) throw new NotFoundError('household_not_found', `no household ${householdId}`);
    const [payments, notices, items] = await Promise.all([
      trx.selectFrom('payment_lines').select(['program', 'recipient_person_id', 'period_start', 'payment_date', 'kind', 'amount_yen', 'status', 'decision_id'])
        .where('household_id', '=', householdId).orderBy('payment_date').orderBy('period_start').execute(),
      trx.selectFrom('notices').select(['notice_id', 'kind', 'program', 'issued_on', 'status', 'decision_id']).where('household_id', '=', householdId).orderBy('id').execute(),
      trx.selectFrom('review_items').selectAll().where('household_id', '=', householdId).orderBy('id').execute(),
    ]);
    const actions = items.length
      ? await trx.selectFrom('review_actions').selectAll().where('review_item_id', 'in', items.map((i) => i.id)).orderBy('id').execute()
      : [];
    const circumstances = await circumstancesOf(trx, members.map((m) => m.person_id));
    await logAccess(
      trx,
      actor,
      [
        ...members.map((m) => m.person_id),
        ...decisions.flatMap((d) => (d.recipient_person_id ? [d.recipient_person_id] : [])),
        ...payments.map((p) => p.recipient_person_id),
        ...items.flatMap((i) => (i.person_id ? [i.person_id] : [])),
      ],
      `世帯 ${householdId}`,
      purpose,
    );
    await logAccess(trx, actor, circumstances.map((c) => c.person_id), `世帯 ${householdId} の状況（公務員・施設入所・辞退など）`, purpose);
    return { household_id: householdId, members, circumstances, decisions, payments, notices, items, actions };
  });
}

export interface PersonSearch {
  /** A 宛名番号 (exact), or a name in kanji, hiragana or katakana (the start of 姓名, or of the given name). */
  q?: string;
  /** Part of the address. */
  address?: string;
  /** A birth date as staff type it (person-search.ts: parseBirthDate). */
  birth_date?: string;
  page?: number;
}

/**
 * Residents (present, moved out or deceased) found by name, 宛名番号, address and birth date,
 * all given criteria at once; names and addresses compared as person-search.ts says. Paged with
 * the total, so a long list never stops without saying so.
 */
export async function searchPersons(db: Kysely<DB>, actor: StaffUser, search: PersonSearch, purpose: Purpose) {
  const q = searchKey(search.q ?? '');
  const address = searchKey(search.address ?? '');
  const birth = search.birth_date?.trim() ? parseBirthDate(search.birth_date) : undefined;
  if (search.birth_date?.trim() && !birth) throw new UnusableInputError('bad_birth_date', '生年月日は 1985-04-01 や 昭和60年4月1日 のように入力してください');
  if (!q && !address && !birth) throw new UnusableInputError('query_required', '氏名・宛名番号、住所、生年月日のいずれかを入力してください');
  if (q.length > 64 || address.length > 64) throw new UnusableInputError('query_too_long', '検索語は64文字までです');
  return withMunicipality(db, actor.municipalityCode, async (trx) => {
    let query = trx.selectFrom('persons');
    if (q) {
      // Kana columns hold full-width katakana and full-width spaces only (the importer checks).
      const kana = (e: RawBuilder<string>) => sql<string>`replace(${e}, chr(12288), '')`;
      const prefix = `${escapeLike(q)}%`;
      query = query.where((eb) =>
        eb.or([
          eb('person_id', '=', q),
          eb(registerText(sql`family_name || given_name`), '~*', formsPattern(q)),
          eb(registerText(sql`given_name`), '~*', formsPattern(q)),
          eb(kana(sql`family_name_kana || given_name_kana`), 'like', prefix),
          eb(kana(sql`given_name_kana`), 'like', prefix),
        ]),
      );
    }
    if (address) query = query.where(registerText(sql`address`), '~*', formsPattern(address, true));
    if (birth) query = query.where('birth_date', '=', birth);
    const page = pageOf(search.page);
    const [{ n }] = await query.select((eb) => eb.fn.countAll<string>().as('n')).execute();
    const rows = await query
      .select(['person_id', 'household_id', 'family_name', 'given_name', 'family_name_kana', 'given_name_kana', 'birth_date', 'postal_code', 'address', 'status'])
      .orderBy('family_name_kana')
      .orderBy('given_name_kana')
      .orderBy('person_id')
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute();
    await logAccess(trx, actor, rows.map((r) => r.person_id), '検索結果', purpose);
    return paged(rows, Number(n), page);
  });
}

function pageOf(page: number | undefined): number {
  return Number.isInteger(page) && page! > 0 ? page! : 1;
}

function paged<T>(rows: T[], total: number, page: number): Paged<T> {
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)) };
}
