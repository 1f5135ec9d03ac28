/**
 * Messages between the engine and its isolate worker processes, over the IPC channel of
 * `child_process.fork`. Each run on a worker has a number chosen by the engine.
 */
import type { LogMeta } from '../core/logger.js';
import type { IsolateInit, IsolateLimits, RunOutcome } from './isolate.js';

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
  | { type: 'steps'; run: number; steps: StepChange[] };

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
  | { type: 'done'; run: number; outcome: RunOutcome };
