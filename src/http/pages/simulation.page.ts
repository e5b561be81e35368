import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { IngestContext } from '../../changes/import.service.ts';
import { draftFolders, listSimulations, requestSimulation, simulationReportFile } from '../../simulation/simulation-run.service.ts';
import { formField, idParam } from '../input.ts';
import { staffOnly } from '../session-auth.ts';
import { csrfField, date, dateTime, html, page, todayInJapan, type Html } from './html.ts';

const STATUS_JA = { queued: '待機中', running: '実行中', done: '完了', failed: '失敗' } as const;

/** Supervisors choose a draft folder, run its simulation in the background, and read the report. */
export function simulationPages(app: FastifyInstance, ctx: IngestContext & { draftsDir: string; reportsDir: string }): void {
  const supervisor = staffOnly(ctx.db, 'supervisor');

  app.get<{ Querystring: { started?: string } }>('/simulations', { ...supervisor, schema: { hide: true } }, async (request, reply) => {
    const drafts = draftFolders(ctx.draftsDir);
    const runs = await listSimulations(ctx.db, request.session!.user);
    const body = html`
${request.query.started ? html`<p class="notice" role="status">試算 ${request.query.started} を開始しました。終わると下の一覧から報告書を開けます（再読み込みしてください）。</p>` : ''}
<form method="post" action="/simulations"><fieldset><legend>ルール案を選んで試算する（決定・支払・通知には何も書き込みません）</legend>${csrfField(request.session!)}
${drafts.length === 0
  ? html`<p>ルール案のフォルダがありません（BENEFIT_DRAFTS_DIR: ${ctx.draftsDir}）。</p>`
  : html`<label>ルール案 <select name="draft" required>${drafts.map((d) => html`<option value="${d}">${d}</option>`)}</select></label>
<label>基準日 <input type="date" name="as_of" required value="${todayInJapan()}"></label>
<button>試算を開始する</button>`}
</fieldset></form>
<table><thead><tr><th>番号</th><th>ルール案</th><th>基準日</th><th>依頼者</th><th>状態</th><th>依頼日時</th><th>報告書</th></tr></thead><tbody>
${runs.map((r) => html`<tr><td>${r.id}</td><td>${r.draft}</td><td>${date(r.as_of)}</td><td>${r.requested_login}</td><td>${STATUS_JA[r.status]}${r.error ? failure(r.error) : ''}</td><td>${dateTime(r.created_at)}</td>
<td>${r.status === 'done' ? html`<a href="/simulations/${r.id}/report.html">報告書</a> ・ <a href="/simulations/${r.id}/changed-households.csv">CSV</a>` : ''}</td></tr>`)}
</tbody></table>`;
    return reply.type('text/html').send(page('ルール改正の試算', request.session, body));
  });

  app.post<{ Body: unknown }>('/simulations', { ...supervisor, schema: { hide: true } }, async (request, reply) => {
    const input = { draft: formField(request.body, 'draft', 200) ?? '', as_of: formField(request.body, 'as_of', 32) ?? '' };
    const id = await requestSimulation(ctx as Parameters<typeof requestSimulation>[0], request.session!.user, input);
    return reply.redirect(`/simulations?started=${id}`, 303);
  });

  const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', json: 'application/json', csv: 'text/csv; charset=utf-8', css: 'text/css', woff2: 'font/woff2' };
  app.get<{ Params: { id: string; '*': string } }>('/simulations/:id/*', { ...supervisor, schema: { hide: true } }, async (request, reply) => {
    const file = await simulationReportFile(ctx.db, ctx.reportsDir, request.session!.user, idParam(request.params.id), request.params['*']);
    return reply.type(TYPES[file.split('.').pop()!]).send(fs.createReadStream(file));
  });
}

/**
 * Why a simulation failed, as a supervisor reads it. A draft refused by its own cases lists
 * each failing case (program, case, expected, got) in a list under the status, folded, instead
 * of one long line of JSON that widened the table; any other failure is shown as it is, wrapped.
 */
function failure(error: string): Html {
  const [first, ...rest] = error.split('\n').map((l) => l.trim()).filter(Boolean);
  const cases = rest.map((l) => /^(\S+): case "(.*)" fails: expected (.*), got (.*)$/.exec(l));
  if (/^the draft is refused/.test(first) && cases.length > 0 && cases.every((m) => m !== null)) {
    return html`<details class="why"><summary>ルール案の事例 ${cases.length}件が期待どおりになりません（採用できません）</summary><ul>
${cases.map((m) => html`<li>${m![1]}「${m![2]}」：期待 ${outcomeText(m![3])}、結果 ${outcomeText(m![4])}</li>`)}</ul></details>`;
  }
  return html`<div class="why"><small>${error}</small></div>`;
}

/** A case's expected or actual result ({"outcome": …, "amount_yen": …}) in words, else the text. */
function outcomeText(json: string): string {
  try {
    const v = JSON.parse(json) as { outcome?: string; amount_yen?: number };
    const outcome = { eligible: '支給', ineligible: '不支給', review: '要審査' }[v.outcome ?? ''] ?? v.outcome ?? '';
    return `${outcome}${typeof v.amount_yen === 'number' ? ` ${v.amount_yen.toLocaleString('ja-JP')}円` : ''}`.trim() || json;
  } catch {
    return json;
  }
}
