import type { Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as noticeNumbersMigration from '../../migrations/0020_notice_numbers.ts';
import type { DB } from '../../src/db/schema.ts';
import { numberLetters } from '../../src/notices/document-numbers.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

const M = '141003';

describe('文書番号 (document-numbers.ts, migrations/0020_notice_numbers.ts)', () => {
  let env: TestDatabase;
  let runId: number;
  beforeAll(async () => {
    env = await createPostgresDatabase();
    ({ id: runId } = await env.db.insertInto('batch_runs').values({ municipality_code: M, run_date: '2024-12-13', full_run: false, known_at: new Date() }).returning('id').executeTakeFirstOrThrow());
  });
  afterAll(() => env?.close());

  /** Inserts letters as the notices stage does, then numbers the ones it inserted. */
  async function insertAndNumber(trx: Transaction<DB>, ids: string[], issuedOn = '2024-12-13', symbol = 'こ家') {
    const rows = await trx
      .insertInto('notices')
      .values(ids.map((id) => ({ notice_id: id, municipality_code: M, kind: '支給決定', program: 'child-allowance', household_id: `H-${id}`, person_id: null, decision_id: null, review_item_id: null, batch_run_id: runId, issued_on: issuedOn, content: '{}' })))
      .onConflict((c) => c.column('notice_id').doNothing())
      .returning(['id', 'notice_id'])
      .execute();
    await numberLetters(trx, M, issuedOn, rows.map((r) => ({ id: r.id, noticeId: r.notice_id, symbol })));
  }
  const numbers = async (ids: string[]) =>
    Object.fromEntries((await env.db.selectFrom('notice_numbers').select(['notice_id', 'symbol', 'fiscal_year', 'number']).where('notice_id', 'in', ids).execute()).map((r) => [r.notice_id, `${r.symbol}第${r.number}号 ${r.fiscal_year}`]));

  it('lets a second chunk insert its letters while the first holds the numbers, then numbers it next, with no gap', async () => {
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (releaseFirst = r));
    let firstNumbered!: () => void;
    const firstHoldsLock = new Promise<void>((r) => (firstNumbered = r));
    const first = env.db.transaction().execute(async (trx) => {
      await insertAndNumber(trx, ['a1', 'a2', 'a3']);
      firstNumbered();
      await firstMayCommit;
    });
    await firstHoldsLock;
    const events: string[] = [];
    const second = env.db.transaction().execute(async (trx) => {
      const rows = await trx.insertInto('notices').values(['b1', 'b2'].map((id) => ({ notice_id: id, municipality_code: M, kind: '支給決定', program: 'child-allowance', household_id: `H-${id}`, batch_run_id: runId, issued_on: '2024-12-13', content: '{}' }))).returning(['id', 'notice_id']).execute();
      events.push('second inserted its letters');
      await numberLetters(trx, M, '2024-12-13', rows.map((r) => ({ id: r.id, noticeId: r.notice_id, symbol: 'こ家' })));
      events.push('second numbered');
    });
    // The second chunk's letters go in while the first still holds the lock; numbering waits.
    await expect.poll(() => events).toEqual(['second inserted its letters']);
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toEqual(['second inserted its letters']);
    events.push('first commits');
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['second inserted its letters', 'first commits', 'second numbered']);
    expect(await numbers(['a1', 'a2', 'a3', 'b1', 'b2'])).toEqual({
      a1: 'こ家第1号 2024', a2: 'こ家第2号 2024', a3: 'こ家第3号 2024', b1: 'こ家第4号 2024', b2: 'こ家第5号 2024',
    });
  });

  it('gives no number to a letter already there, and none back from a chunk that failed', async () => {
    await env.db.transaction().execute((trx) => insertAndNumber(trx, ['a1', 'c1']));
    await expect(
      env.db.transaction().execute(async (trx) => {
        await insertAndNumber(trx, ['c2']);
        throw new Error('the chunk failed after numbering');
      }),
    ).rejects.toThrow('the chunk failed');
    await env.db.transaction().execute((trx) => insertAndNumber(trx, ['c3']));
    expect(await numbers(['a1', 'c1', 'c2', 'c3'])).toEqual({ a1: 'こ家第1号 2024', c1: 'こ家第6号 2024', c3: 'こ家第7号 2024' });
  });

  it('counts each 記号 on its own and starts again at 1 in April (the 年度), not in January', async () => {
    await env.db.transaction().execute(async (trx) => {
      await insertAndNumber(trx, ['d1'], '2025-03-31');
      await insertAndNumber(trx, ['d2'], '2025-04-01');
      await insertAndNumber(trx, ['d3'], '2025-01-06', 'こ給');
    });
    expect(await numbers(['d1', 'd2', 'd3'])).toEqual({ d1: 'こ家第8号 2024', d2: 'こ家第1号 2025', d3: 'こ給第1号 2024' });
  });

  it('refuses a number given twice', async () => {
    await env.db.insertInto('notices').values({ notice_id: 'e1', municipality_code: M, kind: '支給決定', program: 'child-allowance', household_id: 'H-e1', batch_run_id: runId, issued_on: '2024-12-13', content: '{}' }).execute();
    await expect(env.db.insertInto('notice_numbers').values({ notice_id: 'e1', municipality_code: M, symbol: 'こ家', fiscal_year: 2024, number: 1 }).execute()).rejects.toThrow(/unique/);
  });

  it('keeps the numbers of letters numbered before the migration, read from their content', async () => {
    await noticeNumbersMigration.down(env.db);
    await env.db
      .insertInto('notices')
      .values([
        { notice_id: 'f1', municipality_code: M, kind: '支給決定', program: 'child-allowance', household_id: 'H-f1', batch_run_id: runId, issued_on: '2025-03-31', content: JSON.stringify({ documentNumber: 'こ家第12号' }) },
        { notice_id: 'f2', municipality_code: M, kind: '支給決定', program: 'child-allowance', household_id: 'H-f2', batch_run_id: runId, issued_on: '2025-04-01', content: JSON.stringify({ documentNumber: '第3号' }) },
      ])
      .execute();
    await noticeNumbersMigration.up(env.db);
    const rows = await env.db.selectFrom('notice_numbers').select(['notice_id', 'symbol', 'fiscal_year', 'number']).where('notice_id', 'in', ['f1', 'f2']).orderBy('notice_id').execute();
    expect(rows).toEqual([
      { notice_id: 'f1', symbol: 'こ家', fiscal_year: 2024, number: 12 },
      { notice_id: 'f2', symbol: '', fiscal_year: 2025, number: 3 },
    ]);
  });
});
