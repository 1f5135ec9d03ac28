import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../src/core/store.js';
import { cgroupDir } from '../../src/sandbox/cgroup.js';
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

/** Host processes whose command line names `id`. */
export function processesNaming(id: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(id)) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** What a sandbox left on the host: processes, mounts, cgroup folders and its state folder. */
export function leftoversOf(
  id: string,
  stateDir: string,
): { processes: number[]; mounts: string[]; cgroups: string[]; stateDir: boolean } {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(stateDir));
  const cgroups = ['cpu', 'cpuacct', 'memory', 'pids']
    .map((controller) => cgroupDir(controller, id))
    .filter((dir) => existsSync(dir));
  return { processes: processesNaming(id), mounts, cgroups, stateDir: existsSync(stateDir) };
}
