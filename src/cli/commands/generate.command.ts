import type { Command } from 'commander';
import { isValidMunicipalityCode } from '../../codes/municipality-code.ts';
import { isIsoDate } from '../../codes/iso-date.ts';
import { UnusableInputError } from '../../errors.ts';
import { generateMunicipality } from '../../generate/generate-municipality.ts';

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('write a realistic synthetic municipality: residents.csv, income.csv, accounts.csv, circumstances.csv')
    .requiredOption('--households <n>', 'number of households (required)')
    .option('--seed <seed>', 'same seed, same files', '1')
    .requiredOption('--municipality <code>', '全国地方公共団体コード (6 digits with check digit) (required)')
    .requiredOption('--out <dir>', 'output folder (required)')
    .option('--as-of <date>', 'the date the population is drawn as of', '2024-12-31')
    .action(async (o: { households: string; seed: string; municipality: string; out: string; asOf: string }) => {
      const households = Number(o.households);
      if (!Number.isInteger(households) || households < 1) {
        throw new UnusableInputError('bad_households', `--households must be a whole number ≥ 1, not '${o.households}'`);
      }
      if (!isValidMunicipalityCode(o.municipality)) {
        throw new UnusableInputError('bad_municipality', `--municipality '${o.municipality}' is not a 6-digit code with a valid check digit`);
      }
      if (!isIsoDate(o.asOf)) throw new UnusableInputError('bad_date', `--as-of '${o.asOf}' is not a YYYY-MM-DD date`);
      const result = await generateMunicipality({
        households,
        seed: o.seed,
        municipalityCode: o.municipality,
        outDir: o.out,
        asOf: o.asOf,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
