/**
 * Builds the dashboard's browser script with esbuild from the sources next to this file:
 * the `.ts` files when sandstack runs from source, the `.js` files `tsc` wrote into `dist`
 * otherwise. The bundle is built once per process, at the first request for it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { SandstackError } from '../../core/errors.js';

const HERE = dirname(fileURLToPath(import.meta.url));

let built: Promise<string> | undefined;

/** Returns the bundled browser script, building it on the first call. */
export function dashboardScript(): Promise<string> {
  built ??= buildScript().catch((error: unknown) => {
    // A failed build is not cached, so a fixed file is picked up on the next request.
    built = undefined;
    throw error;
  });
  return built;
}

/** Finds the entry file: `main.ts` from source, `main.js` from the build. */
function entryFile(): string {
  for (const name of ['main.ts', 'main.js']) {
    const path = join(HERE, 'browser', name);
    if (existsSync(path)) {
      return path;
    }
  }
  throw new SandstackError(
    'INTERNAL',
    `Dashboard sources not found in ${join(HERE, 'browser')}; rebuild sandstack with "npm run build"`,
  );
}

async function buildScript(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entryFile()],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    // The browser code has no Node globals; the project's tsconfig is for Node.
    tsconfigRaw: '{}',
  });
  const output = result.outputFiles[0];
  if (output === undefined) {
    throw new SandstackError('INTERNAL', 'esbuild wrote no dashboard bundle');
  }
  return output.text;
}
