// Streaming CSV output for the generator: one file, written row by row with backpressure.
//
// Why not pipe every row through csv-stringify's stream: measured on this project's rows it
// costs ~4 µs per row (per-field casting and option handling), i.e. ~20 s for the ~4.5
// million rows of a 1,000,000-resident municipality. Instead csv-stringify writes the header
// and any row that needs quoting, and rows whose fields contain no comma, quote, CR or LF
// (all generated rows: codes, numbers, dates, names, addresses) are joined directly, which
// is exactly what csv-stringify emits for them (no quoting, `\n` record delimiter, no BOM).
// Rows are buffered into ~256 KB chunks before reaching the file stream; when the stream's
// buffer is full the generator awaits 'drain', so memory stays bounded.

import fs from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';

export type CsvValue = string | number;

const CHUNK_CHARS = 256 * 1024;

/** True when joining with commas gives the same text as csv-stringify (nothing to quote). */
function isPlain(line: string, fields: number): boolean {
  let commas = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 44) commas++;
    else if (c === 34 || c === 10 || c === 13) return false;
  }
  return commas === fields - 1;
}

export class CsvFile {
  /** Data rows written so far (the header not counted). */
  rows = 0;
  private pending = '';
  private blocked = false;
  private failure: Error | null = null;
  private readonly stream: fs.WriteStream;

  constructor(
    readonly path: string,
    private readonly columns: readonly string[],
  ) {
    this.stream = fs.createWriteStream(path, { highWaterMark: 1024 * 1024 });
    this.stream.on('error', (err) => {
      this.failure = err;
    });
    this.pending = stringify([[...columns]]);
  }

  /** Appends one row; call `drain()` when `mustWait` is true before writing much more. */
  write(row: readonly CsvValue[]): void {
    if (row.length !== this.columns.length) {
      throw new Error(`${this.path}: row has ${row.length} fields, expected ${this.columns.length}`);
    }
    const line = row.join(',');
    this.pending += isPlain(line, row.length) ? line + '\n' : stringify([row as CsvValue[]]);
    this.rows++;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  /** The file stream's buffer is full: the caller should await `drain()`. */
  get mustWait(): boolean {
    return this.blocked || this.failure !== null;
  }

  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.blocked) return;
    await once(this.stream, 'drain');
    this.blocked = false;
  }

  /** Writes what is buffered, ends the file and waits until it is on disk. */
  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending) this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
  }

  /** Closes the file after a failure elsewhere, without throwing. */
  destroy(): void {
    this.stream.destroy();
  }

  private flush(): void {
    const chunk = this.pending;
    this.pending = '';
    if (!this.stream.write(chunk)) this.blocked = true;
  }
}
