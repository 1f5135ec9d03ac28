/**
 * One instance, several commands at once: a second `sandstack run --id` for an instance that
 * another process is running stops with an error, `instance terminate` releases the
 * instance's sandbox, and an instance id cannot be resumed with another workflow's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, startCli } from '../helpers/cli.js';

const COUNTING = 'test/fixtures/workflows/counting/workflow.ts';

describe('sandstack run on a busy instance', () => {
  let state: { path: string; remove: () => Promise<void> };
  const cli = (args: string[]) => runCli(['--state-dir', state.path, ...args]);

  beforeAll(async () => {
    state = await makeTempDir('concurrency');
  });

  afterAll(async () => {
    await state.remove();
  });

  it('refuses a second runner and releases on terminate', async () => {
    const runArgs = ['run', COUNTING, '--tenant', 'acme', '--id', 'busy-1'];
    const first = startCli([
      '--state-dir',
      state.path,
      ...runArgs,
      '--params',
      '{"sleepSeconds": 60}',
    ]);
    await first.waitForOutput(/step 2\s.*exit 0/);

    const second = await cli(runArgs);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('is being run by process');
    expect(second.stderr).toContain(String(first.child.pid));

    const terminated = await cli(['instance', 'terminate', 'busy-1', '--tenant', 'acme', '--json']);
    expect(terminated.code, terminated.stderr).toBe(0);
    const report = JSON.parse(terminated.stdout) as { releasedSandboxes: string[] };
    expect(report.releasedSandboxes).toHaveLength(1);

    const ended = await first.done;
    expect(ended.code).toBe(1);
    expect(ended.stdout).toContain('terminated');
    expect(ended.stdout).not.toContain('resume    sandstack run');

    const sandboxes = await cli(['sandbox', 'list', '--tenant', 'acme', '--json']);
    expect(sandboxes.code, sandboxes.stderr).toBe(0);
    expect(JSON.parse(sandboxes.stdout)).toEqual([]);
  }, 240_000);

  it('rejects resuming with another workflow', async () => {
    const result = await cli([
      'run',
      'examples/agent-session',
      '--tenant',
      'acme',
      '--id',
      'busy-1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('runs workflow "workflow"');
    expect(result.stderr).toContain('pick another --id');
  }, 120_000);

  it('keeps one trace per tenant for a shared id', async () => {
    const traceIds: string[] = [];
    for (const tenant of ['red', 'blue']) {
      const run = await cli([
        'run',
        'examples/agent-session',
        '--tenant',
        tenant,
        '--id',
        'same-1',
        '--json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      traceIds.push((JSON.parse(run.stdout) as { traceId: string }).traceId);
    }
    expect(traceIds[0]).not.toBe(traceIds[1]);

    const ambiguous = await cli(['trace', 'same-1']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('pass --tenant');

    const blue = await cli(['trace', 'same-1', '--tenant', 'blue']);
    expect(blue.code, blue.stderr).toBe(0);
    expect(blue.stdout).toContain(`trace ${traceIds[1]}`);
  }, 240_000);
});
