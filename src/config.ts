import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UnusableInputError } from './errors.ts';
import { projectPath } from './project-root.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Configuration from the environment, validated once at start-up (CONTRACT.md).
 * Every option is optional: the defaults run the whole product on one machine with an
 * embedded database and in-process jobs.
 */
const schema = z.object({
  /** PostgreSQL URL. Unset: an embedded PostgreSQL (PGlite) under BENEFIT_DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Redis URL for the BullMQ queues. Unset: the same job handlers run in process. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Where the embedded database lives when DATABASE_URL is unset. Default ./.benefit */
  BENEFIT_DATA_DIR: z.string().min(1).default('./.benefit'),
  /** Where the notices worker writes PDFs and print manifests. Default BENEFIT_DATA_DIR/notices */
  BENEFIT_NOTICES_DIR: z.string().min(1).optional(),
  /** Households per job when a batch stage is split over the workers. Default 2000. */
  BENEFIT_CHUNK_HOUSEHOLDS: z.coerce.number().int().min(1).default(2000),
  /**
   * Seconds a worker's hold on a job lasts unless renewed (it renews while it works); the job
   * of a worker that died is taken over by another within about twice this. Default 30.
   */
  BENEFIT_JOB_LOCK_SECONDS: z.coerce.number().int().min(1).default(30),
  /** pino level. Default info. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** The folder of program folders in force. Default: the rules/ folder shipped with the engine. */
  BENEFIT_RULES_DIR: z.string().min(1).optional(),
  /** The draft rules folders supervisors may simulate from the pages (each a folder of program folders). Default ./drafts */
  BENEFIT_DRAFTS_DIR: z.string().min(1).default('./drafts'),
  /** Where simulations started from the pages write their reports. Default BENEFIT_DATA_DIR/reports */
  BENEFIT_REPORTS_DIR: z.string().min(1).optional(),
  /**
   * Threads `simulate` compares pages in, each with its own connection (PostgreSQL server only;
   * the embedded database simulates in one). Default: the machine's cores, at most 4.
   */
  BENEFIT_SIMULATE_THREADS: z.coerce.number().int().min(1).max(16).optional(),
  /** Prefix of the BullMQ keys in Redis, so several installations can share one Redis. */
  BENEFIT_QUEUE_PREFIX: z.string().min(1).default('benefit'),
  /**
   * `serve` behind a reverse proxy: `true` believes X-Forwarded-For/-Proto from any peer, or a
   * comma-separated list of the proxies' addresses or CIDRs (e.g. `127.0.0.1,10.0.0.0/8`).
   * Default false: the peer's own address and protocol.
   */
  BENEFIT_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|[0-9a-fA-F.:]+(\/[0-9]{1,3})?(\s*,\s*[0-9a-fA-F.:]+(\/[0-9]{1,3})?)*)$/, 'must be true, false, or a comma-separated list of addresses or CIDRs')
    .default('false'),
  /** `true`: the session cookie is always Secure (TLS ends at a proxy in front of `serve`). Default false. */
  BENEFIT_SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
});

export interface Config {
  databaseUrl?: string;
  redisUrl?: string;
  dataDir: string;
  noticesDir: string;
  chunkHouseholds: number;
  jobLockSeconds: number;
  simulateThreads: number;
  logLevel: (typeof LOG_LEVELS)[number];
  queuePrefix: string;
  rulesDir: string;
  draftsDir: string;
  reportsDir: string;
  /** BENEFIT_TRUST_PROXY, as fastify's trustProxy. */
  trustProxy: boolean | string;
  secureCookies: boolean;
}

const SHIPPED_RULES = projectPath('rules');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as shells and compose files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new UnusableInputError('config_invalid', `invalid configuration: ${problems.join('; ')}`, {
      problems,
    });
  }
  const c = parsed.data;
  return {
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    dataDir: path.resolve(c.BENEFIT_DATA_DIR),
    noticesDir: path.resolve(c.BENEFIT_NOTICES_DIR ?? path.join(c.BENEFIT_DATA_DIR, 'notices')),
    chunkHouseholds: c.BENEFIT_CHUNK_HOUSEHOLDS,
    jobLockSeconds: c.BENEFIT_JOB_LOCK_SECONDS,
    simulateThreads: c.BENEFIT_SIMULATE_THREADS ?? Math.min(os.availableParallelism(), 4),
    logLevel: c.LOG_LEVEL,
    queuePrefix: c.BENEFIT_QUEUE_PREFIX,
    rulesDir: c.BENEFIT_RULES_DIR ? path.resolve(c.BENEFIT_RULES_DIR) : SHIPPED_RULES,
    draftsDir: path.resolve(c.BENEFIT_DRAFTS_DIR),
    reportsDir: path.resolve(c.BENEFIT_REPORTS_DIR ?? path.join(c.BENEFIT_DATA_DIR, 'reports')),
    trustProxy: c.BENEFIT_TRUST_PROXY === 'true' ? true : c.BENEFIT_TRUST_PROXY === 'false' ? false : c.BENEFIT_TRUST_PROXY.replace(/\s+/g, ''),
    secureCookies: c.BENEFIT_SECURE_COOKIES === 'true',
  };
}
