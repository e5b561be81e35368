import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SAFE_CAST } from '../../csv/safe-cell.ts';
import type { Kysely, Selectable } from 'kysely';
import type { DB, ReviewActionTable, ReviewItemKind, ReviewItemTable } from '../../db/schema.ts';
import type { ConditionResult, Explanation } from '../../engine/evaluate-household.ts';
import { amountStepLabel, OPERATOR_JA, show } from '../../engine/explanation-text.ts';
import { checkedPurpose, PURPOSES } from '../../review/access-log.service.ts';
import { decisionView, programNames, QUEUE_SORTS, reviewQueue, type QueueSort, type QueueStatus, type SourceRecord } from '../../review/case-reads.service.ts';
import { actOnReviewItem, bulkApprove, confirmOverride, type ActionInput } from '../../review/review-action.service.ts';
import { roleAtLeast, type Session } from '../../staff/staff.service.ts';
import { formField, idParam, MAX_AMOUNT_YEN, pageParam, safeBack } from '../input.ts';
import { staffOnly } from '../session-auth.ts';
import { factText, paramsText } from './condition-params.ts';
import { csrfField, date, dateTime, html, Html, isLabel, label, LABELS, money, page, todayInJapan } from './html.ts';

type Item = Selectable<ReviewItemTable>;
type Action = Selectable<ReviewActionTable>;

/** The staff pages of the review queue and of one decision, with the actions on it. */
export function reviewPages(app: FastifyInstance, db: Kysely<DB>): void {
  const viewer = staffOnly(db);

  app.get('/', { ...viewer, schema: { hide: true } }, async (_request, reply) => reply.redirect('/review'));

  /** The queue's filter from a query string: unknown values are ignored, as a select list can only send known ones. */
  const queueFilter = (q: QueueQuery) => ({
    kind: isLabel('kind', q.kind) ? (q.kind as ReviewItemKind) : undefined,
    status: isLabel('status', q.status) ? (q.status as QueueStatus) : undefined,
    program: typeof q.program === 'string' && q.program ? q.program.slice(0, 200) : undefined,
    sort: QUEUE_SORTS.find((s) => s === q.sort),
  });
  const filterQuery = (f: ReturnType<typeof queueFilter>) =>
    Object.fromEntries(Object.entries({ kind: f.kind, status: f.status, program: f.program, sort: f.sort }).filter((e): e is [string, string] => e[1] !== undefined));

  app.get<{ Querystring: QueueQuery }>('/review', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    const q = request.query;
    const f = queueFilter(q);
    const session = request.session!;
    const [result, programs] = await Promise.all([reviewQueue(db, session.user, { ...f, page: pageParam(q.page) }), programNames(db, session.user)]);
    const link = (p: number) => `/review?${new URLSearchParams({ ...filterQuery(f), page: String(p) })}`;
    // Bulk approval: only once the list shows one kind, and only for who may approve.
    const resolved = f.status === 'resolved';
    const bulk = f.kind !== undefined && f.status !== 'resolved' && roleAtLeast(session.user.role, 'reviewer') && result.rows.length > 0;
    const option = (value: string, text: string, selected: string | undefined) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${text}</option>`;
    const table = html`<table><thead><tr>${bulk ? html`<th><input type="checkbox" data-select-all="ids" aria-label="このページの項目をすべて選択"></th>` : ''}<th>番号</th><th>種類</th><th>状態</th><th>制度</th><th>世帯番号</th><th>世帯主</th>${resolved ? html`<th>職員の決定</th><th>決定した金額</th>` : html`<th>金額</th>`}<th>登録日時（実際の時刻）</th>${resolved ? html`<th>処理日時</th><th>処理者</th>` : ''}</tr></thead><tbody>
${result.rows.map((r) => html`<tr>${bulk ? html`<td><input type="checkbox" name="ids" value="${r.id}" aria-label="審査項目 ${r.id} を選択"></td>` : ''}<td class="nw"><a href="${itemLink(r)}">${r.id}</a></td><td>${label('kind', r.kind)}</td><td class="nw">${queueState(r)}</td><td>${programs.get(r.program) ?? r.program}</td>
<td><a href="/households/${encodeURIComponent(r.household_id)}?purpose=review">${r.household_id}</a></td><td class="nw">${r.head_name ?? ''}</td>${resolved ? decidedCells(r) : html`<td class="num">${atStake(r)}</td>`}<td>${dateTime(r.created_at)}</td>${resolved ? html`<td class="nw">${r.resolved_at ? dateTime(r.resolved_at) : ''}</td><td>${r.resolved_by ?? ''}</td>` : ''}</tr>`)}
</tbody></table>`;
    const body = html`
${q.approved !== undefined ? html`<p class="notice" role="status">${bulkNotice(q)}</p>` : ''}
<form method="get" action="/review" class="noprint"><fieldset><legend>絞り込みと並び順</legend>
<label>種類 <select name="kind">${option('', 'すべて', f.kind ?? '')}${Object.entries(LABELS.kind).map(([k, v]) => option(k, v, f.kind))}</select></label>
<label>状態 <select name="status">${option('', '未処理と保留中', f.status ?? '')}${Object.entries(LABELS.status).map(([k, v]) => option(k, v, f.status))}</select></label>
<label>制度 <select name="program">${option('', 'すべて', f.program ?? '')}${[...programs].map(([id, name]) => option(id, name, f.program))}</select></label>
<label>並び順 <select name="sort">${Object.entries(SORT_LABELS).map(([k, v]) => option(k, v, f.sort ?? 'date'))}</select></label>
<button>表示</button></fieldset></form>
<p>${result.total.toLocaleString('ja-JP')}件（${result.page} / ${result.pages}ページ） <a class="noprint" href="/review.csv?${String(new URLSearchParams(filterQuery(f)))}" download>この一覧をCSVで出力（${result.total.toLocaleString('ja-JP')}件すべて）</a></p>
${bulk
  ? html`<form method="post" action="/review-items/bulk-approve">${csrfField(session)}<input type="hidden" name="kind" value="${f.kind}"><input type="hidden" name="back" value="${link(result.page)}">
${table}
<fieldset class="noprint"><legend>選んだ「${label('kind', f.kind)}」の項目を一括承認（一件ずつ承認したものとして記録。上書きが確認待ちの項目は承認しません）</legend>
<label>${reasonLabel(true, f.kind === 'decision_review')} <textarea name="reason" rows="2" cols="60" required placeholder="${f.kind === 'decision_review' ? '住民に伝える理由（住民に伝わる言葉で）' : '確認した内容（職員の記録）'}"></textarea></label>
<button>選んだ項目を一括承認する</button></fieldset></form>`
  : table}
<nav class="noprint">${result.page > 1 ? html`<a href="${link(result.page - 1)}" rel="prev">前のページ</a> ` : ''}${result.page < result.pages ? html`<a href="${link(result.page + 1)}" rel="next">次のページ</a>` : ''}</nav>`;
    return reply.type('text/html').send(page('審査キュー', session, body));
  });

  // The filtered list as a spreadsheet: UTF-8 with a BOM (Excel reads it as UTF-8 then), every
  // text cell that could be taken for a formula neutralised (safe-cell.ts).
  app.get<{ Querystring: QueueQuery }>('/review.csv', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    const f = queueFilter(request.query);
    const [result, programs] = await Promise.all([reviewQueue(db, request.session!.user, { ...f, all: true }), programNames(db, request.session!.user)]);
    // The resolved list adds when and by whom, at the end: the other lists' columns stay as they were.
    const resolved = f.status === 'resolved';
    const rows = result.rows.map((r) => [
      r.id, label('kind', r.kind), queueState(r), programs.get(r.program) ?? r.program, r.program, r.household_id, r.head_name ?? '',
      r.amount_yen ?? '', perMonth(r) ? '月額' : '', r.decision_id ?? '', dateTime(r.created_at),
      ...(resolved ? [r.resolved_at ? dateTime(r.resolved_at) : '', r.resolved_by ?? ''] : []),
    ]);
    const header = ['番号', '種類', '状態', '制度', '制度ID', '世帯番号', '世帯主', '金額（円）', '金額の単位', '決定番号', '登録日時（実際の時刻）', ...(resolved ? ['処理日時', '処理者'] : [])];
    const csv = stringify([header, ...rows], { cast: SAFE_CAST, record_delimiter: '\r\n' });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="review-queue-${todayInJapan()}.csv"`)
      .send(`\uFEFF${csv}`);
  });

  app.get<{ Params: { id: string }; Querystring: { purpose?: string; done?: string } }>('/decisions/:id', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    if (!request.query.purpose) return reply.type('text/html').send(purposeChooser(request, '決定の表示'));
    const view = await decisionView(db, request.session!.user, request.params.id, checkedPurpose(request.query.purpose));
    return reply.type('text/html').send(page(`決定 ${view.decision.decision_id}`, request.session, decisionBody(view, request.session!, request.query)));
  });

  const reviewer = staffOnly(db, 'reviewer');
  app.post<{ Body: unknown }>('/review-items/bulk-approve', { ...reviewer, schema: { hide: true } }, async (request, reply) => {
    const b = request.body as Record<string, unknown> | undefined;
    const kind = formField(b, 'kind', 64);
    if (!isLabel('kind', kind)) return reply.code(400).type('text/html').send(page('入力エラー', request.session, html`<p class="error">種類を選んでください。</p>`));
    // One checkbox sends a string, several an array.
    const raw = b && Object.hasOwn(b, 'ids') ? b.ids : [];
    const ids = (Array.isArray(raw) ? raw : [raw]).map((v) => idParam(v, 'ids'));
    const done = await bulkApprove(db, request.session!.user, kind as ReviewItemKind, ids, formField(b, 'reason'));
    const back = safeBack(formField(b, 'back'));
    const report = new URLSearchParams({ approved: String(done.approved.length), ...(done.skipped.length ? { skipped: done.skipped.map((s) => `${s.id}:${s.why}`).join('\n').slice(0, 1500) } : {}) });
    return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}${report}`, 303);
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/review-items/:id/actions', { ...reviewer, schema: { hide: true } }, async (request, reply) => {
    const b = request.body;
    const id = idParam(request.params.id);
    const action = formField(b, 'action');
    const outcome = formField(b, 'outcome');
    const amount = formField(b, 'amount_yen');
    if (!isLabel('action', action) || action === 'confirm') return reply.code(400).type('text/html').send(page('入力エラー', request.session, html`<p class="error">操作を選んでください。</p>`));
    if (amount && !(/^[0-9]{1,10}$/.test(amount) && Number(amount) <= MAX_AMOUNT_YEN)) {
      return reply.code(400).type('text/html').send(page('入力エラー', request.session, html`<p class="error">金額は${MAX_AMOUNT_YEN.toLocaleString('ja-JP')}円以下の整数で入力してください。</p>`));
    }
    const input: ActionInput = {
      action,
      reason: formField(b, 'reason'),
      outcome: outcome === 'eligible' || outcome === 'ineligible' ? outcome : undefined,
      amount_yen: amount ? Number(amount) : undefined,
    };
    const result = await actOnReviewItem(db, request.session!.user, id, input);
    const back = safeBack(formField(b, 'back'));
    // A hold that came after the Zengin file: say so plainly, and how to stop the transfer.
    if (result.warning_ja) return reply.type('text/html').send(page('保留しました（出力済みの振込があります）', request.session, html`<p class="error" role="alert">${result.warning_ja}</p><p><a href="${back}">戻る</a></p>`));
    return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}done=${input.action}`, 303);
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/review-actions/:id/confirm', { ...staffOnly(db, 'supervisor'), schema: { hide: true } }, async (request, reply) => {
    await confirmOverride(db, request.session!.user, idParam(request.params.id));
    const back = safeBack(formField(request.body, 'back'));
    return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}done=confirm`, 303);
  });
}

type QueueQuery = { kind?: string; program?: string; status?: string; sort?: string; page?: string; approved?: string; skipped?: string };

// The item's recording time (the real clock), not the nightly's business date, which a demo's
// nightlies for past dates set years before: the queue names it for what it is.
const SORT_LABELS: Record<QueueSort, string> = { date: '登録日時の古い順', date_desc: '登録日時の新しい順', amount_desc: '金額の大きい順', amount: '金額の小さい順', kind: '種類順', resolved_desc: '処理日時の新しい順' };

/**
 * An item about a decision carries the decision's amount, per month for a monthly program; a
 * payment's item (口座未登録, 振込不能, 返還) carries what that payment pays or recovers.
 */
const perMonth = (r: { kind: string; period_kind: string | null }) => r.period_kind === 'monthly' && ['decision_review', 'large_change', 'stop'].includes(r.kind);

/** The amount at stake; a case the engine could not decide shows what approving it would pay. */
function atStake(r: { kind: string; amount_yen: number | null; period_kind: string | null }): Html {
  if (r.amount_yen === null) return html``;
  const monthly = perMonth(r) ? '月額 ' : '';
  return r.kind === 'decision_review' ? html`${monthly}${money(r.amount_yen)}<br><small>（承認すると支給する額）</small>` : html`${monthly}${money(r.amount_yen)}`;
}

type QueueRow = { kind: string; amount_yen: number | null; period_kind: string | null; decided_action: string | null; decided_outcome: string | null; decided_amount_yen: number | string | null };

/**
 * A resolved item: what staff decided, as its last approve, reject or override says, and the
 * amount so decided (0円 for a reject; the override's amount), not what approving would pay.
 */
function decidedCells(r: QueueRow): Html {
  const monthly = perMonth(r) ? '月額 ' : '';
  if (r.decided_action === 'reject') return html`<td>却下（不支給）</td><td class="num">0円</td>`;
  if (r.decided_action === 'override') {
    const paid = r.decided_outcome === 'eligible';
    return html`<td>変更（職員が決定）：${label('outcome', r.decided_outcome)}</td><td class="num">${paid ? html`${monthly}${money(Number(r.decided_amount_yen ?? 0))}` : '0円'}</td>`;
  }
  if (r.decided_action === 'approve') return html`<td>承認</td><td class="num">${r.amount_yen === null ? '' : html`${monthly}${money(r.amount_yen)}`}</td>`;
  return html`<td>（記録なし）</td><td class="num"></td>`;
}

/**
 * A reason field's label says where its text goes: a staff decision's reason (approve or reject
 * of a 要審査 case, an override) and a 照会 are printed word for word in the resident's letter
 * (src/notices), so a clerk's working note must not be typed there; any other reason (a hold,
 * the approval of a large change) stays in the office's records.
 */
function reasonLabel(required: boolean, letter: boolean): string {
  const need = required ? '必須' : '任意';
  return letter ? `理由（${need}・通知書に記載されます）` : `内部の記録（${need}・通知書には載りません）`;
}

/**
 * What kind of decision it is, in a line: a staff decision is 職員の判断 whatever it changed (a
 * staff 却下 is stored as an outcome change, whose label 判定の変更 is also the override form's
 * name, and would read as an override); an engine decision, its change.
 */
export function changeText(d: { change_kind: string; decided_by?: number | null }): string {
  return d.decided_by !== null && d.decided_by !== undefined ? '職員の判断' : label('change', d.change_kind);
}

/** An item's state as a clerk follows it up: a 照会 waiting for its answer says so (held as well, if it is). */
export function queueState(r: { status: string; awaiting_reply: boolean | null }): string {
  if (!r.awaiting_reply) return label('status', r.status);
  return r.status === 'held' ? `保留中・${label('status', 'awaiting_reply')}` : label('status', 'awaiting_reply');
}

/** The same state from an item and the actions of its page: unresolved, its last action a 照会 (as the queue reads it in case-reads.service.ts). */
export function itemState(item: { id: number; status: string }, allActions: Action[]): string {
  const last = allActions.filter((a) => a.review_item_id === item.id).at(-1);
  return queueState({ status: item.status, awaiting_reply: item.status !== 'resolved' && last?.action === 'request_info' });
}

function bulkNotice(q: QueueQuery): Html {
  const skipped = typeof q.skipped === 'string' && q.skipped ? q.skipped.split('\n').slice(0, 100) : [];
  return html`${Number(q.approved) || 0}件を承認しました。次の夜間処理で支払と通知に反映されます。${skipped.length ? html`<br>承認しなかった項目: ${skipped.map((s) => html`<br>審査項目 ${s.replace(':', '：')}`)}` : ''}`;
}

function itemLink(r: { id: number; decision_id: string | null; household_id: string }): string {
  return r.decision_id ? `/decisions/${encodeURIComponent(r.decision_id)}?purpose=review` : `/households/${encodeURIComponent(r.household_id)}?purpose=review#item-${r.id}`;
}

/** Reading a person's data needs a reason: asked once, then carried by the link. */
export function purposeChooser(request: FastifyRequest, title: string): string {
  const url = new URL(request.url, 'http://localhost');
  return page(title, request.session, html`
<form method="get" action="${url.pathname}"><fieldset><legend>閲覧の目的を選んでください（アクセス記録に残り、ご本人が確認できます）</legend>
${Object.entries(PURPOSES).map(([k, v], i) => html`<label><input type="radio" name="purpose" value="${k}"${i === 0 ? html` checked` : ''}> ${v}</label>`)}
${[...url.searchParams].filter(([k]) => k !== 'purpose').map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<button autofocus>表示する</button></fieldset></form>`);
}

const RESULT = (r: boolean | null) => (r === null ? html`<span class="unknown">？ 不明</span>` : r ? html`<span class="pass">○ 満たす</span>` : html`<span class="fail">× 満たさない</span>`);

function conditionsTree(e: Explanation, sources: SourceRecord[], perMonth: string, name: (personId: string) => string): Html {
  const cite = (c: ConditionResult['citation']) => html`${c.title}${c.article ? html` ${c.article}` : ''}${c.url ? html` <a href="${c.url}" rel="noreferrer">出典</a>` : ''}`;
  return html`<ul class="tree">
${e.conditions.map((c) => html`<li>${RESULT(c.result)} ${c.text_ja}
<ul>${c.operator === 'confirmed' ? confirmedLine(c, perMonth, name) : html`<li title="${c.fact}">${factText(c.fact) ? html`事実: ${factText(c.fact)} の値` : '値'} <strong>${show(c.value)}</strong>、基準 ${show(c.threshold)}${OPERATOR_JA[c.operator] ?? c.operator}</li>`}
${paramsText(c.params ?? {}).map(([name, text]) => html`<li>${name}: ${text}</li>`)}
<li>根拠: ${cite(c.citation)}</li>
${recordRefs(c, sources)}</ul></li>`)}
</ul>
${sourceList(sources)}`;
}

/** A condition that waits for a confirmation: whom it is about and the amount once confirmed, not a "value against a threshold". */
function confirmedLine(c: ConditionResult, perMonth: string, name: (personId: string) => string): Html {
  const who = Array.isArray(c.value) ? c.value.map((id) => `${name(String(id))}宛名番号 ${String(id)}`).join('、') : show(c.value);
  return html`<li title="${c.fact}">確認が必要な世帯員: ${who}。要件を確認できた場合の額: <strong>${perMonth}${money(Number(c.threshold))}</strong></li>`;
}

/** The records a condition read: tax records of its fiscal year, else the resident records. */
function recordsOf(c: ConditionResult, sources: SourceRecord[]): number[] {
  const year = typeof c.params?.fiscal_year === 'number' ? c.params.fiscal_year : null;
  return sources.flatMap((s, i) => ((year === null ? s.kind === 'residents' : s.kind === 'income' && s.fiscal_year === year) ? [i + 1] : []));
}

/** A condition names the records it read by their numbers in the list below the conditions. */
function recordRefs(c: ConditionResult, sources: SourceRecord[]): Html {
  const used = recordsOf(c, sources);
  return used.length === 0 ? html`` : html`<li>記録: ${used.map((n) => html`<a href="#record-${n}">[${n}]</a>`)}</li>`;
}

/** Each record the decision read, once, numbered for the conditions to refer to. */
function sourceList(sources: SourceRecord[]): Html {
  if (sources.length === 0) return html``;
  return html`<h3>判定に使った記録</h3>
<ol class="records">${sources.map((s, i) => html`<li id="record-${i + 1}">${s.kind === 'income' ? `課税情報（${s.fiscal_year}年度）` : '住民記録'} 宛名番号 ${s.person_id}・効力発生日 ${date(s.valid_from)}・記録日時 ${dateTime(s.recorded_at)}・変更ID ${s.change_id}</li>`)}</ol>`;
}

/**
 * What is paid now and what would be, in words: a 要審査 case pays nothing until staff decide,
 * and the rules' total is what approving pays; where a confirmation (確認書) would raise it, that
 * amount too.
 */
function amountNow(d: View['decision'], e: Explanation, perMonth: string): Html {
  const confirmed = e.conditions.find((c) => c.operator === 'confirmed' && c.result === null);
  const total = html`${perMonth}${money(e.amount.total_yen)}`;
  const lines =
    d.outcome === 'review'
      ? [
          html`現在の支給額: <strong>0円</strong>（判定できないため、職員が決定するまで支給しません）`,
          confirmed ? html`要件を確認できた場合: <strong>${perMonth}${money(Number(confirmed.threshold))}</strong>` : null,
          html`${confirmed ? '確認できないまま承認した場合' : '承認した場合'}: <strong>${total}</strong>（上の計算の合計）`,
        ]
      : [html`現在の支給額: <strong>${d.outcome === 'eligible' ? html`${perMonth}${money(d.amount_yen)}` : '0円（支給しない）'}</strong>`];
  return html`<ul class="amount-now">${lines.filter((l) => l !== null).map((l) => html`<li>${l}</li>`)}</ul>`;
}

type View = Awaited<ReturnType<typeof decisionView>>;

/**
 * The first day of the member's resident record: a 転入 for someone who moved in, the start of the
 * records for a long-time resident, and the birth for a child born in the town (the 住民記録 has no
 * 転入 for them), which says 出生 rather than repeat the birth date.
 */
function residentSince(m: { birth_date: string; resident_since: string }): string {
  return m.resident_since === m.birth_date ? '（出生）' : date(m.resident_since);
}

/** 「山田 太郎（ヤマダ タロウ）・」 for a person the register names, else nothing. */
function nameOf(view: View, personId: string): string {
  const n = view.names.get(personId);
  return n ? `${n.name}${n.kana.trim() ? `（${n.kana}）` : ''}・` : '';
}

function decisionBody(view: View, session: Session, query: { purpose?: string; done?: string }): Html {
  const d = view.decision;
  const e = d.explanation;
  const p = view.previous;
  const back = `/decisions/${encodeURIComponent(d.decision_id)}?purpose=${encodeURIComponent(query.purpose ?? 'review')}`;
  const perMonth = d.period_kind === 'monthly' ? '月額 ' : '';
  const staff = d.decided_by !== null && d.decided_by !== undefined;
  return html`
${query.done ? html`<p class="notice" role="status">「${label('action', query.done)}」を記録しました。${query.done === 'override' ? '別の監督者が確認すると決定となり、その後の夜間処理で支払と通知に反映されます。' : '次の夜間処理で支払と通知に反映されます。'}</p>` : ''}
${view.next ? html`<p class="notice">この決定は <a href="/decisions/${encodeURIComponent(view.next.decision_id)}?purpose=${query.purpose ?? 'review'}">${view.next.decision_id}</a>（${changeText(view.next)}）に置き換えられています。</p>` : ''}
${staff ? html`<section class="notice staff-decision"><h2>職員の判断による決定</h2>
<p>${label('outcome', d.outcome)}：職員 ${e.staff?.login ?? ''} が ${dateTime(d.decided_at)} に決定しました。${d.outcome === 'eligible' ? html`支給額は ${perMonth}${money(d.amount_yen)}です。` : '支給しません（0円）。'}</p>
<p>理由: <strong>${e.staff?.reason ?? ''}</strong></p></section>` : ''}
<table><tbody>
<tr><th>制度</th><td>${e.program_name_ja}（${d.program}）</td></tr>
<tr><th>世帯番号</th><td><a href="/households/${encodeURIComponent(d.household_id)}?purpose=${query.purpose ?? 'review'}">${d.household_id}</a></td></tr>
<tr><th>判定</th><td><strong>${label('outcome', d.outcome)}</strong>（${changeText(d)}）${d.decided_by ? html`・職員 ${e.staff?.login ?? ''} による決定（理由: ${e.staff?.reason ?? ''}）` : html`・エンジンによる判定`}</td></tr>
<tr><th>金額</th><td>${d.period_kind === 'monthly' ? '月額 ' : ''}${money(d.amount_yen)}${d.outcome === 'review' ? html`（判定できないため未定。承認すると、ルールが計算した ${d.period_kind === 'monthly' ? '月額 ' : ''}${money(e.amount.total_yen)} を支給）` : ''}</td></tr>
<tr><th>適用開始</th><td>${date(d.effective_from)}</td></tr>
<tr><th>受給者</th><td>${d.recipient_person_id ? html`${nameOf(view, d.recipient_person_id)}宛名番号 ${d.recipient_person_id}` : '（なし）'}</td></tr>
<tr><th>判定の基準日</th><td>${date(d.as_of)}時点の情報で判定</td></tr>
${view.nightly_date ? html`<tr><th>夜間処理の日付</th><td>${date(view.nightly_date)}</td></tr>` : ''}
<tr><th>処理日時（実際の時刻）</th><td>${dateTime(d.decided_at)}（${dateTime(d.known_at)}までに記録された情報による）</td></tr>
<tr><th>ルール版</th><td><code>${d.rule_version}</code>（${e.rules_file}）</td></tr>
</tbody></table>

${staff
  ? html`<h2>職員の判断の前のエンジンによる評価</h2>
<p>以下は、職員が判断する前にエンジンが評価した内容です。「満たす」とされた要件があっても、決定は上の職員の判断によります。</p>`
  : html`<h2>判定の理由</h2>`}
${conditionsTree(e, view.sources, perMonth, (id) => nameOf(view, id))}
<h3>金額の計算</h3>
${amountNow(d, e, perMonth)}
${staff && d.outcome !== 'eligible'
  ? html`<p>職員の判断により不支給と決定したため、支給額の計算はありません。</p>`
  : html`${staff ? html`<p>エンジンが計算した額（職員の判断の前）の内訳です。支給するのは上の「現在の支給額」です。</p>` : ''}<table><thead><tr><th>内訳</th><th>金額</th><th>根拠</th></tr></thead><tbody>
${e.amount.steps.map((s) => html`<tr><td>${amountStepLabel(s)}</td><td class="num">${money(s.value_yen)}</td><td>${s.citation.title}${s.citation.article ? ` ${s.citation.article}` : ''}</td></tr>`)}
<tr><th>合計</th><th class="num">${money(e.amount.total_yen)}</th><td>${d.outcome === 'review' ? '承認した場合に支給する額（現在は支給していません）' : staff ? 'エンジンが計算した額' : e.amount.paid ? '支給する' : '支給しない'}</td></tr>
</tbody></table>`}
<p>受給者: ${e.recipient.reason_ja}</p>
<h3>世帯員（判定時）</h3>
<table><thead><tr><th>宛名番号</th><th>氏名</th><th>フリガナ</th><th>続柄</th><th>生年月日</th><th>住民となった日</th></tr></thead><tbody>
${view.members.map((m) => html`<tr><td>${m.person_id}</td><td>${view.names.get(m.person_id)?.name ?? ''}</td><td>${view.names.get(m.person_id)?.kana ?? ''}</td><td>${m.relationship}</td><td>${date(m.birth_date)}</td><td>${residentSince(m)}</td></tr>`)}
</tbody></table>

<h2>前回の決定との違い</h2>
${p ? changes(p, d) : html`<p>この世帯についての最初の決定です。</p>`}

<h2>審査</h2>
${view.items.length === 0 ? html`<p>この決定についての審査項目はありません。</p>` : view.items.map((item) => itemSection(item as Item, view.actions as Action[], session, back, d.period_kind === 'monthly'))}

<h2>支払</h2>
${view.payments.length === 0 ? html`<p>この決定に基づく支払はありません。</p>` : html`<table><thead><tr><th>対象期間</th><th>支払日</th><th>種類</th><th>金額</th><th>状態</th><th>口座</th></tr></thead><tbody>
${view.payments.map((l) => html`<tr><td>${date(l.period_start)}〜${date(l.period_end)}</td><td>${date(l.payment_date)}</td><td>${l.kind === 'arrears' ? '追給' : l.kind === 'reissue' ? '再振込' : '定例'}</td><td class="num">${money(l.amount_yen)}</td><td>${label('line', l.status)}</td><td>${l.bank_code ? `${l.bank_code}-${l.branch_code} ${l.account_masked}` : '支払時に決定'}</td></tr>`)}
</tbody></table>`}
<h2>通知</h2>
${view.notices.length === 0 ? html`<p>この決定についての通知はありません。</p>` : html`<table><thead><tr><th>通知番号</th><th>種類</th><th>発行日</th><th>状態</th></tr></thead><tbody>
${view.notices.map((n) => html`<tr><td>${n.notice_id}</td><td>${n.kind}</td><td>${date(n.issued_on)}</td><td>${n.status === 'rendered' ? '印刷データ作成済み' : '作成待ち'}</td></tr>`)}
</tbody></table>`}`;
}

function changes(p: NonNullable<View['previous']>, d: View['decision']): Html {
  const rows: [string, string, string][] = [];
  if (p.outcome !== d.outcome) rows.push(['判定', label('outcome', p.outcome), label('outcome', d.outcome)]);
  if (p.amount_yen !== d.amount_yen) rows.push(['金額', money(p.amount_yen), money(d.amount_yen)]);
  if (p.recipient_person_id !== d.recipient_person_id) rows.push(['受給者', p.recipient_person_id ?? '（なし）', d.recipient_person_id ?? '（なし）']);
  for (const c of d.explanation.conditions) {
    const before = p.explanation.conditions.find((x) => x.id === c.id);
    if (!before || before.result !== c.result || show(before.value) !== show(c.value)) {
      rows.push([c.text_ja, before ? `${show(before.value)}（${resultText(before.result)}）` : '（なし）', `${show(c.value)}（${resultText(c.result)}）`]);
    }
  }
  return html`<p>前回: <a href="/decisions/${encodeURIComponent(p.decision_id)}?purpose=review">${p.decision_id}</a>（${date(p.effective_from)}から、${label('outcome', p.outcome)} ${money(p.amount_yen)}）</p>
${rows.length === 0 ? html`<p>判定・金額・受給者に違いはありません。</p>` : html`<table><thead><tr><th>項目</th><th>前回</th><th>今回</th></tr></thead><tbody>${rows.map(([k, a, b]) => html`<tr><td>${k}</td><td>${a}</td><td>${b}</td></tr>`)}</tbody></table>`}`;
}

const resultText = (r: boolean | null) => (r === null ? '不明' : r ? '満たす' : '満たさない');

/**
 * A review item with its history and, for a reviewer, the forms to act on it. `monthly`: the
 * item's program pays a monthly benefit, so an override's amount is a 月額 (as its form says).
 */
export function itemSection(item: Item, allActions: Action[], session: Session, back: string, monthly: boolean): Html {
  const overridden = (a: Action) => html`${label('outcome', a.outcome)} ${monthly && a.amount_yen !== null ? '月額 ' : ''}${money(a.amount_yen)}`;
  const actions = allActions.filter((a) => a.review_item_id === item.id);
  const confirmed = new Set(actions.map((a) => a.confirms).filter((id) => id !== null));
  const pending = actions.filter((a) => a.action === 'override' && !confirmed.has(a.id));
  const canAct = item.status !== 'resolved' && roleAtLeast(session.user.role, 'reviewer');
  const form = (action: string, legend: string, fields: Html, button: string) => html`
<form method="post" action="/review-items/${item.id}/actions"><fieldset><legend>${legend}</legend>${csrfField(session)}
<input type="hidden" name="action" value="${action}"><input type="hidden" name="back" value="${back}">${fields}<button>${button}</button></fieldset></form>`;
  const reason = (required: boolean, letter: boolean, hint: string) => html`<label>${reasonLabel(required, letter)} <textarea name="reason" rows="2" cols="60"${required ? html` required` : ''} placeholder="${hint}"></textarea></label>`;
  // Approving a 要審査 case is a staff decision, whose reason the 認定通知書 prints; approving anything else only closes the item.
  const approveDecides = item.kind === 'decision_review';
  return html`<section id="item-${item.id}"><h3>審査項目 ${item.id}: ${label('kind', item.kind)}（${itemState(item, allActions)}）</h3>
${actions.length ? html`<table><thead><tr><th>日時</th><th>職員</th><th>操作</th><th>理由</th></tr></thead><tbody>
${actions.map((a) => html`<tr><td>${dateTime(a.created_at)}</td><td>${a.staff_login}</td><td>${label('action', a.action)}${a.action === 'override' ? html`（${overridden(a)}）` : ''}</td><td>${a.reason ?? ''}</td></tr>`)}
</tbody></table>` : ''}
${pending.map((o) =>
  o.staff_user_id !== session.user.id && roleAtLeast(session.user.role, 'supervisor') && item.status !== 'resolved'
    ? html`<form method="post" action="/review-actions/${o.id}/confirm">${csrfField(session)}<input type="hidden" name="back" value="${back}">
<p class="notice">${o.staff_login} さんの上書き（${overridden(o)}、理由: ${o.reason}）が確認を待っています。 <button>上書きを確認する</button></p></form>`
    : html`<p class="notice">上書き（${overridden(o)}）は、作成者以外の監督者の確認を待っています。</p>`,
)}
${canAct
  ? html`${form('approve', approveDecides ? '承認（ルールが計算した額で支給と決定）' : '承認（確認済みとして完了し、保留を解除）', reason(false, approveDecides, approveDecides ? '住民に伝える理由（空欄なら「担当職員が記録を確認し、決定しました。」）' : '確認した内容（職員の記録）'), '承認する')}
${item.kind === 'decision_review' ? form('reject', '却下（不支給と決定）', reason(true, true, '不支給とする理由（住民に伝わる言葉で）'), '却下する') : ''}
${item.status === 'open' ? form('hold', '保留（支払を止める）', reason(true, false, '保留の理由（職員の記録）'), '保留する') : ''}
${form('request_info', '本人への照会（文書を送付）', reason(true, true, '本人に確認したい事項'), '照会文書を作成する')}
${item.decision_id ? form('override', '判定の変更（上書き：別の監督者の確認が必要）', html`<label>判定 <select name="outcome" required><option value="eligible">支給</option><option value="ineligible">不支給</option></select></label>
<label>金額（円、支給の場合。毎月支給する制度は月額） <input name="amount_yen" type="number" min="1" step="1" inputmode="numeric"></label>${reason(true, true, '上書きの理由（住民に伝わる言葉で）')}`, '上書きを申請する') : ''}`
  : ''}
</section>`;
}
