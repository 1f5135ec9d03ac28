import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../src/core/store.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import type { RuntimeCheck, SandboxDriver } from '../../src/sandbox/types.js';

/** The local drivers with their host checks, computed once per test file. */
export async function localDrivers(): Promise<{ driver: SandboxDriver; check: RuntimeCheck }[]> {
  const drivers = [new GvisorDriver(), new BubblewrapDriver()];
  return Promise.all(drivers.map(async (driver) => ({ driver, check: await driver.check() })));
}

/** A controller over a fresh temp folder, with templates `gv` (gVisor) and `bw` (bubblewrap). */
export interface TestController {
  dir: string;
  db: SqliteDatabase;
  controller: SandboxController;
  reopen(): SandboxController;
  cleanup(): Promise<void>;
}

/** Creates a {@link TestController}; call `cleanup()` in afterEach. */
export function createTestController(): TestController {
  const dir = mkdtempSync(join(tmpdir(), 'sandstack-ctl-'));
  const db = openDatabase(join(dir, 'state.db'));
  const open = (): SandboxController =>
    new SandboxController({ db, stateDir: join(dir, 'sandboxes') });
  const controller = open();
  controller.createTemplate({ name: 'gv', runtime: 'gvisor' });
  controller.createTemplate({ name: 'bw', runtime: 'bubblewrap' });
  const opened = [controller];
  return {
    dir,
    db,
    controller,
    reopen: () => {
      const next = open();
      opened.push(next);
      return next;
    },
    cleanup: async () => {
      for (const item of opened) {
        for (const record of item.list()) {
          await item.release(record.id);
        }
        await item.close();
      }
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Host processes whose command line, arguments joined by spaces, contains `text`. */
export function hostProcessesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text);
      } catch {
        // The process ended while we looked.
        return false;
      }
    })
    .map(Number);
}
