import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import type { Logger } from '../src/logger.ts';

export interface WorkerDeps {
  db: Kysely<DB>;
  logger: Logger;
}
