import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

/**
 * Reading PDFs back in tests. poppler-utils (pdftotext, pdfinfo, pdftoppm; Debian package
 * `poppler-utils`) is the reference; where it is not installed, a small reader of what pdfkit
 * writes (objects, FlateDecode streams, Identity-H text with a ToUnicode CMap) stands in for
 * pdftotext and pdfinfo, and the PNG preview is skipped.
 */

export function hasTool(name: string): boolean {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(`${dir}/${name}`)) return true;
  }
  return false;
}

export const HAS_PDFTOTEXT = hasTool('pdftotext');
export const HAS_PDFINFO = hasTool('pdfinfo');
export const HAS_PDFTOPPM = hasTool('pdftoppm');

/** The text of each page. */
export function pdfPagesText(path: string): string[] {
  if (HAS_PDFTOTEXT) {
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const pages = text.split('\f');
    if (pages[pages.length - 1].trim() === '') pages.pop();
    return pages;
  }
  return new PdfkitReader(readFileSync(path)).pagesText();
}

export function pdfPageCount(path: string): number {
  if (HAS_PDFINFO) {
    const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
    return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  }
  return new PdfkitReader(readFileSync(path)).pageCount();
}

/** Text with all white space removed, so that words broken across lines are found whole. */
export const squash = (text: string) => text.replace(/\s+/g, '');

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

/** Enough of a PDF reader for pdfkit's own output; not a general PDF parser. */
export class PdfkitReader {
  private readonly objects = new Map<number, PdfObject>();

  constructor(bytes: Buffer) {
    const text = bytes.toString('latin1');
    for (const match of text.matchAll(/(\d+) 0 obj\s*/g)) {
      const start = match.index + match[0].length;
      const body = text.slice(start, text.indexOf('endobj', start));
      const streamAt = body.indexOf('stream\n');
      if (streamAt < 0) {
        this.objects.set(Number(match[1]), { dict: body });
        continue;
      }
      const dict = body.slice(0, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
      const raw = bytes.subarray(start + streamAt + 7, start + streamAt + 7 + length);
      this.objects.set(Number(match[1]), { dict, stream: /\/FlateDecode/.test(dict) ? inflateSync(raw) : raw });
    }
  }

  private object(id: number): PdfObject {
    const object = this.objects.get(id);
    if (!object) throw new Error(`PDF object ${id} not found`);
    return object;
  }

  private ref(dict: string, key: string): number {
    const match = new RegExp(`/${key} (\\d+) 0 R`).exec(dict);
    if (!match) throw new Error(`no /${key} in ${dict.slice(0, 80)}`);
    return Number(match[1]);
  }

  private pagesRoot(): PdfObject {
    const catalog = [...this.objects.values()].find((o) => /\/Type \/Catalog/.test(o.dict));
    if (!catalog) throw new Error('no document catalog');
    return this.object(this.ref(catalog.dict, 'Pages'));
  }

  pageCount(): number {
    return Number(/\/Count (\d+)/.exec(this.pagesRoot().dict)?.[1]);
  }

  private pageIds(): number[] {
    const kids = /\/Kids \[([^\]]*)\]/.exec(this.pagesRoot().dict)?.[1] ?? '';
    return [...kids.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  }

  /** glyph id → text, from a Type0 font's ToUnicode CMap (bfchar and bfrange, both forms). */
  private toUnicode(fontId: number): Map<number, string> {
    const font = this.object(fontId).dict;
    const cmap = this.object(this.ref(font, 'ToUnicode')).stream?.toString('latin1') ?? '';
    const map = new Map<number, string>();
    const hexText = (hex: string) => String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)));
    for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const m of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(m[1], 16), hexText(m[2]));
    }
    for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const m of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
        const from = parseInt(m[1], 16);
        const to = parseInt(m[2], 16);
        if (m[3].startsWith('[')) {
          [...m[3].matchAll(/<([0-9a-fA-F]+)>/g)].forEach((d, i) => map.set(from + i, hexText(d[1])));
        } else {
          const base = parseInt(m[3].slice(1, -1), 16);
          for (let code = from; code <= to; code++) map.set(code, String.fromCodePoint(base + code - from));
        }
      }
    }
    return map;
  }

  /** Each page's text: one line per text object (pdfkit draws one line, or one font run, per BT…ET). */
  pagesText(): string[] {
    const cmaps = new Map<number, Map<number, string>>();
    return this.pageIds().map((pageId) => {
      const page = this.object(pageId).dict;
      const resources = this.object(this.ref(page, 'Resources')).dict;
      const fonts = new Map<string, Map<number, string>>();
      for (const m of (/\/Font <<([^>]*)>>/.exec(resources)?.[1] ?? '').matchAll(/\/(\w+) (\d+) 0 R/g)) {
        const id = Number(m[2]);
        if (!cmaps.has(id)) cmaps.set(id, this.toUnicode(id));
        fonts.set(m[1], cmaps.get(id)!);
      }
      const content = this.object(this.ref(page, 'Contents')).stream?.toString('latin1') ?? '';
      const lines: string[] = [];
      let font: Map<number, string> | undefined;
      let line = '';
      let lastY: string | null = null;
      for (const m of content.matchAll(/\/(\w+) [\d.]+ Tf|1 0 0 1 [-\d.]+ ([-\d.]+) Tm|\[([^\]]*)\] TJ/g)) {
        if (m[1]) font = fonts.get(m[1]);
        else if (m[2]) {
          // A new line when the baseline moves; runs of one line (a font change) are joined.
          if (lastY !== null && m[2] !== lastY) {
            lines.push(line);
            line = '';
          }
          lastY = m[2];
        } else if (m[3] && font) {
          for (const hex of m[3].matchAll(/<([0-9a-fA-F]*)>/g)) {
            for (const code of hex[1].match(/.{4}/g) ?? []) line += font.get(parseInt(code, 16)) ?? '\ufffd';
          }
        }
      }
      if (line) lines.push(line);
      return lines.join('\n');
    });
  }
}
