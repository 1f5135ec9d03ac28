/**
 * The package's entry points, imported by name as a program that depends on sandstack does,
 * from the built files the test command makes first.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const run = promisify(execFile);

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string>;
};

/** Runs ES module code in the repository, where the package can import itself by name. */
async function runModule(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    cwd: REPO_ROOT,
  });
  return stdout;
}

describe('package exports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandstack-exports-'));

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(manifest.exports))('imports %s by name', async (entry) => {
    const specifier = `${manifest.name}/${entry.replace(/^\.\//, '')}`;
    const names = JSON.parse(
      await runModule(
        `const m = await import('${specifier}'); console.log(JSON.stringify(Object.keys(m)));`,
      ),
    ) as string[];
    expect(names.length).toBeGreaterThan(0);
  });

  it('runs the sandbox guide example', async () => {
    const state = join(dir, 'state');
    const out = await runModule(`
      import { mkdirSync } from 'node:fs';
      import { openDatabase } from 'sandstack/core';
      import { SandboxController } from 'sandstack/sandbox';
      mkdirSync(${JSON.stringify(state)}, { recursive: true });
      const controller = new SandboxController({
        db: openDatabase(${JSON.stringify(join(state, 'state.db'))}),
        stateDir: ${JSON.stringify(join(state, 'sandboxes'))},
      });
      await controller.applyTemplate({ name: 'py', runtime: 'gvisor', resources: { memoryBytes: 1 << 30 } });
      console.log(controller.listTemplates().map((template) => template.name).join(','));
      await controller.close();
    `);
    expect(out.trim().split(',')).toContain('py');
  });
});
