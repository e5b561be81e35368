import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

// `benefit` runs Node with the options its commands were measured with (bin/benefit.js's #! line:
// a larger young generation, docs/performance.md session 20), however it is started: npx, the
// npm scripts, the container's entry point, or the file itself.
describe('benefit started through its #! line', () => {
  it('runs Node with --max-semi-space-size=64', async () => {
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-probe-')), 'exec-argv.cjs');
    fs.writeFileSync(probe, "process.stderr.write('execArgv ' + JSON.stringify(process.execArgv) + '\\n');\n");
    const r = await runCli(['--version'], { NODE_OPTIONS: `--require ${probe}` });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(JSON.parse(/execArgv (.*)/.exec(r.stderr)![1])).toContain('--max-semi-space-size=64');
  });
});
