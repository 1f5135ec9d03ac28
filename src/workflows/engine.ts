/**
 * The durable workflow engine: deploys tenant workflows, creates instances pinned to a
 * version, and runs them in this process in fresh isolates, replaying stored step results.
 */
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { ErrorData } from '../core/errors.js';
import { ERROR_CODES, SandstackError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { noopLogger } from '../core/logger.js';
import type { SqliteDatabase } from '../core/store.js';
import type { BundleInput } from './bundle.js';
import { bundleWorkflow } from './bundle.js';
import type { ReplayCheck, RunSettings } from './instance-run.js';
import { InstanceRun } from './instance-run.js';
import type { IsolateExecution, IsolateLimits, IsolateRunOptions, RunOutcome } from './isolate.js';
import { IsolateRun } from './isolate.js';
import type { DeployResult } from './registry.js';
import { assertValidName, WorkflowRegistry } from './registry.js';
import type { ResolvedStepConfig } from './step-config.js';
import { DEFAULT_STEP_CONFIG } from './step-config.js';
import { SqliteWorkflowStore } from './stores/sqlite.js';
import type {
  EventTotals,
  InstanceKey,
  InstanceRecord,
  LeaseStore,
  ParamsManifest,
  StepRecord,
  VersionRecord,
  WorkflowStore,
} from './stores/store.js';
import { checkParams as checkDeclaredParams } from './inputs.js';
import type { EngineEvent, HostBinding, InstanceStatus, JsonValue } from './types.js';
import type { PruneResult, ResolvedRetentionOptions, RetentionOptions } from './retention.js';
import { pruneEndedInstances, resolveRetention } from './retention.js';
import type { IsolateWorkerPool } from './worker-pool.js';
import { MAX_STEP_RESULT_BYTES_CAP } from './worker-protocol.js';
import { sharedWorkerPool } from './worker-pool.js';

/**
 * Process that runs tenant code. With `process`, isolates run in worker processes, so an
 * isolate that brings its process down costs the step in flight a retry, not the engine.
 * With `in-process`, they run in the engine's own process: each host call saves an IPC round
 * trip, but such an isolate takes the engine down with it.
 */
export type IsolationMode = 'process' | 'in-process';

/** Limits of the engine. */
export interface EngineLimits extends IsolateLimits {
  /** Largest JSON result of one step. @default 1048576 (1 MiB, as Cloudflare) */
  maxStepResultBytes: number;
  /** Maximum sleep, retry delay or event wait that `run` waits out in process; longer ones return `waiting`. @default 5000 */
  maxInlineWaitMs: number;
  /** Steps, sleeps and event waits one instance may record. @default 10000 */
  maxStepsPerInstance: number;
  /**
   * Total bytes of UTF-8 JSON of one instance's stored step results, event payloads
   * received by `step.waitForEvent` included. A step whose result would pass it fails
   * with `WORKFLOW_STATE_LIMIT` and is not retried. `env.STATE` is counted per tenant
   * instead, under its own limit, because its keys are shared by all of a tenant's
   * instances. @default 67108864 (64 MiB)
   */
  maxInstanceStateBytes: number;
  /**
   * Total bytes of UTF-8 JSON of one tenant's stored step results, over all its instances
   * that retention has not deleted yet, ended ones included. A step whose result would pass
   * it fails with `WORKFLOW_STATE_LIMIT` and is not retried. @default 1073741824 (1 GiB)
   */
  maxTenantStepResultBytes: number;
  /**
   * Events one instance may hold that no `step.waitForEvent` has received yet. A send past
   * it fails with `EVENT_LIMIT` (HTTP 429) until the instance receives some. @default 100
   */
  maxPendingEvents: number;
  /**
   * Total bytes of UTF-8 JSON of those events' payloads. Pending payloads also count
   * toward `maxInstanceStateBytes` when an event is sent. @default 8388608 (8 MiB)
   */
  maxPendingEventBytes: number;
}

/** Options for {@link WorkflowEngine}. */
export interface WorkflowEngineOptions {
  /** SQLite database from `openDatabase`; ignored when `store` is given. */
  db?: SqliteDatabase;
  /** Store to use instead of SQLite on `db`. */
  store?: WorkflowStore;
  logger?: Logger;
  clock?: Clock;
  /** Host objects granted to one run, exposed as `env.<NAME>`. @default no bindings */
  bindings?: (tenant: string, instanceId: string) => Record<string, HostBinding>;
  onEvent?: (event: EngineEvent) => void;
  limits?: Partial<EngineLimits>;
  /** Step config used where tenant code passes none. @default Cloudflare's: 5 retries, 10 s exponential, 10 min timeout */
  stepDefaults?: ResolvedStepConfig;
  /** Isolation mode of tenant code; see {@link IsolationMode}. @default 'process' */
  isolation?: IsolationMode;
  /** Worker processes for `isolation: 'process'`. @default one pool shared by all engines of the process */
  workerPool?: IsolateWorkerPool;
  /**
   * Maximum number of one tenant's instances that `runDue` runs at the same time, so one
   * tenant's flood cannot take every slot. @default 1
   */
  maxRunsPerTenant?: number;
  /**
   * Length of the instance leases this engine takes on a store with leases (PostgreSQL).
   * The engine renews them every third of it while it runs the instance, and other nodes
   * take the instance over once a lease expires, so it bounds how long a dead node's
   * instances wait. @default 30000
   */
  leaseMs?: number;
  /**
   * How long ended instances are kept before {@link WorkflowEngine.prune} deletes them.
   * @default complete and terminated 7 days, errored 30 days; see {@link DEFAULT_RETENTION}
   */
  retention?: RetentionOptions;
}

/** Default of {@link WorkflowEngineOptions.leaseMs}. */
export const DEFAULT_LEASE_MS = 30_000;

/** Crashes of a worker outside any step after which `run` gives the instance up. */
const MAX_CRASHES_OUTSIDE_STEPS = 3;

/** Summary of one step in a run result. */
export interface StepSummary {
  key: string;
  kind: StepRecord['kind'];
  status: StepRecord['status'];
  attempt: number;
  durationMs: number | undefined;
}

/** Result of `run` and `get`. */
export interface InstanceResult {
  id: string;
  status: InstanceStatus;
  output: JsonValue | undefined;
  error: ErrorData | undefined;
  steps: StepSummary[];
}

/** A stored instance with its pinned version and times. */
export type InstanceInfo = InstanceRecord;

/**
 * Allowed range of limits.memoryMb, in MB. isolated-vm takes no less than 8 MB.
 * NOTE: the 16384 MB maximum is a bound against typing mistakes such as 1e12, not a measured
 * V8 heap limit.
 */
export const ISOLATE_MEMORY_MB_RANGE = { min: 8, max: 16_384 } as const;

/** Default limits; see {@link EngineLimits}. */
export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  memoryMb: 128,
  cpuPerRunMs: 60_000,
  cpuPerStepMs: 30_000,
  maxStepResultBytes: 1024 * 1024,
  maxInlineWaitMs: 5000,
  maxStepsPerInstance: 10_000,
  maxInstanceStateBytes: 64 * 1024 * 1024,
  maxTenantStepResultBytes: 1024 * 1024 * 1024,
  maxPendingEvents: 100,
  maxPendingEventBytes: 8 * 1024 * 1024,
};

const FINAL_STATUSES: InstanceStatus[] = ['complete', 'errored', 'terminated'];

/** Statuses `upgrade` accepts: the instance is not running, and no run can start it unasked. */
const UPGRADABLE_STATUSES: InstanceStatus[] = ['paused', 'waiting', 'errored'];

/** Result of `upgrade`. */
export interface UpgradeResult {
  id: string;
  /** Version hash before the upgrade. */
  from: string;
  /** Version hash after the upgrade. */
  to: string;
  /** Stored steps the new code replayed and keeps. */
  replayedSteps: number;
  /** Keys of failed steps an errored instance dropped, so the new code runs them again. */
  droppedSteps: string[];
}

function resolveLimits(limits: Partial<EngineLimits> = {}): EngineLimits {
  const resolved = { ...DEFAULT_ENGINE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Invalid limits.${name} ${String(value)}; use a non-negative number`,
      );
    }
  }
  if (resolved.maxStepResultBytes > MAX_STEP_RESULT_BYTES_CAP) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Invalid limits.maxStepResultBytes ${resolved.maxStepResultBytes}; use at most ${MAX_STEP_RESULT_BYTES_CAP}, so that a result fits one message between the isolate and the engine`,
    );
  }
  const { min, max } = ISOLATE_MEMORY_MB_RANGE;
  if (resolved.memoryMb < min || resolved.memoryMb > max) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Invalid limits.memoryMb ${resolved.memoryMb}; use ${min} to ${max} MB`,
    );
  }
  return resolved;
}

/**
 * Runs tenants' durable workflows.
 *
 * @example
 * const engine = new WorkflowEngine({ db: openDatabase('.sandstack/state.db') });
 * await engine.deploy('acme', 'greet', { entryPath: 'workflows/greet.ts' });
 * const id = await engine.create('acme', 'greet', { params: { name: 'Ada' } });
 * const result = await engine.run('acme', id); // { status: 'complete', output, … }
 */
export class WorkflowEngine {
  readonly #store: WorkflowStore;
  readonly #registry: WorkflowRegistry;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #limits: EngineLimits;
  readonly #stepDefaults: ResolvedStepConfig;
  readonly #bindings: (tenant: string, instanceId: string) => Record<string, HostBinding>;
  readonly #onEvent: (event: EngineEvent) => void;
  readonly #startIsolate: (options: IsolateRunOptions) => IsolateExecution;
  readonly #maxRunsPerTenant: number;
  /** Runs in progress in this process, by `tenant/id`. */
  readonly #running = new Map<string, InstanceRun | undefined>();
  readonly #leases: LeaseStore | undefined;
  readonly #leaseMs: number;
  /** Instances whose lease this engine holds, by `tenant/id`. */
  readonly #leased = new Map<string, InstanceKey>();
  #renewTimer: NodeJS.Timeout | undefined;
  readonly #retention: ResolvedRetentionOptions;

  constructor(options: WorkflowEngineOptions) {
    if (options.store === undefined && options.db === undefined) {
      throw new SandstackError(
        'INVALID_CONFIG',
        'WorkflowEngine needs options.db (from openDatabase) or options.store',
      );
    }
    this.#store = options.store ?? new SqliteWorkflowStore(options.db as SqliteDatabase);
    this.#clock = options.clock ?? systemClock;
    this.#registry = new WorkflowRegistry(this.#store, this.#clock);
    this.#logger = options.logger ?? noopLogger;
    this.#limits = resolveLimits(options.limits);
    this.#stepDefaults = options.stepDefaults ?? DEFAULT_STEP_CONFIG;
    this.#bindings = options.bindings ?? (() => ({}));
    this.#onEvent = options.onEvent ?? (() => undefined);
    this.#startIsolate = isolateStarter(options);
    this.#maxRunsPerTenant = positiveInteger(options.maxRunsPerTenant ?? 1, 'maxRunsPerTenant');
    this.#leases = this.#store.leases;
    this.#leaseMs = positiveInteger(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs');
    this.#retention = resolveRetention(options.retention);
  }

  /** The registry of deployed versions. */
  get registry(): WorkflowRegistry {
    return this.#registry;
  }

  /**
   * Bundles and stores a version of `tenant`'s workflow `name`; new instances start on it.
   * With `options.manifest` (the params and inputs of the workflow's `sandstack.json`),
   * {@link create} checks each new instance's params against it.
   *
   * @throws SandstackError `FILE_NOT_FOUND` or `WORKFLOW_INVALID` from bundling, `INVALID_ARGUMENT` for bad names.
   */
  async deploy(
    tenant: string,
    name: string,
    source: BundleInput,
    options: { manifest?: ParamsManifest } = {},
  ): Promise<DeployResult> {
    assertValidName(tenant, 'tenant');
    assertValidName(name, 'workflow name');
    const bundle = await bundleWorkflow(source);
    const result = await this.#registry.deploy(tenant, name, bundle, options.manifest);
    this.#logger.info('Workflow deployed', {
      tenant,
      workflow: name,
      version: bundle.hash,
      created: result.created,
    });
    return result;
  }

  /**
   * Creates a queued instance of the latest version of `name`; resolves to its id once the
   * instance is stored. Asynchronous because the store is.
   *
   * @throws SandstackError `NOT_FOUND` for an unknown workflow, `ALREADY_EXISTS` when the
   * tenant already has an instance with `id`, `INVALID_ARGUMENT` for params that are not JSON
   * or do not match the params the version's manifest declares.
   */
  async create(
    tenant: string,
    name: string,
    options: { id?: string; params?: JsonValue } = {},
  ): Promise<string> {
    const version = await this.#registry.latest(tenant, name);
    const id = options.id ?? newId('run');
    assertValidName(id, 'instance id');
    const params = checkParams(options.params ?? {});
    if (version.manifest !== undefined) {
      checkDeclaredParams(version.manifest, params);
    }
    const now = this.#clock.now();
    await this.#store.createInstance({
      tenant,
      id,
      workflow: name,
      version: version.hash,
      params,
      status: 'queued',
      output: undefined,
      error: undefined,
      wakeAtMs: undefined,
      createdAtMs: now,
      updatedAtMs: now,
    });
    this.#logger.info('Instance created', {
      tenant,
      instanceId: id,
      workflow: name,
      version: version.hash,
    });
    return id;
  }

  /**
   * Runs an instance in this process until it completes, errors, waits or is paused or
   * terminated. A finished instance is returned as stored, without running. On a store
   * with leases the run holds the instance's lease, renewed while it runs.
   *
   * @throws SandstackError `NOT_FOUND` when the tenant has no such instance,
   * `INVALID_ARGUMENT` when the instance is already running in this process or, on a store
   * with leases, another node holds its lease.
   */
  async run(tenant: string, id: string): Promise<InstanceResult> {
    return this.#runInstance(tenant, id, false);
  }

  async #runInstance(tenant: string, id: string, leased: boolean): Promise<InstanceResult> {
    const runKey = `${tenant}/${id}`;
    if (this.#running.has(runKey)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Instance "${id}" is already running in this process; wait for its run to end`,
      );
    }
    // Taken before the first await, so `runDue` counts this run against the tenant's limit
    // at once.
    this.#running.set(runKey, undefined);
    try {
      const instance = await this.#require(tenant, id);
      if (FINAL_STATUSES.includes(instance.status) || instance.status === 'paused') {
        return await this.#result(tenant, id);
      }
      if (!leased) {
        await this.#claim(tenant, id);
      }
      this.#holdLease({ tenant, id });
      // One set of bindings for the whole call, also when a crashed worker makes it start over.
      const bindings = this.#bindings(tenant, id);
      let run = await this.#prepare(instance, bindings);
      const resumed = instance.status !== 'queued' || run.hasHistory;
      // An instance that a dead process left running is stored as running already. Without
      // leases the write would only refresh updatedAtMs, so a restart skips one commit per
      // instance.
      if (instance.status !== 'running' || this.#leases !== undefined) {
        await this.#store.updateInstance(tenant, id, {
          status: 'running',
          updatedAtMs: this.#clock.now(),
        });
      }
      this.#emit({ type: 'instance.start', instanceId: id, resumed });
      this.#logger.info('Instance run started', { tenant, instanceId: id, resumed });
      let crashesOutsideSteps = 0;
      for (;;) {
        this.#running.set(runKey, run);
        const outcome = await run.execute();
        if (outcome.kind !== 'crashed') {
          await this.#finish(tenant, id, outcome);
          break;
        }
        crashesOutsideSteps = run.crashedSteps.length === 0 ? crashesOutsideSteps + 1 : 0;
        this.#logger.warn('Isolate worker exited during a run; running the instance again', {
          tenant,
          instanceId: id,
          reason: outcome.message,
          steps: run.crashedSteps,
        });
        if (crashesOutsideSteps >= MAX_CRASHES_OUTSIDE_STEPS) {
          await this.#finish(tenant, id, crashFailure(outcome.message, crashesOutsideSteps));
          break;
        }
        const current = await this.#require(tenant, id);
        if (current.status === 'terminated' || current.status === 'paused') {
          await this.#finish(tenant, id, { kind: 'stopped', reason: current.status });
          break;
        }
        run = await this.#prepare(current, bindings);
      }
      this.#logger.info('Instance run ended', {
        tenant,
        instanceId: id,
        status: (await this.#require(tenant, id)).status,
      });
    } finally {
      this.#running.delete(runKey);
      await this.#releaseLease({ tenant, id });
    }
    return await this.#result(tenant, id);
  }

  /** Takes the lease of one instance on a store with leases. */
  async #claim(tenant: string, id: string): Promise<void> {
    if (this.#leases === undefined) {
      return;
    }
    const timing = { nowMs: this.#clock.now(), leaseMs: this.#leaseMs };
    if (!(await this.#leases.claimInstance(tenant, id, timing))) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Instance "${id}" is running on another node, which holds its lease; wait for that run to end`,
      );
    }
  }

  /** Keeps the lease of a running instance renewed until {@link releaseLease}. */
  #holdLease(key: InstanceKey): void {
    if (this.#leases === undefined) {
      return;
    }
    this.#leased.set(`${key.tenant}/${key.id}`, key);
    this.#renewTimer ??= setInterval(
      () => void this.#renewLeases(),
      Math.max(1, Math.floor(this.#leaseMs / 3)),
    );
    this.#renewTimer.unref();
  }

  async #releaseLease(key: InstanceKey): Promise<void> {
    if (this.#leases === undefined) {
      return;
    }
    this.#leased.delete(`${key.tenant}/${key.id}`);
    if (this.#leased.size === 0 && this.#renewTimer !== undefined) {
      clearInterval(this.#renewTimer);
      this.#renewTimer = undefined;
    }
    try {
      await this.#leases.releaseLease(key.tenant, key.id);
    } catch (error) {
      // The lease then expires by itself, and any node can run the instance after that.
      this.#logger.warn('Releasing an instance lease failed', {
        tenant: key.tenant,
        instanceId: key.id,
        error: String(error),
      });
    }
  }

  /** Renews every held lease, and stops the runs whose lease another node has taken. */
  async #renewLeases(): Promise<void> {
    const leases = this.#leases;
    const held = [...this.#leased.values()];
    if (leases === undefined || held.length === 0) {
      return;
    }
    let renewed: InstanceKey[];
    try {
      renewed = await leases.renewLeases(held, {
        nowMs: this.#clock.now(),
        leaseMs: this.#leaseMs,
      });
    } catch (error) {
      // The next tick tries again; the lease outlives a few missed renewals.
      this.#logger.warn('Renewing instance leases failed', { error: String(error) });
      return;
    }
    const still = new Set(renewed.map((key) => `${key.tenant}/${key.id}`));
    for (const key of held) {
      const runKey = `${key.tenant}/${key.id}`;
      if (!still.has(runKey) && this.#leased.has(runKey)) {
        this.#logger.warn('Instance lease taken by another node; stopping the run', {
          tenant: key.tenant,
          instanceId: key.id,
        });
        this.#running.get(runKey)?.stop({ kind: 'stopped', reason: 'lease-lost' });
      }
    }
  }

  /**
   * Runs up to `limit` instances of any tenant that can move on: queued, due to wake,
   * holding an undelivered event, or (with `includeRunning`, for use once at startup) left
   * running by a process that died. Tenants take turns: the store hands out one instance
   * per tenant in each round, and at most `maxRunsPerTenant` of a tenant's instances run at
   * the same time, so a flood from one tenant cannot starve the others. Results come in the
   * order the runs end.
   *
   * @default limit 100, includeRunning false, concurrency 1 (one run after another)
   */
  async runDue(
    options: { limit?: number; includeRunning?: boolean; concurrency?: number } = {},
  ): Promise<(InstanceResult & { tenant: string })[]> {
    const concurrency = positiveInteger(options.concurrency ?? 1, 'concurrency');
    const leased = this.#leases !== undefined;
    const runnable =
      this.#leases === undefined
        ? await this.#store.listRunnable({
            nowMs: this.#clock.now(),
            limit: options.limit ?? 100,
            includeRunning: options.includeRunning ?? false,
          })
        : await this.#leases.claimRunnable({
            nowMs: this.#clock.now(),
            limit: options.limit ?? 100,
            leaseMs: this.#leaseMs,
          });
    const due = runnable.filter(({ tenant, id }) => !this.#running.has(`${tenant}/${id}`));
    const results: (InstanceResult & { tenant: string })[] = [];
    const inFlight = new Set<Promise<void>>();
    while (due.length > 0 || inFlight.size > 0) {
      const index =
        inFlight.size < concurrency
          ? due.findIndex(({ tenant }) => this.#runsOf(tenant) < this.#maxRunsPerTenant)
          : -1;
      if (index < 0 && inFlight.size === 0) {
        // The tenants left are at their limit with runs started outside this call, so
        // their instances wait for a later runDue, which may be on another node.
        await Promise.all(due.map((key) => (leased ? this.#releaseLease(key) : undefined)));
        break;
      }
      if (index < 0) {
        // Every slot is taken, or every tenant left is at its limit: wait for a run to end.
        await Promise.race(inFlight);
        continue;
      }
      const [{ tenant, id }] = due.splice(index, 1) as [{ tenant: string; id: string }];
      if (this.#running.has(`${tenant}/${id}`)) {
        continue;
      }
      const done = this.#runInstance(tenant, id, leased).then(
        (result) => {
          results.push({ tenant, ...result });
        },
        (error: unknown) => {
          this.#logger.error('Instance run failed', {
            tenant,
            instanceId: id,
            error: String(error),
          });
        },
      );
      const tracked = done.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    return results;
  }

  /**
   * Deletes ended instances (complete, errored, terminated) whose retention has passed,
   * with their steps and events, and logs the counts. Unfinished instances are never
   * deleted. With `dryRun`, returns what would be deleted and deletes nothing.
   */
  async prune(options: { tenant?: string; dryRun?: boolean } = {}): Promise<PruneResult> {
    const result = await pruneEndedInstances(this.#store, this.#retention, {
      nowMs: this.#clock.now(),
      ...options,
    });
    if (options.dryRun !== true) {
      this.#logger.info('Ended instances pruned', {
        ...result.deleted,
        releasedIds: result.releasedIds,
        tenant: options.tenant,
      });
    }
    return result;
  }

  /** Reads an instance's state and steps; asynchronous because the store is. @throws SandstackError `NOT_FOUND` */
  async get(tenant: string, id: string): Promise<InstanceResult & { info: InstanceInfo }> {
    const info = await this.#require(tenant, id);
    return { ...(await this.#result(tenant, id)), info };
  }

  /** Lists the tenant's instances, newest first; asynchronous because the store is. */
  list(
    tenant: string,
    filter: { workflow?: string; status?: InstanceStatus } = {},
  ): Promise<InstanceInfo[]> {
    return this.#store.listInstances(tenant, filter);
  }

  /**
   * Pauses an instance: a queued or waiting one stays put until `resume`; a running one
   * stops once the step attempts it started have ended and stored their outcome.
   * Asynchronous: resolves once the new status is stored.
   */
  async pause(tenant: string, id: string): Promise<void> {
    const instance = await this.#require(tenant, id);
    this.#assertNotFinal(instance, 'pause');
    await this.#store.updateInstance(tenant, id, {
      status: 'paused',
      updatedAtMs: this.#clock.now(),
    });
    this.#running.get(`${tenant}/${id}`)?.pause();
  }

  /**
   * Makes a paused instance runnable again; call `run` to continue it. Asynchronous. When
   * its run in this process is still pausing, because step attempts it started have not
   * ended, that run goes on instead and `run` rejects while it does.
   */
  async resume(tenant: string, id: string): Promise<void> {
    const instance = await this.#require(tenant, id);
    if (instance.status !== 'paused') {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Instance "${id}" is ${instance.status}, not paused; only a paused instance can resume`,
      );
    }
    await this.#store.updateInstance(tenant, id, {
      status: 'queued',
      updatedAtMs: this.#clock.now(),
    });
    // NOTE: a run that goes on keeps the instance stored as queued until its next status
    // write. Storing it as running here could outlast a run that stops meanwhile, and
    // nothing would run the instance again.
    this.#running.get(`${tenant}/${id}`)?.resumePause();
  }

  /**
   * Ends an instance for good, stopping its run in this process if there is one.
   * Asynchronous: resolves once the new status is stored.
   */
  async terminate(tenant: string, id: string): Promise<void> {
    const instance = await this.#require(tenant, id);
    this.#assertNotFinal(instance, 'terminate');
    await this.#store.updateInstance(tenant, id, {
      status: 'terminated',
      wakeAtMs: undefined,
      updatedAtMs: this.#clock.now(),
    });
    this.#running.get(`${tenant}/${id}`)?.stop({ kind: 'stopped', reason: 'terminated' });
  }

  /**
   * Starts an instance over on its pinned version: deletes its step history and events and
   * queues it; call `run` to start it. Steps that had side effects run again. Asynchronous.
   *
   * @throws SandstackError `NOT_FOUND`, or `INVALID_ARGUMENT` while it runs in this process
   * or while another node holds its lease.
   */
  async restart(tenant: string, id: string): Promise<void> {
    await this.#require(tenant, id);
    if (this.#running.has(`${tenant}/${id}`)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Instance "${id}" is running in this process; pause or terminate it before restarting`,
      );
    }
    await this.#rejectIfLeasedElsewhere(tenant, id, 'restarting');
    await this.#store.resetInstance(tenant, id, this.#clock.now());
    this.#logger.info('Instance restarted', { tenant, instanceId: id });
  }

  /**
   * Rejects a change to an instance while another node that shares the store holds its
   * lease, because that node would keep running the old history.
   */
  async #rejectIfLeasedElsewhere(tenant: string, id: string, action: string): Promise<void> {
    const owner = await this.#leases?.leaseOwner(tenant, id, this.#clock.now());
    if (owner !== undefined && owner !== this.#leases?.nodeId) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Instance "${id}" is running on node "${owner}", which holds its lease; pause or terminate it before ${action}, or wait for that run to end`,
      );
    }
  }

  /**
   * Moves a paused, waiting or errored instance to another deployed version of its
   * workflow. First it replays the stored steps on the new code in an isolate without
   * running step bodies (see {@link InstanceRun.checkReplay}), and it moves the instance
   * only when the new code requests the same step keys, of the same kinds, in the same
   * order. An errored instance drops its trailing failed steps, so the new code runs them
   * again, and is queued. A paused or waiting instance keeps its status; call `run`,
   * `resume` or `runDue` as before.
   *
   * @throws SandstackError `WORKFLOW_NONDETERMINISM` naming the first step where the new
   * code differs, `WORKFLOW_FAILED` when the check cannot finish (such as a binding call
   * outside any step), `NOT_FOUND` for an unknown instance or version, `INVALID_ARGUMENT`
   * for an instance in another status or one that changed while it was checked. Upgrading
   * to the pinned version changes nothing.
   */
  async upgrade(tenant: string, id: string, version: string): Promise<UpgradeResult> {
    const instance = await this.#require(tenant, id);
    if (!UPGRADABLE_STATUSES.includes(instance.status) || this.#running.has(`${tenant}/${id}`)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Cannot upgrade instance "${id}" because it is ${this.#running.has(`${tenant}/${id}`) ? 'running in this process' : instance.status}; pause it first, or upgrade it while it is ${UPGRADABLE_STATUSES.join(', ')}`,
      );
    }
    // A waiting instance can be in an inline wait on another node, which holds its lease.
    await this.#rejectIfLeasedElsewhere(tenant, id, 'upgrading');

    const target = await this.#registry.get(tenant, instance.workflow, version);
    if (target.hash === instance.version) {
      return { id, from: instance.version, to: target.hash, replayedSteps: 0, droppedSteps: [] };
    }

    const stored = await this.#store.listSteps(tenant, id);
    const keep = instance.status === 'errored' ? keptAfterError(stored) : stored.length;
    const history = stored.slice(0, keep);
    const check = await this.#checkReplay(instance, target, history);
    if (!check.ok) {
      throw new SandstackError(
        check.error.code === 'WORKFLOW_NONDETERMINISM'
          ? 'WORKFLOW_NONDETERMINISM'
          : 'WORKFLOW_FAILED',
        `Cannot upgrade instance "${id}" to version ${target.hash.slice(0, 12)}: ${check.error.message}`,
      );
    }

    const now = this.#clock.now();
    const patch =
      instance.status === 'errored'
        ? {
            status: 'queued' as const,
            error: undefined,
            output: undefined,
            wakeAtMs: undefined,
            updatedAtMs: now,
          }
        : { updatedAtMs: now };
    const moved = await this.#store.upgradeInstance(tenant, id, {
      expected: {
        status: instance.status,
        version: instance.version,
        updatedAtMs: instance.updatedAtMs,
      },
      version: target.hash,
      dropFromSeq: keep,
      patch,
    });
    if (!moved) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Instance "${id}" changed while its upgrade was checked; try the upgrade again`,
      );
    }

    const droppedSteps = stored.slice(keep).map((step) => step.key);
    this.#logger.info('Instance upgraded', {
      tenant,
      instanceId: id,
      from: instance.version,
      to: target.hash,
      droppedSteps,
    });
    return { id, from: instance.version, to: target.hash, replayedSteps: keep, droppedSteps };
  }

  async #checkReplay(
    instance: InstanceRecord,
    version: VersionRecord,
    history: StepRecord[],
  ): Promise<ReplayCheck> {
    const run = new InstanceRun(this.#runSettings(instance), {
      instance,
      version,
      bindings: this.#bindings(instance.tenant, instance.id),
      history,
      replayOnly: true,
    });
    return run.checkReplay();
  }

  /**
   * Stores an event for the instance's `step.waitForEvent`; call `run` to deliver it to a
   * waiting instance. Asynchronous: resolves once the event is stored.
   */
  async sendEvent(
    tenant: string,
    id: string,
    event: { type: string; payload?: JsonValue },
  ): Promise<void> {
    const instance = await this.#require(tenant, id);
    this.#assertNotFinal(instance, 'send an event to');
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > 100) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid event type ${JSON.stringify(event.type)}; use a string of 1-100 characters`,
      );
    }
    const payload = checkParams(event.payload ?? null, 'Event payload');
    const payloadBytes = Buffer.byteLength(JSON.stringify(payload));
    if (payloadBytes > this.#limits.maxStepResultBytes) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Event payload is ${payloadBytes} bytes of JSON, over the ${this.#limits.maxStepResultBytes}-byte limit; send less data`,
      );
    }
    const added = await this.#store.addEvent(
      tenant,
      id,
      { type: event.type, payload, createdAtMs: this.#clock.now() },
      {
        maxPendingEvents: this.#limits.maxPendingEvents,
        maxPendingEventBytes: this.#limits.maxPendingEventBytes,
        maxStateBytes: this.#limits.maxInstanceStateBytes,
      },
    );
    if (!added.added) {
      throw eventLimitError(id, added.totals, payloadBytes, this.#limits);
    }
  }

  async #prepare(
    instance: InstanceRecord,
    bindings: Record<string, HostBinding>,
  ): Promise<InstanceRun> {
    const { tenant, workflow, id } = instance;
    const version = await this.#registry.get(tenant, workflow, instance.version);
    const history = await this.#store.listSteps(tenant, id);
    return new InstanceRun(this.#runSettings(instance), { instance, version, bindings, history });
  }

  #runSettings(instance: InstanceRecord): RunSettings {
    const { tenant, id } = instance;
    return {
      store: this.#store,
      clock: this.#clock,
      logger: this.#logger.child({ tenant, instanceId: id }),
      emit: (event) => this.#emit(event),
      limits: this.#limits,
      stepDefaults: this.#stepDefaults,
      maxStepResultBytes: this.#limits.maxStepResultBytes,
      maxInlineWaitMs: this.#limits.maxInlineWaitMs,
      maxStepsPerInstance: this.#limits.maxStepsPerInstance,
      maxInstanceStateBytes: this.#limits.maxInstanceStateBytes,
      maxTenantStepResultBytes: this.#limits.maxTenantStepResultBytes,
      startIsolate: this.#startIsolate,
    };
  }

  /** Runs of the tenant's instances in progress in this engine. */
  #runsOf(tenant: string): number {
    let count = 0;
    for (const key of this.#running.keys()) {
      if (key.startsWith(`${tenant}/`)) {
        count += 1;
      }
    }
    return count;
  }

  async #finish(
    tenant: string,
    id: string,
    outcome: Exclude<RunOutcome, { kind: 'crashed' }>,
  ): Promise<void> {
    if (outcome.kind === 'stopped' && outcome.reason === 'lease-lost') {
      // The node that took the lease over owns the instance's state now.
      this.#logger.warn('Instance run stopped after its lease was lost', {
        tenant,
        instanceId: id,
      });
      return;
    }
    const now = this.#clock.now();
    const current = (await this.#require(tenant, id)).status;
    if (current === 'terminated' || current === 'paused') {
      // Another call or process ended or paused the instance while this run was going.
      this.#emit({ type: 'instance.end', instanceId: id, status: current });
      return;
    }
    const outputBytes = outcome.kind === 'returned' ? Buffer.byteLength(outcome.json ?? '') : 0;
    if (outputBytes > this.#limits.maxStepResultBytes) {
      await this.#finish(tenant, id, {
        kind: 'threw',
        error: {
          code: 'STEP_RESULT_INVALID',
          message: `Workflow output is ${outputBytes} bytes of JSON, over the ${this.#limits.maxStepResultBytes}-byte limit (limits.maxStepResultBytes); return less data`,
          retryable: false,
        },
      });
      return;
    }
    if (outcome.kind === 'returned') {
      const output = outcome.hasValue
        ? (JSON.parse(outcome.json ?? 'null') as JsonValue)
        : undefined;
      await this.#store.updateInstance(tenant, id, {
        status: 'complete',
        output,
        error: undefined,
        wakeAtMs: undefined,
        updatedAtMs: now,
      });
      this.#emit({ type: 'instance.end', instanceId: id, status: 'complete' });
      return;
    }
    if (outcome.kind === 'threw' || outcome.reason === 'failed') {
      const error = instanceError(outcome.error);
      await this.#store.updateInstance(tenant, id, {
        status: 'errored',
        error,
        wakeAtMs: undefined,
        updatedAtMs: now,
      });
      this.#logger.info('Instance errored', { tenant, instanceId: id, code: error.code });
      this.#emit({ type: 'instance.end', instanceId: id, status: 'errored', error });
      return;
    }
    if (outcome.reason === 'suspended') {
      await this.#store.updateInstance(tenant, id, {
        status: 'waiting',
        wakeAtMs: outcome.wakeAtMs,
        updatedAtMs: now,
      });
      this.#emit({ type: 'instance.end', instanceId: id, status: 'waiting' });
      return;
    }
    // Paused or terminated: the caller already stored the new status.
    const status = (await this.#require(tenant, id)).status;
    this.#emit({ type: 'instance.end', instanceId: id, status });
  }

  async #result(tenant: string, id: string): Promise<InstanceResult> {
    const instance = await this.#require(tenant, id);
    const stored = await this.#store.listSteps(tenant, id);
    const steps = stored.map((step) => ({
      key: step.key,
      kind: step.kind,
      status: step.status,
      attempt: step.attempt,
      durationMs: step.endedAtMs === undefined ? undefined : step.endedAtMs - step.startedAtMs,
    }));
    return { id, status: instance.status, output: instance.output, error: instance.error, steps };
  }

  async #require(tenant: string, id: string): Promise<InstanceRecord> {
    const instance = await this.#store.getInstance(tenant, id);
    if (instance === undefined) {
      throw new SandstackError('NOT_FOUND', `Instance "${id}" not found for tenant "${tenant}"`, {
        remedy: {
          cli: 'check the id with "sandstack instance list"',
          http: 'check the id with GET /v1/instances',
        },
      });
    }
    return instance;
  }

  #assertNotFinal(instance: InstanceRecord, action: string): void {
    if (FINAL_STATUSES.includes(instance.status)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Cannot ${action} instance "${instance.id}" because it is ${instance.status}`,
      );
    }
  }

  #emit(event: EngineEvent): void {
    try {
      this.#onEvent(event);
    } catch (error) {
      this.#logger.warn('Engine event listener threw', { type: event.type, error: String(error) });
    }
  }
}

function isolateStarter(
  options: WorkflowEngineOptions,
): (isolateOptions: IsolateRunOptions) => IsolateExecution {
  const isolation = options.isolation ?? 'process';
  if (isolation === 'in-process') {
    return (isolateOptions) => new IsolateRun(isolateOptions);
  }
  if (isolation !== 'process') {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Invalid isolation ${JSON.stringify(isolation)}; use "process" or "in-process"`,
    );
  }
  const pool = options.workerPool ?? sharedWorkerPool();
  return (isolateOptions) => pool.execution(isolateOptions);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Invalid ${name} ${String(value)}; use a whole number of at least 1`,
    );
  }
  return value;
}

function crashFailure(message: string, crashes: number): RunOutcome & { kind: 'stopped' } {
  const hint = /out of memory/.test(message)
    ? '; isolated-vm aborts the process on some allocations past the heap cap, so use less memory, or raise limits.memoryMb where the engine is created (sandstack run --memory-mb)'
    : '';
  return {
    kind: 'stopped',
    reason: 'failed',
    error: {
      code: 'WORKFLOW_FAILED',
      message: `Instance failed after ${crashes} worker crashes in a row outside any step. Last crash: ${message}${hint}`,
      retryable: false,
    },
  };
}

/** Keeps sandstack's own codes and reports anything else from tenant code as WORKFLOW_FAILED. */
function instanceError(error: ErrorData): ErrorData {
  const code =
    error.code in ERROR_CODES && error.code !== 'INTERNAL' ? error.code : 'WORKFLOW_FAILED';
  return { ...error, code, retryable: false };
}

/** Deepest nesting of objects and arrays that instance params and event payloads may have. */
const MAX_PARAMS_DEPTH = 1000;

/**
 * Copies `value` as JSON. `what` names it in errors ("Instance params", "Event payload").
 * The depth is checked first, without recursion, because JSON.stringify recurses per level
 * and a deeper value would fail with a stack overflow that names nothing.
 */
function checkParams(value: unknown, what = 'Instance params'): JsonValue {
  const depth = nestingDepth(value, MAX_PARAMS_DEPTH);
  if (depth > MAX_PARAMS_DEPTH) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `${what}: objects and arrays are nested more than ${MAX_PARAMS_DEPTH} levels deep, over the limit of ${MAX_PARAMS_DEPTH}; flatten the data`,
    );
  }
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch (error) {
    throw new SandstackError('INVALID_ARGUMENT', `${what} must be JSON: ${String(error)}`);
  }
}

/** Returns the nesting depth of objects and arrays in `value`, counting up to `limit + 1`. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: Array<{ item: unknown; depth: number }> = [{ item: value, depth: 0 }];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const { item, depth } = pending.pop()!;
    if (typeof item !== 'object' || item === null || seen.has(item)) {
      continue;
    }
    seen.add(item);
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) {
      return deepest;
    }
    for (const child of Object.values(item)) {
      pending.push({ item: child, depth: depth + 1 });
    }
  }
  return deepest;
}

/**
 * Returns how many of an errored instance's steps to keep: all but the failed steps at the
 * end of its history, which ended the instance.
 */
function keptAfterError(steps: StepRecord[]): number {
  let keep = steps.length;
  while (keep > 0 && steps[keep - 1]?.status === 'errored') {
    keep -= 1;
  }
  return keep;
}

/** Builds the error of an event that would pass one of the instance's event bounds. */
function eventLimitError(
  id: string,
  totals: EventTotals,
  payloadBytes: number,
  limits: EngineLimits,
): SandstackError {
  if (totals.pendingEvents + 1 > limits.maxPendingEvents) {
    return new SandstackError(
      'EVENT_LIMIT',
      `Instance "${id}" already has ${totals.pendingEvents} pending events, the maximum per instance (limits.maxPendingEvents); send again after its step.waitForEvent calls receive some, or raise the limit (sandstack serve --max-pending-events)`,
    );
  }
  const pendingBytes = totals.pendingEventBytes + payloadBytes;
  if (pendingBytes > limits.maxPendingEventBytes) {
    return new SandstackError(
      'EVENT_LIMIT',
      `Event payload of ${payloadBytes} bytes would bring the pending event payloads of instance "${id}" to ${pendingBytes} bytes, over the ${limits.maxPendingEventBytes}-byte limit per instance (limits.maxPendingEventBytes); send less data, send again after its step.waitForEvent calls receive some, or raise the limit (sandstack serve --max-pending-event-bytes)`,
    );
  }
  const stateBytes = totals.stepResultBytes + pendingBytes;
  return new SandstackError(
    'WORKFLOW_STATE_LIMIT',
    `Event payload of ${payloadBytes} bytes would bring the stored step results and pending event payloads of instance "${id}" to ${stateBytes} bytes, over the ${limits.maxInstanceStateBytes}-byte limit per instance (limits.maxInstanceStateBytes); send less data, or raise the limit (sandstack serve --max-instance-state-bytes)`,
  );
}
