import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Servers a fault test starts, restarts and stops itself, so it never touches the machine's
 * shared PostgreSQL and Redis: a PostgreSQL cluster in a temp folder and a redis-server, each on
 * a free port.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root} (apt-get install postgresql)`);
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

export interface ThrowawayPostgres {
  port: number;
  /** A URL of the superuser `root` to the named database of this cluster. */
  url(database: string): string;
  /** `pg_ctl restart -m fast`: every connection is ended, the server is back when it returns. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`, then `pg_ctl start` again after `ms`: the server away for a while. */
  awayFor(ms: number): Promise<void>;
  stop(): void;
}

/**
 * initdb + pg_ctl start of a new cluster (trust authentication, superuser `root`, TCP on
 * 127.0.0.1 only). initdb refuses to run as root: then the cluster belongs to `postgres`.
 */
export async function startPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
  const command = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
  const run = (cmd: string, args: string[]) => execFileSync(...command(cmd, args), { stdio: 'pipe' });
  run('initdb', ['-D', data, '-U', 'root', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n`,
  );
  const log = path.join(dir, 'server.log');
  const ctlArgs = (...args: string[]) => ['-D', data, '-l', log, '-w', '-t', '60', ...args];
  const ctl = (...args: string[]) => run('pg_ctl', ctlArgs(...args));
  ctl('start');
  return {
    port,
    url: (database) => `postgres://root@127.0.0.1:${port}/${database}`,
    // Asynchronous: the test's own processes go on meanwhile.
    restart: async () => {
      await promisify(execFile)(...command('pg_ctl', ctlArgs('restart', '-m', 'fast')));
    },
    awayFor: async (ms) => {
      await promisify(execFile)(...command('pg_ctl', ctlArgs('stop', '-m', 'fast')));
      await new Promise((r) => setTimeout(r, ms));
      await promisify(execFile)(...command('pg_ctl', ctlArgs('start')));
    },
    stop() {
      try {
        ctl('stop', '-m', 'immediate');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface ThrowawayRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM: with persistence it writes its file first) and starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server on a free port; `persistent`: append-only file, so queued jobs survive a restart. */
export async function startRedis(persistent: boolean): Promise<ThrowawayRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', persistent ? 'yes' : 'no', '--maxmemory-policy', 'noeviction'];
  let server: ChildProcess;
  const launch = async () => {
    server = spawn('redis-server', args, { stdio: 'ignore' });
    await waitUntil(() => canConnect(port), `redis-server on port ${port}`);
  };
  const halt = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(ok: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
