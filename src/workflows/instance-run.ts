/**
 * One `run()` call of one instance: replays the stored step history, runs new steps, commits each
 * step's result before replying to the isolate, and decides when the run must wait.
 */
import type { Clock } from '../core/clock.js';
import type { ErrorData } from '../core/errors.js';
import { fromErrorData, isSandstackError, SandstackError, toErrorData } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { IsolateExecution, IsolateLimits, IsolateRunOptions, RunOutcome } from './isolate.js';
import { answerHostCalls, MAX_ERROR_MESSAGE_LENGTH } from './isolate.js';
import type { ResolvedStepConfig } from './step-config.js';
import { parseDuration, resolveStepConfig, retryDelayMs } from './step-config.js';
import type {
  InstanceRecord,
  StepKind,
  StepRecord,
  VersionRecord,
  WorkflowStore,
} from './stores/store.js';
import type { BindingCallContext, EngineEvent, HostBinding, JsonValue } from './types.js';

/** Engine settings that one `run()` call needs. */
export interface RunSettings {
  store: WorkflowStore;
  clock: Clock;
  logger: Logger;
  emit: (event: EngineEvent) => void;
  limits: IsolateLimits;
  stepDefaults: ResolvedStepConfig;
  maxStepResultBytes: number;
  /** Maximum sleep, retry delay or event wait that a run waits for in process. */
  maxInlineWaitMs: number;
  maxStepsPerInstance: number;
  /** Total bytes of one instance's stored step results. */
  maxInstanceStateBytes: number;
  /** Total bytes of one tenant's stored step results, ended instances included. */
  maxTenantStepResultBytes: number;
  /** Starts the execution of tenant code, in this process or in a worker process. */
  startIsolate: (options: IsolateRunOptions) => IsolateExecution;
}

const MAX_STEP_NAME_LENGTH = 256;
/** Error codes of a failed step attempt that are stored as sent; others become STEP_FAILED. */
const KEPT_STEP_ERROR_CODES: ReadonlySet<string> = new Set([
  'STEP_TIMEOUT',
  'STEP_RESULT_INVALID',
  'WORKFLOW_MEMORY_LIMIT',
]);
const DEFAULT_EVENT_TIMEOUT_MS = 24 * 3_600_000;

/** Drives one `run()` call of an instance in a fresh isolate. */
export class InstanceRun {
  readonly #settings: RunSettings;
  readonly #instance: InstanceRecord;
  readonly #bindings: Record<string, HostBinding>;
  readonly #history: StepRecord[];
  readonly #occurrences = new Map<string, number>();
  readonly #configs = new Map<string, ResolvedStepConfig>();
  readonly #callIndexes = new Map<string | undefined, number>();
  readonly #active: string[] = [];
  readonly #isolate: IsolateExecution;
  /** Latest record of each step attempted in this run. */
  readonly #live = new Map<string, StepRecord>();
  #position = 0;
  readonly #crashedSteps: string[] = [];
  #crashed = false;
  /** Whether this run only replays the history, for the upgrade check; see {@link checkReplay}. */
  readonly #replayOnly: boolean;
  #reachedFrontier = false;
  #controlChecks: Promise<void> = Promise.resolve();
  /**
   * Set by {@link pause} while step attempts run: they go on and store their outcome, and
   * the run stops once the last one has ended, unless {@link resumePause} came first.
   */
  #pausing = false;
  /** Whether a host call was held back because of a pause; the run can no longer go on. */
  #heldByPause = false;
  /**
   * Whether a new attempt's `running` record is written without waiting for it to be
   * durable; see {@link InstanceRun.#beginAttempt}. Only for a store without leases.
   */
  readonly #writeRunningBehind: boolean;
  /** The latest step write that the run did not wait for. The next step write waits for it. */
  #writeBehind: Promise<void> = Promise.resolve();
  /** Bytes of the step results stored for the instance, counted against `maxInstanceStateBytes`. */
  #stateBytes: number;

  constructor(
    settings: RunSettings,
    options: {
      instance: InstanceRecord;
      version: VersionRecord;
      bindings: Record<string, HostBinding>;
      /** Step history to replay, read from the store by the caller. */
      history: StepRecord[];
      /**
       * Replays `history` and stops at the first step past it, writing nothing and running
       * no step body or binding. @default false
       */
      replayOnly?: boolean;
    },
  ) {
    this.#settings = settings;
    this.#instance = options.instance;
    this.#bindings = options.bindings;
    this.#replayOnly = options.replayOnly ?? false;
    this.#writeRunningBehind = settings.store.leases === undefined;
    this.#history = options.history;
    this.#stateBytes = options.history.reduce((total, step) => total + resultBytes(step), 0);
    this.#isolate = settings.startIsolate({
      code: options.version.code,
      limits: settings.limits,
      logger: settings.logger,
      call: answerHostCalls((op, payload) => this.#handle(op, payload)),
      tenant: options.instance.tenant,
      init: {
        className: options.version.className,
        instanceId: options.instance.id,
        payload: options.instance.params,
        timestampMs: options.instance.createdAtMs,
        bindings: describeBindings(options.bindings),
        maxResultBytes: settings.maxStepResultBytes,
        memoryMb: settings.limits.memoryMb,
      },
    });
  }

  /** Whether the instance had progress stored before this run. */
  get hasHistory(): boolean {
    return this.#history.length > 0;
  }

  /**
   * Runs until the workflow returns, throws, waits or is stopped. When the worker process
   * dies, each step attempt in flight is recorded as failed under its retry policy and the
   * outcome is `crashed`: the caller starts a new run, which replays the committed steps.
   */
  async execute(): Promise<RunOutcome> {
    const outcome = await this.#isolate.run();
    if (outcome.kind === 'crashed') {
      this.#crashed = true;
      await this.#recordCrash(outcome.message);
      return outcome;
    }
    if (outcome.kind === 'returned' && this.#position < this.#history.length) {
      const missing = this.#history[this.#position];
      return failed(
        nondeterminism(
          `Replay of instance "${this.#instance.id}" finished without reaching step "${missing?.key}" that its history contains`,
        ),
      );
    }
    return outcome;
  }

  /**
   * Replays the history on this run's code without running step bodies, and reports whether
   * the code requests the same steps in the same order. Only for runs made with `replayOnly`.
   * The replay ends at the first step past the history, or when the code returns or throws.
   */
  async checkReplay(): Promise<ReplayCheck> {
    const outcome = await this.#isolate.run();
    if (this.#reachedFrontier) {
      return { ok: true, replayed: this.#history.length };
    }
    const missing = this.#history[this.#position];
    if (outcome.kind === 'stopped' && outcome.reason === 'failed') {
      return { ok: false, error: outcome.error };
    }
    if (outcome.kind === 'crashed') {
      return {
        ok: false,
        error: { code: 'WORKFLOW_FAILED', message: outcome.message, retryable: true },
      };
    }
    if (missing === undefined) {
      // The code returned or threw right after the last stored step, as a run would.
      return { ok: true, replayed: this.#history.length };
    }
    const ending =
      outcome.kind === 'threw'
        ? `threw "${outcome.error.message}"`
        : outcome.kind === 'returned'
          ? 'returned'
          : `stopped (${outcome.reason})`;
    return {
      ok: false,
      error: nondeterminism(
        `Replay of instance "${this.#instance.id}" ${ending} after ${this.#position} of ${this.#history.length} stored steps, without reaching ${missing.kind} step "${missing.key}"`,
      ),
    };
  }

  /** Stops the run from outside, for terminate. */
  stop(outcome: RunOutcome): void {
    this.#isolate.stop(outcome);
  }

  /**
   * Pauses the run after the caller stored the instance as paused. Step attempts in flight
   * run to their end and store their outcome, so a resume never runs them a second time
   * while they still run here, and the run stops once none is left.
   */
  pause(): void {
    if (this.#active.length === 0) {
      this.#isolate.stop({ kind: 'stopped', reason: 'paused' });
      return;
    }
    this.#pausing = true;
  }

  /**
   * Lets a pausing run go on, for a resume that comes while its step attempts still run.
   * Returns false when the run has stopped or will stop, so the instance must run again.
   */
  resumePause(): boolean {
    if (this.#isolate.stopped || !this.#pausing || this.#heldByPause) {
      return false;
    }
    this.#pausing = false;
    return true;
  }

  /**
   * Stops a pausing run once its last step attempt has ended, unless the instance was
   * resumed by then. Throws ControlStop to stop it.
   */
  async #settlePause(): Promise<void> {
    if (!this.#pausing || this.#active.length > 0) {
      return;
    }
    this.#pausing = false;
    if (this.#heldByPause) {
      throw new ControlStop('paused');
    }
    await this.#checkControl();
  }

  async #handle(op: string, payload: unknown): Promise<unknown> {
    try {
      return await this.#route(op, payload as Record<string, unknown>);
    } catch (error) {
      if (error instanceof FatalRunError) {
        this.#isolate.stop(failed(error.data));
        return new Promise(() => undefined);
      }
      if (error instanceof ControlStop) {
        if (error.reason === 'paused' && this.#active.length > 0) {
          // Other step attempts still run: this call waits, and the run stops once they end.
          this.#pausing = true;
          this.#heldByPause = true;
          return new Promise(() => undefined);
        }
        this.#isolate.stop({ kind: 'stopped', reason: error.reason });
        return new Promise(() => undefined);
      }
      if (isSandstackError(error, 'LEASE_LOST')) {
        this.#settings.logger.warn('Instance lease lost; stopping the run', {
          error: String(error),
        });
        this.#isolate.stop({ kind: 'stopped', reason: 'lease-lost' });
        return new Promise(() => undefined);
      }
      if (error instanceof ReplayFrontier) {
        this.#reachedFrontier = true;
        this.#isolate.stop({ kind: 'stopped', reason: 'suspended', wakeAtMs: undefined });
        return new Promise(() => undefined);
      }
      throw error;
    }
  }

  async #route(op: string, payload: Record<string, unknown>): Promise<unknown> {
    if (op === 'step.end' || (op === 'step.start' && !this.#writeRunningBehind)) {
      // These check for a pause or terminate in the same write that stores the step (see
      // #putStep), but must still take their turn after the checks of earlier messages.
      await this.#controlChecks;
    } else if (op.startsWith('step.') && !this.#replayOnly) {
      await this.#checkControlInOrder();
    }
    switch (op) {
      case 'step.start':
        return this.#startStep(payload);
      case 'step.end':
        return this.#endStep(payload);
      case 'step.sleep':
        return this.#sleep(payload);
      case 'step.waitForEvent':
        return this.#waitForEvent(payload);
      case 'binding':
        return this.#callBinding(payload);
      default:
        throw new SandstackError('INVALID_ARGUMENT', `Unknown workflow runtime message "${op}"`);
    }
  }

  /**
   * Runs {@link checkControl} after the checks of earlier messages have settled. Parallel
   * steps send several messages at once, and a store with a connection pool can answer
   * reads out of order. Without the chain, a later `step.start` could take an earlier
   * step's `name#occurrence` and position.
   */
  async #checkControlInOrder(): Promise<void> {
    const check = this.#controlChecks.then(() => this.#checkControl());
    this.#controlChecks = check.catch(() => undefined);
    await check;
  }

  /**
   * Stops the run at a step boundary when another process paused or terminated the
   * instance, because only the store tells this process about it.
   */
  async #checkControl(): Promise<void> {
    const instance = await this.#settings.store.getInstance(
      this.#instance.tenant,
      this.#instance.id,
    );
    const status = instance?.status;
    if (status === 'terminated' || status === 'paused') {
      throw new ControlStop(status);
    }
  }

  /** Assigns `name#occurrence` and checks it against the history at the same position. */
  #nextKey(
    name: unknown,
    kind: StepKind,
  ): { key: string; stored: StepRecord | undefined; seq: number } {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_STEP_NAME_LENGTH) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid step name ${JSON.stringify(name) ?? String(name)}; use a non-empty string of at most ${MAX_STEP_NAME_LENGTH} characters`,
      );
    }
    const occurrence = (this.#occurrences.get(name) ?? 0) + 1;
    this.#occurrences.set(name, occurrence);
    const key = `${name}#${occurrence}`;
    const seq = this.#position;
    if (seq >= this.#settings.maxStepsPerInstance) {
      throw new FatalRunError({
        code: 'WORKFLOW_FAILED',
        message: `Instance "${this.#instance.id}" asked for more than ${this.#settings.maxStepsPerInstance} steps; split the work into several instances or raise limits.maxStepsPerInstance`,
        retryable: false,
      });
    }
    this.#position += 1;
    const stored = this.#history[seq];
    if (stored !== undefined && (stored.key !== key || stored.kind !== kind)) {
      throw new FatalRunError(
        nondeterminism(
          `Replay of instance "${this.#instance.id}" asked for ${kind} step "${key}" at position ${seq + 1}, but the history has ${stored.kind} step "${stored.key}" there`,
        ),
      );
    }
    if (this.#replayOnly && stored?.status !== 'complete' && stored?.status !== 'errored') {
      // The first step a real run would start, wait on or retry: everything before it matched.
      throw new ReplayFrontier();
    }
    return { key, stored, seq };
  }

  async #startStep(payload: Record<string, unknown>): Promise<unknown> {
    const { key, stored, seq } = this.#nextKey(payload.name, 'do');
    const config = resolveStepConfig(payload.config, this.#settings.stepDefaults);
    this.#configs.set(key, config);
    if (stored?.status === 'complete') {
      this.#emit({ type: 'step.replayed', instanceId: this.#instance.id, stepKey: key });
      return replayPlan(stored.resultJson);
    }
    if (stored?.status === 'errored' && stored.error !== undefined) {
      this.#emit({ type: 'step.replayed', instanceId: this.#instance.id, stepKey: key });
      return failedPlan(stored.error);
    }
    if (stored?.status === 'retrying') {
      await this.#waitUntil(stored.wakeAtMs ?? 0);
      return this.#beginAttempt(key, seq, stored.attempt + 1, config, stored.startedAtMs);
    }
    return this.#beginAttempt(key, seq, stored?.attempt ?? 1, config, stored?.startedAtMs);
  }

  async #beginAttempt(
    key: string,
    seq: number,
    attempt: number,
    config: ResolvedStepConfig,
    startedAtMs = this.#settings.clock.now(),
  ): Promise<unknown> {
    const running = {
      key,
      kind: 'do' as const,
      seq,
      status: 'running' as const,
      attempt,
      startedAtMs,
    };
    if (this.#writeRunningBehind) {
      // The body may start before this record is durable: a crash before the commit loses
      // only an attempt that had stored nothing, and the next run starts it again, as it
      // would after a crash once the record is stored. The result commits with this record
      // or after it, so no step ends before its start is stored. The pause check ran before.
      await this.#putStep(running, false, true);
    } else {
      await this.#putStep(running);
    }
    this.#active.push(key);
    this.#callIndexes.set(key, 0);
    this.#isolate.stepStarted(key);
    this.#emit({ type: 'step.start', instanceId: this.#instance.id, stepKey: key, attempt });
    return {
      kind: 'run',
      key,
      count: Number(key.slice(key.lastIndexOf('#') + 1)),
      attempt,
      timeoutMs: config.timeoutMs,
      config: {
        retries: {
          limit: config.retries.limit,
          delay: config.retries.delayMs,
          backoff: config.retries.backoff,
        },
        timeout: config.timeoutMs,
      },
    };
  }

  #finishAttempt(key: string): void {
    this.#isolate.stepEnded(key);
    const index = this.#active.indexOf(key);
    if (index >= 0) {
      this.#active.splice(index, 1);
    }
  }

  async #endStep(payload: Record<string, unknown>): Promise<unknown> {
    const key = String(payload.key);
    const stored = this.#live.get(key);
    const config = this.#configs.get(key);
    if (!this.#active.includes(key) || stored === undefined || config === undefined) {
      throw new SandstackError('INVALID_ARGUMENT', `Step "${key}" is not running`);
    }
    this.#finishAttempt(key);
    // The stored attempt, not the one in the message, because tenant code can forge messages.
    const attempt = stored.attempt;
    const outcome = payload.outcome as
      | { ok: true; hasValue: boolean; json?: string }
      | { ok: false; error: { code: string; message: string; nonRetryable: boolean } };
    const durationMs = this.#settings.clock.now() - stored.startedAtMs;

    if (outcome.ok) {
      const json = outcome.hasValue ? String(outcome.json) : undefined;
      return this.#commitResult(stored, json, durationMs);
    }

    const code = KEPT_STEP_ERROR_CODES.has(outcome.error.code) ? outcome.error.code : 'STEP_FAILED';
    // A failed allocation at the memory cap fails again on every attempt.
    const nonRetryable = outcome.error.nonRetryable || code === 'WORKFLOW_MEMORY_LIMIT';
    const error: ErrorData = {
      code,
      message: String(outcome.error.message).slice(0, MAX_ERROR_MESSAGE_LENGTH),
      retryable: !nonRetryable,
    };
    if (nonRetryable || attempt > config.retries.limit) {
      return this.#failStep(stored, attempt, error);
    }
    const delayMs = retryDelayMs(config, attempt);
    const wakeAtMs = this.#settings.clock.now() + delayMs;
    await this.#putStep({ ...stored, status: 'retrying', attempt, error, wakeAtMs }, 'ended');
    await this.#settlePause();
    this.#emit({
      type: 'step.retry',
      instanceId: this.#instance.id,
      stepKey: key,
      attempt,
      error,
      delayMs,
    });
    this.#settings.logger.debug('Step failed, retrying', {
      stepKey: key,
      attempt,
      delayMs,
      code: error.code,
    });
    await this.#waitUntil(wakeAtMs);
    return this.#beginAttempt(key, stored.seq, attempt + 1, config, stored.startedAtMs);
  }

  /** Stores a step's result once it is valid JSON within the size limits, else fails the step. */
  async #commitResult(
    stored: StepRecord,
    json: string | undefined,
    durationMs: number,
  ): Promise<unknown> {
    const { key, attempt } = stored;
    if (json !== undefined && !isJson(json)) {
      return this.#failStep(stored, attempt, {
        code: 'STEP_RESULT_INVALID',
        message: `Step "${key}" sent a result that is not valid JSON`,
        retryable: false,
      });
    }
    const bytes = json === undefined ? 0 : Buffer.byteLength(json);
    const sizeError =
      this.#checkResultBytes(key, bytes) ?? (await this.#checkTenantBytes(key, bytes));
    if (sizeError !== undefined) {
      return this.#failStep(stored, attempt, sizeError);
    }
    this.#stateBytes += bytes;
    await this.#putStep(
      {
        ...stored,
        status: 'complete',
        attempt,
        resultJson: json,
        endedAtMs: this.#settings.clock.now(),
      },
      'ended',
    );
    this.#emit({ type: 'step.complete', instanceId: this.#instance.id, stepKey: key, durationMs });
    await this.#settlePause();
    return replayPlan(json);
  }

  /** Returns the error of a result too large for one step or for the instance's total. */
  #checkResultBytes(key: string, bytes: number): ErrorData | undefined {
    const { maxStepResultBytes, maxInstanceStateBytes } = this.#settings;
    if (bytes > maxStepResultBytes) {
      return {
        code: 'STEP_RESULT_INVALID',
        message: `Step "${key}" returned ${bytes} bytes of JSON, over the ${maxStepResultBytes}-byte limit of one step result (limits.maxStepResultBytes); return less data or store it elsewhere`,
        retryable: false,
      };
    }
    const total = this.#stateBytes + bytes;
    if (total > maxInstanceStateBytes) {
      return {
        code: 'WORKFLOW_STATE_LIMIT',
        message: `Step "${key}" returned ${bytes} bytes of JSON, which would bring the stored step results of instance "${this.#instance.id}" to ${total} bytes, over the ${maxInstanceStateBytes}-byte limit per instance (limits.maxInstanceStateBytes); return less data from steps, or raise the limit (sandstack serve --max-instance-state-bytes)`,
        retryable: false,
      };
    }
    return undefined;
  }

  /**
   * Returns the error of a result that would bring the tenant's stored step results past
   * `maxTenantStepResultBytes`.
   * NOTE: the sum is read from the store at each step commit that stores bytes, a query whose
   * cost grows with the tenant's stored steps. Instances of one tenant that commit at the
   * same moment can each pass the check, so the total can pass the limit by one result each.
   */
  async #checkTenantBytes(key: string, bytes: number): Promise<ErrorData | undefined> {
    if (bytes === 0) {
      return undefined;
    }
    const { maxTenantStepResultBytes, store } = this.#settings;
    const { tenant } = this.#instance;
    const total = (await store.tenantStepResultBytes(tenant)) + bytes;
    if (total <= maxTenantStepResultBytes) {
      return undefined;
    }
    return {
      code: 'WORKFLOW_STATE_LIMIT',
      message: `Step "${key}" returned ${bytes} bytes of JSON, which would bring the stored step results of tenant "${tenant}" to ${total} bytes, over the ${maxTenantStepResultBytes}-byte limit per tenant (limits.maxTenantStepResultBytes); free space by deleting ended instances (sandstack instance prune --tenant ${tenant} with a shorter --retain-complete, --retain-errored or --retain-terminated, run by the server's admin), or raise the limit (sandstack serve --max-step-result-bytes-per-tenant)`,
      retryable: false,
    };
  }

  /** Step attempts in flight when the worker died; empty when it died outside any step. */
  get crashedSteps(): readonly string[] {
    return this.#crashedSteps;
  }

  async #recordCrash(message: string): Promise<void> {
    for (const key of [...this.#active]) {
      const stored = this.#live.get(key);
      const config = this.#configs.get(key);
      this.#finishAttempt(key);
      if (stored === undefined || config === undefined || stored.status !== 'running') {
        continue;
      }
      this.#crashedSteps.push(key);
      const error: ErrorData = {
        code: 'STEP_FAILED',
        message: `${message} while step "${key}" was running (attempt ${stored.attempt})`,
        retryable: true,
      };
      if (stored.attempt > config.retries.limit) {
        await this.#failStep(stored, stored.attempt, error, false);
        continue;
      }
      const delayMs = retryDelayMs(config, stored.attempt);
      await this.#putStep(
        {
          ...stored,
          status: 'retrying',
          error,
          wakeAtMs: this.#settings.clock.now() + delayMs,
        },
        false,
      );
      this.#emit({
        type: 'step.retry',
        instanceId: this.#instance.id,
        stepKey: key,
        attempt: stored.attempt,
        error,
        delayMs,
      });
    }
  }

  async #failStep(
    stored: StepRecord,
    attempt: number,
    error: ErrorData,
    checkControl = true,
  ): Promise<unknown> {
    await this.#putStep(
      {
        ...stored,
        status: 'errored',
        attempt,
        error,
        endedAtMs: this.#settings.clock.now(),
      },
      checkControl ? 'ended' : false,
    );
    this.#emit({ type: 'step.failed', instanceId: this.#instance.id, stepKey: stored.key, error });
    if (checkControl) {
      await this.#settlePause();
    }
    return failedPlan(error);
  }

  async #sleep(payload: Record<string, unknown>): Promise<unknown> {
    const { key, stored, seq } = this.#nextKey(payload.name, 'sleep');
    if (stored?.status === 'complete') {
      this.#emit({ type: 'step.replayed', instanceId: this.#instance.id, stepKey: key });
      return undefined;
    }
    const now = this.#settings.clock.now();
    const wakeAtMs =
      stored?.wakeAtMs ??
      (payload.untilMs === undefined
        ? now + parseDuration(payload.duration, `duration of step.sleep "${key}"`)
        : Number(payload.untilMs));
    if (!Number.isFinite(wakeAtMs)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid timestamp for step.sleepUntil "${key}"; pass a Date, epoch milliseconds or an ISO 8601 string`,
      );
    }
    const record: StepRecord = {
      key,
      kind: 'sleep',
      seq,
      status: 'sleeping',
      attempt: 1,
      resultJson: undefined,
      error: undefined,
      wakeAtMs,
      startedAtMs: stored?.startedAtMs ?? now,
      endedAtMs: undefined,
    };
    if (stored === undefined) {
      await this.#settings.store.putStep(this.#instance.tenant, this.#instance.id, record);
    }
    await this.#waitUntil(wakeAtMs);
    await this.#settings.store.putStep(this.#instance.tenant, this.#instance.id, {
      ...record,
      status: 'complete',
      endedAtMs: this.#settings.clock.now(),
    });
    return undefined;
  }

  async #waitForEvent(payload: Record<string, unknown>): Promise<unknown> {
    const { key, stored, seq } = this.#nextKey(payload.name, 'event');
    if (stored?.status === 'complete') {
      this.#emit({ type: 'step.replayed', instanceId: this.#instance.id, stepKey: key });
      return JSON.parse(stored.resultJson ?? 'null') as unknown;
    }
    if (stored?.status === 'errored' && stored.error !== undefined) {
      throw new SandstackError('STEP_TIMEOUT', stored.error.message);
    }
    const options = (payload.options ?? {}) as { type?: unknown; timeout?: unknown };
    if (typeof options.type !== 'string' || options.type.length === 0) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `step.waitForEvent("${key}") needs options.type, the event type to wait for`,
      );
    }
    const now = this.#settings.clock.now();
    const timeoutMs =
      options.timeout === undefined
        ? DEFAULT_EVENT_TIMEOUT_MS
        : parseDuration(options.timeout, `timeout of step.waitForEvent "${key}"`);
    const record: StepRecord = stored ?? {
      key,
      kind: 'event',
      seq,
      status: 'waiting',
      attempt: 1,
      resultJson: undefined,
      error: undefined,
      wakeAtMs: now + timeoutMs,
      startedAtMs: now,
      endedAtMs: undefined,
    };
    if (stored === undefined) {
      await this.#settings.store.putStep(this.#instance.tenant, this.#instance.id, record);
    }
    const event = await this.#settings.store.claimEvent(
      this.#instance.tenant,
      this.#instance.id,
      options.type,
      key,
    );
    if (event !== undefined) {
      const result = { payload: event.payload, timestampMs: event.createdAtMs, type: event.type };
      const resultJson = JSON.stringify(result);
      // Counted but not checked: sendEvent already bounded the payload, and the event is
      // delivered, so the next step that passes the limit fails instead.
      this.#stateBytes += Buffer.byteLength(resultJson);
      await this.#settings.store.putStep(this.#instance.tenant, this.#instance.id, {
        ...record,
        status: 'complete',
        resultJson,
        endedAtMs: now,
      });
      return result;
    }
    if (now >= (record.wakeAtMs ?? 0)) {
      const error: ErrorData = {
        code: 'STEP_TIMEOUT',
        message: `step.waitForEvent "${key}" timed out waiting for an event of type "${options.type}"`,
        retryable: false,
      };
      await this.#settings.store.putStep(this.#instance.tenant, this.#instance.id, {
        ...record,
        status: 'errored',
        error,
        endedAtMs: now,
      });
      throw new SandstackError('STEP_TIMEOUT', error.message);
    }
    this.#isolate.stop({ kind: 'stopped', reason: 'suspended', wakeAtMs: record.wakeAtMs });
    return new Promise(() => undefined);
  }

  async #callBinding(payload: Record<string, unknown>): Promise<unknown> {
    const binding = String(payload.binding);
    const method = String(payload.method);
    if (this.#replayOnly) {
      // Step bodies never run in a replay check, so this call is outside any step.
      throw new FatalRunError({
        code: 'WORKFLOW_FAILED',
        message: `The replay check cannot follow env.${binding}.${method}, called outside any step, because binding calls have side effects; move the call into a step`,
        retryable: false,
      });
    }
    const target = Object.hasOwn(this.#bindings, binding) ? this.#bindings[binding] : undefined;
    const fn = target !== undefined && Object.hasOwn(target, method) ? target[method] : undefined;
    if (typeof fn !== 'function' || !Array.isArray(payload.args)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `env.${binding}.${method} is not a granted binding method`,
      );
    }
    // NOTE: with steps running in parallel, calls are attributed to the newest running step.
    const stepKey = this.#active.at(-1);
    const callIndex = this.#callIndexes.get(stepKey) ?? 0;
    this.#callIndexes.set(stepKey, callIndex + 1);
    const context: BindingCallContext = {
      tenant: this.#instance.tenant,
      instanceId: this.#instance.id,
      stepKey,
      callIndex,
    };
    try {
      return await fn(context, ...(payload.args as JsonValue[]));
    } catch (error) {
      // Only code and message cross into the isolate, never the host's stack.
      throw fromErrorData(toErrorData(error));
    }
  }

  /** Waits in process for a short delay; for a long one, ends the run as waiting. */
  async #waitUntil(wakeAtMs: number): Promise<void> {
    const remainingMs = wakeAtMs - this.#settings.clock.now();
    if (remainingMs <= 0) {
      return;
    }
    if (remainingMs > this.#settings.maxInlineWaitMs) {
      this.#isolate.stop({ kind: 'stopped', reason: 'suspended', wakeAtMs });
      return new Promise(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, remainingMs));
    if (this.#isolate.stopped || this.#crashed) {
      // The run ended while it waited; a new run owns the instance's steps now.
      return new Promise(() => undefined);
    }
  }

  /**
   * Stores a step attempt. With `checkControl`, it stops the run instead when another
   * process paused or terminated the instance, because only the store records that. With
   * `'ended'`, for the outcome of an attempt, only a terminate stops it.
   * With `behind`, it returns without waiting for the write, which the store may defer.
   */
  async #putStep(
    step: Partial<StepRecord> &
      Pick<StepRecord, 'key' | 'kind' | 'seq' | 'status' | 'attempt' | 'startedAtMs'>,
    checkControl: boolean | 'ended' = true,
    behind = false,
  ): Promise<void> {
    const record: StepRecord = {
      resultJson: undefined,
      error: undefined,
      wakeAtMs: undefined,
      endedAtMs: undefined,
      ...step,
    };
    // Recorded before the write, so a crash during it still finds the attempt in flight.
    this.#live.set(record.key, record);
    const earlier = this.#writeBehind;
    this.#writeBehind = Promise.resolve();
    const write = this.#settings.store.putStep(this.#instance.tenant, this.#instance.id, record, {
      unlessStopped: checkControl !== false && !this.#replayOnly,
      // An attempt that ended stores its outcome after a pause, because it will not run again.
      allowPaused: checkControl === 'ended',
      deferrable: behind,
    });
    if (behind) {
      // The caller does not wait for this write, and the step's next record replaces it,
      // so a failure only loses the start of an attempt that stored nothing yet.
      const logged = write.then(
        () => undefined,
        (error: unknown) => this.#logBehindFailure(record, error),
      );
      const pending = Promise.all([logged, earlier]).then(() => undefined);
      pending.catch(() => undefined);
      this.#writeBehind = pending;
      return;
    }
    // Issued before waiting for the earlier write, so a store that defers that one commits
    // both together. This relies on the store committing one run's writes in the order
    // issued, as the SQLite store's queue does. Stores with leases never get here with an
    // earlier write pending.
    const [stopped] = await Promise.all([write, earlier]);
    if (stopped !== undefined) {
      throw new ControlStop(stopped);
    }
  }

  /**
   * Logs a failed write of an attempt's `running` record. The run goes on: the step's
   * result, failure or retry record replaces the missing one, and after a crash before
   * that, the next run starts the attempt again as if the record had never been written.
   */
  #logBehindFailure(record: StepRecord, error: unknown): void {
    this.#settings.logger.error(
      'Writing the running record of a step failed; the step goes on and its next record replaces it',
      {
        tenant: this.#instance.tenant,
        instanceId: this.#instance.id,
        stepKey: record.key,
        attempt: record.attempt,
        error: String(error),
      },
    );
  }

  #emit(event: EngineEvent): void {
    // A replay check is not a run, so listeners such as tracing never see its steps.
    if (!this.#replayOnly) {
      this.#settings.emit(event);
    }
  }
}

/** Result of {@link InstanceRun.checkReplay}. */
export type ReplayCheck = { ok: true; replayed: number } | { ok: false; error: ErrorData };

/** The first step past the history in a replay-only run. */
class ReplayFrontier extends Error {}

/** A pause or terminate found in the store at a step boundary. */
class ControlStop extends Error {
  readonly reason: 'terminated' | 'paused';

  constructor(status: 'terminated' | 'paused') {
    super(`Instance is ${status}`);
    this.reason = status === 'terminated' ? 'terminated' : 'paused';
  }
}

/** A fault that ends the run instead of being thrown into tenant code, which could catch it. */
class FatalRunError extends Error {
  readonly data: ErrorData;

  constructor(data: ErrorData) {
    super(data.message);
    this.data = data;
  }
}

/** Bytes of a stored step's result, as counted against `maxInstanceStateBytes`. */
function resultBytes(step: StepRecord): number {
  return step.status === 'complete' && step.resultJson !== undefined
    ? Buffer.byteLength(step.resultJson)
    : 0;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function nondeterminism(message: string): ErrorData {
  return {
    code: 'WORKFLOW_NONDETERMINISM',
    message: `${message}; workflow code must request the same steps in the same order on every replay, so keep Date.now(), Math.random() and binding calls that decide step names inside steps`,
    retryable: false,
  };
}

function failed(error: ErrorData): RunOutcome {
  return { kind: 'stopped', reason: 'failed', error };
}

function replayPlan(json: string | undefined): unknown {
  return json === undefined
    ? { kind: 'replay', hasValue: false }
    : { kind: 'replay', hasValue: true, json };
}

function failedPlan(error: ErrorData): unknown {
  return {
    kind: 'failed',
    error: {
      code: error.code,
      message: error.message,
      ...(error.retryable ? {} : { name: 'NonRetryableError' }),
    },
  };
}

function describeBindings(bindings: Record<string, HostBinding>): Record<string, string[]> {
  const described: Record<string, string[]> = {};
  for (const [name, binding] of Object.entries(bindings)) {
    described[name] = Object.keys(binding).filter(
      (method) => typeof binding[method] === 'function',
    );
  }
  return described;
}
