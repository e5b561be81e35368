import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { QUEUE } from '../../src/queue/queue-names.ts';
import type { BullJobQueue } from '../../src/queue/bullmq-job-queue.ts';
import { REDIS_URL } from '../support/test-database.ts';
import { postgresWithRedis } from '../support/test-environments.ts';

/**
 * Issue 16 point 12: the tests use a Redis database of their own run (vitest globalSetup,
 * emptied when the run ends), never database 0, and a test environment removes its queues' keys.
 */
describe('tests clean up after themselves in Redis', () => {
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.disconnect());

  it('runs on a Redis database claimed by this test run, not database 0', async () => {
    const db = Number(new URL(REDIS_URL).pathname.slice(1) || '0');
    expect(db).toBeGreaterThan(0);
    expect(await redis.get('benefit-test-run')).toBeTruthy();
  });

  it('a test environment leaves no key of its queues behind', async () => {
    const env = await postgresWithRedis([]);
    const jobs = env.jobs as BullJobQueue;
    for (const q of Object.values(QUEUE)) await jobs.queue(q).add('left-behind', {}, { delay: 60_000 });
    expect((await redis.keys(`${env.queuePrefix}:*`)).length).toBeGreaterThan(0);
    await env.close();
    expect(await redis.keys(`${env.queuePrefix}:*`)).toEqual([]);
  });
});
