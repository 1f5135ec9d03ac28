import { SandstackError } from '../core/errors.js';
import { isValidName, newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type {
  PoolRecord,
  PoolStartFailure,
  PoolUpdateStrategy,
  SandboxRecord,
  SandboxStore,
} from './controller-store.js';
import { templateHash } from './templates.js';
import type { SandboxDriver, SandboxInstance, SandboxTemplate } from './types.js';
import { timerDelay } from './timers.js';

/** Options for `SandboxController.createPool` and `SandboxController.applyPool`. */
export interface CreatePoolOptions {
  name: string;
  template: string;
  /** Ready sandboxes to keep, from 0 to {@link MAX_POOL_REPLICAS}. */
  replicas: number;
  /** Handling of ready sandboxes when the template changes. @default 'OnReplenish' */
  updateStrategy?: PoolUpdateStrategy;
}

/** Outcome of applying an object: new, changed, or identical to what was stored. */
export type ApplyAction = 'created' | 'configured' | 'unchanged';

/**
 * Upper bound on a pool's replicas, so one bad manifest cannot start sandboxes without bound.
 * An idle warm gVisor sandbox uses about 20 MB, so a full pool of this size needs about 20 GB.
 */
export const MAX_POOL_REPLICAS = 1000;

/**
 * Maximum time a refill waits after a claim for the claimed sandbox's first command to end.
 * Warm first commands took about 3 ms on bubblewrap and 25-45 ms on gVisor (p50, loaded
 * 2-core VM), and a start takes 0.2-0.5 s, so a burst of claims still refills promptly.
 */
export const REFILL_AFTER_CLAIM_MAX_DELAY_MS = 100;

/** Longest delay between fills of a pool whose sandboxes keep failing to start. */
const MAX_BACKOFF_MS = 60_000;

/** Controller state and operations that {@link WarmPools} uses. */
export interface WarmPoolHost {
  /** Sandboxes one fill starts at the same time. */
  fillConcurrency: number;
  store: SandboxStore;
  logger: Logger;
  /** Settles when the startup reconcile has finished. */
  ready: Promise<void>;
  /** Sandboxes this process has started or attached, by id. */
  live: Map<string, SandboxInstance>;
  isClosed(): boolean;
  getTemplate(name: string): SandboxTemplate;
  runtimeFor(template: SandboxTemplate): Promise<SandboxDriver>;
  sandboxDir(id: string): string;
  /** Driver create options that start a template's sandboxes from its snapshot, if any. */
  createOptionsFor(template: SandboxTemplate): { snapshotDir?: string };
  attach(record: SandboxRecord): Promise<SandboxInstance | undefined>;
  destroy(id: string, sandbox: SandboxInstance | undefined): Promise<void>;
}

/** Whether a pool has all its sandboxes ready, in the shape of a Kubernetes condition. */
export interface PoolCondition {
  type: 'Ready';
  status: 'True' | 'False';
  /** `ReplicasReady`, `Filling`, or `StartFailed` while the pool backs off after failed starts. */
  reason: 'ReplicasReady' | 'Filling' | 'StartFailed';
  message: string;
}

/**
 * The controller's warm pools: creating, scaling and updating them, and filling them in the
 * background, at most one fill per pool at a time.
 */
export class WarmPools {
  private readonly fills = new Map<string, Promise<void>>();
  /** Pools whose last fill failed: how often in a row, the last error, and the retry timer. */
  private readonly backoff = new Map<
    string,
    {
      failures: number;
      retryAt: number;
      error: string;
      failedAt: number;
      timer: NodeJS.Timeout | undefined;
    }
  >();

  constructor(private readonly host: WarmPoolHost) {}

  /**
   * Creates a warm pool and starts filling it in the background.
   * @throws SandstackError `INVALID_ARGUMENT`, `ALREADY_EXISTS` or `TEMPLATE_NOT_FOUND`
   */
  create(options: CreatePoolOptions): void {
    this.check(options);
    if (this.host.store.getPool(options.name) !== undefined) {
      throw new SandstackError(
        'ALREADY_EXISTS',
        `Pool "${options.name}" already exists; pick another name`,
      );
    }
    this.host.store.insertPool(toPoolRecord(options));
    this.refill(options.name);
  }

  /**
   * Creates a pool or updates a stored one, as `sandstack apply` does: scales it to
   * `replicas` (destroying surplus ready sandboxes, newest first) and, with the `Recreate`
   * strategy, replaces ready sandboxes of another template version.
   * @throws SandstackError `INVALID_ARGUMENT` or `TEMPLATE_NOT_FOUND`
   */
  async apply(options: CreatePoolOptions): Promise<ApplyAction> {
    this.check(options);
    const pool = toPoolRecord(options);
    const stored = this.host.store.getPool(pool.name);
    if (stored === undefined) {
      this.host.store.insertPool(pool);
      this.refill(pool.name);
      return 'created';
    }
    if (
      stored.template === pool.template &&
      stored.replicas === pool.replicas &&
      stored.updateStrategy === pool.updateStrategy
    ) {
      this.refill(pool.name);
      return 'unchanged';
    }
    this.host.store.updatePool(pool);
    await this.host.ready;
    const surplus = this.host.store.listWarm(pool.name).slice(pool.replicas).reverse();
    for (const record of surplus) {
      await this.destroyWarm(record.id);
    }
    await this.replaceStale(pool);
    return 'configured';
  }

  /** Lists pools with their ready counts and Ready conditions. */
  list(): (PoolRecord & { ready: number; conditions: PoolCondition[] })[] {
    return this.host.store.listPools().map((pool) => {
      const ready = this.host.store.countWarm(pool.name);
      return { ...pool, ready, conditions: [this.readyCondition(pool, ready)] };
    });
  }

  /**
   * Returns a pool's Ready condition: False with reason `StartFailed` while the pool backs
   * off after failed starts, False with `Filling` while it is short, else True. The failures
   * come from the store, so a process that did not run the fills (a second CLI call) reports
   * them too. Only the filling process holds the time of the next try.
   */
  private readyCondition(pool: PoolRecord, ready: number): PoolCondition {
    const counts = `${ready} of ${pool.replicas} sandboxes ready`;
    const failed = this.backoff.get(pool.name);
    if (failed !== undefined) {
      const retryInSeconds = Math.max(0, Math.ceil((failed.retryAt - Date.now()) / 1000));
      const when = new Date(failed.failedAt).toISOString();
      const message = `${counts}; ${failed.failures} start(s) failed in a row, the last at ${when}, next try in ${retryInSeconds}s. Last error: ${failed.error}`;
      return { type: 'Ready', status: 'False', reason: 'StartFailed', message };
    }
    const stored = this.host.store.getPoolFailure(pool.name);
    if (stored !== undefined && ready < pool.replicas) {
      const when = new Date(stored.failedAt).toISOString();
      const message = `${counts}; ${stored.failures} start(s) failed in a row, the last at ${when}. Last error: ${stored.error}`;
      return { type: 'Ready', status: 'False', reason: 'StartFailed', message };
    }
    if (ready < pool.replicas) {
      return { type: 'Ready', status: 'False', reason: 'Filling', message: counts };
    }
    return { type: 'Ready', status: 'True', reason: 'ReplicasReady', message: counts };
  }

  /**
   * Waits until a pool has `replicas` ready sandboxes, starting fills as needed.
   * @throws SandstackError `POOL_NOT_FOUND`, or the error that stopped a fill
   */
  async waitUntilReady(poolName: string): Promise<void> {
    const pool = this.require(poolName);
    for (
      let round = 0;
      round < pool.replicas + 3 && this.host.store.countWarm(poolName) < pool.replicas;
      round += 1
    ) {
      this.refill(poolName);
      await this.fills.get(poolName);
    }
    if (this.host.store.countWarm(poolName) < pool.replicas) {
      const failed = this.backoff.get(poolName);
      const cause = failed === undefined ? 'see the log' : `last error: ${failed.error}`;
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Pool "${poolName}" could not reach ${pool.replicas} ready sandboxes; ${cause}`,
      );
    }
  }

  /**
   * Starts a fill after a warm claim, once `commandEnded` resolves (the claimed sandbox's
   * first command has ended) or after {@link REFILL_AFTER_CLAIM_MAX_DELAY_MS}, whichever comes
   * first. The start of a sandbox does work in this process (files, cgroups, spawning the
   * runtime), which would otherwise delay the reply to that command.
   */
  refillAfterClaim(poolName: string | undefined, commandEnded: Promise<void> | undefined): void {
    if (poolName === undefined || commandEnded === undefined) {
      this.refill(poolName);
      return;
    }
    let started = false;
    const start = (): void => {
      if (!started) {
        started = true;
        clearTimeout(timer);
        this.refill(poolName);
      }
    };
    const timer = setTimeout(start, REFILL_AFTER_CLAIM_MAX_DELAY_MS);
    timer.unref();
    void commandEnded.then(start);
  }

  /**
   * Starts one background fill of a pool unless one runs, the controller is closed, or the
   * pool is backing off after failed starts (then the fill starts when the delay ends).
   */
  refill(poolName: string | undefined): void {
    if (poolName === undefined || this.host.isClosed() || this.fills.has(poolName)) {
      return;
    }
    const failed = this.backoff.get(poolName);
    if (failed !== undefined && Date.now() < failed.retryAt) {
      if (failed.timer === undefined) {
        failed.timer = setTimeout(
          () => {
            failed.timer = undefined;
            this.refill(poolName);
          },
          timerDelay(failed.retryAt - Date.now()),
        );
        failed.timer.unref();
      }
      return;
    }
    const fill = this.fill(poolName)
      .then(
        () => {
          this.clearBackoff(poolName);
          this.storeFailure(poolName, undefined);
        },
        (error: unknown) => this.recordFailure(poolName, error),
      )
      .finally(() => {
        this.fills.delete(poolName);
        if (this.backoff.has(poolName)) {
          // Schedules the retry for when the delay ends.
          this.refill(poolName);
        }
      });
    this.fills.set(poolName, fill);
  }

  /**
   * Delays the next fill of a pool whose sandboxes fail to start: 1 s after the first
   * failure, doubling up to {@link MAX_BACKOFF_MS}, so a broken template does not start
   * sandboxes without bound.
   */
  private recordFailure(poolName: string, error: unknown): void {
    const failures = (this.backoff.get(poolName)?.failures ?? 0) + 1;
    const delayMs = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
    const failedAt = Date.now();
    const message = error instanceof Error ? error.message : String(error);
    this.clearBackoff(poolName);
    this.backoff.set(poolName, {
      failures,
      retryAt: failedAt + delayMs,
      error: message,
      failedAt,
      timer: undefined,
    });
    this.storeFailure(poolName, { failures, error: message, failedAt });
    this.host.logger.error('Pool fill failed', {
      pool: poolName,
      error: String(error),
      failures,
      retryInMs: delayMs,
    });
  }

  /**
   * Stores a pool's failed starts for other processes' readers, or clears them when
   * `failure` is undefined. A store error is logged, because the fill's outcome has no caller.
   */
  private storeFailure(poolName: string, failure: PoolStartFailure | undefined): void {
    try {
      if (failure === undefined) {
        this.host.store.clearPoolFailure(poolName);
      } else {
        this.host.store.recordPoolFailure(poolName, failure);
      }
    } catch (error) {
      this.host.logger.warn('Pool start failures could not be stored', {
        pool: poolName,
        error: String(error),
      });
    }
  }

  private clearBackoff(poolName: string): void {
    clearTimeout(this.backoff.get(poolName)?.timer);
    this.backoff.delete(poolName);
  }

  /**
   * Fills a pool up to its replicas with up to `fillConcurrency` starts in flight. The first
   * failed start stops the fill once the starts in flight have settled, and its error is the
   * fill's error, so the pool backs off.
   */
  private async fill(poolName: string): Promise<void> {
    // The startup reconcile removes state folders without a record, so wait for it before
    // creating folders whose record is written only once the sandbox runs.
    await this.host.ready;
    const progress = { started: 0, inFlight: 0, failed: false };
    const workers = Array.from({ length: this.host.fillConcurrency }, () =>
      this.fillWorker(poolName, progress),
    );
    const outcomes = await Promise.allSettled(workers);
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure !== undefined) {
      throw failure.reason;
    }
  }

  /** Starts sandboxes one after another while the pool, counting starts in flight, is short. */
  private async fillWorker(
    poolName: string,
    progress: { started: number; inFlight: number; failed: boolean },
  ): Promise<void> {
    while (!this.host.isClosed() && !progress.failed) {
      // Read the pool and template on each round, so a scale or template change applied
      // during the fill takes effect at once.
      const pool = this.host.store.getPool(poolName);
      // Bounded: at most `replicas` starts per fill; a claim during the fill starts another.
      if (
        pool === undefined ||
        progress.started >= pool.replicas ||
        this.host.store.countWarm(poolName) + progress.inFlight >= pool.replicas
      ) {
        return;
      }
      progress.started += 1;
      progress.inFlight += 1;
      try {
        await this.startWarm(poolName, pool.template);
      } catch (error) {
        progress.failed = true;
        throw error;
      } finally {
        progress.inFlight -= 1;
      }
    }
  }

  /** Starts one ready sandbox of a pool and records it as warm. */
  private async startWarm(poolName: string, templateName: string): Promise<void> {
    const template = this.host.getTemplate(templateName);
    const driver = await this.host.runtimeFor(template);
    const id = newId('sbx');
    let sandbox: SandboxInstance;
    try {
      sandbox = await driver.create({
        id,
        template,
        stateDir: this.host.sandboxDir(id),
        ...this.host.createOptionsFor(template),
        // No caller waits for this sandbox, so its start yields the CPU to claimed ones.
        background: true,
      });
    } catch (error) {
      // No record names this sandbox yet, so remove what the failed start left right away
      // rather than at the next controller start.
      await this.host.destroy(id, undefined);
      throw error;
    }
    if (this.host.isClosed() || this.host.store.getPool(poolName) === undefined) {
      await this.host.destroy(id, sandbox);
      return;
    }
    this.host.live.set(id, sandbox);
    this.host.store.insertSandbox({
      id,
      template: templateName,
      runtime: driver.name,
      pool: poolName,
      state: 'warm',
      tenant: null,
      runId: null,
      warm: true,
      stateDir: this.host.sandboxDir(id),
      processId: process.pid,
      templateHash: templateHash(template),
      expiresAt: null,
      claimName: null,
    });
    this.host.logger.debug('Pool sandbox ready', { pool: poolName, sandboxId: id });
  }

  private check(options: CreatePoolOptions): void {
    if (!isValidName(options.name)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Pool name "${options.name}" is invalid; use 1-63 letters, digits, ".", "_" or "-"`,
      );
    }
    const { replicas } = options;
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > MAX_POOL_REPLICAS) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Pool "${options.name}" has replicas ${replicas}; use a whole number from 0 to ${MAX_POOL_REPLICAS}`,
      );
    }
    const strategy = options.updateStrategy ?? 'OnReplenish';
    if (strategy !== 'OnReplenish' && strategy !== 'Recreate') {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Pool "${options.name}" has updateStrategy "${String(strategy)}"; use OnReplenish or Recreate`,
      );
    }
    this.host.getTemplate(options.template);
  }

  /**
   * Under the `Recreate` strategy, destroys a pool's ready sandboxes that were started from
   * another version of its template; then starts a fill.
   */
  async replaceStale(pool: PoolRecord): Promise<void> {
    const current = templateHash(this.host.getTemplate(pool.template));
    if (pool.updateStrategy === 'Recreate') {
      const stale = this.host.store
        .listWarm(pool.name)
        .filter((record) => record.templateHash !== current);
      for (const record of stale) {
        await this.destroyWarm(record.id);
      }
    }
    // Refill after the old sandboxes are gone, so the pool never holds more than replicas.
    this.refill(pool.name);
  }

  /** Destroys one ready sandbox unless a claim binds it first. */
  private async destroyWarm(id: string): Promise<void> {
    const record = this.host.store.get(id);
    // A live process that filled the sandbox holds it in memory; that process scales it.
    const heldElsewhere =
      record !== undefined && record.processId !== process.pid && isProcessAlive(record.processId);
    if (record?.state !== 'warm' || heldElsewhere || !this.host.store.removeWarm(id)) {
      return;
    }
    await this.host.destroy(id, this.host.live.get(id) ?? (await this.host.attach(record)));
  }

  require(name: string): PoolRecord {
    const pool = this.host.store.getPool(name);
    if (pool === undefined) {
      const known = this.host.store.listPools().map((item) => item.name);
      throw new SandstackError(
        'POOL_NOT_FOUND',
        `Pool "${name}" not found; known pools: ${known.join(', ') || 'none'}`,
      );
    }
    return pool;
  }

  /**
   * Deletes a pool and destroys its ready sandboxes; sandboxes already claimed from it stay.
   * @throws SandstackError `POOL_NOT_FOUND`
   */
  async delete(name: string): Promise<void> {
    this.require(name);
    this.host.store.deletePool(name);
    await this.host.ready;
    // A running fill sees the pool gone before and after each start, and stops.
    await this.fills.get(name);
    for (const record of this.host.store.listWarm(name)) {
      await this.destroyWarm(record.id);
    }
  }

  /** Waits for every running fill to finish and cancels delayed ones. */
  async settle(): Promise<void> {
    for (const name of [...this.backoff.keys()]) {
      clearTimeout(this.backoff.get(name)?.timer);
    }
    await Promise.allSettled([...this.fills.values()]);
  }
}

function toPoolRecord(options: CreatePoolOptions): PoolRecord {
  return {
    name: options.name,
    template: options.template,
    replicas: options.replicas,
    updateStrategy: options.updateStrategy ?? 'OnReplenish',
  };
}

/** Returns whether a process with that id is running. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
