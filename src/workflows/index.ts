/**
 * Durable per-tenant workflows in V8 isolates, with a Cloudflare Workflows compatible API.
 *
 * @example
 * import { openDatabase } from 'sandstack/core';
 * import { WorkflowEngine } from 'sandstack/workflows';
 *
 * const engine = new WorkflowEngine({ db: openDatabase('.sandstack/state.db') });
 * await engine.deploy('acme', 'greet', { entryPath: 'workflows/greet.ts' });
 * const id = await engine.create('acme', 'greet', { params: { name: 'Ada' } });
 * const result = await engine.run('acme', id);
 *
 * Several engine processes share work through PostgreSQL:
 * `new WorkflowEngine({ store: await PostgresWorkflowStore.open(url) })`.
 *
 * Tenant code imports the same names this module exports for authoring:
 * `import { WorkflowEntrypoint, NonRetryableError } from 'sandstack/workflows'`.
 */
export { NonRetryableError, WorkflowEntrypoint } from './shim.isolate.js';
export type {
  WorkflowBackoff,
  WorkflowContext,
  WorkflowDuration,
  WorkflowEvent,
  WorkflowStep,
  WorkflowStepConfig,
  WorkflowStepContext,
  WorkflowStepEvent,
} from './shim.isolate.js';
export { bundleWorkflow, FOLDER_ENTRY_NAMES, resolveEntryFile, SHIM_SPECIFIERS } from './bundle.js';
export type { BundleInput, WorkflowBundle } from './bundle.js';
export { WorkflowRegistry } from './registry.js';
export type { DeployResult } from './registry.js';
export { DEFAULT_ENGINE_LIMITS, DEFAULT_LEASE_MS, WorkflowEngine } from './engine.js';
export type {
  EngineLimits,
  InstanceInfo,
  InstanceResult,
  IsolationMode,
  StepSummary,
  WorkflowEngineOptions,
} from './engine.js';
export { IsolateWorkerPool } from './worker-pool.js';
export type { IsolateWorkerPoolOptions, WorkerLoad } from './worker-pool.js';
export type { IsolateLimits } from './isolate.js';
export { DEFAULT_STEP_CONFIG, parseDuration } from './step-config.js';
export type { ResolvedStepConfig } from './step-config.js';
export { SqliteWorkflowStore } from './stores/sqlite.js';
export { PostgresWorkflowStore } from './stores/postgres.js';
export type { PostgresWorkflowStoreOptions } from './stores/postgres.js';
export type {
  EventRecord,
  InstanceKey,
  InstanceRecord,
  LeaseStore,
  LeaseTiming,
  StepRecord,
  VersionRecord,
  WorkflowStore,
} from './stores/store.js';
export type {
  BindingCallContext,
  EngineEvent,
  HostBinding,
  InstanceStatus,
  JsonValue,
} from './types.js';
