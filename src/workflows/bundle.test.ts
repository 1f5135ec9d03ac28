import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflow } from './bundle.js';

const MINIMAL = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Hello extends WorkflowEntrypoint {
  async run(event, step) { return step.do('hi', async () => 'hi'); }
}`;

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('Expected the bundle to be rejected');
}

describe('bundleWorkflow', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-bundle-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('bundles source text and names the class', async () => {
    const bundle = await bundleWorkflow({ source: MINIMAL, filename: 'hello.js' });
    expect(bundle.className).toBe('Hello');
    expect(bundle.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same hash for the same source', async () => {
    const first = await bundleWorkflow({ source: MINIMAL, filename: 'hello.js' });
    const second = await bundleWorkflow({ source: MINIMAL, filename: 'hello.js' });
    const changed = await bundleWorkflow({
      source: MINIMAL.replace("async () => 'hi'", "async () => 'hello'"),
      filename: 'hello.js',
    });
    expect(second.hash).toBe(first.hash);
    expect(changed.hash).not.toBe(first.hash);
  });

  it('bundles a folder with relative and JSON imports', async () => {
    const folder = join(dir, 'folder');
    await mkdir(join(folder, 'lib'), { recursive: true });
    await writeFile(join(folder, 'config.json'), '{ "greeting": "hello" }');
    await writeFile(
      join(folder, 'lib', 'shout.ts'),
      'export const shout = (s: string): string => s.toUpperCase();',
    );
    await writeFile(
      join(folder, 'workflow.ts'),
      `import { WorkflowEntrypoint, type WorkflowStep } from 'cloudflare:workers';
       import config from './config.json';
       import { shout } from './lib/shout.js';
       export class Folder extends WorkflowEntrypoint<unknown, unknown> {
         async run(_event: unknown, step: WorkflowStep) { return step.do('x', async () => shout(config.greeting)); }
       }`,
    );
    const bundle = await bundleWorkflow({ entryPath: folder });
    expect(bundle.className).toBe('Folder');
    expect(bundle.code).toContain('toUpperCase');
  });

  it('accepts all three shim specifiers', async () => {
    for (const specifier of ['sandstack/workflows', 'cloudflare:workers', 'cloudflare:workflows']) {
      const source = MINIMAL.replace('sandstack/workflows', specifier);
      const bundle = await bundleWorkflow({ source, filename: 'hello.js' });
      expect(bundle.className).toBe('Hello');
    }
  });

  it('rejects a Node builtin with its name', async () => {
    const error = await rejection(
      bundleWorkflow({ source: `import fs from 'node:fs';\n${MINIMAL}`, filename: 'fs.js' }),
    );
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.message).toContain('"node:fs"');
    expect(error.message).toContain('binding');
  });

  it('rejects require of a builtin without the node: prefix', async () => {
    const error = await rejection(
      bundleWorkflow({
        source: `const cp = require('child_process');\n${MINIMAL}`,
        filename: 'cp.js',
      }),
    );
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.message).toContain('"child_process"');
  });

  it('rejects an unknown package', async () => {
    const error = await rejection(
      bundleWorkflow({ source: `import _ from 'lodash';\n${MINIMAL}`, filename: 'pkg.js' }),
    );
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.message).toContain('"lodash"');
  });

  it('rejects an import outside the workflow folder', async () => {
    const folder = join(dir, 'escape');
    await mkdir(folder, { recursive: true });
    await writeFile(join(dir, 'secret.js'), 'export const secret = 1;');
    await writeFile(join(folder, 'index.js'), `import { secret } from '../secret.js';\n${MINIMAL}`);
    const error = await rejection(bundleWorkflow({ entryPath: folder }));
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.message).toContain('outside the workflow folder');
  });

  it('points at a syntax error with file, line and column', async () => {
    const error = await rejection(
      bundleWorkflow({
        source: 'export class A {\n  run() {\n    const x = {;\n  }\n}',
        filename: 'broken.ts',
      }),
    );
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.message).toMatch(/broken\.ts:3:16/);
  });

  it('rejects a module without an entrypoint class', async () => {
    const error = await rejection(
      bundleWorkflow({ source: 'export const x = 1;', filename: 'none.js' }),
    );
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.message).toContain('exports no WorkflowEntrypoint subclass');
  });

  it('rejects top-level code that throws', async () => {
    const error = await rejection(
      bundleWorkflow({ source: `${MINIMAL}\nprocess.exit(1);`, filename: 'top.js' }),
    );
    expect(error.code).toBe('WORKFLOW_INVALID');
    expect(error.message).toContain('process is not defined');
  });

  it('reports a missing file as not found', async () => {
    const error = await rejection(bundleWorkflow({ entryPath: join(dir, 'nope.ts') }));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toContain('nope.ts');
  });

  it('reports a folder without an entry file', async () => {
    const folder = join(dir, 'empty');
    await mkdir(folder, { recursive: true });
    const error = await rejection(bundleWorkflow({ entryPath: folder }));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toContain('workflow.ts');
  });
});
