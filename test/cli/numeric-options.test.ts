import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

describe('benefit serve and demo: numeric options', () => {
  it.each([['serve', '65536'], ['serve', '-1'], ['serve', 'abc'], ['demo', '3.5']])('%s refuses --port %s with exit 2, naming the option', async (command, value) => {
    const result = await runCli([command, '--port', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`'--port <port>' argument '${value}' is invalid`);
  });

  it.each(['abc', '0'])('demo refuses --households %s with exit 2, naming the option, and writes nothing', async (value) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-demo-bad-'));
    const result = await runCli(['demo', '--households', value, '--out', path.join(out, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`'--households <n>' argument '${value}' is invalid`);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
