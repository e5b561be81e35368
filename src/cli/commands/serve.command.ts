import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { buildServer } from '../../http/server.ts';
import { openAppContext, type AppContext } from '../app-context.ts';
import { wholeNumberOption } from '../whole-number-option.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('HTTP API under /v1 and the staff review pages')
    .option('--port <port>', 'port to listen on (0: any free port)', portNumber, 3000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      const app = await openAppContext();
      try {
        await serveUntilStopped(app, options.host, options.port);
      } finally {
        await app.close();
      }
    });
}

/** Serves the API and pages until SIGTERM or SIGINT, then closes the server. */
export async function serveUntilStopped(app: AppContext, host: string, port: number): Promise<void> {
  const server = await buildServer({
    ...app,
    draftsDir: app.config.draftsDir,
    reportsDir: app.config.reportsDir,
    http: { trustProxy: app.config.trustProxy, secureCookies: app.config.secureCookies },
  });
  await server.listen({ port, host });
  // With port 0 the system chose one: say which, so a script or test can connect.
  const bound = (server.server.address() as AddressInfo).port;
  process.stdout.write(`listening on http://${host}:${bound} (stop with Ctrl-C)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
}

/** --port: a TCP port, or 0 for any free one. */
export const portNumber = wholeNumberOption(0, 65535, ' (0: any free port)');
