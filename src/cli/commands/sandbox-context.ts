import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ensurePrivateDir } from '../../core/private-files.js';
import { createJsonLogger } from '../../core/logger.js';
import { openDatabase, type SqliteDatabase } from '../../core/store.js';
import { SandboxController } from '../../sandbox/controller.js';
import { localDrivers } from '../../server/stack.js';

/** A controller over the state folder named by `--state-dir`. */
export interface SandboxContext {
  db: SqliteDatabase;
  controller: SandboxController;
}

/**
 * Opens the controller of the state folder given by the global `--state-dir` option. The
 * command leaves claimed and warm sandboxes running when it exits, so later commands (and
 * `sandstack run`) find them.
 */
export function openSandboxContext(command: Command): SandboxContext {
  const { stateDir = '.sandstack' } = command.optsWithGlobals<{ stateDir?: string }>();
  const root = resolve(stateDir);
  ensurePrivateDir(
    root,
    createJsonLogger((line) => process.stderr.write(line), { level: 'warn' }),
  );
  const db = openDatabase(join(root, 'state.db'));
  const controller = new SandboxController({
    db,
    stateDir: join(root, 'sandboxes'),
    drivers: localDrivers(root),
    // The command exits right after its claim, so spares would only wait for a reconcile.
    spareLayers: 0,
  });
  return { db, controller };
}
