import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkSizeFor, MIN_CHUNK_ITEMS, MIN_CHUNKS, plannedChunkSize, plannedItems } from '../../src/batch/batch-stage.service.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

describe('a stage is cut into chunks for every worker job slot', () => {
  it('a large stage takes the configured size; a small one at least 8 chunks of at least 500 items', () => {
    expect([MIN_CHUNKS, MIN_CHUNK_ITEMS]).toEqual([8, 500]);
    // 8 × 2,000 items and more: the configured size.
    expect(chunkSizeFor(450_000, 2000)).toBe(2000);
    expect(chunkSizeFor(16_000, 2000)).toBe(2000);
    // Just below: eight chunks, one item smaller.
    expect(chunkSizeFor(15_992, 2000)).toBe(1999);
    // The bench's night of 9,893 households: eight chunks of 1,237 rather than five of 2,000.
    expect(chunkSizeFor(9893, 2000)).toBe(1237);
    expect(Math.ceil(9893 / chunkSizeFor(9893, 2000))).toBe(8);
    // 8 × 500 items and fewer: chunks of 500; 500 items and fewer: one chunk.
    expect(chunkSizeFor(4001, 2000)).toBe(501);
    expect(chunkSizeFor(4000, 2000)).toBe(500);
    expect(chunkSizeFor(501, 2000)).toBe(500);
    expect(Math.ceil(501 / chunkSizeFor(501, 2000))).toBe(2);
    expect(chunkSizeFor(500, 2000)).toBe(500);
    expect(Math.ceil(500 / chunkSizeFor(500, 2000))).toBe(1);
    expect(chunkSizeFor(65, 2000)).toBe(500);
    // A configured size below the floor stands (the kill tests' chunks of 100 stay 100).
    expect(chunkSizeFor(9893, 100)).toBe(100);
    expect(chunkSizeFor(1, 1)).toBe(1);
  });
});

describe("a stage's chunk size is kept with its plan", () => {
  let database: TestDatabase;
  let runId: number;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const run = await database.db
      .insertInto('batch_runs')
      .values({ municipality_code: '141003', run_date: '2024-12-20', full_run: false, known_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    runId = run.id;
  });
  afterAll(() => database?.close());

  it('a resumed run cuts the same chunks, even with another chunk size configured', async () => {
    await plannedItems(database.db, runId, 'decide:2024-12-20', async () => Array.from({ length: 9893 }, (_, i) => `H${i}`));
    expect(await plannedChunkSize(database.db, runId, 'decide:2024-12-20', chunkSizeFor(9893, 2000), 2000)).toBe(1237);
    // Resumed with BENEFIT_CHUNK_HOUSEHOLDS=500: the plan's size stands.
    expect(await plannedChunkSize(database.db, runId, 'decide:2024-12-20', chunkSizeFor(9893, 500), 500)).toBe(1237);
  });

  it("a plan an earlier version stored without a size, with chunks done, keeps that version's cut (the configured size)", async () => {
    await plannedItems(database.db, runId, 'decide:2024-12-21', async () => Array.from({ length: 9893 }, (_, i) => `H${i}`));
    await sql`insert into batch_chunks (run_id, stage, chunk) values (${runId}, 'decide:2024-12-21', 0)`.execute(database.db);
    expect(await plannedChunkSize(database.db, runId, 'decide:2024-12-21', chunkSizeFor(9893, 2000), 2000)).toBe(2000);
    // Without chunks done, such a plan is cut anew.
    await plannedItems(database.db, runId, 'decide:2024-12-22', async () => Array.from({ length: 9893 }, (_, i) => `H${i}`));
    expect(await plannedChunkSize(database.db, runId, 'decide:2024-12-22', chunkSizeFor(9893, 2000), 2000)).toBe(1237);
  });
});
