import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * vitest globalSetup: each test run gets a Redis database of its own (1–15 of the server in
 * TEST_REDIS_URL, default redis://127.0.0.1:6379), emptied when the run ends. The BullMQ keys the
 * tests leave (every CLI process and test environment has a queue prefix of its own, and not all
 * of them are obliterated) then never pile up in database 0, where an installation's own queues
 * live, and runs started at the same time by different people do not share a database.
 *
 * A database is claimed by a key set only if the database is empty (a run that was killed keeps
 * its claim for CLAIM_SECONDS at most; its keys stay until someone empties that database). The
 * workers inherit TEST_REDIS_URL, pointing at the claimed database (test-database.ts reads it).
 */
const CLAIM_KEY = 'benefit-test-run';
const CLAIM_SECONDS = 6 * 3600;

export default async function setup(): Promise<() => Promise<void>> {
  const base = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const run = `${process.pid}-${randomBytes(4).toString('hex')}`;
  for (let db = 1; db <= 15; db++) {
    base.pathname = `/${db}`;
    const url = base.toString();
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    // Claimed atomically, and only while the database holds nothing else.
    const claimed = await redis.eval(
      "if redis.call('dbsize') == 0 then return redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) else return false end",
      1,
      CLAIM_KEY,
      run,
      String(CLAIM_SECONDS),
    );
    if (!claimed) {
      redis.disconnect();
      continue;
    }
    process.env.TEST_REDIS_URL = url;
    return async () => {
      // Only the database this run claimed, and only if the claim is still ours.
      if ((await redis.get(CLAIM_KEY)) === run) await redis.flushdb();
      redis.disconnect();
    };
  }
  throw new Error(`no empty Redis database among 1–15 on ${base.host} for this test run: empty one (redis-cli -n N flushdb) that no running test uses`);
}
