import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { UnusableInputError } from '../errors.ts';
import type { RecordKind } from '../db/schema.ts';
import { COLUMNS, type FieldProblem } from './record-schemas.ts';

export type Encoding = 'utf8' | 'shift_jis';

/** One data row of an input file: its cells by column, or what makes it unreadable. */
export interface RawRow {
  line: number;
  cells: Record<string, string>;
  problems: FieldProblem[];
}

const ROWS_PER_BATCH = 1000;

/**
 * Streams the rows of an input file in batches: never the whole file in memory. A header that names an
 * unknown column, repeats one or lacks a required one makes the file unusable (exit 2,
 * nothing stored); a row whose cells do not match the header is a rejected row.
 */
export async function* readCsvRows(file: string, kind: RecordKind, encoding: Encoding): AsyncGenerator<RawRow[]> {
  if (!fs.existsSync(file)) throw new UnusableInputError('file_not_found', `${file}: no such file`, { file });
  const bytes = fs.createReadStream(file);
  // Municipal systems write "Shift_JIS" as Windows-31J (cp932: ①, 髙 and friends), a superset.
  const text = encoding === 'shift_jis' ? bytes.pipe(iconv.decodeStream('cp932')) : bytes.setEncoding('utf8');
  const parser = text.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }));
  let header: string[] | undefined;
  try {
    for await (const batch of batchesOf<{ record: string[]; info: { lines: number } }>(parser, ROWS_PER_BATCH)) {
      const rows: RawRow[] = [];
      for (const { record, info } of batch) {
        if (header) rows.push(toRow(header, record, info.lines));
        else header = checkHeader(file, kind, record);
      }
      if (rows.length) yield rows;
    }
  } catch (error) {
    if (error instanceof UnusableInputError) throw error;
    throw new UnusableInputError('csv_unreadable', `${file}: not readable as CSV: ${(error as Error).message}`, { file });
  } finally {
    bytes.destroy();
  }
  if (!header) throw new UnusableInputError('csv_empty', `${file}: empty file, no header row`, { file });
}

/** The same checks for rows that arrive as JSON objects (POST /v1/changes). */
export function rowFromObject(kind: RecordKind, line: number, object: Record<string, unknown>): RawRow {
  const known = new Set([...COLUMNS[kind].required, ...COLUMNS[kind].optional]);
  const problems: FieldProblem[] = Object.keys(object)
    .filter((k) => !known.has(k))
    .map((k) => ({ field: k, reason: `unknown column for ${kind}` }));
  const cells: Record<string, string> = {};
  for (const [k, v] of Object.entries(object)) cells[k] = v === null || v === undefined ? '' : String(v);
  return { line, cells, problems };
}

/** Reads an object stream in arrays: one await per batch rather than per record. */
async function* batchesOf<T>(stream: Readable, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for (;;) {
    const item = stream.read() as T | null;
    if (item !== null) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
      continue;
    }
    if (stream.readableEnded) break;
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        stream.off('readable', onReadable).off('end', onReadable).off('error', settle);
        if (error) reject(error);
        else resolve();
      };
      const onReadable = () => settle();
      stream.on('readable', onReadable).on('end', onReadable).on('error', settle);
    });
  }
  if (batch.length) yield batch;
}

function checkHeader(file: string, kind: RecordKind, header: string[]): string[] {
  const names = header.map((h) => h.trim());
  const { required, optional } = COLUMNS[kind];
  const known = new Set([...required, ...optional]);
  const unknown = names.filter((n) => !known.has(n));
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  const missing = required.filter((r) => !names.includes(r));
  const problems = [
    unknown.length ? `unknown column(s) ${unknown.join(', ')}` : '',
    repeated.length ? `repeated column(s) ${repeated.join(', ')}` : '',
    missing.length ? `missing required column(s) ${missing.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length) {
    throw new UnusableInputError(
      'csv_header',
      `${file} line 1: ${problems.join('; ')} (a ${kind} file has ${[...required, ...optional].join(', ')})`,
      { file, unknown, repeated, missing },
    );
  }
  return names;
}

function toRow(header: string[], record: string[], line: number): RawRow {
  const cells: Record<string, string> = {};
  const problems: FieldProblem[] = [];
  header.forEach((name, i) => (cells[name] = (record[i] ?? '').trim()));
  if (record.length > header.length) {
    problems.push({
      field: `column ${header.length + 1}`,
      reason: `${record.length} cells but the header has ${header.length} columns`,
    });
  } else if (record.length < header.length) {
    problems.push({ field: header[record.length], reason: `${record.length} cells but the header has ${header.length} columns` });
  }
  for (const [name, value] of Object.entries(cells)) {
    if (value.includes('\uFFFD')) {
      problems.push({ field: name, reason: 'bytes that are not valid text in this encoding (is it Shift_JIS? use --encoding shift_jis)' });
    }
  }
  return { line, cells, problems };
}
