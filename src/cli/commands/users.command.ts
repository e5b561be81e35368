import type { Command } from 'commander';
import { addUser, ROLES } from '../../staff/staff.service.ts';
import { openAppContext } from '../app-context.ts';

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (process.stdin.isTTY && text.includes('\n')) break;
  }
  return text.replace(/\r?\n$/, '').split(/\r?\n/)[0];
}

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('staff accounts');
  users
    .command('add')
    .description('create a staff account; the password is read from stdin')
    .requiredOption('--login <name>', 'login name')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .requiredOption('--municipality <code>', 'the one municipality this account works for')
    .action(async (o: { login: string; role: string; municipality: string }) => {
      const password = await readPassword();
      const app = await openAppContext();
      try {
        const user = await addUser(app.db, { login: o.login, role: o.role, municipalityCode: o.municipality, password });
        process.stdout.write(`created ${user.login} (${user.role}, ${user.municipalityCode})\n`);
      } finally {
        await app.close();
      }
    });
}
