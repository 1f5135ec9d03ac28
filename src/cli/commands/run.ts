import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import pc from 'picocolors';
import { isSandstackError, SandstackError } from '../../core/errors.js';
import { isValidName, newId } from '../../core/ids.js';
import { RunSpans } from '../../telemetry/run-spans.js';
import { runTraceKey } from '../../telemetry/span-store.js';
import {
  manifestSchema,
  openRunInputs,
  resolveInputs,
  snapshotInputs,
  type WorkflowManifest,
} from '../../workflows/inputs.js';
import { printJson, printLine } from '../output.js';
import { RunProgress, describeInput, formatMs } from '../progress.js';
import { openStack, type Stack } from '../../server/stack.js';
import { createRunBindings, replayBackstop } from '../../server/run-bindings.js';
import { acquireRunLock } from '../../server/run-lock.js';
import { WorkflowEngine } from '../../workflows/engine.js';
import type { ActionRecord } from '../../workflows/bindings/action-log.js';
import type { InstanceInfo, InstanceResult } from '../../workflows/engine.js';
import type { JsonValue } from '../../workflows/types.js';

interface RunOptions {
  tenant: string;
  params?: string;
  id?: string;
  json?: boolean;
  stateDir: string;
  memoryMb?: number;
  cpuPerStepMs?: number;
  cpuPerRunMs?: number;
}

/** A workflow given on the command line, with its manifest if it has one. */
interface WorkflowSource {
  entryPath: string;
  name: string;
  manifest: WorkflowManifest;
  manifestDir: string;
}

/** The summary `sandstack run` prints, and prints as JSON with `--json`. */
export interface RunSummary {
  instanceId: string;
  tenant: string;
  workflow: string;
  version: string;
  status: string;
  resumed: boolean;
  output: unknown;
  error: { code: string; message: string } | null;
  steps: number;
  replayedSteps: number;
  allowed: number;
  blocked: {
    tool: string;
    input: Record<string, unknown>;
    reason: string;
    category: string | null;
    verdict: string;
  }[];
  /** The guard's denial backstop stopped the session for a human. */
  halted: boolean;
  commands: {
    /** The workflow step that ran the command. */
    step: string;
    tool: string;
    input: Record<string, unknown>;
    verdict: string;
    exitCode: number | null;
  }[];
  cpuSeconds: number;
  memoryPeakBytes: number;
  wallSeconds: number;
  traceId: string;
}

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
      'memory cap of the workflow isolate, in MB (limits.memoryMb; default 128)',
      positiveInteger,
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
    .option('--json', 'print the summary as one JSON object instead of progress lines')
    .action(async (workflow: string, options: RunOptions, command: Command) => {
      const globals = command.optsWithGlobals<{ stateDir: string }>();
      const summary = await runWorkflow(workflow, { ...options, stateDir: globals.stateDir });
      const finishedWell = summary.status === 'complete' || summary.status === 'waiting';
      process.exitCode = finishedWell ? 0 : 1;
    });
}

function positiveInteger(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`"${raw}" is not a positive whole number`);
  }
  return value;
}

function parseParams(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `--params is not valid JSON (${(error as Error).message}); pass an object such as '{"session": "s.jsonl"}'`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `--params must be a JSON object, got ${JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Locates the workflow entry and its manifest (`sandstack.json` in the folder). */
async function locateWorkflow(path: string): Promise<WorkflowSource> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Workflow "${path}" not found; pass a .ts or .js file or a folder that contains workflow.ts`,
    );
  }
  const dir = info.isDirectory() ? path : dirname(path);
  const manifest = await readManifest(join(dir, 'sandstack.json'));
  const defaultName = info.isDirectory() ? basename(path) : basename(path, extname(path));
  let entryPath = path;
  if (info.isDirectory() && manifest.workflow !== undefined) {
    entryPath = join(dir, manifest.workflow);
  }
  const name = manifest.name ?? defaultName.replace(/[^A-Za-z0-9._-]/g, '-');
  return { entryPath, name, manifest, manifestDir: dir };
}

async function readManifest(path: string): Promise<WorkflowManifest> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) {
    return { inputs: {} };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SandstackError(
      'INVALID_CONFIG',
      `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

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
  const stack = await openStack({ stateDir: options.stateDir });
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
        startSpan: (name, stepKey, attributes) => {
          if (spans.run === undefined) {
            throw new SandstackError('INTERNAL', 'Run spans are not ready');
          }
          return spans.run.startSpan(name, stepKey, attributes);
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
    (await engine.deploy(options.tenant, source.name, { entryPath: source.entryPath })).version;

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

  const traceContext = stack.spans.runContext(runTraceKey(options.tenant, instanceId), () =>
    stack.tracing.newRunContext(),
  );
  const runSpans = new RunSpans(stack.tracing, traceContext, {
    'sandstack.tenant': options.tenant,
    'sandstack.workflow': source.name,
    'sandstack.instance.id': instanceId,
  });
  spans.run = runSpans;

  progress.line(
    `${pc.bold('▶')} ${pc.bold(source.name)}  tenant ${options.tenant}  instance ${instanceId}  version ${version.slice(0, 12)}${resumed ? pc.yellow('  (resuming)') : ''}`,
  );

  const result = await engine.run(options.tenant, instanceId);
  progress.stop();
  if (
    result.status === 'complete' ||
    result.status === 'errored' ||
    result.status === 'terminated'
  ) {
    runSpans.finish(result.status, result.status !== 'complete');
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
    wallSeconds: round(input.wallSeconds),
    traceId: input.traceId,
  };
}

function toBlocked(action: ActionRecord): RunSummary['blocked'][number] {
  return {
    tool: action.tool,
    input: action.input,
    reason: action.reason,
    category: action.category ?? null,
    verdict: action.verdict,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function printSummary(summary: RunSummary): void {
  let statusColor = pc.yellow;
  if (summary.status === 'complete') {
    statusColor = pc.green;
  } else if (summary.status === 'errored') {
    statusColor = pc.red;
  }
  printLine();
  printLine(
    `${pc.bold('Run')} ${summary.instanceId} ${statusColor(summary.status)} in ${formatMs(summary.wallSeconds * 1000)}`,
  );
  if (summary.error !== null) {
    printLine(`  ${pc.red('error')}     [${summary.error.code}] ${summary.error.message}`);
  }
  printLine(
    `  steps     ${summary.steps}${summary.replayedSteps > 0 ? ` (${summary.replayedSteps} replayed from the store)` : ''}`,
  );
  printLine(`  commands  ${summary.allowed} allowed, ${summary.blocked.length} blocked`);
  if (summary.halted) {
    printLine(
      pc.yellow(
        '  halted    too many denials in a row or in all: the guard stopped the session for a human, and later calls did not run',
      ),
    );
  }
  for (const blocked of summary.blocked) {
    printLine(`    ${pc.red('✗')} ${blocked.tool} ${describeInput(blocked.tool, blocked.input)}`);
    printLine(pc.dim(`        ${blocked.category ?? 'policy'}: ${blocked.reason}`));
  }
  printLine(
    `  usage     ${summary.cpuSeconds.toFixed(2)} CPU-seconds, peak memory ${(summary.memoryPeakBytes / 1024 / 1024).toFixed(1)} MiB`,
  );
  printLine(
    `  trace     ${summary.traceId}  (sandstack trace ${summary.instanceId} --tenant ${summary.tenant})`,
  );
  if (
    summary.status !== 'complete' &&
    summary.status !== 'errored' &&
    summary.status !== 'terminated'
  ) {
    printLine(
      `  resume    sandstack run <workflow> --tenant ${summary.tenant} --id ${summary.instanceId}`,
    );
  }
}
