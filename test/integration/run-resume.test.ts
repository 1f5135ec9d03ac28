/**
 * Crash and resume through the CLI: `sandstack run` is killed with SIGKILL while a step is
 * in flight, then started again with the same instance id. Side effects are counted in a
 * file inside the sandbox, not in log lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, startCli } from '../helpers/cli.js';

const WORKFLOW = 'test/fixtures/workflows/counting/workflow.ts';

describe('sandstack run after kill -9', () => {
  let state: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    state = await makeTempDir('resume');
  });

  afterAll(async () => {
    await state.remove();
  });

  it('resumes without repeating finished steps', async () => {
    const args = [
      '--state-dir',
      state.path,
      'run',
      WORKFLOW,
      '--tenant',
      'acme',
      '--id',
      'crash-1',
    ];
    const first = startCli([...args, '--params', '{"sleepSeconds": 30}']);
    // Step 2's line is printed after its command finished and its result was committed.
    await first.waitForOutput(/step 2\s.*exit 0/);
    // Step 3 starts right after; give it time to be inside its 30 s sleep.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const second = await runCli([...args, '--json']);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    const summary = JSON.parse(second.stdout) as {
      status: string;
      output: { log: string };
      resumed: boolean;
    };
    expect(summary.resumed).toBe(true);
    expect(summary.status).toBe('complete');

    const lines = summary.output.log.trim().split('\n');
    const count = (line: string): number => lines.filter((entry) => entry === line).length;
    expect(count('step-1')).toBe(1);
    expect(count('step-2')).toBe(1);
    // The step in flight at the kill ran again: at least once, as the contract says.
    expect(count('step-3-start')).toBeGreaterThanOrEqual(1);
    expect(count('step-3-end')).toBe(1);
    expect(count('step-4')).toBe(1);
  }, 240_000);

  it('reports a finished instance again without running it', async () => {
    const args = [
      '--state-dir',
      state.path,
      'run',
      WORKFLOW,
      '--tenant',
      'acme',
      '--id',
      'crash-1',
      '--json',
    ];
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as { status: string; output: { log: string } };
    expect(summary.status).toBe('complete');
    expect(
      summary.output.log
        .trim()
        .split('\n')
        .filter((line) => line === 'step-4'),
    ).toHaveLength(1);

    const shown = await runCli(args.filter((arg) => arg !== '--json'));
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout + shown.stderr).toContain('(already complete)');
    expect(shown.stdout + shown.stderr).not.toContain('(resuming)');
  }, 120_000);
});
