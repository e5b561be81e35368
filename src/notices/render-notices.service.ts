import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { NoticeContent } from './notice-content.ts';
import { renderNoticeFile } from './notice-pdf.ts';

export interface RenderNoticesJob {
  /** notices.id of the notices to render; rendered ones are skipped. */
  ids: number[];
}

/**
 * The notices worker: renders each pending notice to <dir>/<municipality>/<issued on>/<notice
 * id>.pdf and marks it rendered. Idempotent: a notice already rendered is skipped, and a
 * half-written file is replaced (written under a temporary name, then renamed).
 */
export async function renderNotices(db: Kysely<DB>, noticesDir: string, job: RenderNoticesJob): Promise<number> {
  if (job.ids.length === 0) return 0;
  const pending = await db
    .selectFrom('notices')
    .select(['id', 'notice_id', 'municipality_code', 'issued_on', 'content'])
    .where('id', 'in', job.ids)
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
  for (const n of pending) {
    const dir = path.join(noticesDir, n.municipality_code, n.issued_on);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${n.notice_id}.pdf`);
    const partial = `${file}.${process.pid}.partial`;
    const pages = await renderNoticeFile(n.content as unknown as NoticeContent, partial);
    fs.renameSync(partial, file);
    await db.updateTable('notices').set({ status: 'rendered', file, pages, rendered_at: new Date() }).where('id', '=', n.id).execute();
  }
  return pending.length;
}
