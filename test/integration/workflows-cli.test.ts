/**
 * `sandstack workflow` and `sandstack instance` against a real state database, run from
 * source so that the test does not depend on a build.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');
const execFileAsync = promisify(execFile);

describe('sandstack workflow and instance commands', () => {
  let dir: string;

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
    dir = await mkdtemp(join(tmpdir(), 'sandstack-workflow-cli-'));
    await writeFile(
      join(dir, 'nap.js'),
      `import { WorkflowEntrypoint } from 'sandstack/workflows';
       export class Nap extends WorkflowEntrypoint {
         async run(event, step) { await step.sleep('nap', '1 hour'); return 'rested'; }
       }`,
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys a workflow and lists it', async () => {
    const deployed = await cli([
      'workflow',
      'deploy',
      join(dir, 'nap.js'),
      '--name',
      'nap',
      '--tenant',
      'acme',
      '--json',
    ]);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout)).toMatchObject({
      workflow: 'nap',
      className: 'Nap',
      created: true,
    });

    const listed = await cli(['workflow', 'list', '--tenant', 'acme', '--json']);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
  }, 60_000);

  it('shows and terminates an instance', async () => {
    const db = openDatabase(join(dir, 'state', 'state.db'));
    try {
      const engine = new WorkflowEngine({ db });
      await engine.create('acme', 'nap', { id: 'nap-1' });
      expect((await engine.run('acme', 'nap-1')).status).toBe('waiting');
    } finally {
      db.close();
    }

    const listed = await cli(['instance', 'list', '--tenant', 'acme']);
    expect(listed.stdout).toContain('nap-1');
    const terminated = await cli(['instance', 'terminate', 'nap-1', '--tenant', 'acme']);
    expect(terminated.code, terminated.stderr).toBe(0);
    const shown = await cli(['instance', 'get', 'nap-1', '--tenant', 'acme', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'nap-1', status: 'terminated' });
  }, 60_000);

  it('hides an instance from another tenant', async () => {
    const result = await cli(['instance', 'get', 'nap-1', '--tenant', 'other']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not found');
  }, 60_000);

  it('prunes ended instances and their inputs', async () => {
    const inputs = join(dir, 'state', 'inputs', 'acme', 'nap-1');
    await mkdir(inputs, { recursive: true });
    await writeFile(join(inputs, 'inputs.json'), '{}');
    const db = openDatabase(join(dir, 'state', 'state.db'));
    try {
      const engine = new WorkflowEngine({ db });
      await engine.create('acme', 'nap', { id: 'nap-2' });
      expect((await engine.run('acme', 'nap-2')).status).toBe('waiting');
    } finally {
      db.close();
    }

    const kept = await cli(['instance', 'prune', '--json']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ deleted: { terminated: 0 } });

    const pruned = await cli(['instance', 'prune', '--retain-terminated', '0', '--json']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(JSON.parse(pruned.stdout)).toEqual({
      dryRun: false,
      deleted: { complete: 0, errored: 0, terminated: 1 },
      instances: [{ tenant: 'acme', id: 'nap-1', status: 'terminated' }],
      releasedIds: 0,
    });
    expect(existsSync(inputs)).toBe(false);
    const listed = await cli(['instance', 'list', '--tenant', 'acme']);
    expect(listed.stdout).not.toContain('nap-1');
    expect(listed.stdout).toContain('nap-2');
  }, 60_000);

  it('rejects a bad retention period', async () => {
    const result = await cli(['instance', 'prune', '--retain-errored', 'soon']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid --retain-errored "soon"');

    const reserve = await cli(['instance', 'prune', '--reserve-deleted-ids-for', 'soon']);
    expect(reserve.code).toBe(1);
    expect(reserve.stderr).toContain('Invalid --reserve-deleted-ids-for "soon"');
  }, 60_000);

  it('names a missing workflow file', async () => {
    const result = await cli(['workflow', 'deploy', 'no/such/file.ts', '--name', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no/such/file.ts');
  }, 60_000);

  it('rejects params the manifest does not declare', async () => {
    const folder = join(dir, 'declared');
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, 'workflow.js'),
      `import { WorkflowEntrypoint } from 'sandstack/workflows';
       export class Hello extends WorkflowEntrypoint {
         async run(event) { return 'hello ' + event.payload.name; }
       }`,
    );
    await writeFile(
      join(folder, 'sandstack.json'),
      JSON.stringify({ params: { name: { type: 'string', required: true } } }),
    );
    const cases: [string, string][] = [
      [
        '{"nam": "ada"}',
        `Unknown param "nam"; the workflow's sandstack.json declares name, so check the spelling`,
      ],
      ['{"name": 5}', 'Param "name" must be of type string, got number 5'],
      ['{}', 'Param "name" is missing; the workflow\'s sandstack.json requires it'],
    ];
    for (const [params, expected] of cases) {
      const result = await cli(['run', folder, '--params', params]);
      expect(result.code, params).toBe(1);
      expect(result.stderr, params).toContain(expected);
    }
    const accepted = await cli(['run', folder, '--params', '{"name": "ada"}', '--json']);
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ status: 'complete', output: 'hello ada' });
  }, 120_000);

  it('shows a cut command output', async () => {
    await writeFile(
      join(dir, 'long-output.js'),
      `import { WorkflowEntrypoint } from 'sandstack/workflows';
       export class LongOutput extends WorkflowEntrypoint {
         async run(event, step) {
           return step.do('print', async () => {
             const sandbox = await this.env.SANDBOX.claim({ template: 'default' });
             const outcome = await this.env.SANDBOX.exec(
               sandbox.id,
               'head -c 100000 /dev/zero | tr "\\\\0" x',
             );
             await this.env.SANDBOX.release(sandbox.id);
             return outcome.output.length;
           });
         }
       }`,
    );
    const result = await cli(['run', join(dir, 'long-output.js')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'output cut at 65536 bytes; the workflow received only the start of it',
    );
  }, 120_000);

  it('rejects an out-of-range --memory-mb', async () => {
    const result = await cli(['run', join(dir, 'nap.js'), '--memory-mb', '1e12']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1e12 is out of range; use 8 to 16384');
  }, 60_000);
});
