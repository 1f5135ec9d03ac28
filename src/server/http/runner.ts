/**
 * Runs workflow instances in the background of the server: new, resumed and woken
 * instances are queued and run a few at a time, each with the bindings `sandstack run`
 * gives (`env.SANDBOX`, `env.INPUTS`) and its own trace.
 */
import { join } from 'node:path';
import type { ApprovalQueue } from '../../guard/approvals.js';
import type { Stack } from '../stack.js';
import { createRunBindings } from '../run-bindings.js';
import { RunSpans } from '../../telemetry/run-spans.js';
import { WorkflowEngine, type EngineLimits } from '../../workflows/engine.js';
import { openRunInputs } from '../../workflows/inputs.js';
import { SqliteWorkflowStore } from '../../workflows/stores/sqlite.js';

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
}

const FINAL = new Set(['complete', 'errored', 'terminated']);
/** Instances picked up per poll beyond those already queued. */
const MAX_LISTED_RUNNABLE = 1000;

/** One run's engine and the spans its events become. */
interface PreparedRun {
  engine: WorkflowEngine;
  spans: RunSpans;
}

/** Key of a run's trace in the span store: instance ids are unique per tenant only. */
export function traceKey(tenant: string, instanceId: string): string {
  return `${tenant}/${instanceId}`;
}

/**
 * Queues and runs instances. The instance state lives in SQLite, so the queue itself can be
 * lost: `start()` requeues everything that was queued, running or due when the last process
 * stopped.
 */
export class InstanceRunner {
  /** Engine for everything except running: deploy, create, get, list, pause, events. */
  readonly engine: WorkflowEngine;
  readonly #stack: Stack;
  readonly #store: SqliteWorkflowStore;
  readonly #maxConcurrentRuns: number;
  readonly #maxRunsPerTenant: number;
  readonly #runsByTenant = new Map<string, number>();
  readonly #pollIntervalMs: number;
  readonly #limits: Partial<EngineLimits>;
  readonly #approvals: { queue: ApprovalQueue; timeoutMs: number } | undefined;
  readonly #queue: { tenant: string; id: string }[] = [];
  readonly #pending = new Set<string>();
  /** Runs in progress, each on its own engine so engine events map to one run's spans. */
  readonly #running = new Map<string, { engine: WorkflowEngine; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: InstanceRunnerOptions) {
    this.#stack = options.stack;
    this.#store = new SqliteWorkflowStore(options.stack.db);
    this.#maxConcurrentRuns = options.maxConcurrentRuns ?? 4;
    this.#maxRunsPerTenant = options.maxRunsPerTenant ?? 2;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#limits = options.limits ?? {};
    this.#approvals =
      options.approvals === undefined
        ? undefined
        : { queue: options.approvals, timeoutMs: options.approvalTimeoutMs ?? 300_000 };
    this.engine = new WorkflowEngine({
      db: options.stack.db,
      logger: options.stack.logger,
      limits: this.#limits,
    });
  }

  /** Requeues instances left queued, running or due by an earlier process, then polls. */
  start(): void {
    this.#enqueueRunnable(true);
    this.#timer = setInterval(() => this.#enqueueRunnable(false), this.#pollIntervalMs);
    this.#timer.unref();
  }

  /** Queues an instance to run unless it is queued or running already. */
  schedule(tenant: string, id: string): void {
    const key = traceKey(tenant, id);
    if (this.#closed || this.#pending.has(key) || this.#running.has(key)) {
      return;
    }
    this.#pending.add(key);
    this.#queue.push({ tenant, id });
    this.#pump();
  }

  /** Ends an instance for good, stopping its run if it is running here. */
  terminate(tenant: string, id: string): void {
    (this.#running.get(traceKey(tenant, id))?.engine ?? this.engine).terminate(tenant, id);
  }

  /** Pauses an instance, stopping its run if it is running here. */
  pause(tenant: string, id: string): void {
    (this.#running.get(traceKey(tenant, id))?.engine ?? this.engine).pause(tenant, id);
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

  #enqueueRunnable(includeRunning: boolean): void {
    // Queued instances stay listed until they run, so a poll needs room for all of them
    // plus the newly due ones. Later polls skip instances left running, so the first
    // listing has no limit.
    const limit = includeRunning
      ? Number.MAX_SAFE_INTEGER
      : MAX_LISTED_RUNNABLE + this.#queue.length;
    const due = this.#store.listRunnable({ nowMs: Date.now(), limit, includeRunning });
    for (const { tenant, id } of due) {
      this.schedule(tenant, id);
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
      const run = this.#prepareRun(next.tenant, next.id);
      if (run === undefined) {
        continue;
      }
      this.#countRun(next.tenant, 1);
      const done = this.#run(run, next.tenant, next.id).finally(() => {
        this.#running.delete(key);
        this.#countRun(next.tenant, -1);
        this.#pump();
      });
      this.#running.set(key, { engine: run.engine, done });
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

  async #run(run: PreparedRun, tenant: string, id: string): Promise<void> {
    const logger = this.#stack.logger;
    try {
      const result = await run.engine.run(tenant, id);
      if (FINAL.has(result.status)) {
        run.spans.finish(result.status, result.status !== 'complete');
      }
    } catch (error) {
      // The instance keeps its stored state. If that is still `running`, polls skip it and
      // the next server start resumes it.
      logger.error('Instance run failed', { tenant, instanceId: id, error: String(error) });
    }
  }

  /** Builds the engine and spans of one run; undefined when the instance no longer exists. */
  #prepareRun(tenant: string, id: string): PreparedRun | undefined {
    const stack = this.#stack;
    const info = this.#store.getInstance(tenant, id);
    if (info === undefined) {
      stack.logger.warn('Queued instance not found', { tenant, instanceId: id });
      return undefined;
    }
    const context = stack.spans.runContext(traceKey(tenant, id), () =>
      stack.tracing.newRunContext(),
    );
    const spans = new RunSpans(stack.tracing, context, {
      'sandstack.tenant': tenant,
      'sandstack.workflow': info.workflow,
      'sandstack.instance.id': id,
    });
    const engine = new WorkflowEngine({
      db: stack.db,
      logger: stack.logger,
      limits: this.#limits,
      bindings: (bindingTenant, instanceId) =>
        createRunBindings({
          stack,
          tenant: bindingTenant,
          instanceId,
          inputs: openRunInputs(inputsDir(stack, bindingTenant, instanceId)),
          startSpan: (name, stepKey, attributes) => spans.startSpan(name, stepKey, attributes),
          onAction: () => undefined,
          ...(this.#approvals === undefined ? {} : { approvals: this.#approvals }),
        }),
      onEvent: (event) => spans.onEvent(event),
    });
    return { engine, spans };
  }
}

/** Folder of one run's input snapshot, the same layout `sandstack run` uses. */
export function inputsDir(stack: Stack, tenant: string, instanceId: string): string {
  return join(stack.stateDir, 'inputs', tenant, instanceId);
}
