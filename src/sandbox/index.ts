/**
 * The sandbox layer: isolated places to run an agent's commands (gVisor or bubblewrap on
 * this host), with templates, warm pools, claims, metering and Claude Code tool calls.
 *
 * @example
 * import { openDatabase } from 'sandstack/core';
 * import { SandboxController, runTool } from 'sandstack/sandbox';
 *
 * const controller = new SandboxController({ db: openDatabase('.sandstack/state.db'), stateDir: '.sandstack/sandboxes' });
 * const { sandbox, record } = await controller.claim({ template: 'default', tenant: 'acme', runId: 'run_1' });
 * await runTool(sandbox, { tool: 'Bash', input: { command: 'git status' } }, { workdir: '/workspace' });
 * await controller.release(record.id);
 * await controller.close();
 */
export {
  MAX_POOL_REPLICAS,
  SandboxController,
  type ApplyAction,
  type ClaimOptions,
  type ClaimedSandbox,
  type CreatePoolOptions,
  type PoolRecord,
  type PoolUpdateStrategy,
  type SandboxControllerOptions,
  type SandboxEndReason,
  type SandboxRecord,
  type SandboxState,
  type SnapshotRecord,
  type UsageTotals,
} from './controller.js';
export { sandboxConditions } from './controller-snapshots.js';
export {
  ClaimObjects,
  type ClaimObjectInput,
  type ClaimObjectSpec,
  type ClaimObjectView,
  type ObjectCondition,
} from './claim-objects.js';
export {
  applyManifests,
  type AppliedObject,
  type ApplyManifestsOptions,
} from './manifests/apply.js';
export { parseManifests, type ManifestObject, type ManifestProblem } from './manifests/parse.js';
export { checkHost, type CheckHostOptions, type HostCheck } from './doctor.js';
export { BubblewrapDriver, type BubblewrapDriverOptions } from './drivers/bubblewrap.js';
export { GvisorDriver, type GvisorDriverOptions } from './drivers/gvisor.js';
export { DEFAULT_TEMPLATE, resolveTemplate, type TemplateInput } from './templates.js';
export { MAX_COMMAND_TIMEOUT_MS } from './timers.js';
export {
  MAX_ARCHIVE_BYTES,
  MAX_LIST_ENTRIES,
  deleteFile,
  downloadArchive,
  fileExists,
  listFiles,
  uploadArchive,
  type FileEntry,
} from './files.js';
export {
  runTool,
  type RunToolOptions,
  type SandboxToolCall,
  type SandboxToolResult,
} from './tools.js';
export type {
  DriverCreateOptions,
  EnvVarsInjectionPolicy,
  ExecRequest,
  ExecResult,
  OperatingMode,
  ResourceLimits,
  RootfsSpec,
  RuntimeCheck,
  RuntimeName,
  SandboxDriver,
  SandboxInstance,
  SandboxTemplate,
  SandboxUsage,
  SnapshotInfo,
} from './types.js';
