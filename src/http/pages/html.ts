import { japanTime } from '../../codes/japan-time.ts';
import { wareki, yen } from '../../engine/wareki.ts';
import type { Session } from '../../staff/staff.service.ts';
import { CSRF_FIELD } from '../session-auth.ts';
import { html, Html } from '../../html-template.ts';

export { html, Html };

export const LABELS = {
  kind: { decision_review: '要審査（判定不能）', large_change: '大きな額の変更', stop: '支給停止', failed_transfer: '振込不能', missing_account: '口座未登録', recovery: '返還' },
  // awaiting_reply is no stored status: an open or held item whose last action was a 照会 (case-reads.service.ts).
  status: { open: '未処理', held: '保留中', resolved: '処理済み', awaiting_reply: '照会中（回答待ち）' },
  outcome: { eligible: '支給', ineligible: '不支給', review: '要審査' },
  change: { new: '新規', amount_changed: '額の変更', stopped: '支給停止', restarted: '支給再開', outcome_changed: '判定の変更', recipient_changed: '受給者の変更', confirmed: '職員による確認' },
  action: { approve: '承認', reject: '却下', hold: '保留', request_info: '本人への照会', override: '判定の変更（上書き）', confirm: '上書きの確認' },
  line: { due: '支払予定', held: '保留', exported: '振込データ作成済み', failed: '振込不能', cancelled: '取消' },
  residentStatus: { resident: '住民', moved_out: '転出', deceased: '死亡' },
  role: { viewer: '閲覧者', reviewer: '審査担当', supervisor: '監督者', admin: '管理者', operator: 'システム運用者' },
  circumstance: {
    public_servant: '公務員（勤務先が児童手当を支給）',
    facility_placement: '施設入所・里親委託（措置）',
    supported_student: '監護・生計維持している22歳年度末までの子（確認書）',
    declined: '受給の辞退（辞退届）',
  },
} as const;

export function label<K extends keyof typeof LABELS>(group: K, key: string | null | undefined): string {
  if (!key) return '';
  const labels = LABELS[group] as Record<string, string>;
  return Object.hasOwn(labels, key) ? labels[key] : key;
}

export const money = (amount: number | null | undefined) => (amount === null || amount === undefined ? '' : yen(amount));
/** A date (YYYY-MM-DD, or the day of a moment in Japan) in 和暦. */
export const date = (iso: string | Date | null | undefined) => {
  if (!iso) return '';
  return wareki(typeof iso === 'string' ? iso.slice(0, 10) : japanTime(iso).slice(0, 10));
};
/** Today's date in Japan, YYYY-MM-DD: a server on UTC would give yesterday until 9 a.m. */
export const todayInJapan = () => japanTime(new Date()).slice(0, 10);
export const dateTime = (at: Date | string) => {
  const local = japanTime(new Date(at));
  return `${wareki(local.slice(0, 10))} ${local.slice(11, 16)}`;
};

export const csrfField = (session: Session) => html`<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">`;

export const FONT_PATH = '/assets/noto-sans-jp/';

/** True when `key` is one of the group's own keys (not `toString` or another prototype name). */
export function isLabel<K extends keyof typeof LABELS>(group: K, key: unknown): key is keyof (typeof LABELS)[K] & string {
  return typeof key === 'string' && Object.hasOwn(LABELS[group], key);
}

/**
 * The pages' one script, served from this site (the Content-Security-Policy allows no inline
 * script): a button marked data-print prints the page; a checkbox marked data-select-all=NAME
 * ticks or clears every checkbox NAME of its form (the queue's bulk approval).
 */
export const PAGE_SCRIPT_PATH = '/assets/page.js';
export const PAGE_SCRIPT = `document.querySelectorAll('button[data-print]').forEach(function (b) { b.addEventListener('click', function () { window.print(); }); });
document.querySelectorAll('input[data-select-all]').forEach(function (all) { all.addEventListener('change', function () {
  all.form.querySelectorAll('input[name=' + all.dataset.selectAll + ']').forEach(function (box) { box.checked = all.checked; }); }); });\n`;

/** The pages' style block; the Content-Security-Policy allows it by its hash. */
export const PAGE_STYLE = `
body{font-family:"Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;margin:0;color:#1a1a1a;background:#f6f7f9;line-height:1.6}
header{background:#1d3f72;color:#fff;padding:.5rem 1.5rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header .who{margin-left:auto}
main{max-width:72rem;margin:1rem auto;padding:0 1.5rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#e8ecf3}
td.num{text-align:right}
thead th,td.nw{white-space:nowrap}
.pass{color:#0a6b2d}.fail{color:#b00020}.unknown{color:#8a5a00}
.notice{background:#fff8e1;border:1px solid #e0c060;padding:.5rem 1rem}
.error{background:#fdecee;border:1px solid #b00020;padding:.5rem 1rem}
form.inline{display:inline}
.sr{position:absolute;left:-9999px}
.why{max-width:28rem;overflow-wrap:anywhere}.why ul{margin:.3rem 0;padding-left:1.2rem}
fieldset{background:#fff;border:1px solid #ccd;margin:.5rem 0 1rem}
label{display:block;margin:.3rem 0}
input,select,textarea,button{font:inherit}
button{padding:.3rem 1rem}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a000;outline-offset:1px}
@media print{header,form,.noprint{display:none}body{background:#fff}}
`;

/** The page frame: Japanese, the signed-in staff member, the main links. */
export function page(title: string, session: Session | undefined, body: Html): string {
  return html`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} | 給付審査</title>
<link rel="stylesheet" href="${FONT_PATH}400.css"><link rel="stylesheet" href="${FONT_PATH}700.css"><style>${new Html(PAGE_STYLE)}</style><script src="${PAGE_SCRIPT_PATH}" defer></script></head>
<body><header><strong>給付審査</strong>
${session
  ? html`<nav>${session.user.role === 'operator'
    ? html`<a href="/admin/queues">ジョブキュー</a>`
    : html`<a href="/review">審査キュー</a> ・ <a href="/search">住民検索</a>${['supervisor', 'admin'].includes(session.user.role) ? html` ・ <a href="/simulations">ルール改正の試算</a>` : ''}${session.user.role === 'admin' ? html` ・ <a href="/admin/users">職員アカウント</a>` : ''}`}</nav>
<span class="who">${session.user.login}（${label('role', session.user.role)}${session.user.municipalityCode ? `・${session.user.municipalityCode}` : ''}）</span>
<form class="inline" method="post" action="/logout">${csrfField(session)}<button>ログアウト</button></form>`
  : ''}
</header><main><h1>${title}</h1>${body}</main></body></html>`.value;
}
