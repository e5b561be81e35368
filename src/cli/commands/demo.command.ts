import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readCsvRows } from '../../changes/csv-rows.ts';
import { ingestRows } from '../../changes/import.service.ts';
import { RECORD_KINDS } from '../../changes/record-schemas.ts';
import { RejectionFile } from '../../changes/rejection-file.ts';
import { generateMunicipality } from '../../generate/generate-municipality.ts';
import { loadConfig } from '../../config.ts';
import { runNightly } from '../../batch/nightly.service.ts';
import { exportLine } from '../../decisions/decision-export.ts';
import { decisionsInForce } from '../../decisions/decision.repository.ts';
import { compileProgram } from '../../engine/evaluate-household.ts';
import { yen } from '../../engine/wareki.ts';
import { loadPrograms } from '../../rules/program-loader.ts';
import { openAppContext, type AppContext } from '../app-context.ts';

const DEMO_MUNICIPALITY = '141003'; // 横浜市: any valid code would do
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
    .option('--households <n>', 'size of the generated municipality', '10000')
    .option('--out <dir>', 'where the outputs go', 'out')
    .action(async (o: { households: string; out: string }) => {
      const out = path.resolve(o.out);
      const say = (line: string) => process.stdout.write(`${line}\n`);
      // Configuration first: a bad setting must stop the demo before it writes anything.
      loadConfig();
      const generated = await generateMunicipality({
        households: Number(o.households),
        seed: 'demo',
        municipalityCode: DEMO_MUNICIPALITY,
        outDir: path.join(out, 'data'),
      });
      say(`generated ${generated.counts.households} households, ${generated.counts.residents} residents in ${path.join(out, 'data')}`);
      const app = await openAppContext();
      try {
        say(`database: ${app.database.kind === 'embedded' ? `embedded, in ${app.config.dataDir}` : 'PostgreSQL server'}; jobs: ${app.jobs.kind}`);
        for (const kind of RECORD_KINDS) {
          const file = generated.files[kind];
          const s = await ingestRows(app, kind, file, readCsvRows(file, kind, 'utf8'), new RejectionFile(`${file}.rejected.csv`));
          say(`import ${kind}: ${s.rowsRead} rows, ${s.accepted} accepted, ${s.duplicates} already received, ${s.rejectedRows} rejected`);
        }
        const programs = loadPrograms(app.config.rulesDir).map(compileProgram);
        const summary = await runNightly({ db: app.db, logger: app.logger, programs }, DEMO_DATE, false);
        say(`nightly ${DEMO_DATE}: ${summary.households_evaluated} households evaluated, ${summary.decisions_created} decisions created, ${summary.review_items} for review`);
        const file = path.join(out, 'decisions.jsonl');
        const totals = await exportDecisions(app, DEMO_DATE, file);
        for (const [program, t] of Object.entries(totals)) {
          say(`  ${program}: ${t.eligible} eligible (${yen(t.yen)}${t.monthly ? ' a month' : ''}), ${t.ineligible} ineligible, ${t.review} for review`);
        }
        say(`decisions in force on ${DEMO_DATE}, with explanations: ${file}`);
      } finally {
        await app.close();
      }
      say('payments (Zengin file) and notices are not built yet (see README, "What is built")');
    });
}
