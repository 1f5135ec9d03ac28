/**
 * `sandstack run` against a server: deploy the workflow, create the instance with its file
 * inputs, and follow it by polling until it ends, showing each step and sandbox command as
 * the local run does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { isSandstackApiError } from '../../client/errors.js';
import type {
  ApprovalRequest,
  InstanceDetail,
  Sandbox,
  SandboxAction,
} from '../../client/types.js';
import { SandstackError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { backstopFromActions } from '../../server/run-bindings.js';
import type { ActionRecord } from '../../workflows/bindings/action-log.js';
import { checkParams, createTar, resolveInputs } from '../../workflows/inputs.js';
import { printJson } from '../output.js';
import { RunProgress } from '../progress.js';
import { rejectLocalOptions, type Remote } from '../remote.js';
import {
  locateWorkflow,
  paramsManifest,
  parseParams,
  printSummary,
  round,
  toBlocked,
  type RunOptions,
  type RunSummary,
  type WorkflowSource,
} from './run-shared.js';
import { TOKEN_PICKS_TENANT, deployRemote } from './workflow.js';

const POLL_INTERVAL_MS = 250;
/** A wait longer than this ends the follow with status `waiting`, as a local run does. */
const MAX_FOLLOWED_WAIT_MS = 10 * 60 * 1000;
const FINAL = new Set(['complete', 'errored', 'terminated']);

type UploadedInputs = Record<
  string,
  { type: 'file' | 'directory'; content: string; encoding: 'base64'; fileName: string }
>;

/**
 * Runs (or, with `--id` of an existing instance, follows) one instance on the server and
 * returns its summary.
 * @throws SandstackError for bad params or inputs, SandstackApiError for refused requests
 */
export async function runOnServer(
  remote: Remote,
  workflowPath: string,
  options: RunOptions,
  command: Command,
): Promise<RunSummary> {
  rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
  rejectLocalOptions(
    command,
    ['memoryMb', 'cpuPerStepMs', 'cpuPerRunMs'],
    "the server's engine sets the isolate limits",
  );
  const started = performance.now();
  const params = parseParams(options.params);
  const source = await locateWorkflow(workflowPath);
  checkParams(source.manifest, params);
  const instanceId = options.id ?? newId('run');
  const existing = options.id === undefined ? undefined : await findInstance(remote, instanceId);
  if (existing !== undefined && existing.workflow !== source.name) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Instance "${instanceId}" runs workflow "${existing.workflow}" (version ${existing.version.slice(0, 12)}), not "${source.name}"; follow it with that workflow or pick another --id`,
    );
  }

  let version = existing?.version;
  if (version === undefined) {
    const manifest = paramsManifest(source);
    version = (
      await deployRemote(remote, source.entryPath, {
        name: source.name,
        ...(manifest === undefined ? {} : { manifest }),
      })
    ).version;
    const inputs = await uploadInputs(source, params);
    await remote.call((client) =>
      client.instances.create({ workflow: source.name, id: instanceId, params, inputs }),
    );
  }
  const usage = await remote.call((client) => client.usage());
  const progress = new RunProgress(options.json !== true);
  progress.line(
    `${pc.bold('▶')} ${pc.bold(source.name)}  tenant ${usage.tenant}  server ${remote.target.server}  instance ${instanceId}  version ${version.slice(0, 12)}${existing === undefined ? '' : pc.yellow('  (following)')}`,
  );

  const { detail, actions } = await follow(
    remote,
    { id: instanceId, tenant: usage.tenant },
    progress,
  );
  progress.stop();
  const summary = await summarize(remote, {
    detail,
    actions,
    tenant: usage.tenant,
    resumed: existing !== undefined,
    wallSeconds: (performance.now() - started) / 1000,
  });
  if (options.json === true) {
    printJson(summary);
  } else {
    printSummary(summary, 'server');
  }
  return summary;
}

async function findInstance(remote: Remote, id: string): Promise<InstanceDetail | undefined> {
  try {
    return await remote.call((client) => client.instances.get(id));
  } catch (error) {
    if (isSandstackApiError(error, 404)) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Reads the manifest's inputs from the host and encodes them for the create request: a file
 * as it is, a folder as a tar archive with the same size limit as a local run.
 * @throws SandstackError `INVALID_ARGUMENT` for a folder over the limit
 */
async function uploadInputs(
  source: WorkflowSource,
  params: Record<string, unknown>,
): Promise<UploadedInputs> {
  const resolved = await resolveInputs({
    manifest: source.manifest,
    manifestDir: source.manifestDir,
    params,
    cwd: process.cwd(),
  });
  const inputs: UploadedInputs = {};
  for (const input of resolved) {
    const data =
      input.type === 'directory' ? await folderArchive(input.source) : await readFile(input.source);
    inputs[input.name] = {
      type: input.type,
      content: data.toString('base64'),
      encoding: 'base64',
      fileName: basename(input.source),
    };
  }
  return inputs;
}

/** Archives a folder as `sandstack run` snapshots it locally, and returns the tar's bytes. */
async function folderArchive(source: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-input-'));
  try {
    const target = join(dir, 'input.tar');
    await createTar(source, target);
    return await readFile(target);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Polls the instance and its actions until it ends, pauses or waits longer than a local
 * run would, and shows each finished step and new action.
 */
async function follow(
  remote: Remote,
  instance: { id: string; tenant: string },
  progress: RunProgress,
): Promise<{ detail: InstanceDetail; actions: SandboxAction[] }> {
  const { id } = instance;
  const shownSteps = new Set<string>();
  const shownApprovals = new Set<string>();
  let shownActions = 0;
  for (;;) {
    // Approvals are read before the steps and shown after them. A step requests approval only
    // after the steps before it completed, so the steps read next include those, and their
    // lines come before the approval's.
    const pending = await remote.call((client) => client.approvals.list({ status: 'pending' }));
    const detail = await remote.call((client) => client.instances.get(id));
    const actions = await remote.call((client) => client.instances.actions(id));
    for (const action of actions.slice(shownActions)) {
      progress.onAction(action as unknown as ActionRecord);
    }
    shownActions = actions.length;
    for (const step of detail.steps) {
      if (step.status === 'complete' && !shownSteps.has(step.key)) {
        shownSteps.add(step.key);
        progress.onEngineEvent({
          type: 'step.complete',
          instanceId: id,
          stepKey: step.key,
          durationMs: step.durationMs ?? 0,
        });
      }
    }
    showPendingApprovals(pending, instance, { progress, shown: shownApprovals });
    if (isDoneFollowing(detail)) {
      return { detail, actions };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/**
 * Shows each approval request of the run once, while it waits, because the server keeps the
 * step waiting until a human decides or the request expires.
 */
function showPendingApprovals(
  pending: readonly ApprovalRequest[],
  instance: { id: string; tenant: string },
  display: { progress: RunProgress; shown: Set<string> },
): void {
  const session = `${instance.tenant}/${instance.id}`;
  for (const request of pending) {
    if (request.sessionId !== session || display.shown.has(request.id)) {
      continue;
    }
    display.shown.add(request.id);
    const input = JSON.stringify(request.input);
    const preview = input.length > 80 ? `${input.slice(0, 79)}…` : input;
    display.progress.line(
      `  ${pc.yellow('⏸')} waiting for approval ${request.id}: ${request.tool} ${preview} (${request.reason}); approve with "sandstack guard approvals approve ${request.id}" or on the dashboard, until ${request.expiresAt}`,
    );
  }
}

function isDoneFollowing(detail: InstanceDetail): boolean {
  if (FINAL.has(detail.status) || detail.status === 'paused') {
    return true;
  }
  if (detail.status !== 'waiting') {
    return false;
  }
  // An event wait has no wake time; a long sleep wakes later than a local run waits.
  return detail.wakeAtMs === null || detail.wakeAtMs - Date.now() > MAX_FOLLOWED_WAIT_MS;
}

async function summarize(
  remote: Remote,
  input: {
    detail: InstanceDetail;
    actions: SandboxAction[];
    tenant: string;
    resumed: boolean;
    wallSeconds: number;
  },
): Promise<RunSummary> {
  const { detail } = input;
  const actions = (input.actions as unknown as ActionRecord[]).filter(
    (action) => action.kind === 'tool',
  );
  const sandboxes = (
    await remote.call((client) => client.sandboxes.list({ includeReleased: true }))
  ).filter((sandbox) => sandbox.runId === detail.id);
  const sessionId = `${input.tenant}/${detail.id}`;
  return {
    instanceId: detail.id,
    tenant: input.tenant,
    workflow: detail.workflow,
    version: detail.version,
    status: detail.status,
    resumed: input.resumed,
    output: detail.output ?? null,
    error: detail.error,
    steps: detail.steps.length,
    replayedSteps: 0,
    allowed: actions.filter((action) => action.verdict === 'allow').length,
    blocked: actions.filter((action) => action.verdict !== 'allow').map(toBlocked),
    halted: backstopFromActions(actions, sessionId).state(sessionId).halted,
    commands: actions.map((action) => ({
      step: action.stepKey,
      tool: action.tool,
      input: action.input,
      verdict: action.verdict,
      exitCode: action.exitCode ?? null,
    })),
    cpuSeconds: round(sum(sandboxes, (sandbox) => sandbox.usage?.cpuSeconds ?? 0)),
    memoryPeakBytes: sum(sandboxes, (sandbox) => sandbox.usage?.memoryPeakBytes ?? 0),
    gibSeconds: round(sum(sandboxes, (sandbox) => sandbox.usage?.gibSeconds ?? 0)),
    wallSeconds: round(input.wallSeconds),
    traceId: detail.traceId ?? '',
  };
}

function sum(sandboxes: readonly Sandbox[], value: (sandbox: Sandbox) => number): number {
  return sandboxes.reduce((total, sandbox) => total + value(sandbox), 0);
}
