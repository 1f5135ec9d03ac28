/**
 * `sandstack run`: deploy a workflow, start or resume an instance and follow it to the end,
 * in this process on the state folder or, with a server set, on the server.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { isSandstackError, SandstackError } from '../../core/errors.js';
import { isValidName, newId } from '../../core/ids.js';
import { RunSpans } from '../../telemetry/run-spans.js';
import { runTraceKey } from '../../telemetry/span-store.js';
import {
  checkParams,
  openRunInputs,
  resolveInputs,
  snapshotInputs,
} from '../../workflows/inputs.js';
import { integerOption } from '../options.js';
import { printJson } from '../output.js';
import { openRemote } from '../remote.js';
import { RunProgress } from '../progress.js';
import { openStack, type Stack } from '../../server/stack.js';
import { createRunBindings, replayBackstop } from '../../server/run-bindings.js';
import { policyWithFile } from '../../guard/guard.js';
import { acquireRunLock } from '../../server/run-lock.js';
import { releaseClaimedSandboxes } from '../../server/run-sandboxes.js';
import { ISOLATE_MEMORY_MB_RANGE, WorkflowEngine } from '../../workflows/engine.js';
import { runOnServer } from './run-remote.js';
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
import type { InstanceInfo, InstanceResult } from '../../workflows/engine.js';
import type { JsonValue } from '../../workflows/types.js';

/** Registers `sandstack run`. */
export function register(program: Command): void {
  program
    .command('run')
    .description(
      'Deploy a workflow for a tenant, start (or resume) an instance and follow it to the end',
    )
    .argument(
      '<workflow>',
      'workflow file (.ts or .js) or folder (with workflow.ts or sandstack.json)',
    )
    .option('--tenant <id>', 'tenant that owns the workflow and the run', 'default')
    .option(
      '--params <json>',
      'instance params as a JSON object; run inputs declared in sandstack.json are paths',
    )
    .option('--id <instanceId>', 'instance id; an unfinished instance with this id is resumed')
    .option(
      '--memory-mb <n>',
      `memory cap of the workflow isolate, in MB, from ${ISOLATE_MEMORY_MB_RANGE.min} to ${ISOLATE_MEMORY_MB_RANGE.max} (limits.memoryMb; default 128)`,
      integerOption(ISOLATE_MEMORY_MB_RANGE.min, ISOLATE_MEMORY_MB_RANGE.max),
    )
    .option(
      '--cpu-per-step-ms <n>',
      'CPU time one step may use in the isolate, in ms (limits.cpuPerStepMs; default 30000)',
      positiveInteger,
    )
    .option(
      '--cpu-per-run-ms <n>',
      'CPU time one run() call may use in the isolate, in ms (limits.cpuPerRunMs; default 60000)',
      positiveInteger,
    )
    .option(
      '--policy <file>',
      "guard policy file (YAML or JSON) whose rules are added to the default policy, such as an allow rule 'WebFetch(domain:api.internal)' for a host the run may fetch",
    )
    .option('--json', 'print the summary as one JSON object instead of progress lines')
    .action(async (workflow: string, options: RunOptions, command: Command) => {
      const globals = command.optsWithGlobals<{ stateDir: string }>();
      const remote = openRemote(command);
      if (remote !== undefined && options.policy !== undefined) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          '--policy applies to runs on this machine; a server runs every run with the policy given to "sandstack serve --policy"',
        );
      }
      const runOptions = { ...options, stateDir: globals.stateDir };
      const summary =
        remote === undefined
          ? await runWorkflow(workflow, runOptions)
          : await runOnServer(remote, workflow, runOptions, command);
      const finishedWell = summary.status === 'complete' || summary.status === 'waiting';
      process.exitCode = finishedWell ? 0 : 1;
    });
}

const positiveInteger = integerOption(1, Number.MAX_SAFE_INTEGER);

/** Runs (or resumes) one workflow instance and returns its summary. */
export async function runWorkflow(workflowPath: string, options: RunOptions): Promise<RunSummary> {
  if (!isValidName(options.tenant)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Tenant "${options.tenant}" is invalid; use 1-63 letters, digits, '.', '_' or '-'`,
    );
  }
  if (options.id !== undefined && !isValidName(options.id)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Instance id "${options.id}" is invalid; use 1-63 letters, digits, '.', '_' or '-'`,
    );
  }
  const params = parseParams(options.params);
  const source = await locateWorkflow(workflowPath);
  checkParams(source.manifest, params);
  const stack = await openStack({
    stateDir: options.stateDir,
    ...(options.policy === undefined ? {} : { policy: policyWithFile(options.policy) }),
  });
  try {
    return await runOnStack(stack, source, params, options);
  } finally {
    await stack.close();
  }
}

async function runOnStack(
  stack: Stack,
  source: WorkflowSource,
  params: Record<string, unknown>,
  options: RunOptions,
): Promise<RunSummary> {
  const started = performance.now();
  const progress = new RunProgress(options.json !== true);
  const inputsDir = (instanceId: string): string =>
    join(stack.stateDir, 'inputs', options.tenant, instanceId);
  // Set once the instance exists; bindings and events only fire after that.
  const spans: { run?: RunSpans } = {};

  const engine = new WorkflowEngine({
    db: stack.db,
    logger: stack.logger,
    bindings: (tenant, instanceId) =>
      createRunBindings({
        stack,
        tenant,
        instanceId,
        inputs: openRunInputs(inputsDir(instanceId)),
        startSpan: (name, stepKey, attributes, kind) => {
          if (spans.run === undefined) {
            throw new SandstackError('INTERNAL', 'Run spans are not ready');
          }
          return spans.run.startSpan(name, stepKey, attributes, kind);
        },
        onAction: (action) => progress.onAction(action),
      }),
    onEvent: (event) => {
      spans.run?.onEvent(event);
      progress.onEngineEvent(event);
    },
    // A CLI run follows the instance to the end, so it waits out sleeps and retry delays
    // in process up to this long. A longer wait returns status `waiting`.
    limits: {
      maxInlineWaitMs: 10 * 60 * 1000,
      ...(options.memoryMb === undefined ? {} : { memoryMb: options.memoryMb }),
      ...(options.cpuPerStepMs === undefined ? {} : { cpuPerStepMs: options.cpuPerStepMs }),
      ...(options.cpuPerRunMs === undefined ? {} : { cpuPerRunMs: options.cpuPerRunMs }),
    },
  });

  const instanceId = options.id ?? newId('run');
  const existing = await existingInstance(engine, options.tenant, instanceId);
  if (existing !== undefined && existing.workflow !== source.name) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Instance "${instanceId}" runs workflow "${existing.workflow}" (version ${existing.version.slice(0, 12)}), not "${source.name}"; resume it with that workflow's code or pick another --id`,
    );
  }
  const lock = acquireRunLock(stack.db, options.tenant, instanceId);
  try {
    return await runLocked(stack, engine, source, params, options, {
      instanceId,
      existing,
      started,
      progress,
      spans,
      inputsDir,
    });
  } finally {
    lock.release();
  }
}

interface LockedRun {
  instanceId: string;
  existing: InstanceInfo | undefined;
  started: number;
  progress: RunProgress;
  spans: { run?: RunSpans };
  inputsDir: (instanceId: string) => string;
}

async function runLocked(
  stack: Stack,
  engine: WorkflowEngine,
  source: WorkflowSource,
  params: Record<string, unknown>,
  options: RunOptions,
  run: LockedRun,
): Promise<RunSummary> {
  const { instanceId, existing, started, progress, spans, inputsDir } = run;
  const resumed = existing !== undefined;
  // A resumed instance stays on the version it started with, whatever the file contains now.
  const version =
    existing?.version ??
    (
      await engine.deploy(
        options.tenant,
        source.name,
        { entryPath: source.entryPath },
        { manifest: paramsManifest(source) },
      )
    ).version;

  if (!resumed) {
    const inputs = await resolveInputs({
      manifest: source.manifest,
      manifestDir: source.manifestDir,
      params,
      cwd: process.cwd(),
    });
    await snapshotInputs(inputs, inputsDir(instanceId));
    await engine.create(options.tenant, source.name, {
      id: instanceId,
      params: params as JsonValue,
    });
  }

  const traceContext = await stack.spans.runContext(runTraceKey(options.tenant, instanceId), () =>
    stack.tracing.newRunContext(),
  );
  const runSpans = new RunSpans(stack.tracing, traceContext, {
    'sandstack.tenant': options.tenant,
    'sandstack.workflow': source.name,
    'sandstack.instance.id': instanceId,
  });
  spans.run = runSpans;

  // An instance that already ended is shown as it is; running it again changes nothing.
  const ended =
    existing?.status === 'complete' ||
    existing?.status === 'errored' ||
    existing?.status === 'terminated';
  let state = '';
  if (ended) {
    state = pc.yellow(`  (already ${existing.status})`);
  } else if (resumed) {
    state = pc.yellow('  (resuming)');
  }
  progress.line(
    `${pc.bold('▶')} ${pc.bold(source.name)}  tenant ${options.tenant}  instance ${instanceId}  version ${version.slice(0, 12)}${state}`,
  );

  const result = await engine.run(options.tenant, instanceId);
  progress.stop();
  if (
    result.status === 'complete' ||
    result.status === 'errored' ||
    result.status === 'terminated'
  ) {
    runSpans.finish(result.status, result.status !== 'complete');
    // As on the server: an instance that ends before its release step keeps no sandbox.
    await releaseClaimedSandboxes(stack, options.tenant, instanceId);
  }

  const summary = await summarize(stack, {
    instanceId,
    tenant: options.tenant,
    workflow: source.name,
    version,
    resumed,
    result,
    traceId: traceContext.traceId,
    wallSeconds: (performance.now() - started) / 1000,
    replayedSteps: progress.replayedSteps,
  });
  if (options.json === true) {
    printJson(summary);
  } else {
    printSummary(summary);
  }
  return summary;
}

async function existingInstance(
  engine: WorkflowEngine,
  tenant: string,
  id: string,
): Promise<InstanceInfo | undefined> {
  try {
    return (await engine.get(tenant, id)).info;
  } catch (error) {
    if (isSandstackError(error, 'NOT_FOUND')) {
      return undefined;
    }
    throw error;
  }
}

interface SummaryInput {
  instanceId: string;
  tenant: string;
  workflow: string;
  version: string;
  resumed: boolean;
  result: InstanceResult;
  traceId: string;
  wallSeconds: number;
  replayedSteps: number;
}

async function summarize(stack: Stack, input: SummaryInput): Promise<RunSummary> {
  const actions = stack.actions
    .list(input.tenant, input.instanceId)
    .filter((action) => action.kind === 'tool');
  const usage = await stack.controller.usageFor({ tenant: input.tenant, runId: input.instanceId });
  return {
    instanceId: input.instanceId,
    tenant: input.tenant,
    workflow: input.workflow,
    version: input.version,
    status: input.result.status,
    resumed: input.resumed,
    output: input.result.output ?? null,
    error:
      input.result.error === undefined
        ? null
        : { code: input.result.error.code, message: input.result.error.message },
    steps: input.result.steps.length,
    replayedSteps: input.replayedSteps,
    allowed: actions.filter((action) => action.verdict === 'allow').length,
    blocked: actions.filter((action) => action.verdict !== 'allow').map(toBlocked),
    halted: replayBackstop(stack, input.tenant, input.instanceId).halted,
    commands: actions.map((action) => ({
      step: action.stepKey,
      tool: action.tool,
      input: action.input,
      verdict: action.verdict,
      exitCode: action.exitCode ?? null,
    })),
    cpuSeconds: round(usage.cpuSeconds),
    memoryPeakBytes: usage.memoryPeakBytes,
    gibSeconds: round(usage.gibSeconds),
    wallSeconds: round(input.wallSeconds),
    traceId: input.traceId,
  };
}
