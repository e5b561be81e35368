import fs from 'node:fs';
import { expect } from 'vitest';
import { readCsvRows, type Encoding } from '../../src/changes/csv-rows.ts';
import { ingestRows, type IngestSummary } from '../../src/changes/import.service.ts';
import { RejectionFile } from '../../src/changes/rejection-file.ts';
import type { RecordKind } from '../../src/db/schema.ts';
import { writeCsv, type Row } from './rows.ts';
import type { TestEnvironment } from './test-environments.ts';

/** What `benefit import` does, called in process; waits until the workers applied the rows. */
export async function importFile(
  env: TestEnvironment,
  kind: RecordKind,
  file: string,
  encoding: Encoding = 'utf8',
): Promise<IngestSummary> {
  const summary = await ingestRows(env, kind, file, readCsvRows(file, kind, encoding), new RejectionFile(`${file}.rejected.csv`));
  await env.settle();
  return summary;
}

/** Imports rows of municipality `m` as one file and expects every row accepted. */
export async function importRows(env: TestEnvironment, m: string, kind: RecordKind, rows: Row[]): Promise<void> {
  const file = writeCsv(rows.map((r) => ({ ...r, municipality_code: m })));
  const { rejectedRows } = await importFile(env, kind, file);
  expect(rejectedRows, rejectedRows ? fs.readFileSync(`${file}.rejected.csv`, 'utf8') : '').toBe(0);
}
