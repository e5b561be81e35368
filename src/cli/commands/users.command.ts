import type { Command } from 'commander';
import { japanTime } from '../../codes/japan-time.ts';
import { unlockAccount } from '../../staff/login-throttle.ts';
import { addUser, ALL_ROLES, disableUser, listUsers, resetPassword } from '../../staff/staff.service.ts';
import { UnusableInputError } from '../../errors.ts';
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
    .requiredOption('--role <role>', `${ALL_ROLES.join(' | ')} (operator: the job queues only, no municipality)`)
    .option('--municipality <code>', 'the one municipality this account works for (every role but operator)')
    .action(async (o: { login: string; role: string; municipality?: string }) => {
      const password = await readPassword();
      const app = await openAppContext();
      try {
        const user = await addUser(app.db, { login: o.login, role: o.role, municipalityCode: o.municipality, password });
        process.stdout.write(`created ${user.login} (${user.role}${user.municipalityCode ? `, ${user.municipalityCode}` : ''})\n`);
      } finally {
        await app.close();
      }
    });
  users
    .command('disable')
    .description('disable an account (someone who left): no sign-in, and its open sessions end')
    .requiredOption('--login <name>', 'login name')
    .action(async (o: { login: string }) => {
      const app = await openAppContext();
      try {
        if (!(await disableUser(app.db, o.login))) throw new UnusableInputError('account_not_found', `${o.login}: no enabled account by that login; nothing was changed`);
        process.stdout.write(`disabled ${o.login}\n`);
      } finally {
        await app.close();
      }
    });
  users
    .command('list')
    .description('the accounts: login, role, municipality, enabled or disabled (and since when), created, last sign-in still open')
    .option('--municipality <code>', 'only the accounts of this municipality')
    .option('--json', 'one JSON object a line')
    .action(async (o: { municipality?: string; json?: boolean }) => {
      const app = await openAppContext();
      try {
        const accounts = await listUsers(app.db, o.municipality);
        const stamp = (d: Date | null) => (d ? japanTime(d).slice(0, 16) : '');
        if (o.json) {
          for (const a of accounts) process.stdout.write(`${JSON.stringify({ ...a, municipality_code: a.municipality_code ?? '', enabled: a.disabled_at === null })}\n`);
          return;
        }
        // Times in Japan time, as the office reads them; a header row, columns separated by tabs.
        const rows = [['login', 'role', 'municipality', 'status', 'created (JST)', 'last session (JST)'],
          ...accounts.map((a) => [a.login, a.role, a.municipality_code ?? '-', a.disabled_at ? `disabled ${stamp(a.disabled_at)}` : 'enabled', stamp(a.created_at), stamp(a.last_session_at)])];
        process.stdout.write(rows.map((r) => r.join('\t')).join('\n') + '\n');
      } finally {
        await app.close();
      }
    });
  users
    .command('reset-password')
    .description('set a new password for an enabled account (read from stdin, at least 12 characters); its open sessions end and its sign-in lock is lifted')
    .requiredOption('--login <name>', 'login name')
    .action(async (o: { login: string }) => {
      const password = await readPassword();
      const app = await openAppContext();
      try {
        if (!(await resetPassword(app.db, o.login, password))) throw new UnusableInputError('account_not_found', `${o.login}: no enabled account by that login; nothing was changed`);
        process.stdout.write(`password reset for ${o.login}; its sessions ended\n`);
      } finally {
        await app.close();
      }
    });
  users
    .command('unlock')
    .description('lift the sign-in lock of an account after too many failed attempts, and clear its count')
    .requiredOption('--login <name>', 'login name')
    .action(async (o: { login: string }) => {
      const app = await openAppContext();
      try {
        const had = await unlockAccount(app.db, o.login);
        process.stdout.write(had ? `unlocked ${o.login}\n` : `${o.login} had no failed sign-ins to clear\n`);
      } finally {
        await app.close();
      }
    });
}
