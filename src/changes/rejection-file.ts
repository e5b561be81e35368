import fs from 'node:fs';
import { stringify } from 'csv-stringify';
import { SAFE_CAST } from '../csv/safe-cell.ts';
import type { Rejection } from './change.repository.ts';
import { reasonJa } from './reason-ja.ts';

/**
 * FILE.rejected.csv beside the input (CONTRACT.md): one line per rejected field, written as
 * rejections happen so that a file of a million bad rows never sits in memory. The file is
 * only created when something is rejected; a stale one from an earlier run is removed. Cells
 * that a spreadsheet would take for a formula are neutralised (src/csv/safe-cell.ts); the values
 * repeated from the input arrive cut short (ingestRows). It starts with a UTF-8 BOM and gives each
 * reason in Japanese too (`reason_ja`), so that a clerk opening it in Excel can read it.
 */
export class RejectionFile {
  private out?: ReturnType<typeof stringify>;
  private done?: Promise<void>;

  constructor(readonly path: string) {
    fs.rmSync(path, { force: true });
  }

  async write(rejections: Rejection[]): Promise<void> {
    if (rejections.length === 0) return;
    if (!this.out) {
      // reason_ja: the reason for the clerk; reason: as before, for scripts (CONTRACT.md).
      this.out = stringify({ header: true, columns: ['line', 'change_id', 'field', 'reason', 'reason_ja'], cast: SAFE_CAST });
      const file = fs.createWriteStream(this.path);
      // A UTF-8 BOM: without it Excel reads the file as Shift_JIS and garbles every Japanese cell.
      file.write('\uFEFF');
      this.done = new Promise((resolve, reject) => file.on('finish', resolve).on('error', reject));
      this.out.pipe(file);
    }
    for (const r of rejections) {
      if (!this.out.write([r.line ?? '', r.changeId ?? '', r.field, r.reason, reasonJa(r.reason)])) {
        await new Promise((resolve) => this.out!.once('drain', resolve));
      }
    }
  }

  /** Closes the file; returns its path, or null when nothing was rejected. */
  async close(): Promise<string | null> {
    if (!this.out) return null;
    this.out.end();
    await this.done;
    return this.path;
  }
}
