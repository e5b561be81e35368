import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readCsvRows } from '../../changes/csv-rows.ts';
import { ingestRows } from '../../changes/import.service.ts';
import { RECORD_KINDS } from '../../changes/record-schemas.ts';
import { RejectionFile } from '../../changes/rejection-file.ts';
import { generateMunicipality } from '../../generate/generate-municipality.ts';
import { loadConfig } from '../../config.ts';
import { projectPath } from '../../project-root.ts';
import { runNightly } from '../../batch/nightly.service.ts';
import { exportLine } from '../../decisions/decision-export.ts';
import { decisionsInForce } from '../../decisions/decision.repository.ts';
import { yen } from '../../engine/wareki.ts';
import { updateSettings } from '../../municipalities/municipality.service.ts';
import { exportPayments, paymentDates } from '../../payments/export-payments.service.ts';
import { addUser } from '../../staff/staff.service.ts';
import { nightlyContext, openAppContext, type AppContext } from '../app-context.ts';
import { stageProgress } from '../stage-progress.ts';
import { wholeNumberOption } from '../whole-number-option.ts';
import { portNumber, serveUntilStopped } from './serve.command.ts';

const DEMO_MUNICIPALITY = '141003'; // 横浜市: any valid code would do
/** Example settings (names and codes of the office; the paying account is made up). */
const DEMO_SETTINGS = projectPath('examples', 'municipality-141003.json');
/** A payment month of 児童手当 and the base date of the 令和6年度 非課税世帯 benefit. */
const DEMO_DATE = '2024-12-13';

type Totals = Record<string, { eligible: number; ineligible: number; review: number; yen: number; monthly: boolean }>;

async function exportDecisions(app: AppContext, asOf: string, file: string): Promise<Totals> {
  const totals: Totals = {};
  const out = fs.createWriteStream(file);
  for await (const d of await decisionsInForce(app.db, asOf, {})) {
    const t = (totals[d.program] ??= { eligible: 0, ineligible: 0, review: 0, yen: 0, monthly: d.period_kind === 'monthly' });
    t[d.outcome]++;
    t.yen += d.amount_yen;
    if (!out.write(`${JSON.stringify(exportLine(d))}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return totals;
}

/**
 * `benefit demo`: the whole pipeline as far as it is built, on a generated municipality of
 * 10,000 households and whatever configuration is set (the embedded defaults on a fresh
 * clone). Running it again imports the same files again, which changes nothing.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the whole pipeline on a generated municipality, on the embedded defaults')
    .option('--households <n>', 'size of the generated municipality', wholeNumberOption(1), 10000)
    .option('--out <dir>', 'where the outputs go', 'out')
    .option('--serve', 'then keep the API and review pages up on http://127.0.0.1:3000')
    .option('--port <port>', 'port for --serve (0: any free port)', portNumber, 3000)
    .action(async (o: { households: number; out: string; serve?: boolean; port: number }) => {
      const out = path.resolve(o.out);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      // Configuration first: a bad setting must stop the demo before it writes anything.
      loadConfig();
      const generated = await generateMunicipality({
        households: o.households,
        seed: 'demo',
        municipalityCode: DEMO_MUNICIPALITY,
        outDir: path.join(out, 'data'),
      });
      say(`generated ${generated.counts.households} households, ${generated.counts.residents} residents in ${path.join(out, 'data')}`);
      // Notices go where every later nightly and worker writes them (BENEFIT_NOTICES_DIR), not to a
      // folder of the demo's own that the next `benefit nightly` would not know.
      const app = await openAppContext();
      try {
        say(`database: ${app.database.kind === 'embedded' ? `embedded, in ${app.config.dataDir}` : 'PostgreSQL server'}; jobs: ${app.jobs.kind}`);
        const settings = await updateSettings(app.db, DEMO_MUNICIPALITY, JSON.parse(fs.readFileSync(DEMO_SETTINGS, 'utf8')) as Record<string, unknown>);
        for (const kind of RECORD_KINDS.filter((k): k is keyof typeof generated.files => k in generated.files)) {
          const file = generated.files[kind];
          const s = await ingestRows(app, kind, file, readCsvRows(file, kind, 'utf8'), new RejectionFile(`${file}.rejected.csv`));
          say(`import ${kind}: ${s.rowsRead} rows, ${s.accepted} accepted, ${s.duplicates} already received, ${s.rejectedRows} rejected`);
        }
        const progress = stageProgress();
        const summary = await runNightly(nightlyContext(app), DEMO_DATE, false, progress?.update).finally(() => progress?.stop());
        say(
          `nightly ${DEMO_DATE}: ${summary.households_evaluated} households evaluated, ${summary.decisions_created} decisions, ` +
            `${summary.payments_created} payment lines, ${summary.notices_created} notices, ${summary.review_items} items for review`,
        );
        const file = path.join(out, 'decisions.jsonl');
        const totals = await exportDecisions(app, DEMO_DATE, file);
        for (const [program, t] of Object.entries(totals)) {
          say(`  ${program}: ${t.eligible} eligible (${yen(t.yen)}${t.monthly ? ' a month' : ''}), ${t.ineligible} ineligible, ${t.review} for review`);
        }
        say(`decisions in force on ${DEMO_DATE}, with explanations: ${file}`);
        // Only the files due by the demo's date: exporting a later date marks its lines as sent
        // (a hold would then come too late) long before that date's file is due.
        for (const date of (await paymentDates(app.db, DEMO_MUNICIPALITY)).filter((d) => d <= DEMO_DATE)) {
          const zengin = path.join(out, `zengin-${date}.txt`);
          const r = await exportPayments(app.db, DEMO_MUNICIPALITY, date, settings);
          fs.writeFileSync(zengin, r.file);
          say(`Zengin 総合振込 file for ${date}: ${r.lines} transfers, ${yen(r.totalYen)}: ${zengin}`);
        }
        // Every run says where the notices are, a rerun too (it renders nothing new).
        const notices = path.join(app.config.noticesDir, DEMO_MUNICIPALITY, DEMO_DATE);
        const manifests = fs.existsSync(notices) ? fs.readdirSync(notices).filter((f) => /^manifest-.*\.csv$/.test(f)).sort() : [];
        say(
          `notices (PDF) and the print manifest: ${notices}` +
            (manifests.length ? ` (${manifests.join(', ')}${summary.manifests.length ? '' : '; nothing new this run'})` : ' (none)'),
        );
        if (o.serve) {
          // A fresh supervisor account per demo run: the embedded database is this process's alone.
          const login = `demo-${randomBytes(3).toString('hex')}`;
          const password = randomBytes(12).toString('base64url');
          await addUser(app.db, { login, role: 'supervisor', municipalityCode: DEMO_MUNICIPALITY, password });
          say(`sign in as ${login} with the password ${password}`);
          await serveUntilStopped(app, '127.0.0.1', o.port);
        }
      } finally {
        await app.close();
      }
    });
}
