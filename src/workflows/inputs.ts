import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { SandstackError } from '../core/errors.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/private-files.js';
import type { RunInputs } from './bindings/sandbox-binding.js';
import type { HostBinding } from './types.js';

/** Largest file input whose text tenant code may read. */
const MAX_TEXT_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Largest folder input, as a tar archive. The archive is read into memory to upload it into
 * the sandbox, and a default sandbox disk is 1 GiB, so larger folders would fail later.
 */
export const MAX_DIRECTORY_INPUT_BYTES = 256 * 1024 * 1024;

/** Host folders that are never a run input: the whole host, or where it keeps its secrets. */
const REJECTED_DIRECTORIES = ['/', '/root', '/home', '/etc', '/proc', '/sys', '/dev', '/boot'];

const inputSchema = z.strictObject({
  type: z.enum(['file', 'directory']),
  default: z.string().optional(),
  description: z.string().optional(),
});

/** JSON types a declared param may have. */
const PARAM_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;

const paramSchema = z.strictObject({
  type: z.enum(PARAM_TYPES).optional(),
  required: z.boolean().optional(),
  description: z.string().optional(),
});

/**
 * The `sandstack.json` manifest beside a workflow. When it has `params`, a run takes only
 * those params and its `inputs`, so a misspelled key fails instead of being ignored.
 */
export const manifestSchema = z.strictObject({
  workflow: z.string().optional(),
  name: z.string().optional(),
  inputs: z.record(z.string(), inputSchema).default({}),
  params: z.record(z.string(), paramSchema).optional(),
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
 * Checks a run's params against the params the manifest declares: no unknown key, each
 * required one present, and each of its declared JSON type. Without declared params any
 * params pass, because the workflow may read keys the manifest does not list.
 * @throws SandstackError `INVALID_ARGUMENT` naming the key and what the manifest allows
 */
export function checkParams(
  manifest: Pick<WorkflowManifest, 'params' | 'inputs'>,
  params: unknown,
): void {
  const declared = manifest.params;
  if (declared === undefined) {
    return;
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Params must be a JSON object, got ${jsonTypeOf(params)}, because the workflow's sandstack.json declares params`,
    );
  }
  const given = params as Record<string, unknown>;
  const known = [...Object.keys(declared), ...Object.keys(manifest.inputs)];
  const allowed = known.length === 0 ? 'none' : known.join(', ');
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Unknown param "${key}"; the workflow's sandstack.json declares ${allowed}, so check the spelling or declare "${key}" under "params"`,
      );
    }
  }
  for (const [key, spec] of Object.entries(declared)) {
    const value = Object.hasOwn(given, key) ? given[key] : undefined;
    if (value === undefined) {
      if (spec.required === true) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Param "${key}" is missing; the workflow's sandstack.json requires it`,
          { remedy: { cli: 'pass it in --params', http: 'send it in "params"' } },
        );
      }
      continue;
    }
    const actual = jsonTypeOf(value);
    if (spec.type !== undefined && actual !== spec.type) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Param "${key}" must be of type ${spec.type}, got ${actual} ${JSON.stringify(value)}`,
      );
    }
  }
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) {
    return 'array';
  }
  return value === null ? 'null' : typeof value;
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
    const param = Object.hasOwn(options.params, name) ? options.params[name] : undefined;
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
    if (param === undefined) {
      await checkDefaultInside(name, spec.default ?? '', source, options.manifestDir);
    }
    resolved.push({ name, type: spec.type, source });
  }
  return resolved;
}

/**
 * Rejects a manifest default that leads out of the workflow's folder, symlinks included:
 * the workflow's author chose it, and running the workflow must not hand them the
 * runner's other files. A path the runner passes in --params may go anywhere.
 */
async function checkDefaultInside(
  name: string,
  given: string,
  source: string,
  manifestDir: string,
): Promise<void> {
  const [real, folder] = await Promise.all([realpath(source), realpath(manifestDir)]);
  if (real === folder || real.startsWith(`${folder}${sep}`)) {
    return;
  }
  throw new SandstackError(
    'INVALID_ARGUMENT',
    `Input "${name}": the default "${given}" in sandstack.json leads outside the workflow's folder (to "${real}"); pass the path yourself with --params '{"${name}": "<path>"}'`,
  );
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
  if (type === 'directory') {
    const real = await realpath(path);
    if (REJECTED_DIRECTORIES.includes(real) || real === homedir()) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Input "${name}": folder "${path}" is the host's ${real === homedir() ? 'home folder' : `"${real}"`}, which holds more than a project and may hold secrets; pass the project's own folder`,
      );
    }
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
  await mkdir(snapshotDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const index: Record<string, { type: string; fileName: string; source: string }> = {};
  for (const input of inputs) {
    if (input.type === 'file') {
      // copyFile keeps the source's mode, so the copy is made private after.
      const target = join(snapshotDir, `${input.name}.file`);
      await copyFile(input.source, target);
      await chmod(target, PRIVATE_FILE_MODE);
    } else {
      await createTar(input.source, join(snapshotDir, `${input.name}.tar`));
    }
    index[input.name] = {
      type: input.type,
      fileName: basename(input.source),
      source: input.source,
    };
  }
  await writeFile(join(snapshotDir, 'inputs.json'), JSON.stringify(index, null, 2), {
    mode: PRIVATE_FILE_MODE,
  });
}

/**
 * Archives a folder into `target`, stopping at {@link MAX_DIRECTORY_INPUT_BYTES}. The archive
 * is written under a temporary name and renamed when complete, so a failed or killed copy
 * never looks like a finished one.
 */
export async function createTar(sourceDir: string, target: string): Promise<void> {
  const partial = `${target}.partial`;
  const tar = spawn('tar', ['-C', sourceDir, '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  tar.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  const exited = new Promise<number | null>((done) => tar.once('close', (code) => done(code)));
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > MAX_DIRECTORY_INPUT_BYTES) {
        callback(new InputTooLargeError());
        return;
      }
      callback(null, chunk);
    },
  });
  try {
    await pipeline(tar.stdout, limit, createWriteStream(partial, { mode: PRIVATE_FILE_MODE }));
    const code = await exited;
    if (code !== 0) {
      throw new Error(`tar exited with ${code}: ${stderr.trim()}`);
    }
    await rename(partial, target);
  } catch (error) {
    tar.kill('SIGKILL');
    await rm(partial, { force: true });
    if (error instanceof InputTooLargeError) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Folder "${sourceDir}" is larger than ${MAX_DIRECTORY_INPUT_BYTES} bytes as a tar archive, the limit for folder inputs; pass a smaller folder or leave build outputs out`,
      );
    }
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Could not archive folder "${sourceDir}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}

class InputTooLargeError extends Error {}

/** Opens the input snapshot of one run. */
export function openRunInputs(snapshotDir: string): RunInputs {
  const readIndex = async (): Promise<Record<string, { type: string; fileName: string }>> => {
    const text = await readFile(join(snapshotDir, 'inputs.json'), 'utf8').catch(() => '{}');
    return JSON.parse(text) as Record<string, { type: string; fileName: string }>;
  };
  const entry = async (name: string): Promise<{ type: string; fileName: string }> => {
    const index = await readIndex();
    // An own-property lookup, so `__proto__` or `toString` is not found like any other name.
    const found = Object.hasOwn(index, name) ? index[name] : undefined;
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
