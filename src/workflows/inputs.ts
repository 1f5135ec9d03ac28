import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { SandstackError } from '../core/errors.js';
import type { RunInputs } from './bindings/sandbox-binding.js';
import type { HostBinding } from './types.js';

const execFileAsync = promisify(execFile);

/** Largest file input whose text tenant code may read. */
const MAX_TEXT_INPUT_BYTES = 16 * 1024 * 1024;

const inputSchema = z.object({
  type: z.enum(['file', 'directory']),
  default: z.string().optional(),
  description: z.string().optional(),
});

/** The `sandstack.json` manifest beside a workflow. */
export const manifestSchema = z.object({
  workflow: z.string().optional(),
  name: z.string().optional(),
  inputs: z.record(z.string(), inputSchema).default({}),
});

/** A parsed workflow manifest. */
export type WorkflowManifest = z.infer<typeof manifestSchema>;

/** One resolved run input: where it was read from on the host and where its snapshot is. */
export interface ResolvedInput {
  name: string;
  type: 'file' | 'directory';
  source: string;
}

/**
 * Resolves each declared input to a host path: the run's param of the same name (relative
 * to `cwd`) or else the manifest's default (relative to the manifest's folder).
 *
 * @throws SandstackError `INVALID_ARGUMENT` when an input has neither, `FILE_NOT_FOUND`
 *   when its path does not exist or is of the wrong type.
 */
export async function resolveInputs(options: {
  manifest: WorkflowManifest;
  manifestDir: string;
  params: Record<string, unknown>;
  cwd: string;
}): Promise<ResolvedInput[]> {
  const resolved: ResolvedInput[] = [];
  for (const [name, spec] of Object.entries(options.manifest.inputs)) {
    const param = options.params[name];
    if (param !== undefined && typeof param !== 'string') {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Param "${name}" must be a path string, got ${JSON.stringify(param)}`,
      );
    }
    const source =
      param !== undefined
        ? resolve(options.cwd, param)
        : spec.default !== undefined
          ? resolve(options.manifestDir, spec.default)
          : undefined;
    if (source === undefined) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Input "${name}" is missing; pass it with --params '{"${name}": "<path>"}'`,
      );
    }
    await checkPath(name, spec.type, source);
    resolved.push({ name, type: spec.type, source });
  }
  return resolved;
}

async function checkPath(name: string, type: 'file' | 'directory', path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Input "${name}": ${type} "${path}" not found; check the path in --params`,
    );
  }
  if (type === 'file' && !info.isFile()) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Input "${name}": "${path}" is not a file; pass a file path`,
    );
  }
  if (type === 'directory' && !info.isDirectory()) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Input "${name}": "${path}" is not a folder; pass a folder path`,
    );
  }
}

/**
 * Copies each input into `snapshotDir` (files as they are, folders as a tar archive), so that
 * a run that resumes later sees exactly the inputs it started with.
 */
export async function snapshotInputs(
  inputs: readonly ResolvedInput[],
  snapshotDir: string,
): Promise<void> {
  await mkdir(snapshotDir, { recursive: true });
  const index: Record<string, { type: string; fileName: string; source: string }> = {};
  for (const input of inputs) {
    if (input.type === 'file') {
      await copyFile(input.source, join(snapshotDir, `${input.name}.file`));
    } else {
      await createTar(input.source, join(snapshotDir, `${input.name}.tar`));
    }
    index[input.name] = {
      type: input.type,
      fileName: basename(input.source),
      source: input.source,
    };
  }
  await writeFile(join(snapshotDir, 'inputs.json'), JSON.stringify(index, null, 2));
}

async function createTar(sourceDir: string, target: string): Promise<void> {
  try {
    await execFileAsync('tar', ['-C', sourceDir, '-cf', target, '.'], { maxBuffer: 1024 * 1024 });
  } catch (error) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Could not archive folder "${sourceDir}": ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Opens the input snapshot of one run. */
export function openRunInputs(snapshotDir: string): RunInputs {
  const readIndex = async (): Promise<Record<string, { type: string; fileName: string }>> => {
    const text = await readFile(join(snapshotDir, 'inputs.json'), 'utf8').catch(() => '{}');
    return JSON.parse(text) as Record<string, { type: string; fileName: string }>;
  };
  const entry = async (name: string): Promise<{ type: string; fileName: string }> => {
    const found = (await readIndex())[name];
    if (found === undefined || !/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new SandstackError(
        'NOT_FOUND',
        `Run input "${name}" not found; declare it in the workflow's sandstack.json`,
      );
    }
    return found;
  };

  return {
    text: async (name) => {
      const found = await entry(name);
      if (found.type !== 'file') {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Run input "${name}" is a folder; use SANDBOX.upload() for folders`,
        );
      }
      const path = join(snapshotDir, `${name}.file`);
      const size = (await stat(path)).size;
      if (size > MAX_TEXT_INPUT_BYTES) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Run input "${name}" is ${size} bytes; the limit for text inputs is ${MAX_TEXT_INPUT_BYTES}`,
        );
      }
      return readFile(path, 'utf8');
    },
    archive: async (name) => {
      const found = await entry(name);
      if (found.type === 'directory') {
        return { kind: 'tar', data: await readFile(join(snapshotDir, `${name}.tar`)) };
      }
      return {
        kind: 'file',
        data: await readFile(join(snapshotDir, `${name}.file`)),
        fileName: found.fileName,
      };
    },
  };
}

/** Creates the `env.INPUTS` binding: read-only access to the run's file inputs. */
export function createInputsBinding(inputs: RunInputs): HostBinding {
  return {
    text: async (_context, name) => {
      if (typeof name !== 'string') {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          'INPUTS.text(name) takes the input name as a string',
        );
      }
      return inputs.text(name);
    },
  };
}

/** Checks that a manifest path stays inside its folder. */
export function isInside(path: string): boolean {
  return !isAbsolute(path) && !path.split(/[\\/]/).includes('..');
}
