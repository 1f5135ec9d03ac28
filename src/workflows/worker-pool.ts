/**
 * Worker processes that run isolates for the engine. Each run of tenant code goes to one
 * worker; its host calls come back over IPC and are handled in the engine's process. When a
 * worker exits (isolated-vm aborts the whole process when an isolate runs out of memory in
 * some allocations), its runs end as `crashed` and the next run starts a fresh worker.
 *
 * NOTE: every replayed step still costs an IPC round trip to the engine. Sending the
 * committed history with `start` would let the worker answer replayed steps itself.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from '../core/logger.js';
import { noopLogger } from '../core/logger.js';
import type { IsolateExecution, IsolateRunOptions, RunOutcome } from './isolate.js';
import type { FromWorker, StepChange, ToWorker } from './worker-protocol.js';

const LOG_LEVELS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error']);

/** Maximum bytes of a worker's stderr kept to explain its exit. */
const STDERR_TAIL_BYTES = 4096;

/** One forked worker process and the runs it hosts. */
class IsolateWorker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly runs = new Map<number, WorkerIsolateRun>();
  /** Number of runs per tenant on this worker. Runs without a tenant count under `undefined`. */
  readonly tenants = new Map<string | undefined, number>();
  #stderrTail = '';
  #exited = false;
  /** Messages waiting for the next flush to the worker; see `send`. */
  readonly #outbox: ToWorker[] = [];

  readonly #logger: Logger;

  constructor(logger: Logger, onExit: (worker: IsolateWorker) => void) {
    this.#logger = logger;
    const entry = workerEntry('isolate-worker');
    this.child = fork(fileURLToPath(entry.url), [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      // A process group of its own keeps a terminal's Ctrl-C away from the worker, so the
      // engine can stop runs gracefully. The worker still exits when the engine does.
      detached: true,
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
    });
    // The IPC channel alone decides whether the worker keeps this process alive.
    (this.child.stderr as (Readable & { unref?: () => void }) | null)?.unref?.();
    this.ready = new Promise((resolve, reject) => {
      this.child.once('message', () => resolve());
      this.child.once('error', reject);
      this.child.once('exit', () => reject(new Error(this.exitDescription())));
    });
    // A worker that never becomes ready must not leave a rejection unhandled.
    this.ready.catch(() => undefined);
    this.child.on('message', (message: FromWorker) => this.#receive(message));
    this.child.on('exit', () => {
      this.#exited = true;
      onExit(this);
      const description = this.exitDescription();
      for (const run of this.runs.values()) {
        run.workerExited(description);
      }
      this.runs.clear();
      this.tenants.clear();
    });
    this.child.on('error', () => undefined);
    // Stay referenced while starting: the run waiting for this worker holds nothing else.
    void this.ready.then(() => this.#updateRef()).catch(() => undefined);
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /**
   * Queues a message to the worker. The messages sent before the microtask queue drains go
   * out as one batch, because each write to the IPC channel costs a system call on both
   * sides, and a group commit settles the steps of many runs at once. A microtask, not
   * `setImmediate`, so a reply leaves before the next group commit blocks the event loop.
   */
  send(message: ToWorker): void {
    this.#outbox.push(message);
    if (this.#outbox.length === 1) {
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    const messages = this.#outbox.splice(0);
    if (this.#exited || !this.child.connected || messages.length === 0) {
      return;
    }
    const message: ToWorker =
      messages.length === 1 ? (messages[0] as ToWorker) : { type: 'batch', messages };
    this.child.send(message);
  }

  add(id: number, run: WorkerIsolateRun): void {
    this.runs.set(id, run);
    this.tenants.set(run.tenant, (this.tenants.get(run.tenant) ?? 0) + 1);
    this.#updateRef();
  }

  remove(id: number): void {
    const run = this.runs.get(id);
    if (run === undefined) {
      return;
    }
    this.runs.delete(id);
    const left = (this.tenants.get(run.tenant) ?? 1) - 1;
    if (left > 0) {
      this.tenants.set(run.tenant, left);
    } else {
      this.tenants.delete(run.tenant);
    }
    this.#updateRef();
  }

  /** The tenant whose code alone runs here, or undefined when idle, shared or without a tenant. */
  get soleTenant(): string | undefined {
    if (this.tenants.size !== 1) {
      return undefined;
    }
    const [tenant] = this.tenants.keys();
    return tenant;
  }

  exitDescription(): string {
    const { exitCode, signalCode } = this.child;
    const how = signalCode === null ? `code ${String(exitCode)}` : `signal ${signalCode}`;
    const outOfMemory = /heap out of memory|is_heap_oom = 1|allocation failed/i.test(
      this.#stderrTail,
    );
    return `The isolate worker process (pid ${this.child.pid}) exited with ${how}${
      outOfMemory ? ' after an isolate ran out of memory' : ''
    }`;
  }

  #receive(message: FromWorker): void {
    if (message.type === 'ready') {
      return;
    }
    if (message.type === 'batch') {
      // A malformed batch from tenant-controlled code must not take the engine down.
      for (const item of Array.isArray(message.messages) ? message.messages : []) {
        this.#receive(item);
      }
      return;
    }
    try {
      this.runs.get(message.run)?.receive(message);
    } catch (error) {
      // A worker runs tenant code, so a malformed message must not take the engine down.
      this.#logger.warn('Invalid message from an isolate worker process', {
        pid: this.child.pid,
        type: String(message.type),
        error: String(error),
      });
    }
  }

  /** An idle worker must not keep the engine's process alive, so callers need no close(). */
  #updateRef(): void {
    if (this.runs.size > 0) {
      this.child.ref();
      this.child.channel?.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
    }
  }
}

/** One `run()` call executed in a worker process; see {@link IsolateExecution}. */
class WorkerIsolateRun implements IsolateExecution {
  readonly #pool: IsolateWorkerPool;
  readonly #options: IsolateRunOptions;
  readonly #id: number;
  #worker: IsolateWorker | undefined;
  #settle: ((outcome: RunOutcome) => void) | undefined;
  #settled: RunOutcome | undefined;
  #stopRequested = false;
  readonly #steps: StepChange[] = [];

  constructor(pool: IsolateWorkerPool, id: number, options: IsolateRunOptions) {
    this.#pool = pool;
    this.#id = id;
    this.#options = options;
  }

  get stopped(): boolean {
    return this.#stopRequested;
  }

  get tenant(): string | undefined {
    return this.#options.tenant;
  }

  async run(): Promise<RunOutcome> {
    const done = new Promise<RunOutcome>((resolve) => {
      this.#settle = resolve;
    });
    let worker: IsolateWorker;
    try {
      worker = await this.#pool.acquire(this.#id, this);
    } catch (error) {
      return {
        kind: 'crashed',
        message: `Could not start an isolate worker process: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (this.#settled !== undefined) {
      worker.remove(this.#id);
      return this.#settled;
    }
    this.#worker = worker;
    const { code, init, limits } = this.#options;
    worker.send({ type: 'start', run: this.#id, code, init, limits });
    return done;
  }

  stop(outcome: RunOutcome): void {
    if (this.#stopRequested) {
      return;
    }
    this.#stopRequested = true;
    this.#finish(outcome);
    this.#worker?.send({ type: 'stop', run: this.#id, outcome });
  }

  stepStarted(key: string): void {
    this.#queueStep({ key, running: true });
  }

  stepEnded(key: string): void {
    this.#queueStep({ key, running: false });
  }

  /**
   * Sends step changes with the next reply, because they happen while the engine handles a
   * host call. The flush covers a change that no reply follows.
   */
  #queueStep(change: StepChange): void {
    this.#steps.push(change);
    if (this.#steps.length === 1) {
      setImmediate(() => this.#flushSteps());
    }
  }

  #flushSteps(): void {
    if (this.#steps.length > 0) {
      this.#worker?.send({ type: 'steps', run: this.#id, steps: this.#steps.splice(0) });
    }
  }

  /** Handles a message from the worker for this run. */
  receive(message: Exclude<FromWorker, { type: 'ready' }>): void {
    switch (message.type) {
      case 'call':
        this.#call(message.call, message.op, message.payloadJson);
        return;
      case 'log': {
        const level = LOG_LEVELS.has(message.level) ? message.level : 'debug';
        (this.#options.logger ?? noopLogger)[level](String(message.message), message.meta);
        return;
      }
      case 'done':
        this.#worker?.remove(this.#id);
        this.#finish(message.outcome);
        return;
    }
  }

  workerExited(description: string): void {
    this.#finish({ kind: 'crashed', message: description });
  }

  #call(call: number, op: string, payloadJson: string): void {
    if (this.#stopRequested) {
      return;
    }
    void this.#options.call(op, payloadJson).then((text) => {
      if (!this.#stopRequested) {
        const steps = this.#steps.splice(0);
        this.#worker?.send({
          type: 'reply',
          run: this.#id,
          call,
          text,
          ...(steps.length > 0 ? { steps } : {}),
        });
      }
    });
  }

  #finish(outcome: RunOutcome): void {
    if (this.#settled !== undefined) {
      return;
    }
    this.#settled = outcome;
    this.#settle?.(outcome);
  }
}

/** Options for {@link IsolateWorkerPool}. */
export interface IsolateWorkerPoolOptions {
  /** Maximum number of worker processes, which runs share. @default the number of CPUs, at most 4 */
  size?: number;
  /**
   * Runs of one tenant that each of its workers carries before the tenant's next run may
   * start on another worker, up to the tenant's fair share of the pool. One worker already
   * runs isolate code on several threads (isolated-vm's), so spreading adds no cores for
   * that code. It spreads the isolates' heaps over more processes and eases each worker's
   * main thread, which handles its IPC, at the cost of smaller IPC batches and, the first
   * time, of forking the next worker. `Infinity` never spreads a tenant.
   * @default 16
   */
  runsPerWorker?: number;
  logger?: Logger;
}

/** Load of one live worker process, as returned by {@link IsolateWorkerPool.workers}. */
export interface WorkerLoad {
  pid: number;
  /** Runs in progress on the worker. */
  runs: number;
  /** Tenants whose code the worker runs, sorted. Runs without a tenant are left out. */
  tenants: string[];
}

/**
 * Forks isolate worker processes on demand, up to `size`, and spreads runs over them. Idle
 * workers stay up for the next run but do not keep the process alive.
 */
export class IsolateWorkerPool {
  readonly #size: number;
  readonly #runsPerWorker: number;
  readonly #logger: Logger;
  readonly #workers = new Set<IsolateWorker>();
  #nextRun = 0;

  constructor(options: IsolateWorkerPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? Math.min(4, availableParallelism()));
    const runsPerWorker = options.runsPerWorker ?? 16;
    const valid = Number.isInteger(runsPerWorker) || runsPerWorker === Infinity;
    if (!valid || runsPerWorker < 1) {
      throw new RangeError(
        `Invalid runsPerWorker ${String(runsPerWorker)}; use a whole number of at least 1, or Infinity`,
      );
    }
    this.#runsPerWorker = runsPerWorker;
    this.#logger = options.logger ?? noopLogger;
  }

  /** Process ids of the live workers. */
  get pids(): number[] {
    return [...this.#workers].flatMap((worker) =>
      worker.alive && worker.child.pid !== undefined ? [worker.child.pid] : [],
    );
  }

  /** Live workers with the runs and tenants each one carries now. */
  get workers(): WorkerLoad[] {
    return [...this.#workers].flatMap((worker) =>
      worker.alive && worker.child.pid !== undefined
        ? [
            {
              pid: worker.child.pid,
              runs: worker.runs.size,
              tenants: [...worker.tenants.keys()]
                .filter((tenant): tenant is string => tenant !== undefined)
                .sort(),
            },
          ]
        : [],
    );
  }

  /** Prepares one `run()` call of tenant code on a worker of this pool. */
  execution(options: IsolateRunOptions): IsolateExecution {
    this.#nextRun += 1;
    return new WorkerIsolateRun(this, this.#nextRun, options);
  }

  /**
   * Places `run` on a worker (see `#pick`) and waits until that worker is ready. The run is
   * counted on the worker before the wait, so runs placed meanwhile see it.
   * @internal
   */
  async acquire(id: number, run: WorkerIsolateRun): Promise<IsolateWorker> {
    const worker = this.#pick(run.tenant);
    worker.add(id, run);
    try {
      await worker.ready;
    } catch (error) {
      worker.remove(id);
      throw error;
    }
    return worker;
  }

  /**
   * Picks the worker for a new run of `tenant`. A worker runs one tenant's code at a time,
   * unless more tenants have runs at once than the pool can fork workers. Each tenant's
   * share is `size` divided by the number of tenants with runs (at least one worker). A
   * tenant takes an idle or new worker while it has fewer workers than its share and
   * each of them already carries `runsPerWorker` runs. Otherwise its least busy worker
   * gets the run. A tenant that has more workers than its share, because other tenants
   * started since, places new runs only on its first workers, so the rest drain and come
   * free for the others.
   */
  #pick(tenant: string | undefined): IsolateWorker {
    const live = [...this.#workers].filter((worker) => worker.alive);
    const tenants = new Set<string | undefined>([tenant]);
    for (const worker of live) {
      for (const other of worker.tenants.keys()) {
        tenants.add(other);
      }
    }
    const share = Math.max(1, Math.floor(this.#size / tenants.size));
    const owned = tenant === undefined ? [] : live.filter((worker) => worker.soleTenant === tenant);
    const ownBest = leastBusy(owned.slice(0, share));
    if (ownBest !== undefined && ownBest.runs.size < this.#runsPerWorker) {
      return ownBest;
    }
    if (owned.length < share) {
      const idle = live.find((worker) => worker.runs.size === 0);
      if (idle !== undefined) {
        return idle;
      }
      if (live.length < this.#size) {
        return this.#fork();
      }
    }
    return ownBest ?? this.#pickShared(tenant, live, share);
  }

  /**
   * Picks a worker to share when `tenant` has none and none is free. It prefers one that
   * already runs the tenant's code, then one that another tenant is draining, then the
   * least busy.
   */
  #pickShared(tenant: string | undefined, live: IsolateWorker[], share: number): IsolateWorker {
    const withTenant = live.filter((worker) => tenant !== undefined && worker.tenants.has(tenant));
    const draining = live.filter((worker) => {
      const owner = worker.soleTenant;
      if (owner === undefined) {
        return false;
      }
      const ownersWorkers = live.filter((candidate) => candidate.soleTenant === owner);
      return ownersWorkers.indexOf(worker) >= share;
    });
    const worker = leastBusy(withTenant) ?? leastBusy(draining) ?? leastBusy(live);
    if (worker === undefined) {
      // Unreachable: the pool forks a worker whenever none is live.
      throw new Error('No isolate worker process to run on');
    }
    return worker;
  }

  #fork(): IsolateWorker {
    const worker = new IsolateWorker(this.#logger, (exited) => this.#forget(exited));
    this.#workers.add(worker);
    return worker;
  }

  /** Ends every worker; runs still going on them end as `crashed`. */
  close(): void {
    for (const worker of this.#workers) {
      worker.child.kill('SIGKILL');
    }
  }

  #forget(worker: IsolateWorker): void {
    this.#workers.delete(worker);
    if (worker.runs.size > 0) {
      this.#logger.warn('Isolate worker process exited', {
        pid: worker.child.pid,
        runs: worker.runs.size,
        reason: worker.exitDescription(),
      });
    }
  }
}

/** Returns the worker with the fewest runs, the first of equals, or undefined for none. */
function leastBusy(workers: IsolateWorker[]): IsolateWorker | undefined {
  let best: IsolateWorker | undefined;
  for (const worker of workers) {
    if (best === undefined || worker.runs.size < best.runs.size) {
      best = worker;
    }
  }
  return best;
}

let shared: IsolateWorkerPool | undefined;

/** Returns the pool that all engines of this process share unless given their own. */
export function sharedWorkerPool(): IsolateWorkerPool {
  shared ??= new IsolateWorkerPool();
  return shared;
}

/**
 * Locates the entry of a child process (a module next to this one, such as `isolate-worker`)
 * and the Node flags to start it with. Run from TypeScript sources (tests, benchmarks), the
 * child needs the same TypeScript loader.
 */
export function workerEntry(name: string): { url: URL; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? `./${name}.ts` : `./${name}.js`, import.meta.url);
  // isolated-vm needs --no-node-snapshot on Node 20, as in every process here that runs it.
  const execArgv = ['--no-node-snapshot'];
  if (fromSource) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    execArgv.push('--import', pathToFileURL(tsx).href);
  }
  return { url, execArgv };
}
