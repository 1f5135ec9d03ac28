/**
 * Turns a workflow file or folder into the one source file the deploy route takes. The
 * server bundles and checks it again in an empty folder, so a workflow that imports files
 * beside its entry is bundled into one ES module here first.
 */
import { dirname } from 'node:path';
import * as esbuild from 'esbuild';
import { SandstackError } from '../core/errors.js';
import { SHIM_SPECIFIERS, resolveEntryFile } from '../workflows/bundle.js';

/**
 * Bundles the workflow's own files into one JavaScript ES module that still imports the
 * workflow API (`sandstack/workflows` and its aliases) by name.
 * @throws SandstackError `FILE_NOT_FOUND` for a missing entry, `WORKFLOW_INVALID` for a
 *   syntax error or an import of a package
 */
export async function workflowUploadSource(entryPath: string): Promise<string> {
  const entryFile = resolveEntryFile(entryPath);
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      entryPoints: [entryFile],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      tsconfigRaw: '{}',
      logLevel: 'silent',
      absWorkingDir: dirname(entryFile),
      plugins: [onlyWorkflowImports()],
    });
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const first = failure.errors?.[0];
    const where =
      first?.location === null || first?.location === undefined
        ? ''
        : ` at ${first.location.file}:${first.location.line}:${first.location.column}`;
    throw new SandstackError(
      'WORKFLOW_INVALID',
      `Workflow "${entryPath}" does not bundle${where}: ${first?.text ?? String(error)}`,
      { cause: error },
    );
  }
  const output = result.outputFiles[0];
  if (output === undefined) {
    throw new SandstackError('INTERNAL', `esbuild produced no output for workflow "${entryPath}"`);
  }
  return output.text;
}

/** Keeps the workflow API imports as they are and rejects every other package import. */
function onlyWorkflowImports(): esbuild.Plugin {
  return {
    name: 'sandstack-upload',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (SHIM_SPECIFIERS.includes(args.path)) {
          return { path: args.path, external: true };
        }
        return {
          errors: [
            {
              text: `Import "${args.path}" is not allowed; a workflow may import only ${SHIM_SPECIFIERS.join(', ')} and files beside it`,
            },
          ],
        };
      });
    },
  };
}
