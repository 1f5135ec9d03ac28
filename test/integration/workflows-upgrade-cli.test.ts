/**
 * `sandstack instance upgrade` against a real state database, run from source so that the
 * test does not depend on a build.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');
const execFileAsync = promisify(execFile);

function napSource(firstStep: string, result: string, prologue = ''): string {
  return `import { WorkflowEntrypoint } from 'sandstack/workflows';
    export class Nap extends WorkflowEntrypoint {
      async run(event, step) {
        ${prologue}
        await step.do('${firstStep}', async () => 1);
        await step.sleep('nap', '1 hour');
        return '${result}';
      }
    }`;
}

describe('sandstack instance upgrade', () => {
  let dir: string;
  const versions: Record<string, string> = {};

  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await execFileAsync(
        process.execPath,
        ['--no-node-snapshot', '--import', 'tsx', MAIN, '--state-dir', join(dir, 'state'), ...args],
        { cwd: REPO_ROOT, timeout: 60_000 },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-upgrade-cli-'));
    const db = openDatabase(join(dir, 'state', 'state.db'));
    try {
      const engine = new WorkflowEngine({ db });
      const sources = {
        v1: napSource('prepare', 'v1'),
        v2: napSource('prepare', 'v2'),
        renamed: napSource('setup', 'renamed'),
        outside: napSource('prepare', 'outside', "await this.env.STATE.get('mode');"),
      };
      for (const [name, source] of Object.entries(sources)) {
        await writeFile(join(dir, `${name}.js`), source);
        versions[name] = (
          await engine.deploy('acme', 'nap', { entryPath: join(dir, `${name}.js`) })
        ).version;
      }
      await engine.create('acme', 'nap', { id: 'nap-1' });
      db.prepare('UPDATE workflow_instances SET version = ? WHERE id = ?').run(
        versions.v1,
        'nap-1',
      );
      expect((await engine.run('acme', 'nap-1')).status).toBe('waiting');
    } finally {
      db.close();
    }
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a diverging version', async () => {
    const result = await cli([
      'instance',
      'upgrade',
      'nap-1',
      '--tenant',
      'acme',
      '--to',
      (versions.renamed as string).slice(0, 12),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('do step "setup#1" at position 1');
    expect(result.stderr).toContain('do step "prepare#1"');
  }, 60_000);

  it('rejects a binding call outside steps', async () => {
    const result = await cli([
      'instance',
      'upgrade',
      'nap-1',
      '--tenant',
      'acme',
      '--to',
      versions.outside as string,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('cannot follow env.STATE.get, called outside any step');
  }, 60_000);

  it('upgrades by hash prefix', async () => {
    const result = await cli([
      'instance',
      'upgrade',
      'nap-1',
      '--tenant',
      'acme',
      '--to',
      (versions.v2 as string).slice(0, 12),
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: 'nap-1',
      from: versions.v1,
      to: versions.v2,
      replayedSteps: 2,
    });
    const shown = await cli(['instance', 'get', 'nap-1', '--tenant', 'acme', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ info: { version: versions.v2 } });
  }, 60_000);

  it('rejects an unknown version', async () => {
    const result = await cli(['instance', 'upgrade', 'nap-1', '--tenant', 'acme', '--to', 'zzzz']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Version "zzzz" of workflow "nap" not found');
  }, 60_000);
});
