import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { CsvError, parse, type InfoRecord, type Options } from 'csv-parse';
import iconv from 'iconv-lite';
import { AppError, ConflictError, UnusableInputError } from '../errors.ts';
import type { RecordKind } from '../db/schema.ts';
import { COLUMNS, type FieldProblem } from './record-schemas.ts';

export type Encoding = 'utf8' | 'shift_jis';

/** One data row of an input file: its cells by column, or what makes it unreadable. */
export interface RawRow {
  line: number;
  cells: Record<string, string>;
  problems: FieldProblem[];
  /**
   * The municipality its rejections are recorded under: the signed-in user's for rows that
   * arrive through the API (a row naming another municipality is recorded under the sender's,
   * who alone may see it); for a file, the row's own municipality_code.
   */
  recordUnder?: string;
}

const ROWS_PER_BATCH = 1000;

/**
 * Streams the rows of an input file in batches: never the whole file in memory. Before the
 * first row is handed out, the whole file is read once for its CSV syntax alone (quotes,
 * the header): a file that is not CSV to its end is unusable (exit 2) before anything is
 * stored, however late the error. Reading twice costs a few seconds on a million rows and no
 * memory; storing first and undoing on error would leave rows behind when the undo is itself
 * interrupted, and one transaction over a million rows would hide them from the nightly and
 * the workers for as long as it runs. A header that names an unknown column, repeats one or
 * lacks a required one makes the file unusable too; a row whose cells do not match the header
 * is a rejected row.
 *
 * Each row's `line` is the physical line of the file on which its record starts (line 1 is
 * the header), as a text editor or `sed -n` counts them: a line break inside a quoted cell
 * (CRLF, LF or CR, each one break) moves the next record's line on. Without line breaks in
 * cells it is also the row number a spreadsheet shows.
 */
export async function* readCsvRows(file: string, kind: RecordKind, encoding: Encoding): AsyncGenerator<RawRow[]> {
  if (!fs.existsSync(file)) throw new UnusableInputError('file_not_found', `${file}: no such file`, { file });
  if (encoding === 'utf8') await refuseShiftJis(file);
  await checkCsvSyntax(file, kind, encoding);
  const records = openRecords(file, encoding);
  let header: string[] | undefined;
  try {
    for await (const batch of batchesOf<LocatedRecord>(records.parser, ROWS_PER_BATCH)) {
      const rows: RawRow[] = [];
      for (const { record, line } of batch) {
        if (header) rows.push(toRow(header, record, line));
        else header = checkHeader(file, kind, record);
      }
      if (rows.length) yield rows;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // It was CSV to its end a moment ago: the file changed while it was being imported.
    throw new ConflictError(
      'csv_changed',
      `${describeSyntaxError(file, error, header, records)}, although it was readable when the import began: ` +
        'was the file changed while it was imported? Run the same command again once the file is complete',
      { file },
    );
  } finally {
    records.close();
  }
  if (!header) throw new UnusableInputError('csv_empty', `${file}: empty file, no header row`, { file });
}

/**
 * A Shift_JIS (cp932) file read as UTF-8 would give a rejection for every Japanese cell of every
 * row: such a file is refused whole instead (exit 2, nothing stored), with the option that reads
 * it. It is told from a UTF-8 file with a few broken rows (those are rejected row by row, as
 * before) by its lines with non-ASCII bytes: most of them are not UTF-8.
 */
async function refuseShiftJis(file: string): Promise<void> {
  let nonAscii = 0;
  let broken = 0;
  let firstBroken = 0;
  let line = 0;
  let rest: Buffer = Buffer.alloc(0);
  const countLines = (bytes: Buffer) => {
    for (let start = 0; start < bytes.length; ) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      const text = bytes.subarray(start, end);
      line++;
      if (text.some((b) => b >= 0x80)) {
        nonAscii++;
        if (!isUtf8(text)) {
          broken++;
          firstBroken ||= line;
        }
      }
      start = end + 1;
    }
  };
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    const bytes = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    const cut = bytes.lastIndexOf(0x0a);
    if (cut < 0) {
      rest = bytes;
      continue;
    }
    const whole = bytes.subarray(0, cut + 1);
    rest = bytes.subarray(cut + 1);
    // Most files are UTF-8 throughout: a chunk that is needs no look at its lines.
    if (isUtf8(whole)) line += countNewlines(whole);
    else countLines(whole.subarray(0, whole.length - 1));
  }
  if (rest.length) countLines(rest);
  if (broken > 0 && broken * 2 > nonAscii) {
    throw new UnusableInputError(
      'not_utf8',
      `${file} is not UTF-8: ${broken} of its ${nonAscii} lines with Japanese text are not valid UTF-8 (the first is line ${firstBroken}); ` +
        'it looks like Shift_JIS (cp932), as Excel and many municipal systems save CSV. Nothing was stored: import it with --encoding shift_jis (the same as --encoding cp932)',
      { file },
    );
  }
}

function countNewlines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * Reads the whole file for its CSV syntax and its header, storing nothing. The error names the
 * file, the line the broken record starts on and the column, never a value (an address in a
 * broken row must not reach a terminal or a log).
 */
export async function checkCsvSyntax(file: string, kind: RecordKind, encoding: Encoding): Promise<void> {
  const records = openRecords(file, encoding);
  let header: string[] | undefined;
  try {
    for await (const batch of batchesOf<LocatedRecord>(records.parser, ROWS_PER_BATCH)) {
      if (!header && batch.length) header = checkHeader(file, kind, batch[0].record);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new UnusableInputError('csv_unreadable', `${describeSyntaxError(file, error, header, records)}; nothing was stored`, { file });
  } finally {
    records.close();
  }
  if (!header) throw new UnusableInputError('csv_empty', `${file}: empty file, no header row`, { file });
}

interface LocatedRecord {
  record: string[];
  /** The physical line the record starts on. */
  line: number;
}

interface RecordStream {
  parser: Readable;
  /** The line the record being parsed starts on, given the parser's count of skipped empty lines. */
  lineOfNext(emptyLines: number): number;
  close(): void;
}

/**
 * csv-parse counts a CRLF inside a quoted cell as two lines and reports a multi-line record
 * at its last line; the line each record starts on is counted here instead: the lines the
 * records before it took (one each, plus the breaks inside their cells) and the empty lines
 * the parser skipped.
 */
function openRecords(file: string, encoding: Encoding): RecordStream {
  const bytes = fs.createReadStream(file);
  // Municipal systems write "Shift_JIS" as Windows-31J (cp932: ①, 髙 and friends), a superset.
  const text = encoding === 'shift_jis' ? bytes.pipe(iconv.decodeStream('cp932')) : bytes.setEncoding('utf8');
  let taken = 0;
  const lineOfNext = (emptyLines: number) => 1 + taken + emptyLines;
  const parser = text.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // Typed for records in, records out; a located record is what comes out here.
      on_record: ((record: string[], context: InfoRecord): LocatedRecord => {
        const line = lineOfNext(context.empty_lines);
        taken += 1 + record.reduce((n, cell) => n + (cell.match(LINE_BREAK)?.length ?? 0), 0);
        return { record, line };
      }) as unknown as Options['on_record'],
    }),
  );
  // An error reading the bytes (a folder, a vanished file) ends the parser with it.
  bytes.on('error', (error) => parser.destroy(error));
  return { parser, lineOfNext, close: () => bytes.destroy() };
}

const LINE_BREAK = /\r\n|\r|\n/g;

const SYNTAX_PROBLEMS: Record<string, string> = {
  CSV_INVALID_CLOSING_QUOTE: 'a quoted cell is followed by more text before the next comma or line end (a quote inside a cell is written twice, "")',
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed (its closing quote is missing)',
  CSV_INVALID_OPENING_QUOTE: 'a quote inside a cell that does not start with one (quote the whole cell and write the quote twice, "")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after the closing quote of a cell',
};

/** Where and what, from a csv-parse error, without the text it quotes from the file. */
function describeSyntaxError(file: string, error: unknown, header: string[] | undefined, records: RecordStream): string {
  if (!(error instanceof CsvError)) {
    const code = (error as NodeJS.ErrnoException)?.code;
    return `${file}: not readable${code ? ` (${code})` : ''}`;
  }
  const info = error as CsvError & { empty_lines?: number; column?: number | string };
  const line = records.lineOfNext(info.empty_lines ?? 0);
  const index = typeof info.column === 'number' ? info.column : undefined;
  const column = index === undefined ? '' : `, column ${index + 1}${header?.[index] ? ` (${header[index]})` : ''}`;
  return `${file} line ${line}${column}: not readable as CSV: ${SYNTAX_PROBLEMS[error.code] ?? `malformed CSV (${error.code})`}`;
}

/** The same checks for rows that arrive as JSON objects (POST /v1/changes). */
export function rowFromObject(kind: RecordKind, line: number, object: Record<string, unknown>, municipalityCode?: string): RawRow {
  const known = new Set([...COLUMNS[kind].required, ...COLUMNS[kind].optional]);
  const problems: FieldProblem[] = [];
  const cells: Record<string, string> = {};
  for (const [k, v] of Object.entries(object)) {
    if (!known.has(k)) problems.push({ field: k, reason: `unknown column for ${kind}` });
    else if (v !== null && typeof v === 'object') {
      problems.push({ field: k, reason: 'must be one value (text, a number, true or false), not an object or array' });
    }
    cells[k] = v === null || v === undefined || typeof v === 'object' ? '' : String(v);
  }
  if (municipalityCode !== undefined && cells.municipality_code && cells.municipality_code !== municipalityCode) {
    problems.push({ field: 'municipality_code', reason: `not your municipality (${municipalityCode})` });
  }
  return { line, cells, problems, recordUnder: municipalityCode };
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
