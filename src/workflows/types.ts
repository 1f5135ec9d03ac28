/**
 * Types shared by the workflow registry, the isolate runtime and the engine.
 */
import type { ErrorData } from '../core/errors.js';

/** Instance states. Transitions: queued → running → (waiting ↔ running) → complete | errored | terminated. */
export type InstanceStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'waiting'
  | 'waitingForPause'
  | 'errored'
  | 'terminated'
  | 'complete';

/** JSON value that can cross the isolate boundary and be stored. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Who and what a binding call runs for. */
export interface BindingCallContext {
  tenant: string;
  instanceId: string;
  /** Step key (`name#occurrence`) when the call is made inside `step.do`, else undefined. */
  stepKey: string | undefined;
  /** Counter of binding calls within the step, so stored records stay unique when a step re-runs. */
  callIndex: number;
}

/**
 * One host object granted to tenant code as `env.<NAME>`. Each method takes JSON arguments
 * and returns JSON; the isolate sees it as an object of async functions.
 */
export type HostBinding = Record<
  string,
  (context: BindingCallContext, ...args: JsonValue[]) => Promise<JsonValue | undefined>
>;

/** Events the engine reports while an instance runs, for progress display and tracing. */
export type EngineEvent =
  | { type: 'instance.start'; instanceId: string; resumed: boolean }
  | { type: 'step.start'; instanceId: string; stepKey: string; attempt: number }
  | { type: 'step.replayed'; instanceId: string; stepKey: string }
  | { type: 'step.complete'; instanceId: string; stepKey: string; durationMs: number }
  | {
      type: 'step.retry';
      instanceId: string;
      stepKey: string;
      attempt: number;
      error: ErrorData;
      delayMs: number;
    }
  | { type: 'step.failed'; instanceId: string; stepKey: string; error: ErrorData }
  | { type: 'instance.end'; instanceId: string; status: InstanceStatus; error?: ErrorData };
