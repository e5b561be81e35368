import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import type { CompiledProgram } from '../src/engine/evaluate-household.ts';
import type { Logger } from '../src/logger.ts';
import type { SimulationThreads } from '../src/simulation/simulate-threads.ts';

export interface WorkerDeps {
  db: Kysely<DB>;
  logger: Logger;
  /** Where rendered notices go (a folder all workers share). */
  noticesDir: string;
  /** The rules in force, loaded from the rules folder; a batch refuses to mix versions. */
  programs: CompiledProgram[];
  /** Draft rules folders (simulations started from the pages), and where their reports go. */
  draftsDir: string;
  reportsDir: string;
  /** Where simulations compare their pages (simulationThreads); none: in the worker's thread. */
  simulationThreads?: SimulationThreads;
}
