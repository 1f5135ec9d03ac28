import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SandstackError } from '../core/errors.js';
import { noopLogger, type Logger } from '../core/logger.js';
import { niceArgv } from './cgroup.js';
import { agentChannelPaths } from './drivers/bubblewrap-agent.js';
import { createHidingMountSources, layoutOf } from './drivers/shared.js';
import type { SpareLayerSource } from './types.js';
import { mountWritableLayer, removeStateDir } from './writable-layer.js';

const execFileAsync = promisify(execFile);

/** Folder of the spare layers, inside the controller's folder of state folders. */
export const SPARE_LAYERS_DIR = '.spare-layers';

/** Default `spareLayers` setting of the controller. */
export const DEFAULT_SPARE_LAYERS = 2;

/** Highest `spareLayers` setting: spares kept per disk size. */
export const MAX_SPARE_LAYERS = 8;

/**
 * Disk sizes that get spares at one time. A cold start of another size makes the least
 * recently started size's spares go, so at most this many times `count` spares exist.
 */
export const MAX_SPARE_SIZES = 4;

/**
 * Time a startup waits for the `cp`, `mount` and `mkfifo` of an exited process's spare to end
 * before it kills them. They copy a sparse image and mount it, so the limit is for a hung one.
 */
const SETUP_PROCESS_WAIT_MS = 10_000;

/** Interval between looks at /proc while waiting for those processes. */
const POLL_MS = 50;

/** Niceness of the `cp`, `mount` and `mkfifo` processes that make spares. */
const SPARE_NICENESS = 19;

/**
 * Delay between a cold start taking a spare and the refill starting, so the refill's process
 * spawns do not land in the middle of the start that took the spare.
 */
const REFILL_DELAY_MS = 50;

/** Ids of the live {@link SpareLayers} of this process, which reconcile must not remove. */
const liveOwners = new Set<string>();

/** Options for {@link SpareLayers}. */
export interface SpareLayersOptions {
  /** The controller's folder of state folders; spares go in its `.spare-layers` folder. */
  root: string;
  /** Spares kept ready per disk size, 0 to {@link MAX_SPARE_LAYERS}. 0 turns them off. */
  count: number;
  /** Settles when the startup reconcile has removed earlier processes' spares. */
  ready: Promise<void>;
  /** @default noopLogger */
  logger?: Logger;
}

/**
 * Spare state folders for cold starts. Each contains an empty, loop-mounted writable layer
 * with the folders every sandbox needs, and the command agent's two FIFOs, so a cold start
 * renames a folder into place instead of copying an image, mounting it and running
 * `mkfifo`. A spare is made for one sandbox and handed out once, so no files pass between
 * sandboxes. Spares are made in the background at niceness 19, one at a time, after a cold
 * start of their disk size.
 *
 * A spare of a 1 GiB layer uses about 0.6 MB of disk (ext4's metadata in the sparse image)
 * and keeps one loop device until it is taken or removed.
 */
export class SpareLayers implements SpareLayerSource {
  readonly #dir: string;
  readonly #imagesDir: string;
  readonly #count: number;
  readonly #ready: Promise<void>;
  readonly #logger: Logger;
  /** Owner id in the spares' folder names: the process id and a random part. */
  readonly #owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  /** Ready spare folders by disk size in bytes. */
  readonly #spares = new Map<number, string[]>();
  /** Disk sizes that get spares, least recently started first. */
  #sizes: number[] = [];
  #filling: Promise<void> | undefined;
  #refillTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: SpareLayersOptions) {
    this.#count = checkSpareCount(options.count);
    this.#dir = join(options.root, SPARE_LAYERS_DIR);
    this.#imagesDir = join(options.root, '.images');
    this.#ready = options.ready;
    this.#logger = options.logger ?? noopLogger;
    liveOwners.add(this.#owner);
  }

  /** Number of ready spares of `diskBytes`. */
  readyCount(diskBytes: number): number {
    return this.#spares.get(Math.ceil(diskBytes))?.length ?? 0;
  }

  /**
   * Moves a ready spare of `diskBytes` to `stateDir`, which must not exist yet, and schedules
   * a refill. Returns false when no spare of that size is ready, and the caller then mounts
   * a layer itself.
   */
  take(stateDir: string, diskBytes: number): boolean {
    if (this.#count === 0 || this.#closed) {
      return false;
    }
    const bytes = Math.ceil(diskBytes);
    this.#noteSize(bytes);
    this.#scheduleRefill();
    const folder = this.#spares.get(bytes)?.shift();
    if (folder === undefined) {
      return false;
    }
    try {
      // A rename moves the mounted layer with its folder: only a mount point itself cannot
      // be renamed, and the layer is mounted on `rw` inside the folder.
      renameSync(folder, stateDir);
      return true;
    } catch (error) {
      this.#logger.warn('Spare writable layer could not be moved into place', {
        folder,
        stateDir,
        error: String(error),
      });
      void this.#remove(folder);
      return false;
    }
  }

  /**
   * Waits until no refill is scheduled or running: every disk size in use has `count` spares,
   * a refill stopped at a failure (logged), or the spares were closed.
   */
  async whenIdle(): Promise<void> {
    while (!this.#closed) {
      if (this.#filling !== undefined) {
        await this.#filling;
      } else if (this.#refillTimer !== undefined) {
        // The refill starts within REFILL_DELAY_MS, and its promise is awaited next round.
        await new Promise((resolve) => setTimeout(resolve, REFILL_DELAY_MS));
      } else {
        return;
      }
    }
  }

  /** Stops refills, waits for the one in progress and removes every ready spare. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
    await this.#filling;
    const folders = [...this.#spares.values()].flat();
    this.#spares.clear();
    for (const folder of folders) {
      await this.#remove(folder);
    }
    liveOwners.delete(this.#owner);
  }

  /** Makes `bytes` the most recently started size, and drops the spares of the oldest. */
  #noteSize(bytes: number): void {
    this.#sizes = [...this.#sizes.filter((size) => size !== bytes), bytes];
    while (this.#sizes.length > MAX_SPARE_SIZES) {
      const dropped = this.#sizes.shift() ?? bytes;
      for (const folder of this.#spares.get(dropped) ?? []) {
        void this.#remove(folder);
      }
      this.#spares.delete(dropped);
    }
  }

  #scheduleRefill(): void {
    if (this.#refillTimer !== undefined || this.#filling !== undefined) {
      return;
    }
    this.#refillTimer = setTimeout(() => {
      this.#refillTimer = undefined;
      this.#filling = this.#fill().finally(() => {
        this.#filling = undefined;
      });
    }, REFILL_DELAY_MS);
    this.#refillTimer.unref();
  }

  /** Makes spares one at a time until every size has `count`; stops at the first failure. */
  async #fill(): Promise<void> {
    await this.#ready;
    for (;;) {
      const bytes = this.#sizes.find((size) => this.readyCount(size) < this.#count);
      if (bytes === undefined || this.#closed) {
        return;
      }
      try {
        const folder = await this.#make(bytes);
        if (this.#closed || !this.#sizes.includes(bytes)) {
          await this.#remove(folder);
        } else {
          this.#spares.set(bytes, [...(this.#spares.get(bytes) ?? []), folder]);
        }
      } catch (error) {
        // The next cold start tries again; until then cold starts mount their own layers.
        this.#logger.warn('Spare writable layer could not be made', {
          diskBytes: bytes,
          error: String(error),
        });
        return;
      }
    }
  }

  async #make(bytes: number): Promise<string> {
    const folder = join(this.#dir, `${this.#owner}-${randomUUID()}`);
    mkdirSync(folder, { recursive: true });
    try {
      await mountWritableLayer(folder, bytes, {
        imagesDir: this.#imagesDir,
        niceness: SPARE_NICENESS,
      });
      // Made here, because making them in a just-taken spare took 3-5 ms of a cold start at
      // load average 13, and finding them made takes about 0.1 ms.
      const layout = layoutOf(folder);
      mkdirSync(layout.workspace);
      mkdirSync(layout.tmp);
      chmodSync(layout.tmp, 0o1777);
      createHidingMountSources(layout);
      const fifos = agentChannelPaths(folder);
      const mkfifo = [...niceArgv(SPARE_NICENESS), 'mkfifo', '-m', '600'];
      const [program = 'nice', ...args] = mkfifo;
      await execFileAsync(program, [...args, fifos.requests, fifos.replies]);
    } catch (error) {
      await this.#remove(folder);
      throw error;
    }
    return folder;
  }

  async #remove(folder: string): Promise<void> {
    await removeStateDir(folder).catch((error: unknown) => {
      this.#logger.error('Spare writable layer could not be removed', {
        folder,
        error: String(error),
      });
    });
  }
}

/**
 * Removes the spares that no live {@link SpareLayers} owns: those of processes that have
 * exited (a crash skips `close`) and of closed controllers. Waits first for the `cp`, `mount`
 * and `mkfifo` processes that an exited process left working on a spare, then unmounts each
 * layer.
 * @returns the number of spares removed
 */
export async function removeOrphanSpares(root: string, logger: Logger): Promise<number> {
  const dir = join(root, SPARE_LAYERS_DIR);
  if (!existsSync(dir)) {
    return 0;
  }
  let removed = 0;
  for (const entry of readdirSync(dir)) {
    const [pid = '', random = ''] = entry.split('-');
    const owner = `${pid}-${random}`;
    const ownedHere = Number(pid) === process.pid && liveOwners.has(owner);
    const ownedElsewhere = Number(pid) !== process.pid && isProcessAlive(Number(pid));
    if (ownedHere || ownedElsewhere) {
      continue;
    }
    const folder = join(dir, entry);
    await settleSetupProcesses(folder, logger);
    try {
      await removeStateDir(folder);
      removed += 1;
    } catch (error) {
      logger.error('Spare writable layer of an exited process could not be removed', {
        folder: join(dir, entry),
        error: String(error),
      });
    }
  }
  return removed;
}

/**
 * Waits until no process has `folder` on its command line, because a spare's `mount` that a
 * killed process started keeps running, and one that ends after the removal looked at the
 * folder would leave the layer mounted. Kills what is left after
 * {@link SETUP_PROCESS_WAIT_MS}, and waits for the kill as long again.
 */
async function settleSetupProcesses(folder: string, logger: Logger): Promise<void> {
  let pids = processesNaming(folder);
  if (pids.length === 0) {
    return;
  }
  logger.info('Waiting for processes still making a spare writable layer', { folder, pids });
  pids = await waitForExit(folder, SETUP_PROCESS_WAIT_MS);
  if (pids.length === 0) {
    return;
  }
  logger.warn('Killing processes still making a spare writable layer', { folder, pids });
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // It exited meanwhile.
    }
  }
  await waitForExit(folder, SETUP_PROCESS_WAIT_MS);
}

/** Polls until no process names `folder`, for at most `limitMs`; returns those left. */
async function waitForExit(folder: string, limitMs: number): Promise<number[]> {
  let pids = processesNaming(folder);
  for (let waitedMs = 0; pids.length > 0 && waitedMs < limitMs; waitedMs += POLL_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    pids = processesNaming(folder);
  }
  return pids;
}

/** Ids of the processes whose command line contains `text`, this process left out. */
function processesNaming(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) {
      continue;
    }
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) {
        pids.push(pid);
      }
    } catch {
      // The process ended while this looked.
    }
  }
  return pids;
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns a `spareLayers` setting after checking it.
 * @throws SandstackError `INVALID_ARGUMENT` unless it is a whole number from 0 to 8
 */
export function checkSpareCount(count: number): number {
  if (!Number.isInteger(count) || count < 0 || count > MAX_SPARE_LAYERS) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `spareLayers ${count} is invalid; use a whole number from 0 to ${MAX_SPARE_LAYERS}`,
    );
  }
  return count;
}
