import { createWriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';
import { wareki, yen } from '../engine/wareki.ts';
import { fontRuns, type FontFace, type FontWeight } from './fonts.ts';
import { kyojiText } from './kyoji-text.ts';
import type { NoticeContent } from './notice-content.ts';
import { listMarker, wrapParagraph, type WrapOptions } from './text-layout.ts';

/**
 * Notices as PDF: one A4 page per notice (more when a notice does not fit), all notices of a
 * print run in one document. Layout, in points (1 mm = 2.835 pt):
 *
 *   ┌───────────────────────────────────────────────┐
 *   │  〒231-0017                     令和6年12月13日 │  address block where the window of a
 *   │  横浜市中区港町1-1            横浜市長 山中 竹春 │  長3 envelope is (23 mm from the left,
 *   │  山田 太郎 様                  お問い合わせ先…  │  17 mm from the top)
 *   │            児童手当 支給決定通知書              │
 *   │  summary …                                      │
 *   │  ┌──────────┬────────────────────────────┐      │  amount, breakdown, period,
 *   │  │ 月額     │ 40,000円                   │      │  payment date, account
 *   │  └──────────┴────────────────────────────┘      │
 *   │  判定の理由 …                                   │
 *   │  ┌ 教示 ──────────────────────────────────┐      │  at the foot of the page
 *   │  └────────────────────────────────────────┘      │
 *   │  N-000123                                  1/1  │
 *   └───────────────────────────────────────────────┘
 *
 * The page is laid out first (lines broken here, with 禁則, see text-layout.ts) and then drawn,
 * so a notice knows its page count for the "1/2" in the footer. Content that does not fit
 * continues on the next page (between lines of text and between table rows; only a single
 * table row taller than a whole page could still run past the bottom margin).
 */

const MM = 72 / 25.4;
const PAGE_W = 595.28;
const PAGE_H = 841.89;
const LEFT = 20 * MM;
const RIGHT = PAGE_W - 20 * MM;
const CONTENT_W = RIGHT - LEFT;
/** Lowest point content may reach; the footer is below it. */
const BOTTOM = PAGE_H - 17 * MM;
const FOOTER_BASELINE = PAGE_H - 10 * MM;
/** Where content starts on a continuation page, below its running header. */
const CONTINUATION_TOP = 22 * MM;

const ADDRESS_X = 23 * MM;
const ADDRESS_Y = 17 * MM;
const ADDRESS_W = 85 * MM;
const ISSUER_X = 118 * MM;

const BODY = 10.5;
const LINE = 1.65;
const INK = '#111111';
const GREY_TEXT = '#444444';
const RULE = '#555555';
const LABEL_FILL = '#ececec';

/** Ideographic em box: Noto Sans JP draws CJK glyphs from 0.12 em below to 0.88 em above the baseline. */
/** 全角スペース */
const SPACE = '\u3000';

const EM_ABOVE_BASELINE = 0.88;

interface TextOp {
  op: 'text';
  x: number;
  /** Top of the line box. */
  y: number;
  lineHeight: number;
  size: number;
  weight: FontWeight;
  text: string;
  color: string;
}
interface RectOp {
  op: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  fill?: string;
  stroke?: string;
  lineWidth?: number;
}
interface LineOp {
  op: 'line';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  color: string;
  lineWidth: number;
}
type DrawOp = TextOp | RectOp | LineOp;

// ---------------------------------------------------------------------------------------------
// Measuring: character advance widths are the same in every document, so they are kept for the
// life of the process (the first document that meets a character measures it).

/** Advance width at 1 pt of each character, by weight. */
const advance: Record<FontWeight, Map<string, number>> = { 400: new Map(), 700: new Map() };

type Measure = (text: string, size: number, weight: FontWeight) => number;

function measurer(doc: PDFKit.PDFDocument): Measure {
  const measureCharacter = (ch: string, weight: FontWeight) => {
    let width = 0;
    for (const run of fontRuns(ch, weight)) {
      useFace(doc, run.face);
      width += doc.font(run.face.key).fontSize(1).widthOfString(run.text);
    }
    return width;
  };
  return (text, size, weight) => {
    const widths = advance[weight];
    let width = 0;
    for (const ch of text) {
      let w = widths.get(ch);
      if (w === undefined) widths.set(ch, (w = measureCharacter(ch, weight)));
      width += w;
    }
    return width * size;
  };
}

const registered = new WeakMap<PDFKit.PDFDocument, Set<string>>();

/** Registers a face with a document the first time the document uses it (pdfkit embeds only the glyphs used). */
function useFace(doc: PDFKit.PDFDocument, face: FontFace): void {
  let keys = registered.get(doc);
  if (!keys) registered.set(doc, (keys = new Set()));
  if (!keys.has(face.key)) {
    doc.registerFont(face.key, face.bytes);
    keys.add(face.key);
  }
}

// ---------------------------------------------------------------------------------------------
// Layout

interface ParagraphStyle {
  x: number;
  width: number;
  size?: number;
  weight?: FontWeight;
  lineHeight?: number;
  color?: string;
  align?: 'left' | 'center' | 'right';
  /** Indent the first line by one character (一字下げ). */
  indentFirst?: boolean;
  /** Hang the following lines under a leading 1 / ・ / ○ marker. */
  hangMarker?: boolean;
  /** Break lines at spaces where possible (addresses). */
  preferSpaces?: boolean;
}

class PageFlow {
  readonly pages: DrawOp[][] = [[]];
  y = 0;

  constructor(private readonly measure: Measure) {}

  get ops(): DrawOp[] {
    return this.pages[this.pages.length - 1];
  }

  newPage(): void {
    this.pages.push([]);
    this.y = CONTINUATION_TOP;
  }

  /** Moves to a new page unless `height` more fits on this one. */
  ensure(height: number): void {
    if (this.y + height > BOTTOM && this.y > CONTINUATION_TOP) this.newPage();
  }

  width(text: string, size = BODY, weight: FontWeight = 400): number {
    return this.measure(text, size, weight);
  }

  /** Lines of text, without placing them. */
  lines(text: string, style: ParagraphStyle): { text: string; dx: number; width: number }[] {
    const size = style.size ?? BODY;
    const weight = style.weight ?? 400;
    const widthOf = (s: string) => this.measure(s, size, weight);
    const out: { text: string; dx: number; width: number }[] = [];
    for (const paragraph of text.split(/\r?\n/)) {
      const options: WrapOptions = { preferSpaces: style.preferSpaces };
      if (style.indentFirst) options.firstLineIndent = size;
      if (style.hangMarker) options.continuationIndent = widthOf(listMarker(paragraph));
      for (const line of wrapParagraph(paragraph, style.width, widthOf, options)) {
        const free = style.width - line.width;
        const dx = style.align === 'right' ? free : style.align === 'center' ? free / 2 : line.indent;
        out.push({ text: line.text, dx, width: line.width });
      }
    }
    return out;
  }

  /** Text ops for lines placed from `y` down; returns the y below them. */
  place(ops: DrawOp[], lines: { text: string; dx: number }[], style: ParagraphStyle, y: number): number {
    const size = style.size ?? BODY;
    const lineHeight = size * (style.lineHeight ?? LINE);
    for (const line of lines) {
      if (line.text) {
        ops.push({ op: 'text', x: style.x + line.dx, y, lineHeight, size, weight: style.weight ?? 400, text: line.text, color: style.color ?? INK });
      }
      y += lineHeight;
    }
    return y;
  }

  /**
   * A paragraph in the flow, line by line, continuing on the next page when it reaches the
   * bottom; a paragraph of up to 4 lines is not split.
   */
  paragraph(text: string, style: ParagraphStyle): void {
    const lineHeight = (style.size ?? BODY) * (style.lineHeight ?? LINE);
    const lines = this.lines(text, style);
    if (lines.length <= 4) this.ensure(lines.length * lineHeight);
    for (const line of lines) {
      this.ensure(lineHeight);
      this.y = this.place(this.ops, [line], style, this.y);
    }
  }
}

export interface TableRow {
  label: string;
  /** No rule above the label cell: the row continues the label of the row above (内訳 lines). */
  continuesLabel?: boolean;
  value: string;
  /** Right-aligned in the value cell (the amount of a breakdown line). */
  amount?: string;
  strong?: boolean;
}

/** The label column: at least this wide, wider where a label (令和6年10月分から) would break. */
const LABEL_MIN_W = 34 * MM;
const LABEL_MAX_W = 60 * MM;
const CELL_PAD_X = 2.5 * MM;
const CELL_PAD_Y = 1.6 * MM;

/** The rows of the table of a letter, label and value (exported for the test that every label fits). */
export function tableRows(n: NoticeContent): TableRow[] {
  const rows: TableRow[] = [];
  if (n.period) rows.push({ label: '対象期間', value: n.period });
  // 改定前の額 comes before the amount now in force (改定後の額), the amounts by month after it.
  const history = n.amountHistory ?? [];
  for (const h of history.filter((x) => x.label === '改定前の額')) rows.push({ label: h.label, value: h.value });
  if (n.amountYen !== undefined) rows.push({ label: n.amountLabel ?? '金額', value: `${n.amountPer ? `${n.amountPer}\u3000` : ''}${yen(n.amountYen)}`, strong: true });
  for (const h of history.filter((x) => x.label !== '改定前の額')) rows.push({ label: h.label, value: h.value });
  (n.breakdown ?? []).forEach((item, i) => rows.push({ label: i === 0 ? '内訳' : '', continuesLabel: i > 0, value: item.label, amount: item.amountYen === undefined ? undefined : yen(item.amountYen) }));
  if (n.paidNow) rows.push({ label: '今回のお支払額', value: n.paidNow.months ? `${n.paidNow.months}` : '', amount: yen(n.paidNow.amountYen) });
  if (n.paymentDate) rows.push({ label: n.kind === '返還' ? '納付期限' : '支払予定日', value: wareki(n.paymentDate) });
  if (n.paymentWaits) rows.push({ label: '支払予定日', value: n.paymentWaits });
  if (n.account) {
    const a = n.account;
    rows.push({ label: n.kind === '返還' ? '口座' : '振込先口座', value: `${a.bankName}${SPACE}${a.branchName}${SPACE}${a.accountType}${SPACE}${a.maskedNumber}` });
  }
  for (const d of n.details ?? []) rows.push({ label: d.label, value: d.value });
  if (n.enclosures?.length) rows.push({ label: '同封書類', value: n.enclosures.join('\n') });
  return rows;
}

function layoutTable(flow: PageFlow, rows: TableRow[]): void {
  const widest = Math.max(0, ...rows.flatMap((row) => row.label.split('\n').map((line) => flow.width(line))));
  const labelW = Math.min(LABEL_MAX_W, Math.max(LABEL_MIN_W, Math.ceil(widest + 2 * CELL_PAD_X + 1)));
  const valueX = LEFT + labelW;
  const valueW = CONTENT_W - labelW;
  const lineHeight = BODY * 1.5;
  rows.forEach((row, i) => {
    const size = row.strong ? 12 : BODY;
    const weight: FontWeight = row.strong ? 700 : 400;
    const labelLines = flow.lines(row.label, { x: LEFT + CELL_PAD_X, width: labelW - 2 * CELL_PAD_X });
    const amountW = row.amount ? flow.width(row.amount) + 4 * MM : 0;
    const valueLines = flow.lines(row.value, { x: valueX + CELL_PAD_X, width: valueW - 2 * CELL_PAD_X - amountW, size, weight });
    const height = Math.max(labelLines.length * lineHeight, valueLines.length * size * 1.5) + 2 * CELL_PAD_Y;
    const startsPage = flow.y + height > BOTTOM;
    flow.ensure(height);
    const top = flow.y;
    const ops = flow.ops;
    const joined = row.continuesLabel && !startsPage && i > 0;
    ops.push({ op: 'rect', x: LEFT, y: top, w: labelW, h: height, fill: LABEL_FILL });
    ops.push({ op: 'rect', x: valueX, y: top, w: valueW, h: height, stroke: RULE, lineWidth: 0.6 });
    ops.push({ op: 'line', x1: LEFT, y1: top + height, x2: valueX, y2: top + height, color: RULE, lineWidth: 0.6 });
    ops.push({ op: 'line', x1: LEFT, y1: top, x2: LEFT, y2: top + height, color: RULE, lineWidth: 0.6 });
    if (!joined) ops.push({ op: 'line', x1: LEFT, y1: top, x2: valueX, y2: top, color: RULE, lineWidth: 0.6 });
    const labelTop = top + (height - labelLines.length * lineHeight) / 2;
    flow.place(ops, labelLines, { x: LEFT + CELL_PAD_X, width: labelW, lineHeight: 1.5 }, labelTop);
    const valueTop = top + (height - valueLines.length * size * 1.5) / 2;
    flow.place(ops, valueLines, { x: valueX + CELL_PAD_X, width: valueW, size, weight, lineHeight: 1.5 }, valueTop);
    if (row.amount) {
      const w = flow.width(row.amount);
      flow.place(ops, [{ text: row.amount, dx: 0 }], { x: valueX + valueW - CELL_PAD_X - w, width: w, lineHeight: 1.5 }, top + (height - lineHeight) / 2);
    }
    flow.y = top + height;
  });
}

function heading(flow: PageFlow, text: string): void {
  const size = 11;
  const lineHeight = size * 1.6;
  flow.y += 3.5 * MM;
  // Keep the heading with at least two lines of what follows.
  flow.ensure(lineHeight + 2 * BODY * LINE);
  flow.ops.push({ op: 'rect', x: LEFT, y: flow.y + lineHeight * 0.2, w: 1.2 * MM, h: lineHeight * 0.6, fill: INK });
  flow.y = flow.place(flow.ops, [{ text, dx: 0 }], { x: LEFT + 2.6 * MM, width: CONTENT_W, size, weight: 700, lineHeight: 1.6 }, flow.y);
  flow.y += 0.8 * MM;
}

function layoutKyoji(flow: PageFlow, n: NoticeContent, body: string): void {
  const size = 8.5;
  const lineHeight = 1.55;
  const pad = 2.8 * MM;
  const style: ParagraphStyle = { x: LEFT + pad, width: CONTENT_W - 2 * pad, size, lineHeight, hangMarker: true, color: INK };
  const title = flow.lines('不服申立て・取消訴訟について（教示）', { ...style, weight: 700 });
  const lines = kyojiText(body, n.municipality.name).flatMap((paragraph) => flow.lines(paragraph, style));
  const height = 2 * pad + (title.length + lines.length) * size * lineHeight;
  const gap = 5 * MM;
  let top: number;
  if (flow.y + gap + height <= BOTTOM) {
    top = BOTTOM - height; // at the foot of the page, as on printed forms
  } else {
    flow.newPage();
    top = flow.y;
  }
  const ops = flow.ops;
  ops.push({ op: 'rect', x: LEFT, y: top, w: CONTENT_W, h: height, stroke: INK, lineWidth: 0.8 });
  let y = flow.place(ops, title, { ...style, weight: 700 }, top + pad);
  y = flow.place(ops, lines, style, y);
  flow.y = y + pad;
}

function issuerLine(n: NoticeContent): string {
  const { name, mayor } = n.municipality;
  return mayor.startsWith(name) ? mayor : `${name}長${SPACE}${mayor}`;
}

/** Lays out one notice: the draw operations of each of its pages. */
function layoutNotice(n: NoticeContent, measure: Measure): DrawOp[][] {
  const flow = new PageFlow(measure);
  const ops = flow.ops;

  // Address block (window envelope / 圧着はがき).
  let y = ADDRESS_Y;
  const address: ParagraphStyle = { x: ADDRESS_X, width: ADDRESS_W, size: 11, lineHeight: 1.45, preferSpaces: true };
  if (n.recipient.postalCode) y = flow.place(ops, [{ text: `〒${n.recipient.postalCode}`, dx: 0 }], address, y);
  y = flow.place(ops, flow.lines(n.recipient.address, address), address, y);
  y += 2 * MM;
  const nameStyle: ParagraphStyle = { x: ADDRESS_X + 4 * MM, width: ADDRESS_W - 4 * MM, size: 14, lineHeight: 1.45 };
  y = flow.place(ops, flow.lines(`${n.recipient.name}${SPACE}様`, nameStyle), nameStyle, y);
  const addressBottom = y;

  // Issue date and issuer, top right; whom to ask below them.
  // 文書番号 and date, then the issuer; the seal is omitted (公印省略), as on mass-mailed notices.
  const issuer: ParagraphStyle = { x: ISSUER_X, width: RIGHT - ISSUER_X, align: 'right' };
  let ry = ADDRESS_Y;
  if (n.documentNumber) ry = flow.place(ops, flow.lines(n.documentNumber, { ...issuer, size: 9 }), { ...issuer, size: 9 }, ry);
  ry = flow.place(ops, flow.lines(wareki(n.issuedOn), issuer), issuer, ry);
  ry = flow.place(ops, flow.lines(issuerLine(n), issuer), issuer, ry);
  ry = flow.place(ops, flow.lines('（公印省略）', { ...issuer, size: 8.5 }), { ...issuer, size: 8.5 }, ry);
  ry += 4 * MM;
  const contactX = ISSUER_X + 8 * MM;
  const contact: ParagraphStyle = { x: contactX, width: RIGHT - contactX, size: 8.5, lineHeight: 1.45, color: GREY_TEXT };
  const m = n.municipality;
  ry = flow.place(ops, [{ text: '【お問い合わせ先】', dx: 0 }], { ...contact, weight: 700 }, ry);
  ry = flow.place(ops, flow.lines([m.department, m.address, `電話${SPACE}${m.phone}`].filter(Boolean).join('\n'), contact), contact, ry);

  // Title and what was decided.
  flow.y = Math.max(addressBottom, ry, 62 * MM) + 8 * MM;
  const title: ParagraphStyle = { x: LEFT, width: CONTENT_W, size: 17, weight: 700, lineHeight: 1.4, align: 'center' };
  flow.y = flow.place(ops, flow.lines(n.title, title), title, flow.y);
  flow.y += 5 * MM;
  flow.paragraph(n.summary, { x: LEFT, width: CONTENT_W, indentFirst: true });

  const rows = tableRows(n);
  if (rows.length > 0) {
    flow.y += 4 * MM;
    layoutTable(flow, rows);
  }

  const reasons = n.reasons.filter((r) => r.trim() !== '');
  if (reasons.length > 0) {
    heading(flow, n.reasonsHeading ?? '判定の理由');
    for (const reason of reasons) {
      flow.paragraph(reason, { x: LEFT + 2 * MM, width: CONTENT_W - 2 * MM, size: 9.5, lineHeight: 1.6, hangMarker: true });
    }
  }

  if (n.appeal) layoutKyoji(flow, n, n.appeal.body);

  // Running header on continuation pages, and the footer (notice id, page x/y) on every page.
  const count = flow.pages.length;
  flow.pages.forEach((page, i) => {
    if (i > 0) {
      const header: ParagraphStyle = { x: LEFT, width: CONTENT_W, size: 8.5, color: GREY_TEXT, lineHeight: 1.4 };
      const text = `${n.title}（続き）${SPACE}${n.recipient.name}${SPACE}様`;
      const y = 12 * MM;
      const ruleY = y + 8.5 * 1.4 + 1;
      page.push({ op: 'line', x1: LEFT, y1: ruleY, x2: RIGHT, y2: ruleY, color: RULE, lineWidth: 0.4 });
      flow.place(page, flow.lines(text, header).slice(0, 1), header, y);
    }
    const footer: ParagraphStyle = { x: LEFT, width: CONTENT_W, size: 7, color: GREY_TEXT, lineHeight: 1.2 };
    const footY = FOOTER_BASELINE - 7 * 1.2;
    flow.place(page, [{ text: n.noticeId, dx: 0 }], footer, footY);
    if (count > 1) {
      const pageNo = `${i + 1}/${count}`;
      flow.place(page, [{ text: pageNo, dx: CONTENT_W - flow.width(pageNo, 7) }], footer, footY);
    }
  });
  return flow.pages;
}

// ---------------------------------------------------------------------------------------------
// Drawing

function draw(doc: PDFKit.PDFDocument, ops: DrawOp[], measure: Measure): void {
  for (const o of ops) {
    if (o.op === 'rect') {
      doc.save();
      if (o.lineWidth) doc.lineWidth(o.lineWidth);
      doc.rect(o.x, o.y, o.w, o.h);
      if (o.fill && o.stroke) doc.fillAndStroke(o.fill, o.stroke);
      else if (o.fill) doc.fill(o.fill);
      else if (o.stroke) doc.stroke(o.stroke);
      doc.restore();
    } else if (o.op === 'line') {
      doc.save().lineWidth(o.lineWidth).moveTo(o.x1, o.y1).lineTo(o.x2, o.y2).stroke(o.color).restore();
    } else {
      const baseline = o.y + (o.lineHeight - o.size) / 2 + EM_ABOVE_BASELINE * o.size;
      let x = o.x;
      doc.fillColor(o.color);
      for (const run of fontRuns(o.text, o.weight)) {
        useFace(doc, run.face);
        doc.font(run.face.key).fontSize(o.size).text(run.text, x, baseline, { lineBreak: false, baseline: 'alphabetic' });
        x += measure(run.text, o.size, o.weight);
      }
    }
  }
}

function checkNotice(n: NoticeContent): void {
  const problem = (what: string) => new Error(`notice ${n.noticeId || '(no id)'}: ${what}`);
  if (!n.noticeId) throw problem('noticeId is empty');
  const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
  if (!isDate(n.issuedOn)) throw problem(`issuedOn is not a date: ${n.issuedOn}`);
  if (n.paymentDate !== undefined && !isDate(n.paymentDate)) throw problem(`paymentDate is not a date: ${n.paymentDate}`);
  const amounts = [n.amountYen, ...(n.breakdown ?? []).map((b) => b.amountYen)].filter((a) => a !== undefined);
  if (amounts.some((a) => !Number.isFinite(a))) throw problem('an amount is not a number');
  if (n.appeal && !n.appeal.body.trim()) throw problem('appeal.body is empty');
  // An account number (7 digits at Japanese banks) is never printed in full.
  if (n.account && (n.account.maskedNumber.match(/\d/g) ?? []).length >= 7) throw problem('account.maskedNumber is not masked');
}

/**
 * Renders a print run: one PDF, each notice starting on a new A4 page. Resolves, with the
 * number of pages, when `output` has received the whole document.
 */
export async function renderNotices(notices: NoticeContent[], output: NodeJS.WritableStream): Promise<number> {
  if (notices.length === 0) throw new Error('renderNotices: no notices (a PDF needs at least one page)');
  notices.forEach(checkNotice);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    lang: 'ja-JP',
    info: { Title: notices.length === 1 ? notices[0].title : `通知書（${notices.length}件）`, Producer: 'benefit-engine', Creator: 'benefit-engine notices' },
  });
  // pipe() never ends process.stdout/stderr, so for those the end of the document is the end.
  const stdio = output === process.stdout || output === process.stderr;
  const finished = new Promise<void>((resolve, reject) => {
    if (stdio) doc.once('end', () => resolve());
    else output.once('finish', () => resolve());
    output.once('error', reject);
    doc.once('error', reject);
  });
  doc.pipe(output);
  let pages = 0;
  try {
    const measure = measurer(doc);
    for (const notice of notices) {
      for (const page of layoutNotice(notice, measure)) {
        doc.addPage({ size: 'A4', margin: 0 });
        draw(doc, page, measure);
        pages++;
      }
    }
  } catch (error) {
    doc.unpipe(output);
    throw error;
  }
  doc.end();
  await finished;
  return pages;
}

/** Renders one notice to a PDF file; resolves with its number of pages. */
export async function renderNoticeFile(notice: NoticeContent, path: string): Promise<number> {
  checkNotice(notice);
  const file = createWriteStream(path);
  const closed = new Promise<void>((resolve, reject) => {
    file.once('close', () => resolve());
    file.once('error', reject);
  });
  const pages = await renderNotices([notice], file);
  await closed;
  return pages;
}
