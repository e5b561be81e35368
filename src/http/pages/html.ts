import { japanTime } from '../../codes/japan-time.ts';
import { label } from '../../codes/labels.ts';
import { wareki, yen } from '../../engine/wareki.ts';
import type { Session } from '../../staff/staff.service.ts';
import { CSRF_FIELD } from '../session-auth.ts';
import { html, Html } from '../../html-template.ts';

export { html, Html };
// The labels are shared with the command line (benefit access-log): defined with the codes.
export { isLabel, label, LABELS } from '../../codes/labels.ts';

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
