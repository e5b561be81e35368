import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';

/**
 * Noto Sans JP from @fontsource/noto-sans-jp, for embedding in PDF notices.
 *
 * fontsource ships the font cut into pieces:
 * - `japanese`: one 1.3 MB file with the 6,887 characters of everyday Japanese (kana, JIS level
 *   1 and 2 kanji, ASCII, 〒, 円, full-width forms). It is the primary face.
 * - `[0]`..`[119]`, `latin`, `latin-ext`, …: the Google Fonts slices of the whole font, each
 *   with its unicode-range in unicode.json. Together they hold what `japanese` lacks and notices
 *   do use: ○ ● ■ ※ ① ～ ― and the variant kanji of personal names (髙, 﨑, 𠮷). A character
 *   missing from the primary face is looked up there, and only that slice is loaded.
 *
 * The files are WOFF 1.0 (zlib-compressed tables). fontkit, which pdfkit uses, re-inflates the
 * whole `glyf` table for every glyph it reads from a WOFF, so each file is turned into a plain
 * TrueType font here, once per process, and pdfkit is given those bytes.
 */

export type FontWeight = 400 | 700;

export interface FontFace {
  /** The name the face is registered under in a PDF document. */
  readonly key: string;
  readonly subset: string;
  readonly weight: FontWeight;
  /** TrueType (sfnt) bytes. */
  readonly bytes: Buffer;
  readonly codePoints: ReadonlySet<number>;
}

export interface TextRun {
  face: FontFace;
  text: string;
}

const FONT_PACKAGE = '@fontsource/noto-sans-jp';
const PRIMARY_SUBSET = 'japanese';
/** 〓 (geta): the mark Japanese printing uses for a character it cannot print. */
export const REPLACEMENT_CHARACTER = '\u3013';

const require = createRequire(import.meta.url);

function fontFile(subset: string, weight: FontWeight): string {
  return require.resolve(`${FONT_PACKAGE}/files/noto-sans-jp-${subset}-${weight}-normal.woff`);
}

// ---------------------------------------------------------------------------------------------
// WOFF 1.0 → sfnt, and the characters a font maps (its cmap)

/** Decodes a WOFF 1.0 file into the TrueType/OpenType font it wraps (W3C WOFF 1.0, section 4-5). */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 file');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: { tag: string; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const entry = 44 + i * 20;
    const tag = woff.toString('latin1', entry, entry + 4);
    const offset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const checksum = woff.readUInt32BE(entry + 16);
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(stored) : stored;
    if (data.length !== origLength) throw new Error(`WOFF table ${tag}: ${data.length} bytes, expected ${origLength}`);
    tables.push({ tag, checksum, data });
  }
  tables.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const padded = (n: number) => (n + 3) & ~3;
  const headerLength = 12 + 16 * numTables;
  const total = tables.reduce((sum, t) => sum + padded(t.data.length), headerLength);
  const out = Buffer.alloc(total);
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let offset = headerLength;
  tables.forEach((t, i) => {
    const entry = 12 + i * 16;
    out.write(t.tag, entry, 4, 'latin1');
    out.writeUInt32BE(t.checksum, entry + 4);
    out.writeUInt32BE(offset, entry + 8);
    out.writeUInt32BE(t.data.length, entry + 12);
    t.data.copy(out, offset);
    offset += padded(t.data.length);
  });
  return out;
}

function findTable(sfnt: Buffer, tag: string): Buffer | null {
  const numTables = sfnt.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const entry = 12 + i * 16;
    if (sfnt.toString('latin1', entry, entry + 4) === tag) {
      const offset = sfnt.readUInt32BE(entry + 8);
      return sfnt.subarray(offset, offset + sfnt.readUInt32BE(entry + 12));
    }
  }
  return null;
}

/** The code points a TrueType/OpenType font has a glyph for (cmap formats 4 and 12). */
export function cmapCodePoints(sfnt: Buffer): Set<number> {
  const cmap = findTable(sfnt, 'cmap');
  if (!cmap) throw new Error('font has no cmap table');
  const subtables = new Map<string, number>();
  const count = cmap.readUInt16BE(2);
  for (let i = 0; i < count; i++) {
    const rec = 4 + i * 8;
    subtables.set(`${cmap.readUInt16BE(rec)}/${cmap.readUInt16BE(rec + 2)}`, cmap.readUInt32BE(rec + 4));
  }
  const full = subtables.get('3/10') ?? subtables.get('0/4') ?? subtables.get('0/6');
  const bmp = subtables.get('3/1') ?? subtables.get('0/3');
  const offset = full ?? bmp;
  if (offset === undefined) throw new Error('font has no Unicode cmap subtable');
  const table = cmap.subarray(offset);
  const format = table.readUInt16BE(0);
  const points = new Set<number>();
  if (format === 12) {
    const groups = table.readUInt32BE(12);
    for (let g = 0; g < groups; g++) {
      const at = 16 + g * 12;
      const start = table.readUInt32BE(at);
      const end = table.readUInt32BE(at + 4);
      const glyph = table.readUInt32BE(at + 8);
      for (let cp = start; cp <= end; cp++) if (glyph + (cp - start) !== 0) points.add(cp);
    }
  } else if (format === 4) {
    const segCount = table.readUInt16BE(6) / 2;
    const ends = 14;
    const starts = ends + segCount * 2 + 2;
    const deltas = starts + segCount * 2;
    const rangeOffsets = deltas + segCount * 2;
    for (let s = 0; s < segCount; s++) {
      const end = table.readUInt16BE(ends + s * 2);
      const start = table.readUInt16BE(starts + s * 2);
      const delta = table.readUInt16BE(deltas + s * 2);
      const rangeOffset = table.readUInt16BE(rangeOffsets + s * 2);
      for (let cp = start; cp <= end && cp !== 0xffff; cp++) {
        let glyph: number;
        if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
        else {
          const raw = table.readUInt16BE(rangeOffsets + s * 2 + rangeOffset + (cp - start) * 2);
          glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
        }
        if (glyph !== 0) points.add(cp);
      }
    }
  } else {
    throw new Error(`unsupported cmap format ${format}`);
  }
  return points;
}

// ---------------------------------------------------------------------------------------------
// Faces, loaded lazily and kept for the life of the process

const faces = new Map<string, FontFace>();

function loadFace(subset: string, weight: FontWeight): FontFace {
  const key = `NotoSansJP-${subset}-${weight}`;
  let face = faces.get(key);
  if (!face) {
    const bytes = woffToSfnt(readFileSync(fontFile(subset, weight)));
    face = { key, subset, weight, bytes, codePoints: cmapCodePoints(bytes) };
    faces.set(key, face);
  }
  return face;
}

export function primaryFace(weight: FontWeight): FontFace {
  return loadFace(PRIMARY_SUBSET, weight);
}

type Ranges = [number, number][];
let sliceRanges: { subset: string; ranges: Ranges }[] | null = null;

/** The slices of the font and their unicode-range, from the package's unicode.json. */
function slices(): { subset: string; ranges: Ranges }[] {
  if (!sliceRanges) {
    const json = JSON.parse(readFileSync(require.resolve(`${FONT_PACKAGE}/unicode.json`), 'utf8')) as Record<string, string>;
    sliceRanges = Object.entries(json).map(([name, list]) => ({
      subset: name.replace(/^\[(\d+)\]$/, '$1'),
      ranges: list.split(',').map((item): [number, number] => {
        const [from, to] = item.trim().replace(/^U\+/i, '').split('-');
        return [parseInt(from, 16), parseInt(to ?? from, 16)];
      }),
    }));
  }
  return sliceRanges;
}

const faceByCodePoint = { 400: new Map<number, FontFace | null>(), 700: new Map<number, FontFace | null>() };

/** The face that draws a character, or null when no part of Noto Sans JP has it. */
export function faceFor(codePoint: number, weight: FontWeight): FontFace | null {
  const cache = faceByCodePoint[weight];
  const known = cache.get(codePoint);
  if (known !== undefined) return known;
  let found: FontFace | null = null;
  const primary = primaryFace(weight);
  if (primary.codePoints.has(codePoint)) found = primary;
  else {
    for (const slice of slices()) {
      if (!slice.ranges.some(([from, to]) => codePoint >= from && codePoint <= to)) continue;
      const face = loadFace(slice.subset, weight);
      if (face.codePoints.has(codePoint)) {
        found = face;
        break;
      }
    }
  }
  cache.set(codePoint, found);
  return found;
}

/** Variation selectors (including the IVS of 住基 name characters) and zero-width marks: dropped, the base character is printed. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]|\p{Variation_Selector}/gu;

/** Prepares text for drawing: tabs and line ends become spaces, invisible marks go. */
export function printable(text: string): string {
  return text.replace(INVISIBLE, '').replace(/[\t\r\n\f\v]/g, ' ');
}

/** The characters of `text` that no part of Noto Sans JP can draw (they print as 〓). */
export function unprintableCharacters(text: string, weight: FontWeight = 400): string[] {
  const missing = new Set<string>();
  for (const ch of printable(text)) {
    if (faceFor(ch.codePointAt(0)!, weight) === null) missing.add(ch);
  }
  return [...missing];
}

/** Cuts text into runs that one face draws each, replacing what no face has with 〓. */
export function fontRuns(text: string, weight: FontWeight): TextRun[] {
  const runs: TextRun[] = [];
  const primary = primaryFace(weight);
  for (let ch of printable(text)) {
    let face = faceFor(ch.codePointAt(0)!, weight);
    if (!face) {
      ch = REPLACEMENT_CHARACTER;
      face = primary;
    }
    // A space belongs to whatever run it is in: every face has one.
    const last = runs[runs.length - 1];
    if (last && (last.face === face || (ch === ' ' && last.face.codePoints.has(32)))) last.text += ch;
    else runs.push({ face, text: ch });
  }
  return runs;
}
