import fs from 'node:fs';
import type { Command } from 'commander';
import { UnusableInputError } from '../../errors.ts';
import { storedSettings, updateSettings } from '../../municipalities/municipality.service.ts';
import { openAppContext } from '../app-context.ts';

/** `--set requester.code=0123456789`: a dotted path and a value (numbers stay numbers). */
function parseAssignment(text: string, into: Record<string, unknown>): Record<string, unknown> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UnusableInputError('bad_setting', `--set '${text}' is not KEY=VALUE`);
  const path = text.slice(0, eq).split('.');
  const raw = text.slice(eq + 1);
  // Codes with leading zeros (依頼人コード, account numbers) must stay text.
  const value: unknown = /^(0|[1-9]\d{0,3})$/.test(raw) ? Number(raw) : raw;
  let node = into;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]] = value;
  return into;
}

export function registerMunicipalityCommand(program: Command): void {
  const municipality = program.command('municipality').description("a municipality's settings for payments and notices (admin)");
  municipality
    .command('show <code>')
    .description('print the settings as JSON')
    .action(async (code: string) => {
      const app = await openAppContext();
      try {
        process.stdout.write(`${JSON.stringify(await storedSettings(app.db, code), null, 2)}\n`);
      } finally {
        await app.close();
      }
    });
  municipality
    .command('set <code>')
    .description('change settings from a JSON file and/or KEY=VALUE pairs; saved only when all are valid')
    .option('--file <settings.json>', 'a JSON object of settings (see docs/municipality-settings.md)')
    .option('--set <key=value>', 'one setting, e.g. payment_day=15 or requester.code=0123456789 (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .action(async (code: string, o: { file?: string; set: string[] }) => {
      let changes: Record<string, unknown> = {};
      if (o.file) {
        try {
          changes = JSON.parse(fs.readFileSync(o.file, 'utf8')) as Record<string, unknown>;
        } catch (error) {
          throw new UnusableInputError('bad_settings_file', `${o.file}: ${(error as Error).message}`);
        }
      }
      for (const assignment of o.set) parseAssignment(assignment, changes);
      const app = await openAppContext();
      try {
        const settings = await updateSettings(app.db, code, changes);
        process.stdout.write(`settings of ${code} (${settings.name}) saved\n`);
      } finally {
        await app.close();
      }
    });
}
