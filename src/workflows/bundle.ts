/**
 * Bundles a tenant's workflow (TypeScript or JavaScript, one file or a folder) into one
 * script for an isolate, with esbuild. The bundle contains the in-isolate runtime, the API
 * shim and the tenant code; it may import nothing else.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describeBundle } from './describe.js';
import { SandstackError } from '../core/errors.js';

/** Import specifiers that resolve to the in-isolate workflow API. */
export const SHIM_SPECIFIERS = [
  'sandstack/workflows',
  'cloudflare:workers',
  'cloudflare:workflows',
];

/** File names tried, in order, when the entry is a folder. */
export const FOLDER_ENTRY_NAMES = ['workflow.ts', 'index.ts', 'workflow.js', 'index.js'];

/**
 * Input of {@link bundleWorkflow}: a file or folder on disk, or source text with a file name
 * for messages. `uploadedAs` marks source that arrived alone, as in an HTTP deploy: messages
 * name the file by it instead of `filename`, and imports of other files are rejected, because
 * no other file came with it.
 */
export type BundleInput =
  | { entryPath: string; className?: string }
  | { source: string; filename: string; className?: string; uploadedAs?: string };

/** A bundled workflow version. */
export interface WorkflowBundle {
  /** The script evaluated in each isolate. */
  code: string;
  /** SHA-256 of `code`, hex; the version id. */
  hash: string;
  /** Exported WorkflowEntrypoint subclass that `run` starts. */
  className: string;
}

const GLOBAL_NAME = '__sandstack_bundle';
const TENANT_SPECIFIER = 'sandstack:tenant';
const ENTRY_SOURCE = [
  "import { installRuntime } from 'sandstack:runtime';",
  `import * as tenantModule from '${TENANT_SPECIFIER}';`,
  'installRuntime(tenantModule);',
].join('\n');

/** Finds a file next to this module, as `.js` when built and `.ts` when run from source. */
function runtimeFile(name: string): string {
  const base = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return existsSync(`${base}.js`) ? `${base}.js` : `${base}.ts`;
}

function loaderFor(path: string): esbuild.Loader {
  const extension = extname(path).toLowerCase();
  if (extension === '.ts' || extension === '.mts' || extension === '.cts') {
    return 'ts';
  }
  if (extension === '.tsx') {
    return 'tsx';
  }
  return 'js';
}

/** Resolves a file or folder entry to a file, or throws FILE_NOT_FOUND naming the path as given. */
export function resolveEntryFile(entryPath: string): string {
  const absolute = resolve(entryPath);
  if (!existsSync(absolute)) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Workflow file "${entryPath}" not found; check the path`,
    );
  }
  if (!statSync(absolute).isDirectory()) {
    return absolute;
  }
  const found = FOLDER_ENTRY_NAMES.map((name) => join(absolute, name)).find((path) =>
    existsSync(path),
  );
  if (found === undefined) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Workflow folder "${entryPath}" has no entry file; add one of ${FOLDER_ENTRY_NAMES.join(', ')}`,
    );
  }
  return found;
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? '');
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Creates the esbuild plugin that maps the shim imports and rejects imports that leave the folder. */
function workflowPlugin(options: {
  root: string;
  tenant: esbuild.OnLoadResult | string;
  singleFile: boolean;
}): esbuild.Plugin {
  return {
    name: 'sandstack-workflow',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') {
          return { path: 'entry', namespace: 'sandstack' };
        }
        if (args.path === 'sandstack:runtime') {
          return { path: runtimeFile('runtime.isolate') };
        }
        if (args.path === TENANT_SPECIFIER) {
          return typeof options.tenant === 'string'
            ? { path: options.tenant }
            : { path: 'tenant', namespace: 'sandstack' };
        }
        const fromRuntime = args.importer === runtimeFile('runtime.isolate');
        if (
          SHIM_SPECIFIERS.includes(args.path) ||
          (fromRuntime && args.path === './shim.isolate.js')
        ) {
          return { path: runtimeFile('shim.isolate') };
        }
        return checkTenantImport(args, options.root, options.singleFile);
      });
      build.onLoad({ filter: /.*/, namespace: 'sandstack' }, (args) =>
        args.path === 'entry'
          ? { contents: ENTRY_SOURCE, loader: 'js', resolveDir: options.root }
          : (options.tenant as esbuild.OnLoadResult),
      );
    },
  };
}

function checkTenantImport(
  args: esbuild.OnResolveArgs,
  root: string,
  singleFile: boolean,
): esbuild.OnResolveResult | undefined {
  if (isNodeBuiltin(args.path)) {
    return {
      errors: [
        {
          text: `Workflow imports the Node module "${args.path}", which workflows cannot use; call a binding from env instead`,
        },
      ],
    };
  }
  if (!args.path.startsWith('.') && !isAbsolute(args.path) && singleFile) {
    return {
      errors: [
        {
          text: `Workflow imports "${args.path}", which is not one of ${SHIM_SPECIFIERS.join(', ')}; copy its code into the uploaded file or remove the import`,
        },
      ],
    };
  }
  if (!args.path.startsWith('.') && !isAbsolute(args.path)) {
    return {
      errors: [
        {
          text: `Workflow imports "${args.path}", which is neither a file in the workflow folder nor one of ${SHIM_SPECIFIERS.join(', ')}; copy the code into the workflow folder or remove the import`,
        },
      ],
    };
  }
  if (singleFile) {
    return {
      errors: [
        {
          text: `Workflow imports "${args.path}", but an uploaded workflow is one file and can import no other file; bundle it into one file before the upload (the sandstack CLI does this)`,
        },
      ],
    };
  }
  if (!isInside(root, resolve(args.resolveDir, args.path))) {
    return {
      errors: [
        {
          text: `Workflow imports "${args.path}", which is outside the workflow folder "${root}"; move the file into the folder`,
        },
      ],
    };
  }
  return undefined;
}

/** Names source-text input by its file name instead of the bundler's virtual module. */
function displayFile(file: string, filename: string): string {
  return file.startsWith('sandstack:') ? filename : resolve(file);
}

function formatBuildError(failure: esbuild.BuildFailure, filename: string): SandstackError {
  const first = failure.errors[0];
  if (first === undefined) {
    return new SandstackError('WORKFLOW_INVALID', `Workflow failed to bundle: ${failure.message}`);
  }
  const where =
    first.location === null
      ? ''
      : ` in ${displayFile(first.location.file, filename)}:${first.location.line}:${first.location.column + 1}`;
  const isSyntax = first.pluginName === '' && first.location !== null;
  const prefix = isSyntax ? 'Syntax error' : 'Invalid workflow';
  return new SandstackError('WORKFLOW_INVALID', `${prefix}${where}: ${first.text}`, {
    details: { errors: failure.errors.map((error) => error.text) },
  });
}

async function runEsbuild(input: BundleInput): Promise<string> {
  const entryFile = 'entryPath' in input ? resolveEntryFile(input.entryPath) : undefined;
  const filename = 'entryPath' in input ? (entryFile ?? '') : resolve(input.filename);
  const root = dirname(filename);
  const uploadedAs = 'entryPath' in input ? undefined : input.uploadedAs;
  const tenant: esbuild.OnLoadResult | string =
    'entryPath' in input
      ? filename
      : { contents: input.source, loader: loaderFor(filename), resolveDir: root };

  try {
    const result = await esbuild.build({
      entryPoints: ['sandstack:entry'],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: GLOBAL_NAME,
      platform: 'neutral',
      target: 'es2022',
      // The project's own tsconfig must not leak into tenant code (verbatimModuleSyntax
      // would keep type-only imports from the shim and fail the bundle).
      tsconfigRaw: '{}',
      logLevel: 'silent',
      loader: { '.json': 'json' },
      // esbuild names each module in a comment by its path from here, so the bundle (and the
      // version hash) depends only on the workflow's own folder, not on where sandstack runs.
      absWorkingDir: root,
      plugins: [workflowPlugin({ root, tenant, singleFile: uploadedAs !== undefined })],
    });
    const output = result.outputFiles?.[0];
    if (output === undefined) {
      throw new SandstackError('INTERNAL', 'esbuild produced no output for the workflow bundle');
    }
    return output.text;
  } catch (error) {
    if (error instanceof Error && 'errors' in error) {
      throw formatBuildError(error as esbuild.BuildFailure, uploadedAs ?? filename);
    }
    throw error;
  }
}

function pickClass(classes: string[], wanted: string | undefined, label: string): string {
  if (wanted !== undefined) {
    if (!classes.includes(wanted)) {
      throw new SandstackError(
        'WORKFLOW_INVALID',
        `Workflow "${label}" exports no WorkflowEntrypoint subclass named "${wanted}"; it exports ${classes.length === 0 ? 'none' : classes.join(', ')}`,
      );
    }
    return wanted;
  }
  const first = classes[0];
  if (first === undefined) {
    throw new SandstackError(
      'WORKFLOW_INVALID',
      `Workflow "${label}" exports no WorkflowEntrypoint subclass; add "export class MyWorkflow extends WorkflowEntrypoint { async run(event, step) { … } }"`,
    );
  }
  return first;
}

/**
 * Bundles a workflow and checks that it exports a WorkflowEntrypoint subclass.
 *
 * @example
 * const bundle = await bundleWorkflow({ entryPath: 'workflows/deploy' });
 * // bundle.hash is the version id; bundle.className is the class `run` starts.
 * @throws SandstackError `FILE_NOT_FOUND` when the entry does not exist, `WORKFLOW_INVALID`
 * for a syntax error (with file, line and column), a rejected import, top-level code that
 * throws, runs long or runs out of memory, or a module with no WorkflowEntrypoint subclass.
 */
export async function bundleWorkflow(input: BundleInput): Promise<WorkflowBundle> {
  const code = await runEsbuild(input);
  const label = 'entryPath' in input ? input.entryPath : (input.uploadedAs ?? input.filename);
  const className = pickClass(await describeBundle(code), input.className, label);
  const hash = createHash('sha256').update(code).digest('hex');
  return { code, hash, className };
}
