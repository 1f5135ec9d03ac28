/**
 * The workflow API that tenant code imports as `sandstack/workflows`, `cloudflare:workers` or
 * `cloudflare:workflows`. This file is bundled into every tenant bundle and runs inside the
 * tenant's isolate. The host imports it only for its types, so it must stay free of Node APIs.
 */

/** Durations accepted by the step API: milliseconds, or text such as `"10 seconds"`. */
export type WorkflowDuration = number | string;

/** Backoff between step retries. */
export type WorkflowBackoff = 'constant' | 'linear' | 'exponential';

/** Per-step configuration, as in Cloudflare Workflows. */
export interface WorkflowStepConfig {
  retries?: { limit: number; delay: WorkflowDuration; backoff?: WorkflowBackoff };
  timeout?: WorkflowDuration;
}

/** The event an instance starts with. */
export interface WorkflowEvent<Params = unknown> {
  payload: Readonly<Params>;
  timestamp: Date;
  instanceId: string;
}

/** An event delivered to `step.waitForEvent`. */
export interface WorkflowStepEvent<Payload = unknown> {
  payload: Readonly<Payload>;
  timestamp: Date;
  type: string;
}

/** The argument of a `step.do` callback, as in Cloudflare Workflows. */
export interface WorkflowStepContext {
  /** The step's name and how many times `step.do` was called with that name so far (from 1). */
  step: { name: string; count: number };
  /** Attempt number, from 1. */
  attempt: number;
  /** The step's configuration with defaults applied; durations are in milliseconds. */
  config: {
    retries: { limit: number; delay: number; backoff: WorkflowBackoff };
    timeout: number;
  };
}

/** The durable step API passed to `run`. */
export interface WorkflowStep {
  do<T>(name: string, callback: (ctx: WorkflowStepContext) => Promise<T>): Promise<T>;
  do<T>(
    name: string,
    config: WorkflowStepConfig,
    callback: (ctx: WorkflowStepContext) => Promise<T>,
  ): Promise<T>;
  sleep(name: string, duration: WorkflowDuration): Promise<void>;
  sleepUntil(name: string, timestamp: Date | number | string): Promise<void>;
  waitForEvent<Payload = unknown>(
    name: string,
    options: { type: string; timeout?: WorkflowDuration },
  ): Promise<WorkflowStepEvent<Payload>>;
}

/** Context handed to the entrypoint's constructor. */
export interface WorkflowContext {
  instanceId: string;
}

/**
 * Base class of a workflow. Subclass it, export the subclass and implement `run`.
 *
 * @example
 * export class Greet extends WorkflowEntrypoint<Env, { name: string }> {
 *   async run(event: WorkflowEvent<{ name: string }>, step: WorkflowStep) {
 *     return step.do('greet', async () => `hello ${event.payload.name}`);
 *   }
 * }
 */
export abstract class WorkflowEntrypoint<Env = unknown, Params = unknown> {
  protected readonly ctx: WorkflowContext;
  protected readonly env: Env;

  constructor(ctx: WorkflowContext, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }

  abstract run(event: WorkflowEvent<Params>, step: WorkflowStep): Promise<unknown>;
}

/** An error that fails the step at once, without retries, and ends the instance. */
export class NonRetryableError extends Error {
  constructor(message: string, name = 'NonRetryableError') {
    super(message);
    this.name = name;
  }
}
