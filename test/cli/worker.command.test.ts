import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { REDIS_URL } from '../support/test-database.ts';

describe('benefit worker', () => {
  it.each(['0', '-1', '1.5', 'abc'])('refuses --concurrency %s with exit 2, naming the option', async (value) => {
    const result = await runCli(['worker', '--concurrency', value], { REDIS_URL });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`'--concurrency <n>' argument '${value}' is invalid`);
  });
});
