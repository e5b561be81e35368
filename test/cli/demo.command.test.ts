import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/run-cli.ts';

/**
 * `benefit demo --serve` on the embedded defaults (no DATABASE_URL, no REDIS_URL), small: it
 * leaves the Zengin file under --out and the PDF notices and the manifest in BENEFIT_NOTICES_DIR, then serves the API,
 * where the account it printed signs in.
 */
describe('benefit demo --serve', () => {
  it('runs the whole pipeline on the embedded defaults, leaves the files, and serves with a working account', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-demo-'));
    const out = path.join(work, 'out');
    const { DATABASE_URL: _d, REDIS_URL: _r, BENEFIT_DATA_DIR: _b, BENEFIT_NOTICES_DIR: _n, ...env } = process.env;
    const child = spawn(process.execPath, [BIN, 'demo', '--households', '300', '--out', out, '--serve', '--port', '0'], {
      env: { ...env, BENEFIT_DATA_DIR: path.join(work, 'data'), LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 150_000;
      while (!stdout.includes('listening on')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`demo did not start serving:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(stdout).toContain('jobs: in-process');
      // --port 0: the system picks a free port, and the demo says which.
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
      const [, login, password] = /sign in as (\S+) with the password (\S+)/.exec(stdout)!;
      const res = await fetch(`http://127.0.0.1:${port}/v1/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }),
      });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    const zengin = fs.readdirSync(out).filter((f) => /^zengin-2024-12-13\.txt$/.test(f));
    expect(zengin).toHaveLength(1);
    const bytes = fs.readFileSync(path.join(out, zengin[0]));
    expect(bytes.length % 122).toBe(0); // 120-byte records, each with CRLF
    expect(bytes.length / 122).toBeGreaterThan(3); // header, transfers, trailer, end
    // Where every later nightly writes its notices too: BENEFIT_NOTICES_DIR, by default under the data folder.
    const notices = path.join(work, 'data', 'notices', '141003', '2024-12-13');
    const pdfs = fs.readdirSync(notices).filter((f) => f.endsWith('.pdf'));
    expect(pdfs.length).toBeGreaterThan(10);
    expect(fs.readFileSync(path.join(notices, pdfs[0])).subarray(0, 5).toString()).toBe('%PDF-');
    expect(fs.readdirSync(notices).some((f) => f.startsWith('manifest-') && f.endsWith('.csv'))).toBe(true);
  }, 200_000);
});
