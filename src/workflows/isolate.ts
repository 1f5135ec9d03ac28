/**
 * Executes one `run()` call of an instance in a fresh isolated-vm isolate with a memory cap and CPU-time
 * caps. Tenant code and the host exchange only JSON strings through one host function, so
 * no host object, prototype or stack trace reaches the isolate.
 */
import ivm from 'isolated-vm';
import type { ErrorData } from '../core/errors.js';
import { isSandstackError, SandstackError, toErrorData } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { noopLogger } from '../core/logger.js';
import { MAX_CALL_CHARS, MAX_REPLY_CHARS } from './worker-protocol.js';

/** Resource caps of one `run()` call. */
export interface IsolateLimits {
  /** V8 heap cap of the isolate. @default 128 */
  memoryMb: number;
  /**
   * CPU time one `run()` call may use: top-level code, replayed steps and new steps. It
   * starts from zero on every call, so it caps a pass over the code, not the instance's life.
   * @default 60000
   */
  cpuPerRunMs: number;
  /** CPU time one step attempt may use. @default 30000 */
  cpuPerStepMs: number;
}

/** Start data for the in-isolate runtime. */
export interface IsolateInit {
  className: string;
  instanceId: string;
  payload: unknown;
  timestampMs: number;
  /** Binding name to its method names, exposed as `env.<name>.<method>(…)`. */
  bindings: Record<string, string[]>;
  /** Largest step result or workflow output, in bytes of UTF-8 JSON, checked before it is sent. */
  maxResultBytes: number;
  /** Memory cap of the isolate, for the message of a failed ArrayBuffer allocation. */
  memoryMb: number;
}

/** End state of one `run()` call. */
export type RunOutcome =
  | { kind: 'returned'; hasValue: boolean; json?: string }
  | { kind: 'threw'; error: ErrorData }
  | { kind: 'stopped'; reason: 'failed'; error: ErrorData }
  | { kind: 'stopped'; reason: 'suspended'; wakeAtMs: number | undefined }
  | { kind: 'stopped'; reason: 'terminated' | 'paused' }
  /** Another node took over the instance's lease, so this node must write nothing more. */
  | { kind: 'stopped'; reason: 'lease-lost' }
  /** The worker process running the isolate exited; nothing of the run after the last commit survives. */
  | { kind: 'crashed'; message: string };

/**
 * Globals removed from every tenant context. isolated-vm's memory cap counts the V8 heap and
 * ArrayBuffer allocations but not WebAssembly.Memory, whose pages V8 reserves itself, so one
 * `new WebAssembly.Memory({ initial: 16384 })` would take 1 GiB past a 32 MB cap.
 * SharedArrayBuffer has no use in a single-threaded isolate, and without it `Atomics.wait`
 * cannot block the isolate's thread.
 */
export const REMOVED_GLOBALS = ['WebAssembly', 'SharedArrayBuffer'] as const;

/** Creates a context for tenant code in `isolate`, without {@link REMOVED_GLOBALS}. */
export async function createTenantContext(isolate: ivm.Isolate): Promise<ivm.Context> {
  const context = await isolate.createContext();
  for (const name of REMOVED_GLOBALS) {
    context.global.deleteSync(name);
  }
  return context;
}

/**
 * A host call from the isolate: the operation and its JSON payload in, the JSON reply text out
 * (`{"value": …}`, `{}` or `{"error": …}`). See {@link answerHostCalls}.
 */
export type HostCall = (op: string, payloadJson: string) => Promise<string>;

/** One `run()` call of tenant code, in this process ({@link IsolateRun}) or in a worker process. */
export interface IsolateExecution {
  run(): Promise<RunOutcome>;
  /** Ends the run with `outcome`; later calls do nothing. */
  stop(outcome: RunOutcome): void;
  readonly stopped: boolean;
  /** Marks a step attempt as running, for its CPU cap. */
  stepStarted(key: string): void;
  stepEnded(key: string): void;
}

/** Options for {@link IsolateRun}. */
export interface IsolateRunOptions {
  code: string;
  init: IsolateInit;
  limits: IsolateLimits;
  /** Handler of host calls other than timers and logs, usually built by {@link answerHostCalls}. */
  call: HostCall;
  logger?: Logger;
  /**
   * Tenant the code belongs to. Worker processes host one tenant's runs together where they
   * can, so a tenant whose isolate brings its worker down mostly hurts its own runs.
   */
  tenant?: string;
}

const WATCHDOG_INTERVAL_MS = 20;
const MAX_LOG_LINES = 1000;
/** Largest delay setTimeout accepts, in ms (2^31 - 1, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long an isolate may sit idle with no host message pending before the run is stopped. */
// NOTE: a reply the isolate has not yet picked up counts as idle, so this must stay well above
// scheduling delays on a loaded machine.
const IDLE_LIMIT_MS = 2000;
/** Longest error message from tenant code that is stored. */
export const MAX_ERROR_MESSAGE_LENGTH = 4096;

function nsToMs(value: bigint): number {
  return Number(value / 1000n) / 1000;
}

/** Binding error codes that mean the request itself is wrong, so a retry cannot succeed. */
const REJECTED_REQUEST_CODES: ReadonlySet<string> = new Set([
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'NOT_FOUND',
  'TEMPLATE_NOT_FOUND',
  'POOL_NOT_FOUND',
  'SANDBOX_NOT_FOUND',
  'SANDBOX_PATH_INVALID',
  'SESSION_INVALID',
  'POLICY_INVALID',
  'GUARD_HALTED',
]);

/** One `run()` call's execution of tenant code in its own isolate. */
export class IsolateRun implements IsolateExecution {
  readonly #options: IsolateRunOptions;
  readonly #logger: Logger;
  readonly #isolate: ivm.Isolate;
  readonly #activeSteps = new Map<string, number>();
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #stop: ((outcome: RunOutcome) => void) | undefined;
  #stoppedWith: RunOutcome | undefined;
  #logLines = 0;
  /** Host messages the isolate is waiting on; with none, only the isolate itself can make progress. */
  #pendingMessages = 0;
  #started = false;
  #lastCpuMs = -1;
  #idleSinceMs = Date.now();

  constructor(options: IsolateRunOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#isolate = new ivm.Isolate({ memoryLimit: options.limits.memoryMb });
  }

  /** CPU time the isolate has used so far, in milliseconds. */
  get cpuTimeMs(): number {
    return nsToMs(this.#isolate.cpuTime);
  }

  /** Marks a step attempt as running, for its CPU cap. */
  stepStarted(key: string): void {
    this.#activeSteps.set(key, this.cpuTimeMs);
  }

  stepEnded(key: string): void {
    this.#activeSteps.delete(key);
  }

  /** Ends the run with `outcome` and disposes the isolate; later calls do nothing. */
  stop(outcome: RunOutcome): void {
    if (this.#stoppedWith !== undefined) {
      return;
    }
    this.#stoppedWith = outcome;
    this.#stop?.(outcome);
  }

  get stopped(): boolean {
    return this.#stoppedWith !== undefined;
  }

  /**
   * Runs the tenant class until it returns, throws, is stopped or hits a limit. Faults of
   * tenant code become outcomes, not exceptions.
   */
  async run(): Promise<RunOutcome> {
    const stopped = new Promise<RunOutcome>((resolve) => {
      this.#stop = resolve;
    });
    const watchdog = setInterval(() => this.#checkCpu(), WATCHDOG_INTERVAL_MS);
    try {
      return await Promise.race([this.#execute(), stopped]);
    } finally {
      clearInterval(watchdog);
      for (const timer of this.#timers.values()) {
        clearTimeout(timer);
      }
      this.#timers.clear();
      if (!this.#isolate.isDisposed) {
        this.#isolate.dispose();
      }
    }
  }

  async #execute(): Promise<RunOutcome> {
    try {
      const context = await createTenantContext(this.#isolate);
      const script = await this.#isolate.compileScript(this.#options.code);
      await script.run(context);
      const start = (await context.global.get('__sandstack_start', {
        reference: true,
      })) as ivm.Reference<(host: unknown, init: string) => Promise<string>>;
      const hostRef = new ivm.Reference(this.#receive);
      this.#started = true;
      const text = (await start.apply(undefined, [hostRef, JSON.stringify(this.#options.init)], {
        result: { promise: true, copy: true },
      })) as string;
      return this.#parseFinal(text);
    } catch (error) {
      return this.#stoppedWith ?? this.#limitOutcome(error);
    }
  }

  #parseFinal(text: string): RunOutcome {
    const final = JSON.parse(text) as
      | { ok: true; hasValue: boolean; json?: string }
      | { ok: false; error: { code: string; message: string; nonRetryable: boolean } };
    if (final.ok && final.hasValue) {
      // Tenant code can forge this message, so the JSON is checked before anyone stores it.
      const json = String(final.json);
      JSON.parse(json);
      return { kind: 'returned', hasValue: true, json };
    }
    if (final.ok) {
      return { kind: 'returned', hasValue: false };
    }
    return {
      kind: 'threw',
      error: {
        code: String(final.error.code),
        message: String(final.error.message).slice(0, MAX_ERROR_MESSAGE_LENGTH),
        retryable: false,
      },
    };
  }

  #limitOutcome(error: unknown): RunOutcome {
    const message = error instanceof Error ? error.message : String(error);
    // isolated-vm disposes an isolate that reaches its heap limit. Code running then fails
    // with "memory limit"; a promise awaited across the limit fails with "Promise was abandoned".
    const outOfMemory =
      /memory limit/i.test(message) ||
      (this.#isolate.isDisposed && /abandoned|disposed/i.test(message));
    if (outOfMemory) {
      return {
        kind: 'stopped',
        reason: 'failed',
        error: {
          code: 'WORKFLOW_MEMORY_LIMIT',
          message: `Workflow exceeded its memory limit of ${this.#options.limits.memoryMb} MB; use less memory, or raise limits.memoryMb where the engine is created (sandstack run --memory-mb)`,
          retryable: false,
        },
      };
    }
    const data = toErrorData(error);
    return {
      kind: 'stopped',
      reason: 'failed',
      error: { code: 'WORKFLOW_FAILED', message: data.message, retryable: false },
    };
  }

  #checkCpu(): void {
    if (this.#isolate.isDisposed || this.stopped) {
      return;
    }
    const used = this.cpuTimeMs;
    this.#checkIdle(used);
    const { cpuPerRunMs, cpuPerStepMs } = this.#options.limits;
    for (const [key, startedMs] of this.#activeSteps) {
      if (used - startedMs > cpuPerStepMs) {
        this.#stopForCpu(
          `Step "${key}" used more than ${cpuPerStepMs} ms of CPU time; end loops sooner, or raise limits.cpuPerStepMs where the engine is created (sandstack run --cpu-per-step-ms)`,
        );
        return;
      }
    }
    if (used > cpuPerRunMs) {
      this.#stopForCpu(
        `Workflow used more than ${cpuPerRunMs} ms of CPU time in one run() call; end loops sooner, or raise limits.cpuPerRunMs where the engine is created (sandstack run --cpu-per-run-ms)`,
      );
    }
  }

  /**
   * Stops a run that can never continue. The isolate has no timers or I/O of its own, so
   * when no host message is pending and it uses no CPU, its promises can never settle.
   */
  #checkIdle(usedMs: number): void {
    const now = Date.now();
    if (!this.#started || this.#pendingMessages > 0 || usedMs !== this.#lastCpuMs) {
      this.#lastCpuMs = usedMs;
      this.#idleSinceMs = now;
      return;
    }
    if (now - this.#idleSinceMs >= IDLE_LIMIT_MS) {
      this.stop({
        kind: 'stopped',
        reason: 'failed',
        error: {
          code: 'WORKFLOW_FAILED',
          message:
            'Workflow awaits a promise that can never settle (nothing is pending on the host); await step or env calls only',
          retryable: false,
        },
      });
    }
  }

  #stopForCpu(message: string): void {
    this.stop({
      kind: 'stopped',
      reason: 'failed',
      error: { code: 'WORKFLOW_CPU_LIMIT', message, retryable: false },
    });
    // Disposing terminates code that is still running in the isolate's thread.
    this.#isolate.dispose();
  }

  /** The one host function the isolate can call: JSON text in, JSON text out. */
  readonly #receive = async (op: string, payloadJson: string): Promise<string> => {
    this.#pendingMessages += 1;
    try {
      if (typeof op !== 'string' || typeof payloadJson !== 'string') {
        return errorReply(new Error('Malformed message from the workflow isolate'));
      }
      if (payloadJson.length > MAX_CALL_CHARS) {
        return errorReply(
          new SandstackError(
            'INVALID_ARGUMENT',
            `The workflow sent ${payloadJson.length} characters of JSON in one "${op.slice(0, 40)}" call, over the ${MAX_CALL_CHARS}-character limit of messages to the engine; pass less data per call`,
          ),
        );
      }
      if (this.stopped) {
        return await new Promise<string>(() => undefined);
      }
      if (op === 'timer.start' || op === 'timer.cancel' || op === 'log') {
        return await answerHostCalls((localOp, payload) => this.#local(localOp, payload))(
          op,
          payloadJson,
        );
      }
      return await this.#options.call(op, payloadJson);
    } finally {
      this.#pendingMessages -= 1;
    }
  };

  async #local(op: string, payload: unknown): Promise<unknown> {
    if (op === 'timer.start') {
      return this.#startTimer(payload as { id: number; ms: number });
    }
    if (op === 'timer.cancel') {
      const id = (payload as { id: number }).id;
      clearTimeout(this.#timers.get(id));
      this.#timers.delete(id);
      return undefined;
    }
    this.#log(payload as { level: string; message: string });
    return undefined;
  }

  /**
   * Starts a timer of any length. setTimeout takes at most {@link MAX_TIMER_MS} and fires
   * a longer delay after 1 ms, so a long one is armed again for what is left each time.
   */
  #startTimer(payload: { id: number; ms: number }): Promise<void> {
    return new Promise((resolve) => {
      const arm = (leftMs: number): void => {
        const delayMs = Math.min(leftMs, MAX_TIMER_MS);
        const timer = setTimeout(() => {
          if (leftMs > delayMs) {
            arm(leftMs - delayMs);
            return;
          }
          this.#timers.delete(payload.id);
          resolve();
        }, delayMs);
        this.#timers.set(payload.id, timer);
      };
      arm(Math.max(0, Number(payload.ms) || 0));
    });
  }

  #log(payload: { level: string; message: string }): void {
    this.#logLines += 1;
    if (this.#logLines > MAX_LOG_LINES) {
      return;
    }
    const meta = {
      instanceId: this.#options.init.instanceId,
      text: String(payload.message).slice(0, 2000),
      ...(this.#logLines === MAX_LOG_LINES ? { truncated: true } : {}),
    };
    const level = payload.level === 'warn' || payload.level === 'error' ? payload.level : 'debug';
    this.#logger[level]('Workflow console output', meta);
  }
}

/**
 * Turns a handler of parsed host calls into a {@link HostCall}: the handler's value is sent
 * back as JSON and its error as code and message only, never the host's stack.
 */
export function answerHostCalls(
  handle: (op: string, payload: unknown) => Promise<unknown>,
): HostCall {
  return async (op, payloadJson) => {
    try {
      const value = await handle(op, JSON.parse(payloadJson) as unknown);
      const text = JSON.stringify(value === undefined ? {} : { value });
      if (text.length > MAX_REPLY_CHARS) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `The reply to a "${op}" call is ${text.length} characters of JSON, over the ${MAX_REPLY_CHARS}-character limit of messages to the workflow isolate; request less data per call`,
        );
      }
      return text;
    } catch (error) {
      return errorReply(error);
    }
  };
}

function errorReply(error: unknown): string {
  const data = toErrorData(error);
  // A binding that rejects the request itself (an unknown template, an invalid argument)
  // would reject every retry alike, so the step fails at once.
  const rejected = isSandstackError(error) && REJECTED_REQUEST_CODES.has(error.code);
  const name =
    rejected || (error instanceof Error && error.name === 'NonRetryableError')
      ? 'NonRetryableError'
      : undefined;
  return JSON.stringify({
    error: { code: data.code, message: data.message, ...(name ? { name } : {}) },
  });
}
