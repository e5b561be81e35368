import type { Command } from 'commander';
import { UnusableInputError } from '../../errors.ts';
import { buildServer } from '../../http/server.ts';
import { openAppContext, type AppContext } from '../app-context.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('HTTP API under /v1 and the staff review pages')
    .option('--port <port>', 'port to listen on', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: string; host: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new UnusableInputError('bad_port', `--port must be 1-65535, not '${options.port}'`);
      }
      const app = await openAppContext();
      try {
        await serveUntilStopped(app, options.host, port);
      } finally {
        await app.close();
      }
    });
}

/** Serves the API and pages until SIGTERM or SIGINT, then closes the server. */
export async function serveUntilStopped(app: AppContext, host: string, port: number): Promise<void> {
  const server = await buildServer({ ...app, draftsDir: app.config.draftsDir, reportsDir: app.config.reportsDir });
  await server.listen({ port, host });
  process.stdout.write(`listening on http://${host}:${port} (stop with Ctrl-C)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
}
