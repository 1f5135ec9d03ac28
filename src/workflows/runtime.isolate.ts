/**
 * The in-isolate half of the runtime: builds `event`, `step` and `env` for tenant code and
 * turns each call into a message to the host. Every message is a JSON string, so no host
 * object ever enters the isolate. This module runs before the tenant module in the bundle,
 * so it captures the globals it relies on before tenant code can replace them.
 */
import { NonRetryableError, WorkflowEntrypoint } from './shim.isolate.js';
import type { WorkflowStepConfig, WorkflowStepContext } from './shim.isolate.js';

/** The host function as isolated-vm exposes it inside the isolate. */
interface HostReference {
  apply(
    receiver: undefined,
    args: [string, string],
    options: { readonly arguments: { copy: true }; readonly result: { promise: true; copy: true } },
  ): Promise<string>;
}

/** The host's reply to one message. */
interface HostReply {
  value?: unknown;
  error?: { code: string; message: string; name?: string };
}

/** Start data sent by the host for one run. */
interface RunInit {
  className: string;
  instanceId: string;
  payload: unknown;
  timestampMs: number;
  bindings: Record<string, string[]>;
  maxResultBytes: number;
  memoryMb: number;
}

/** A step plan sent by the host: replay a stored result, rethrow a stored error, or run. */
type StepPlan =
  | { kind: 'replay'; hasValue: boolean; json?: string }
  | { kind: 'failed'; error: { code: string; message: string; name?: string } }
  | {
      kind: 'run';
      key: string;
      count: number;
      attempt: number;
      timeoutMs: number;
      config: WorkflowStepContext['config'];
    };

const { parse, stringify } = JSON;
// Captured before tenant code runs, which could replace the global.
const RangeErrorClass = RangeError;
const ReferenceErrorClass = ReferenceError;
/** V8's messages for globals that the host removes from tenant contexts. */
const REMOVED_GLOBAL_MESSAGES = new Set([
  'WebAssembly is not defined',
  'SharedArrayBuffer is not defined',
]);
/** V8's message when an ArrayBuffer allocation fails, such as at isolated-vm's memory cap. */
const ALLOCATION_FAILED = 'Array buffer allocation failed';
let limits = { maxResultBytes: Number.POSITIVE_INFINITY, memoryMb: 0 };
const moduleExports: Record<string, unknown> = {};
let host: HostReference | undefined;

/**
 * Creates a frozen object without a prototype. isolated-vm reads transfer options through the
 * prototype chain, so options built from plain literals would let tenant code add
 * `reference: true` on Object.prototype and receive a Reference to a host object.
 */
function bareObject<T extends object>(fields: T): T {
  return Object.freeze(Object.assign(Object.create(null) as T, fields));
}

const APPLY_OPTIONS = bareObject({
  arguments: bareObject({ copy: true as const }),
  result: bareObject({ promise: true as const, copy: true as const }),
});
let timerCounter = 0;

function makeError(data: { code: string; message: string; name?: string }): Error {
  const error = new Error(data.message) as Error & { code: string };
  error.code = data.code;
  if (data.name !== undefined) {
    error.name = data.name;
  }
  return error;
}

async function callHost(op: string, payload: unknown): Promise<unknown> {
  if (host === undefined) {
    throw new Error('The workflow runtime has not started');
  }
  const text = await host.apply(undefined, [op, stringify(payload ?? null)], APPLY_OPTIONS);
  const reply = parse(text) as HostReply;
  if (reply.error !== undefined) {
    throw makeError(reply.error);
  }
  return reply.value;
}

/** Finds the first value that JSON cannot carry faithfully, as a path, or undefined. */
/** Deepest nesting of objects and arrays a step result or workflow output may have. */
const MAX_RESULT_DEPTH = 1000;

function findUnserialisable(
  value: unknown,
  path: string,
  seen: Set<object>,
  depth = 0,
): string | undefined {
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') {
    return `${type} at ${path}`;
  }
  if (type === 'number' && !Number.isFinite(value as number)) {
    return `${String(value)} at ${path}`;
  }
  if (type !== 'object' || value === null || value instanceof Date) {
    return undefined;
  }
  if (seen.has(value as object)) {
    return `circular reference at ${path}`;
  }
  // JSON.stringify and this walk recurse per level, so a deeper value would overflow the
  // stack with a RangeError that reads like a passing fault and would be retried.
  if (depth >= MAX_RESULT_DEPTH) {
    const shown = path.length > 60 ? `${path.slice(0, 60)}…` : path;
    return `nesting deeper than ${MAX_RESULT_DEPTH} levels at ${shown}`;
  }
  seen.add(value as object);
  for (const [key, item] of Object.entries(value as object)) {
    const found = findUnserialisable(item, `${path}.${key}`, seen, depth + 1);
    if (found !== undefined) {
      return found;
    }
  }
  seen.delete(value as object);
  return undefined;
}

/** Counts the UTF-8 bytes of JSON text, which contains no lone surrogates. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair: one code point of four bytes.
      bytes += 4;
      index += 1;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

/**
 * Rejects a result over the size limit here, before it is sent, so that a huge result
 * fails its step with the limit instead of making a message too large for the engine.
 */
function checkResultSize(json: string, label: string): void {
  const max = limits.maxResultBytes;
  // UTF-8 takes at least one byte and at most three per UTF-16 code unit.
  if (json.length * 3 <= max) {
    return;
  }
  const bytes = utf8Length(json);
  if (bytes > max) {
    throw makeError({
      code: 'STEP_RESULT_INVALID',
      message: `${label} returned ${bytes} bytes of JSON, over the ${max}-byte limit of a step result or workflow output (limits.maxStepResultBytes); return less data or store it elsewhere`,
      name: 'NonRetryableError',
    });
  }
}

/** Encodes a step's or the run's return value; throws a non-retryable error if JSON cannot hold it. */
function encodeValue(value: unknown, label: string): { hasValue: boolean; json?: string } {
  if (value === undefined) {
    return { hasValue: false };
  }
  const problem = findUnserialisable(value, 'result', new Set());
  if (problem !== undefined) {
    const error = makeError({
      code: 'STEP_RESULT_INVALID',
      message: `${label} returned a value that is not JSON-serialisable (${problem}); return plain data`,
      name: 'NonRetryableError',
    });
    throw error;
  }
  const json = stringify(value);
  checkResultSize(json, label);
  return { hasValue: true, json };
}

function decodeValue(hasValue: boolean, json: string | undefined): unknown {
  return hasValue && json !== undefined ? parse(json) : undefined;
}

function describeError(
  error: unknown,
  fallbackCode: string,
  label: string,
): {
  code: string;
  message: string;
  name: string;
  nonRetryable: boolean;
} {
  if (error instanceof RangeErrorClass && error.message === ALLOCATION_FAILED) {
    // isolated-vm counts ArrayBuffer memory against the isolate's cap and fails the
    // allocation at the cap. A retry would allocate the same and fail again.
    return {
      code: 'WORKFLOW_MEMORY_LIMIT',
      message: `${label} failed to allocate an ArrayBuffer because the isolate reached its memory limit of ${limits.memoryMb} MB; use less memory, or raise limits.memoryMb where the engine is created (sandstack run --memory-mb)`,
      name: 'NonRetryableError',
      nonRetryable: true,
    };
  }
  if (error instanceof ReferenceErrorClass && REMOVED_GLOBAL_MESSAGES.has(error.message)) {
    // The host removes these globals because their memory escapes the isolate's cap. The
    // same code fails the same way on every attempt.
    return {
      code: fallbackCode,
      message: `${label} failed: ${error.message}, because workflow isolates have no WebAssembly or SharedArrayBuffer; run such code inside a sandbox`,
      name: 'NonRetryableError',
      nonRetryable: true,
    };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      code: typeof code === 'string' ? code : fallbackCode,
      message: error.message,
      name: error.name,
      nonRetryable: error instanceof NonRetryableError || error.name === 'NonRetryableError',
    };
  }
  return { code: fallbackCode, message: String(error), name: 'Error', nonRetryable: false };
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, key: string): Promise<T> {
  timerCounter += 1;
  const timerId = timerCounter;
  const timeout = callHost('timer.start', { id: timerId, ms: timeoutMs }).then(() => {
    throw makeError({
      code: 'STEP_TIMEOUT',
      message: `Step "${key}" timed out after ${timeoutMs}ms; raise its timeout or make it faster`,
    });
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    void callHost('timer.cancel', { id: timerId }).catch(() => undefined);
  }
}

async function runStep(
  name: unknown,
  configOrCallback: unknown,
  maybeCallback: unknown,
): Promise<unknown> {
  const callback = typeof configOrCallback === 'function' ? configOrCallback : maybeCallback;
  // Cloudflare also accepts step.do(name, callback, options) for rollback options.
  const config = typeof configOrCallback === 'function' ? maybeCallback : configOrCallback;
  if (typeof callback !== 'function') {
    throw new TypeError(
      `step.do("${String(name)}") needs a callback function as its last argument`,
    );
  }
  if (typeof (config as { rollback?: unknown } | undefined)?.rollback === 'function') {
    throw new TypeError(
      `step.do("${String(name)}"): rollback handlers are not supported; undo the work in a later step`,
    );
  }
  const retries = (config as { retries?: { delay?: unknown } } | undefined)?.retries;
  if (typeof retries?.delay === 'function') {
    // JSON would drop the function silently and the step would retry on the default delay.
    throw new TypeError(
      `step.do("${String(name)}"): retries.delay as a function is not supported; pass a duration such as "10 seconds"`,
    );
  }
  let plan = (await callHost('step.start', { name, config: config ?? null })) as StepPlan;
  for (;;) {
    if (plan.kind === 'replay') {
      return decodeValue(plan.hasValue, plan.json);
    }
    if (plan.kind === 'failed') {
      throw makeError(plan.error);
    }
    let outcome: unknown;
    try {
      const value: unknown = await withTimeout(
        Promise.resolve(
          (callback as (ctx: WorkflowStepContext) => unknown)({
            step: { name: String(name), count: plan.count },
            attempt: plan.attempt,
            config: plan.config,
          }),
        ),
        plan.timeoutMs,
        plan.key,
      );
      outcome = { ok: true, ...encodeValue(value, `Step "${plan.key}"`) };
    } catch (error) {
      outcome = { ok: false, error: describeError(error, 'STEP_FAILED', `Step "${plan.key}"`) };
    }
    plan = (await callHost('step.end', {
      key: plan.key,
      attempt: plan.attempt,
      outcome,
    })) as StepPlan;
  }
}

function toEpochMs(timestamp: unknown): number {
  if (timestamp instanceof Date) {
    return timestamp.getTime();
  }
  if (typeof timestamp === 'number') {
    return timestamp;
  }
  return Date.parse(String(timestamp));
}

function makeStep(): object {
  return Object.freeze({
    do: (name: unknown, configOrCallback: unknown, callback?: unknown) =>
      runStep(name, configOrCallback as WorkflowStepConfig, callback),
    sleep: async (name: unknown, duration: unknown): Promise<void> => {
      await callHost('step.sleep', { name, duration });
    },
    sleepUntil: async (name: unknown, timestamp: unknown): Promise<void> => {
      await callHost('step.sleep', { name, untilMs: toEpochMs(timestamp) });
    },
    waitForEvent: async (name: unknown, options: unknown): Promise<unknown> => {
      const event = (await callHost('step.waitForEvent', { name, options: options ?? null })) as {
        payload: unknown;
        timestampMs: number;
        type: string;
      };
      return { payload: event.payload, timestamp: new Date(event.timestampMs), type: event.type };
    },
  });
}

function makeEnv(bindings: Record<string, string[]>): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const [binding, methods] of Object.entries(bindings)) {
    const object: Record<string, unknown> = {};
    for (const method of methods) {
      object[method] = (...args: unknown[]) =>
        callHost('binding', { binding, method, args: args.map((arg) => arg ?? null) });
    }
    env[binding] = Object.freeze(object);
  }
  return Object.freeze(env);
}

function formatLogArgument(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  try {
    return stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function installConsole(): void {
  const log =
    (level: string) =>
    (...args: unknown[]): void => {
      void callHost('log', { level, message: args.map(formatLogArgument).join(' ') }).catch(
        () => undefined,
      );
    };
  (globalThis as Record<string, unknown>).console = Object.freeze({
    log: log('info'),
    info: log('info'),
    debug: log('debug'),
    warn: log('warn'),
    error: log('error'),
  });
}

function isEntrypoint(value: unknown): boolean {
  return typeof value === 'function' && value.prototype instanceof WorkflowEntrypoint;
}

/** Names the exported WorkflowEntrypoint subclasses, the default export first. */
function describeModule(): string {
  const names = Object.keys(moduleExports).filter((name) => isEntrypoint(moduleExports[name]));
  const defaultFirst = names.includes('default')
    ? ['default', ...names.filter((name) => name !== 'default')]
    : names;
  return stringify({ classes: defaultFirst });
}

async function start(reference: HostReference, initJson: string): Promise<string> {
  host = reference;
  const init = parse(initJson) as RunInit;
  limits = { maxResultBytes: init.maxResultBytes, memoryMb: init.memoryMb };
  try {
    const Entrypoint = moduleExports[init.className];
    if (!isEntrypoint(Entrypoint)) {
      throw new Error(`The bundle exports no WorkflowEntrypoint named "${init.className}"`);
    }
    const env = makeEnv(init.bindings);
    const instance = new (
      Entrypoint as new (
        ctx: object,
        env: object,
      ) => {
        run(event: object, step: object): Promise<unknown>;
      }
    )({ instanceId: init.instanceId }, env);
    const event = Object.freeze({
      payload: init.payload,
      timestamp: new Date(init.timestampMs),
      instanceId: init.instanceId,
    });
    const value = await instance.run(event, makeStep());
    return stringify({ ok: true, ...encodeValue(value, 'The workflow') });
  } catch (error) {
    return stringify({ ok: false, error: describeError(error, 'WORKFLOW_FAILED', 'The workflow') });
  }
}

/** Called by the bundle's entry after the tenant module loaded. */
export function installRuntime(tenantModule: Record<string, unknown>): void {
  Object.assign(moduleExports, tenantModule);
}

installConsole();
Object.defineProperty(globalThis, '__sandstack_start', { value: start });
Object.defineProperty(globalThis, '__sandstack_describe', { value: describeModule });
