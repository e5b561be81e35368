import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { documentNumber } from './document-numbers.ts';
import { envelopeIdFor, envelopeLetters, envelopeOrder } from './envelope.ts';
import type { NoticeContent } from './notice-content.ts';
import { renderNotices as renderPdf } from './notice-pdf.ts';

export interface RenderNoticesJob {
  /** notices.id of the notices to render; rendered ones are skipped. */
  ids: number[];
}

/**
 * The notices worker: renders each envelope (the run's pending letters to one person of one
 * household, see envelope.ts) that a notice of the job belongs to, as one PDF,
 * <dir>/<municipality>/<issued on>/<envelope id>.pdf, and marks its letters rendered with that
 * file. Idempotent: an envelope already rendered is skipped, and a half-written file is
 * replaced (written under a temporary name, then renamed).
 */
export async function renderNotices(db: Kysely<DB>, noticesDir: string, job: RenderNoticesJob): Promise<number> {
  if (job.ids.length === 0) return 0;
  const keys = await db
    .selectFrom('notices')
    .select(['municipality_code', 'batch_run_id', 'household_id', 'person_id'])
    .distinct()
    .where('id', 'in', job.ids)
    .where('status', '=', 'pending')
    .execute();
  let rendered = 0;
  for (const key of keys) {
    const letters = envelopeOrder(
      await db
        .selectFrom('notices as n')
        .leftJoin('notice_numbers as nn', 'nn.notice_id', 'n.notice_id')
        .select(['n.id', 'n.notice_id', 'n.kind', 'n.program', 'n.municipality_code', 'n.issued_on', 'n.content', 'nn.symbol', 'nn.number'])
        .where('n.municipality_code', '=', key.municipality_code)
        .where('n.batch_run_id', '=', key.batch_run_id)
        .where('n.household_id', '=', key.household_id)
        .where(sql<boolean>`n.person_id is not distinct from ${key.person_id}`)
        .where('n.status', '=', 'pending')
        .execute(),
    );
    if (letters.length === 0) continue;
    const dir = path.join(noticesDir, key.municipality_code, letters[0].issued_on);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${envelopeIdFor(letters.map((l) => l.notice_id))}.pdf`);
    const partial = `${file}.${process.pid}.partial`;
    const output = fs.createWriteStream(partial);
    const closed = new Promise<void>((resolve, reject) => {
      output.once('close', () => resolve());
      output.once('error', reject);
    });
    const pages = await renderPdf(envelopeLetters(letters.map(withDocumentNumber)), output);
    await closed;
    fs.renameSync(partial, file);
    await db
      .updateTable('notices')
      .set({ status: 'rendered', file, pages, rendered_at: new Date() })
      .where('id', 'in', letters.map((l) => l.id))
      .execute();
    rendered += letters.length;
  }
  return rendered;
}

/** A letter's content with its 文書番号, which is kept beside it (notice_numbers). */
function withDocumentNumber(l: { content: Record<string, unknown>; symbol: string | null; number: number | null }): NoticeContent {
  const content = l.content as unknown as NoticeContent;
  return l.symbol === null || l.number === null ? content : { ...content, documentNumber: documentNumber(l.symbol, l.number) };
}
