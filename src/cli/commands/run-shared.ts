/**
 * Pieces `sandstack run` shares between runs on the local state folder and runs on a
 * server: options, locating the workflow and its manifest, and the summary.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import pc from 'picocolors';
import { SandstackError } from '../../core/errors.js';
import type { ActionRecord } from '../../workflows/bindings/action-log.js';
import { manifestSchema, type WorkflowManifest } from '../../workflows/inputs.js';
import type { ParamsManifest } from '../../workflows/stores/store.js';
import { printLine } from '../output.js';
import { describeInput, formatMs } from '../progress.js';

/** Options of `sandstack run`. */
export interface RunOptions {
  tenant: string;
  params?: string;
  id?: string;
  json?: boolean;
  stateDir: string;
  memoryMb?: number;
  cpuPerStepMs?: number;
  cpuPerRunMs?: number;
  /** Policy file whose rules the run's guard adds to the default policy. */
  policy?: string;
}

/** A workflow given on the command line, with its manifest if it has one. */
export interface WorkflowSource {
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
  /** Provisioned memory in GiB times seconds claimed, over the run's sandboxes. */
  gibSeconds: number;
  wallSeconds: number;
  traceId: string;
}

/** Parses `--params` into a JSON object. @throws SandstackError `INVALID_ARGUMENT` */
export function parseParams(raw: string | undefined): Record<string, unknown> {
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

/**
 * Returns the params and inputs the workflow's manifest declares, for the engine to check
 * each new instance's params against; undefined when it declares no params.
 */
export function paramsManifest(source: WorkflowSource): ParamsManifest | undefined {
  const { params, inputs } = source.manifest;
  return params === undefined ? undefined : { params, inputs };
}

/** Locates the workflow entry and its manifest (`sandstack.json` in the folder). */
export async function locateWorkflow(path: string): Promise<WorkflowSource> {
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
    const fix =
      issue?.code === 'unrecognized_keys'
        ? `; check the spelling (${issue.path.length === 0 ? 'the fields are workflow, name, inputs and params' : 'see the run inputs and params in the workflows guide'})`
        : '';
    throw new SandstackError(
      'INVALID_CONFIG',
      `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}${fix}`,
    );
  }
  return parsed.data;
}

/** Returns the summary entry of a blocked call. */
export function toBlocked(action: ActionRecord): RunSummary['blocked'][number] {
  return {
    tool: action.tool,
    input: action.input,
    reason: action.reason,
    category: action.category ?? null,
    verdict: action.verdict,
  };
}

/** Rounds to three decimals for the summary. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Prints the summary of a finished (or stopped) run. A run on a server gets hints without
 * `--tenant`, because there the token decides the tenant.
 */
export function printSummary(summary: RunSummary, where: 'local' | 'server' = 'local'): void {
  const tenantFlag = where === 'local' ? ` --tenant ${summary.tenant}` : '';
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
    `  usage     ${summary.cpuSeconds.toFixed(2)} CPU-seconds, ${summary.gibSeconds.toFixed(1)} GiB-seconds, peak memory ${(summary.memoryPeakBytes / 1024 / 1024).toFixed(1)} MiB`,
  );
  printLine(`  trace     ${summary.traceId}  (sandstack trace ${summary.instanceId}${tenantFlag})`);
  if (
    summary.status !== 'complete' &&
    summary.status !== 'errored' &&
    summary.status !== 'terminated'
  ) {
    printLine(`  resume    sandstack run <workflow>${tenantFlag} --id ${summary.instanceId}`);
  }
}
