/**
 * Assembles the embedded stack the CLI runs on: one SQLite file, the sandbox controller,
 * the workflow engine, the guard and the local span store.
 */
import { join, resolve } from 'node:path';
import type { Logger } from '../core/logger.js';
import { noopLogger } from '../core/logger.js';
import { openDatabase, type SqliteDatabase } from '../core/store.js';
import { SandboxController } from '../sandbox/controller.js';
import { BubblewrapDriver } from '../sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../sandbox/drivers/gvisor.js';
import type { SandboxDriver } from '../sandbox/types.js';
import { otlpExporterFromEnv } from '../telemetry/otlp.js';
import { SqliteSpanStore } from '../telemetry/span-store.js';
import { createTracing, type Tracing } from '../telemetry/tracing.js';
import { ActionLog } from '../workflows/bindings/action-log.js';

/** The parts of a running embedded stack. */
export interface Stack {
  stateDir: string;
  db: SqliteDatabase;
  controller: SandboxController;
  actions: ActionLog;
  spans: SqliteSpanStore;
  tracing: Tracing;
  logger: Logger;
  close(): Promise<void>;
}

/** Options for {@link openStack}. */
export interface OpenStackOptions {
  /** Folder for the state database, sandboxes and run inputs. @default '.sandstack' */
  stateDir?: string;
  logger?: Logger;
}

/**
 * Returns the gVisor and bubblewrap drivers with the whole state folder hidden in every
 * sandbox: it holds every tenant's run inputs, sandboxes and the state database.
 */
export function localDrivers(stateDir: string): SandboxDriver[] {
  const hidden = { hiddenDirs: [resolve(stateDir)] };
  return [new GvisorDriver(hidden), new BubblewrapDriver(hidden)];
}

/** Opens (and creates) the embedded stack under `stateDir`. */
export async function openStack(options: OpenStackOptions = {}): Promise<Stack> {
  const stateDir = resolve(options.stateDir ?? '.sandstack');
  const logger = options.logger ?? noopLogger;
  const db = openDatabase(join(stateDir, 'state.db'));
  const controller = new SandboxController({
    db,
    stateDir: join(stateDir, 'sandboxes'),
    logger,
    drivers: localDrivers(stateDir),
  });
  const spans = new SqliteSpanStore(db);
  const otlp = otlpExporterFromEnv(process.env, logger);
  const tracing = createTracing({
    exporters: [spans],
    ...(otlp === undefined ? {} : { batchExporters: [otlp] }),
  });

  return {
    stateDir,
    db,
    controller,
    actions: new ActionLog(db),
    spans,
    tracing,
    logger,
    close: async () => {
      await controller.close();
      await tracing.shutdown();
      db.close();
    },
  };
}
