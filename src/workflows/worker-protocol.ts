/**
 * Messages between the engine and its isolate worker processes, over the IPC channel of
 * `child_process.fork`. Each run on a worker has a number chosen by the engine.
 */
import type { LogMeta } from '../core/logger.js';
import type { IsolateInit, IsolateLimits, RunOutcome } from './isolate.js';

/**
 * Largest payload of a host call from the isolate to the engine, in UTF-16 code units of
 * JSON. Larger calls are rejected before they are sent on, so no message of unbounded size
 * crosses the IPC channel. A step result within `limits.maxStepResultBytes` always fits,
 * because that limit may be at most {@link MAX_STEP_RESULT_BYTES_CAP}.
 */
export const MAX_CALL_CHARS = 8 * 1024 * 1024;

/**
 * Largest reply text from the engine to the isolate, in UTF-16 code units of JSON. It
 * leaves room for a 16 MiB text run input, whose JSON escaping may make it longer.
 */
export const MAX_REPLY_CHARS = 32 * 1024 * 1024;

/**
 * Highest value of `limits.maxStepResultBytes`: JSON escaping of the result inside a
 * `step.end` message can double its length, and the message needs room for its other fields.
 */
export const MAX_STEP_RESULT_BYTES_CAP = (MAX_CALL_CHARS - 64 * 1024) / 2;

/** Engine to worker. */
export type ToWorker =
  | { type: 'start'; run: number; code: string; init: IsolateInit; limits: IsolateLimits }
  /**
   * Reply to a host call, as the JSON text the isolate receives, with the step attempts
   * that started or ended while the engine handled it (applied first).
   */
  | { type: 'reply'; run: number; call: number; text: string; steps?: StepChange[] }
  | { type: 'stop'; run: number; outcome: RunOutcome }
  /** Step attempts that started or ended, for the per-step CPU cap. */
  | { type: 'steps'; run: number; steps: StepChange[] }
  /** Messages sent in one event-loop turn, in order, so they share one write to the channel. */
  | { type: 'batch'; messages: ToWorker[] };

/** A step attempt that started (`running`) or ended. */
export interface StepChange {
  key: string;
  running: boolean;
}

/** Worker to engine. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'call'; run: number; call: number; op: string; payloadJson: string }
  | {
      type: 'log';
      run: number;
      level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
      message: string;
      meta: LogMeta;
    }
  | { type: 'done'; run: number; outcome: RunOutcome }
  /** Messages sent in one event-loop turn, in order, so they share one write to the channel. */
  | { type: 'batch'; messages: FromWorker[] };
