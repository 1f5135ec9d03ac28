/**
 * Entry of a worker process that runs isolates for the engine. The engine forks it and
 * talks over the IPC channel: it sends `start`, `reply`, `stop` and `steps` messages; this
 * process sends `call`, `log` and `done`. Host calls go to the engine, which keeps
 * the bindings, the store and step commits; only tenant code runs here, so an isolate that
 * aborts this process (isolated-vm can on out-of-memory) takes down no engine.
 */
import type { LogMeta, Logger } from '../core/logger.js';
import type { RunOutcome } from './isolate.js';
import { IsolateRun } from './isolate.js';
import type { FromWorker, StepChange, ToWorker } from './worker-protocol.js';

const runs = new Map<number, IsolateRun>();
const calls = new Map<string, (text: string) => void>();
let nextCall = 0;

/** Messages waiting to be sent at the end of this event-loop turn; see `send`. */
let outbox: FromWorker[] = [];

/**
 * Queues a message to the engine. The messages of one event-loop turn go out as one batch,
 * because each write to the IPC channel costs a system call on both sides.
 */
function send(message: FromWorker): void {
  outbox.push(message);
  if (outbox.length === 1) {
    setImmediate(flush);
  }
}

function flush(): void {
  const messages = outbox;
  outbox = [];
  if (messages.length === 1) {
    process.send?.(messages[0]);
  } else if (messages.length > 1) {
    process.send?.({ type: 'batch', messages });
  }
}

function forwardingLogger(run: number, base: LogMeta = {}): Logger {
  const at =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, meta?: LogMeta): void =>
      send({ type: 'log', run, level, message, meta: { ...base, ...meta } });
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => forwardingLogger(run, { ...base, ...bindings }),
  };
}

function start(message: Extract<ToWorker, { type: 'start' }>): void {
  const { run } = message;
  const isolate = new IsolateRun({
    code: message.code,
    init: message.init,
    limits: message.limits,
    logger: forwardingLogger(run),
    call: (op, payloadJson) =>
      new Promise<string>((resolve) => {
        nextCall += 1;
        const call = nextCall;
        calls.set(`${run}/${call}`, resolve);
        send({ type: 'call', run, call, op, payloadJson });
      }),
  });
  runs.set(run, isolate);
  void isolate
    .run()
    .catch((error: unknown): RunOutcome => ({
      kind: 'stopped',
      reason: 'failed',
      error: { code: 'WORKFLOW_FAILED', message: String(error), retryable: false },
    }))
    .then((outcome) => {
      runs.delete(run);
      for (const key of calls.keys()) {
        if (key.startsWith(`${run}/`)) {
          calls.delete(key);
        }
      }
      send({ type: 'done', run, outcome });
    });
}

function receive(message: ToWorker): void {
  switch (message.type) {
    case 'batch':
      for (const item of message.messages) {
        receive(item);
      }
      return;
    case 'start':
      start(message);
      return;
    case 'reply': {
      applySteps(message.run, message.steps ?? []);
      const key = `${message.run}/${message.call}`;
      const resolve = calls.get(key);
      calls.delete(key);
      resolve?.(message.text);
      return;
    }
    case 'stop':
      runs.get(message.run)?.stop(message.outcome);
      return;
    case 'steps':
      applySteps(message.run, message.steps);
      return;
  }
}

function applySteps(run: number, steps: StepChange[]): void {
  const isolate = runs.get(run);
  for (const { key, running } of steps) {
    if (running) {
      isolate?.stepStarted(key);
    } else {
      isolate?.stepEnded(key);
    }
  }
}

process.on('message', (message: ToWorker) => receive(message));
// The engine is gone (it exited or was killed): nothing is left to run isolates for.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
