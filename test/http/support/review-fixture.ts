import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { runNightly } from '../../../src/batch/nightly.service.ts';
import { generateMunicipality } from '../../../src/generate/generate-municipality.ts';
import { updateSettings } from '../../../src/municipalities/municipality.service.ts';
import { addUser } from '../../../src/staff/staff.service.ts';
import { importFile } from '../../support/import-file.ts';
import { freshMunicipality, payingSettings } from '../../support/municipalities.ts';
import { nightlyContext, BASE_PROGRAMS, type TestEnvironment } from '../../support/test-environments.ts';

export const PASSWORD = 'correct horse battery';
export const DATE = '2024-12-13';

export interface ReviewFixture {
  /** The municipality staff work in, and another one whose data they must never see. */
  m: string;
  other: string;
  /** Logins by role in `m`, and in `other`. */
  users: { reviewer: string; reviewer2: string; supervisor: string; supervisor2: string; viewer: string; admin: string };
  otherUsers: { reviewer: string; supervisor: string };
  dir: string;
}

/**
 * Two generated municipalities, imported, with settings, decided by a nightly run as of a
 * payment date (so there are review items, payment lines and notices), and staff of each role.
 */
export async function reviewFixture(env: TestEnvironment, households = 400): Promise<ReviewFixture> {
  const m = freshMunicipality();
  const other = freshMunicipality();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-review-'));
  for (const [code, count, seed] of [[m, households, 'review'], [other, 60, 'review-other']] as const) {
    const { files } = await generateMunicipality({ households: count, seed, municipalityCode: code, outDir: path.join(dir, code) });
    for (const kind of ['residents', 'income', 'accounts'] as const) expect((await importFile(env, kind, files[kind])).rejectedRows).toBe(0);
    await updateSettings(env.db, code, payingSettings(code));
  }
  await runNightly(nightlyContext(env, BASE_PROGRAMS), DATE, false);
  const suffix = Math.random().toString(36).slice(2, 8);
  const users = {
    reviewer: `reviewer-${suffix}`, reviewer2: `reviewer2-${suffix}`, supervisor: `supervisor-${suffix}`, supervisor2: `supervisor2-${suffix}`,
    viewer: `viewer-${suffix}`, admin: `admin-${suffix}`,
  };
  for (const [role, login] of Object.entries(users)) await addUser(env.db, { login, role: role.replace(/2$/, ''), municipalityCode: m, password: PASSWORD });
  const otherUsers = { reviewer: `other-reviewer-${suffix}`, supervisor: `other-supervisor-${suffix}` };
  for (const [role, login] of Object.entries(otherUsers)) await addUser(env.db, { login, role, municipalityCode: other, password: PASSWORD });
  return { m, other, users, otherUsers, dir };
}
