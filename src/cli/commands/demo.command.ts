import path from 'node:path';
import type { Command } from 'commander';
import { readCsvRows } from '../../changes/csv-rows.ts';
import { ingestRows } from '../../changes/import.service.ts';
import { RECORD_KINDS } from '../../changes/record-schemas.ts';
import { RejectionFile } from '../../changes/rejection-file.ts';
import { generateMunicipality } from '../../generate/generate-municipality.ts';
import { loadConfig } from '../../config.ts';
import { openAppContext } from '../app-context.ts';

const DEMO_MUNICIPALITY = '141003'; // 横浜市: any valid code would do

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
      } finally {
        await app.close();
      }
      say('next: decisions, payments and notices are not built yet (see README, "What is built")');
    });
}
