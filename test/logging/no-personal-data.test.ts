import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readCsvRows } from '../../src/changes/csv-rows.ts';
import { ingestRows } from '../../src/changes/import.service.ts';
import { RejectionFile } from '../../src/changes/rejection-file.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { buildServer } from '../../src/http/server.ts';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { createLogger } from '../../src/logger.ts';
import { updateSettings } from '../../src/municipalities/municipality.service.ts';
import { BullJobQueue, startWorkers } from '../../src/queue/bullmq-job-queue.ts';
import { QUEUE } from '../../src/queue/queue-names.ts';
import { addUser } from '../../src/staff/staff.service.ts';
import { jobHandlers } from '../../workers/job-handlers.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { createPostgresDatabase, REDIS_URL } from '../support/test-database.ts';
import { PROGRAMS } from '../support/test-environments.ts';

const PERSONAL = ['family_name', 'given_name', 'family_name_kana', 'given_name_kana', 'birth_date', 'address', 'postal_code', 'account_number', 'holder_kana'];

const NOTES = ['共済組合から支給の確認書あり', '辞退届を郵送で受理'];

const SETTINGS = fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url));

describe('logs never contain personal data', () => {
  it('after importing a generated municipality through files, queues, workers and the API at trace level', async () => {
    const m = freshMunicipality();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-logs-'));
    const { files } = await generateMunicipality({ households: 200, seed: 'logs', municipalityCode: m, outDir: dir });

    let captured = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((captured += chunk), done()) });
    const logger = createLogger('trace', sink);
    const database = await createPostgresDatabase();
    const prefix = `logs-${Date.now()}`;
    const jobs = new BullJobQueue({ redisUrl: REDIS_URL, prefix }, logger);
    const workers = startWorkers({ redisUrl: REDIS_URL, prefix }, jobHandlers({ db: database.db, logger, noticesDir: dir, programs: PROGRAMS, draftsDir: dir, reportsDir: dir }), logger);
    const server = await buildServer({ db: database.db, jobs, logger, draftsDir: dir, reportsDir: dir });
    try {
      const ctx = { db: database.db, jobs, logger };
      for (const kind of ['residents', 'income', 'accounts'] as const) {
        await ingestRows(ctx, kind, files[kind], readCsvRows(files[kind], kind, 'utf8'), new RejectionFile(`${files[kind]}.rejected.csv`));
      }
      // Circumstances with staff's free-text notes, one of them rejected: the notes are never logged.
      const someone = (parse(fs.readFileSync(files.residents), { columns: true }) as Record<string, string>[])[0].person_id;
      const circumstances = path.join(dir, 'circumstances.csv');
      fs.writeFileSync(circumstances, [
        'change_id,municipality_code,person_id,effective_date,circumstance,active,program,note',
        `c-1,${m},${someone},2024-10-01,public_servant,true,,${NOTES[0]}`,
        `c-2,${m},${someone},2024-12-01,declined,true,,${NOTES[1]}`,
      ].join('\n'));
      await ingestRows(ctx, 'circumstances', circumstances, readCsvRows(circumstances, 'circumstances', 'utf8'), new RejectionFile(`${circumstances}.rejected.csv`));
      // Some rows over HTTP too, one of them bad, so rejections are logged as well.
      await addUser(database.db, { login: `logs-${prefix}`, role: 'admin', municipalityCode: m, password: 'a long enough password' });
      const login = await server.inject({ method: 'POST', url: '/v1/login', payload: { login: `logs-${prefix}`, password: 'a long enough password' } });
      const cookie = `benefit_session=${login.cookies[0].value}`;
      const rows = (parse(fs.readFileSync(files.residents), { columns: true }) as Record<string, string>[]).slice(0, 20);
      rows[0] = { ...rows[0], birth_date: 'not a date', change_id: `${rows[0].change_id}-x` };
      const res = await server.inject({ method: 'POST', url: '/v1/changes', headers: { cookie, 'x-csrf-token': login.json().csrf_token }, payload: { kind: 'residents', rows } });
      expect(res.statusCode).toBe(200);
      const deadline = Date.now() + 30_000;
      while ((await database.db.selectFrom('changes').select('id').where('status', '=', 'received').limit(1).execute()).length) {
        if (Date.now() > deadline) throw new Error('workers did not finish');
        await new Promise((r) => setTimeout(r, 50));
      }
      // And the nightly batch on the workers: decisions, payment lines, notices.
      await updateSettings(database.db, m, JSON.parse(fs.readFileSync(SETTINGS, 'utf8')) as Record<string, unknown>);
      const summary = await runNightly({ db: database.db, logger, programs: PROGRAMS, jobs, noticesDir: dir }, '2024-12-13', false);
      expect(summary.payments_created).toBeGreaterThan(0);
    } finally {
      await server.close();
      await workers.close();
      for (const q of Object.values(QUEUE)) await jobs.queue(q).obliterate({ force: true });
      await jobs.close();
      await database.close();
    }

    expect(captured.length).toBeGreaterThan(1000); // the logs did say things
    expect(captured).toContain('import finished');
    expect(captured).toContain('nightly municipality done');
    const values = new Set<string>();
    for (const file of Object.values(files)) {
      for (const row of parse(fs.readFileSync(file), { columns: true }) as Record<string, string>[]) {
        for (const field of PERSONAL) if (row[field]) values.add(row[field]);
      }
    }
    for (const note of NOTES) values.add(note);
    expect(values.size).toBeGreaterThan(500);
    // The batch's business dates (the night's date, the months it decides, payment dates) name
    // its stages and jobs: a resident born on one of them (a child born on 1 October) is not a
    // leak. Only the dates are taken out of those fields; the rest of them is checked.
    const checked = captured.replace(/"(date|stage|jobId|payment_date)":"[^"]*"/g, (field) => field.replace(/\d{4}-\d{2}-\d{2}/g, 'YYYY-MM-DD'));
    // Digits count only as a whole number, not inside a timestamp; any Japanese text is a leak.
    const leaked = [...values].filter((v) => (/^[\d-]+$/.test(v) ? new RegExp(`(?<![\\d-])${v}(?![\\d-])`).test(checked) : checked.includes(v)));
    expect(leaked).toEqual([]);
  });
});
