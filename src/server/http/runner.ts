/**
 * Runs workflow instances in the background of the server: new, resumed and woken
 * instances are queued and run a few at a time, each with the bindings `sandstack run`
 * gives (`env.SANDBOX`, `env.INPUTS`) and its own trace.
 */
import { rm } from 'node:fs/promises';
import { openSharedRunInputs } from '../shared-run-inputs.js';
import { join } from 'node:path';
import type { ApprovalQueue } from '../../guard/approvals.js';
import type { Stack } from '../stack.js';
import { createRunBindings, runSessionId, type SandboxAdmission } from '../run-bindings.js';
import { releaseClaimedSandboxes } from '../run-sandboxes.js';
import { RunSpans } from '../../telemetry/run-spans.js';
import { DEFAULT_LEASE_MS, WorkflowEngine, type EngineLimits } from '../../workflows/engine.js';
import type { PruneResult, RetentionOptions } from '../../workflows/retention.js';
import { RetentionSweep } from '../../workflows/retention.js';
import type { WorkflowStore } from '../../workflows/stores/store.js';

/** Options for {@link InstanceRunner}. */
export interface InstanceRunnerOptions {
  stack: Stack;
  /** Instances run at the same time; the rest wait in a queue. @default 4 */
  maxConcurrentRuns?: number;
  /**
   * Instances of one tenant run at the same time, so one tenant's flood cannot take every
   * slot. @default 2
   */
  maxRunsPerTenant?: number;
  /** How often waiting instances are checked for a due wake time or a new event. @default 1000 */
  pollIntervalMs?: number;
  limits?: Partial<EngineLimits>;
  /** Queue where the guard's `ask` decisions wait for a human; without one they block at once. */
  approvals?: ApprovalQueue;
  /** Time an `ask` waits in the queue before it expires, which denies the call. @default 300000 */
  approvalTimeoutMs?: number;
  /** How long ended instances are kept; see {@link RetentionOptions}. @default 7 days, errored 30 days */
  retention?: RetentionOptions;
  /** Time between retention sweeps. @default 3600000 (one hour) */
  retentionSweepIntervalMs?: number;
}

const FINAL = new Set(['complete', 'errored', 'terminated']);
/** Instances picked up per poll beyond those already queued. */
const MAX_LISTED_RUNNABLE = 1000;

/** One run's engine and the spans its events become. */
interface PreparedRun {
  engine: WorkflowEngine;
  spans: RunSpans;
}

/** A run in progress: its engine once built, and promises of its start and end. */
interface RunEntry {
  engine?: WorkflowEngine;
  /** Settles once the run stored the instance as running, or ended without starting. */
  started: Promise<void>;
  markStarted: () => void;
  done: Promise<void>;
}

/** Key of a run's trace in the span store: instance ids are unique per tenant only. */
export function traceKey(tenant: string, instanceId: string): string {
  return `${tenant}/${instanceId}`;
}

/**
 * Queues and runs instances. The instance state lives in the workflow store, so the queue
 * itself can be lost: `start()` requeues everything that was queued, running or due when
 * the last process stopped. On a store with leases (PostgreSQL) several servers share the
 * instances, and a dead server's runs move to the others once their leases expire.
 */
export class InstanceRunner {
  /** Engine for everything except running: deploy, create, get, list, pause, events. */
  readonly engine: WorkflowEngine;
  readonly #stack: Stack;
  readonly #store: WorkflowStore;
  readonly #maxConcurrentRuns: number;
  readonly #maxRunsPerTenant: number;
  readonly #runsByTenant = new Map<string, number>();
  readonly #pollIntervalMs: number;
  readonly #limits: Partial<EngineLimits>;
  readonly #approvals: { queue: ApprovalQueue; timeoutMs: number } | undefined;
  #admission: SandboxAdmission | undefined;
  readonly #queue: { tenant: string; id: string }[] = [];
  readonly #pending = new Set<string>();
  /** Runs in progress, each on its own engine so engine events map to one run's spans. */
  readonly #running = new Map<string, RunEntry>();
  /** Sandbox releases of ended instances in progress, by trace key. */
  readonly #releasing = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #sweep: RetentionSweep;

  constructor(options: InstanceRunnerOptions) {
    this.#stack = options.stack;
    this.#store = options.stack.workflows;
    this.#maxConcurrentRuns = options.maxConcurrentRuns ?? 4;
    this.#maxRunsPerTenant = options.maxRunsPerTenant ?? 2;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#limits = options.limits ?? {};
    this.#approvals =
      options.approvals === undefined
        ? undefined
        : { queue: options.approvals, timeoutMs: options.approvalTimeoutMs ?? 300_000 };
    this.engine = new WorkflowEngine({
      store: this.#store,
      logger: options.stack.logger,
      limits: this.#limits,
      ...(options.retention === undefined ? {} : { retention: options.retention }),
    });
    this.#sweep = new RetentionSweep({
      prune: () => this.engine.prune(),
      onDeleted: (instances) => deleteRunInputs(this.#stack, instances),
      logger: options.stack.logger,
      ...(options.retentionSweepIntervalMs === undefined
        ? {}
        : { intervalMs: options.retentionSweepIntervalMs }),
    });
  }

  /**
   * Sets the quota checks of every run's `env.SANDBOX` from now on. The server sets them
   * once its context exists, before it starts the runner.
   */
  useSandboxAdmission(admission: SandboxAdmission): void {
    this.#admission = admission;
  }

  /**
   * Requeues instances left queued, running or due by an earlier process, then polls, and
   * starts the retention sweep of ended instances.
   */
  async start(): Promise<void> {
    await this.#enqueueRunnable(true);
    this.#timer = setInterval(() => void this.#poll(), this.#pollIntervalMs);
    this.#timer.unref();
    this.#sweep.start();
  }

  /**
   * Queues an instance to run unless it is queued or running already. When a slot is free
   * the run starts at once, and the promise settles once the run has stored the instance as
   * running, so a reply sent after it shows the new status. Otherwise it settles at once.
   */
  async schedule(tenant: string, id: string): Promise<void> {
    const key = traceKey(tenant, id);
    if (this.#closed || this.#pending.has(key) || this.#running.has(key)) {
      return;
    }
    this.#pending.add(key);
    this.#queue.push({ tenant, id });
    this.#pump();
    await this.#running.get(key)?.started;
  }

  /**
   * Ends an instance for good, stopping its run if it is running here, and releases the
   * sandboxes it claimed, because its own release steps never run now.
   */
  async terminate(tenant: string, id: string): Promise<void> {
    await (this.#running.get(traceKey(tenant, id))?.engine ?? this.engine).terminate(tenant, id);
    // A guarded call of the run that waits for approval returns denied at its next poll of
    // the queue, and an approval that comes later is rejected as already decided.
    const expired = await this.#approvals?.queue.expireSession(
      runSessionId(tenant, id),
      'run terminated',
    );
    if (expired !== undefined && expired > 0) {
      this.#stack.logger.info('Expired the approval requests of a terminated run', {
        tenant,
        instanceId: id,
        requests: expired,
      });
    }
    await this.#releaseRunSandboxes(tenant, id);
  }

  /** Pauses an instance, stopping its run if it is running here. */
  async pause(tenant: string, id: string): Promise<void> {
    await (this.#running.get(traceKey(tenant, id))?.engine ?? this.engine).pause(tenant, id);
  }

  /**
   * Resumes a paused instance. A run here that is still pausing goes on, else the instance
   * is queued to run.
   */
  async resume(tenant: string, id: string): Promise<void> {
    await (this.#running.get(traceKey(tenant, id))?.engine ?? this.engine).resume(tenant, id);
    await this.schedule(tenant, id);
  }

  /** Checks whether the instance is running in this process now. */
  isRunning(tenant: string, id: string): boolean {
    return this.#running.has(traceKey(tenant, id));
  }

  /** Number of runs in progress and queued. */
  counts(): { running: number; queued: number } {
    return { running: this.#running.size, queued: this.#queue.length };
  }

  /**
   * Stops taking work and waits up to `graceMs` for runs in progress. Runs still going are
   * left `running` in the store, and the next `start()` resumes them from their last
   * completed step.
   */
  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#sweep.stop();
    this.#queue.length = 0;
    this.#pending.clear();
    const runs = [...this.#running.values()].map((run) => run.done);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled(runs), grace]);
    clearTimeout(timer);
  }

  async #poll(): Promise<void> {
    try {
      await this.#enqueueRunnable(false);
    } catch (error) {
      this.#stack.logger.error('Listing runnable instances failed', { error: String(error) });
    }
  }

  async #enqueueRunnable(includeRunning: boolean): Promise<void> {
    // Queued instances stay listed until they run, so a poll needs room for all of them
    // plus the newly due ones. Later polls skip instances left running, so the first
    // listing has no limit.
    const limit = includeRunning
      ? Number.MAX_SAFE_INTEGER
      : MAX_LISTED_RUNNABLE + this.#queue.length;
    // On a store shared by several nodes, claim only what free slots can start now: a
    // claimed instance waiting in this queue is one no other node may run.
    const free = this.#maxConcurrentRuns - this.#running.size - this.#queue.length;
    const leases = this.#store.leases;
    const due =
      leases === undefined
        ? await this.#store.listRunnable({ nowMs: Date.now(), limit, includeRunning })
        : free <= 0
          ? []
          : await leases.claimRunnable({
              nowMs: Date.now(),
              limit: free,
              leaseMs: DEFAULT_LEASE_MS,
            });
    for (const { tenant, id } of due) {
      void this.schedule(tenant, id);
    }
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.#maxConcurrentRuns) {
      // The oldest queued instance of a tenant that is under its own limit.
      const index = this.#queue.findIndex(
        (item) => (this.#runsByTenant.get(item.tenant) ?? 0) < this.#maxRunsPerTenant,
      );
      const next = index === -1 ? undefined : this.#queue.splice(index, 1)[0];
      if (next === undefined) {
        return;
      }
      const key = traceKey(next.tenant, next.id);
      this.#pending.delete(key);
      this.#countRun(next.tenant, 1);
      let markStarted = (): void => undefined;
      const started = new Promise<void>((resolve) => {
        markStarted = resolve;
      });
      const entry: RunEntry = { started, markStarted, done: Promise.resolve() };
      entry.done = this.#run(entry, next.tenant, next.id).finally(() => {
        entry.markStarted();
        this.#running.delete(key);
        this.#countRun(next.tenant, -1);
        this.#pump();
      });
      this.#running.set(key, entry);
    }
  }

  #countRun(tenant: string, change: 1 | -1): void {
    const count = (this.#runsByTenant.get(tenant) ?? 0) + change;
    if (count === 0) {
      this.#runsByTenant.delete(tenant);
    } else {
      this.#runsByTenant.set(tenant, count);
    }
  }

  /** Prepares and runs one instance; `entry.engine` is set once the run's engine exists. */
  async #run(entry: RunEntry, tenant: string, id: string): Promise<void> {
    const logger = this.#stack.logger;
    try {
      const run = await this.#prepareRun(tenant, id, entry.markStarted);
      if (run === undefined) {
        return;
      }
      entry.engine = run.engine;
      const result = await run.engine.run(tenant, id);
      if (FINAL.has(result.status)) {
        run.spans.finish(result.status, result.status !== 'complete');
        // A run that fails or returns before its release step would otherwise keep its
        // sandboxes, and the tenant's sandbox quota, until their lifetime ends.
        await this.#releaseRunSandboxes(tenant, id);
      }
    } catch (error) {
      // The instance keeps its stored state. If that is still `running`, polls skip it and
      // the next server start resumes it.
      logger.error('Instance run failed', { tenant, instanceId: id, error: String(error) });
    }
  }

  /**
   * Releases the sandboxes an ended instance still has claimed on this node. A failed
   * release is logged, and the sandbox's lifetime still ends it. A terminate of a running
   * instance calls this from both the route and the run, so the second call waits for the
   * first instead of releasing the same sandboxes again.
   */
  async #releaseRunSandboxes(tenant: string, id: string): Promise<void> {
    const key = traceKey(tenant, id);
    const inFlight = this.#releasing.get(key);
    if (inFlight !== undefined) {
      return inFlight;
    }
    const releasing = releaseClaimedSandboxes(this.#stack, tenant, id).finally(() => {
      this.#releasing.delete(key);
    });
    this.#releasing.set(key, releasing);
    return releasing;
  }

  /** Builds the engine and spans of one run; undefined when the instance no longer exists. */
  async #prepareRun(
    tenant: string,
    id: string,
    onStart: () => void,
  ): Promise<PreparedRun | undefined> {
    const stack = this.#stack;
    const info = await this.#store.getInstance(tenant, id);
    if (info === undefined) {
      stack.logger.warn('Queued instance not found', { tenant, instanceId: id });
      return undefined;
    }
    const context = await stack.spans.runContext(traceKey(tenant, id), () =>
      stack.tracing.newRunContext(),
    );
    const spans = new RunSpans(stack.tracing, context, {
      'sandstack.tenant': tenant,
      'sandstack.workflow': info.workflow,
      'sandstack.instance.id': id,
    });
    const engine = new WorkflowEngine({
      store: this.#store,
      logger: stack.logger,
      limits: this.#limits,
      bindings: (bindingTenant, instanceId) =>
        createRunBindings({
          stack,
          tenant: bindingTenant,
          instanceId,
          inputs: openSharedRunInputs(
            stack.runInputs,
            { tenant: bindingTenant, instanceId },
            inputsDir(stack, bindingTenant, instanceId),
          ),
          startSpan: (name, stepKey, attributes, kind) =>
            spans.startSpan(name, stepKey, attributes, kind),
          onAction: () => undefined,
          ...(this.#approvals === undefined ? {} : { approvals: this.#approvals }),
          ...(this.#admission === undefined ? {} : { admission: this.#admission }),
        }),
      onEvent: (event) => {
        if (event.type === 'instance.start') {
          onStart();
        }
        spans.onEvent(event);
      },
    });
    return { engine, spans };
  }
}

/** Folder of one run's input snapshot, the same layout `sandstack run` uses. */
export function inputsDir(stack: Stack, tenant: string, instanceId: string): string {
  return join(stack.stateDir, 'inputs', tenant, instanceId);
}

/** Deletes the input snapshots of deleted instances, which live beside the store. */
export async function deleteRunInputs(
  stack: Stack,
  instances: PruneResult['instances'],
): Promise<void> {
  for (const { tenant, id } of instances) {
    await rm(inputsDir(stack, tenant, id), { recursive: true, force: true });
  }
}
