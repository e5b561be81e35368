import type { Command } from 'commander';
import { UnusableInputError } from '../../errors.ts';
import { buildServer } from '../../http/server.ts';
import { openAppContext } from '../app-context.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('HTTP API under /v1 (the staff review pages come with the review issue)')
    .option('--port <port>', 'port to listen on', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: string; host: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new UnusableInputError('bad_port', `--port must be 1-65535, not '${options.port}'`);
      }
      const app = await openAppContext();
      const server = await buildServer(app);
      await server.listen({ port, host: options.host });
      process.stdout.write(`listening on http://${options.host}:${port}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await server.close();
      await app.close();
    });
}
