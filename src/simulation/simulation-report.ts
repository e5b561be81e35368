import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stringify } from 'csv-stringify';
import { SAFE_CAST } from '../csv/safe-cell.ts';
import { wareki, yen } from '../engine/wareki.ts';
import { html, type Html } from '../html-template.ts';
import type { ChangedHousehold, Group, ProgramSimulation, SimulationSummary } from './simulate.service.ts';

const CATEGORY_JA = { newly_eligible: '新たに支給対象', no_longer_eligible: '支給対象外に', amount_increased: '増額', amount_decreased: '減額', unchanged: '変更なし' } as const;
const OUTCOME_JA: Record<string, string> = { eligible: '支給', ineligible: '不支給', review: '要審査', none: '（対象外）' };

const CSV_COLUMNS = ['program', 'municipality_code', 'household', 'category', 'current_outcome', 'current_amount_yen', 'draft_outcome', 'draft_amount_yen', 'head_age', 'household_type', 'district'];

/**
 * changed-households.csv in `dir`, written row by row while the simulation runs; the folder is
 * made on the first row (or at close), so a refused draft leaves nothing behind.
 */
export function openChangedCsv(dir: string): { write: (row: ChangedHousehold) => void; close: () => Promise<void> } {
  let csv: ReturnType<typeof stringify> | undefined;
  let out: fs.WriteStream | undefined;
  const open = () => {
    fs.mkdirSync(dir, { recursive: true });
    csv = stringify({ header: true, columns: CSV_COLUMNS, cast: SAFE_CAST });
    out = fs.createWriteStream(path.join(dir, 'changed-households.csv'));
    csv.pipe(out);
    return csv;
  };
  return {
    write: (row) => (csv ?? open()).write(row),
    close: () =>
      new Promise((resolve, reject) => {
        (csv ?? open()).end();
        out!.once('finish', resolve).once('error', reject);
      }),
  };
}

/** Writes summary.json (the contract's summary) and report.html with its font into `dir`. */
export function writeSimulationReport(dir: string, s: SimulationSummary): { summary: string; html: string } {
  fs.mkdirSync(dir, { recursive: true });
  const files = { summary: path.join(dir, 'summary.json'), html: path.join(dir, 'report.html') };
  fs.writeFileSync(files.summary, `${JSON.stringify(s, null, 2)}\n`);
  fs.writeFileSync(files.html, reportPage(s));
  copyFont(dir);
  return files;
}

/**
 * The report folder carries its Japanese font (Noto Sans JP, the npm package the notices use,
 * about 4 MB), so the page reads the same wherever it is opened or sent.
 */
function copyFont(dir: string): void {
  const source = path.dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-jp/400.css'));
  fs.mkdirSync(path.join(dir, 'fonts'), { recursive: true });
  const css = fs.readFileSync(path.join(source, '400.css'), 'utf8').replace(/, url\(\.\/files\/[^)]+\.woff\) format\('woff'\)/g, '');
  fs.writeFileSync(path.join(dir, 'fonts', 'noto-sans-jp.css'), css.replaceAll('./files/', './'));
  for (const file of fs.readdirSync(path.join(source, 'files')).filter((f) => f.endsWith('-400-normal.woff2'))) {
    fs.copyFileSync(path.join(source, 'files', file), path.join(dir, 'fonts', file));
  }
}

const signedYen = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${yen(Math.abs(n))}`;

/** Horizontal bars, one per row, scaled to the largest absolute value; negative bars in red. */
function bars(rows: { label: string; value: number; text: string }[]): Html {
  const max = Math.max(1, ...rows.map((r) => Math.abs(r.value)));
  const h = 26;
  return html`<svg class="chart" role="img" width="720" height="${rows.length * h + 8}" viewBox="0 0 720 ${rows.length * h + 8}" xmlns="http://www.w3.org/2000/svg">
${rows.map((r, i) => {
  const w = Math.round((Math.abs(r.value) / max) * 380);
  return html`<text x="0" y="${i * h + 18}" font-size="13">${r.label}</text><rect x="180" y="${i * h + 5}" width="${w}" height="18" fill="${r.value < 0 ? '#b00020' : '#1d3f72'}"></rect><text x="${186 + w}" y="${i * h + 18}" font-size="13">${r.text}</text>`;
})}</svg>`;
}

function breakdown(title: string, groups: Record<string, Group>, yearly: boolean): Html {
  const entries = Object.entries(groups).sort(([a], [b]) => a.localeCompare(b, 'ja'));
  return html`<h3>${title}</h3>
<table><thead><tr><th>区分</th><th>世帯数</th><th>変わる世帯</th><th>費用の増減${yearly ? '（年額）' : ''}</th></tr></thead><tbody>
${entries.map(([k, g]) => html`<tr><td>${k}</td><td class="num">${g.households.toLocaleString('ja-JP')}</td><td class="num">${g.changed.toLocaleString('ja-JP')}</td><td class="num">${signedYen(g.cost_delta_yen)}</td></tr>`)}
</tbody></table>
${bars(entries.map(([k, g]) => ({ label: k, value: g.cost_delta_yen, text: signedYen(g.cost_delta_yen) })))}`;
}

function programSection(p: ProgramSimulation): Html {
  const yearly = p.period_kind === 'monthly';
  const counts = (['newly_eligible', 'no_longer_eligible', 'amount_increased', 'amount_decreased', 'unchanged'] as const).map((k) => ({ label: CATEGORY_JA[k], value: p[k], text: `${p[k].toLocaleString('ja-JP')}世帯` }));
  return html`<section><h2>${p.name_ja}（${p.program}）</h2>
${p.has_rules_in_force ? '' : html`<p class="notice">この制度には施行中のルールがありません。案が対象とする世帯と費用の全体を示します。</p>`}
<table><tbody>
<tr><th>判定した世帯</th><td class="num">${p.evaluated.toLocaleString('ja-JP')}</td></tr>
<tr><th>現行ルールの費用${yearly ? '（年額）' : ''}</th><td class="num">${yen(p.cost_current_yen)}</td></tr>
<tr><th>案の費用${yearly ? '（年額）' : ''}</th><td class="num">${yen(p.cost_draft_yen)}</td></tr>
<tr><th>差額</th><td class="num"><strong>${signedYen(p.cost_delta_yen)}</strong></td></tr>
</tbody></table>
<h3>世帯ごとの変化</h3>
${bars(counts)}
<h3>現行ルールとの違い</h3>
${p.differences.length === 0 ? html`<p>パラメータ・条件・金額の計算に違いはありません。</p>` : html`<table><thead><tr><th>種類</th><th>名前</th><th>現行</th><th>案</th></tr></thead><tbody>
${p.differences.map((d) => html`<tr><td>${{ parameter: 'パラメータ', condition: '条件', amount: '金額の計算' }[d.kind]}</td><td><code>${d.name}</code></td><td><code>${JSON.stringify(d.current)}</code></td><td><code>${JSON.stringify(d.draft)}</code></td></tr>`)}
</tbody></table>`}
${breakdown('世帯主の年齢別', p.by_head_age, yearly)}
${breakdown('世帯の類型別', p.by_household_type, yearly)}
${breakdown('地区別', p.by_district, yearly)}
<h3>変わる世帯の例（説明の比較）</h3>
${p.sample.length === 0 ? html`<p>変わる世帯はありません。</p>` : html`<table class="sample"><thead><tr><th>世帯</th><th>現行ルール</th><th>案</th></tr></thead><tbody>
${p.sample.map((x) => html`<tr><td>${x.household}<br>${CATEGORY_JA[x.category]}</td>
<td>${x.current ? html`<strong>${OUTCOME_JA[x.current.outcome]} ${yen(x.current.amount_yen)}</strong><pre>${x.current.explanation_text}</pre>` : '（対象外）'}</td>
<td><strong>${OUTCOME_JA[x.draft.outcome]} ${yen(x.draft.amount_yen)}</strong><pre>${x.draft.explanation_text}</pre></td></tr>`)}
</tbody></table>`}
</section>`;
}

export function reportPage(s: SimulationSummary): string {
  return html`<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>ルール改正の試算（${wareki(s.as_of)}時点）</title>
<link rel="stylesheet" href="fonts/noto-sans-jp.css"><style>body{font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;max-width:72rem;margin:1rem auto;padding:0 1.5rem;color:#1a1a1a;line-height:1.6}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#e8ecf3}
td.num{text-align:right}pre{white-space:pre-wrap;font:inherit;font-size:.85rem;margin:.3rem 0}.notice{background:#fff8e1;border:1px solid #e0c060;padding:.5rem 1rem}
table.sample td{width:40%}table.sample td:first-child{width:20%}svg.chart{display:block;margin-bottom:1rem}</style></head>
<body><h1>ルール改正の試算</h1>
<p>${wareki(s.as_of)}時点の住民記録・課税情報に、施行中のルールと案を適用して世帯ごとに比べた結果です。決定・支払・通知には何も書き込んでいません。${s.masked ? '世帯番号は仮名に置き換えています。' : ''}月ごとの給付の費用は年額（月額の12倍）です。</p>
<table><thead><tr><th>制度</th><th>判定した世帯</th><th>新たに支給対象</th><th>支給対象外に</th><th>増額</th><th>減額</th><th>変更なし</th><th>差額</th></tr></thead><tbody>
${s.programs.map((p) => html`<tr><td>${p.name_ja}</td><td class="num">${p.evaluated.toLocaleString('ja-JP')}</td><td class="num">${p.newly_eligible}</td><td class="num">${p.no_longer_eligible}</td><td class="num">${p.amount_increased}</td><td class="num">${p.amount_decreased}</td><td class="num">${p.unchanged}</td><td class="num">${signedYen(p.cost_delta_yen)}</td></tr>`)}
</tbody></table>
${s.programs.map(programSection)}
</body></html>`.value;
}
