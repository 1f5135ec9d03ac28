/**
 * How a command that ends with its sandbox is reported, per local runtime: a release from
 * the same or another controller names the release, and a kill from outside after an earlier
 * memory-limit hit is not blamed on that limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupPids } from '../../src/sandbox/cgroup.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { createTestController, localDrivers, type TestController } from '../helpers/sandbox.js';

const checks = await localDrivers();
const MIB = 1024 * 1024;

let harness: TestController | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

/** Runs a command and returns its exit code and output, or the message it threw. */
async function outcomeOf(
  sandbox: SandboxInstance,
  command: string,
  onStarted?: () => void,
): Promise<{ exitCode: number | null; stderr: string; error: string }> {
  try {
    const result = await sandbox.exec({
      command,
      timeoutMs: 60_000,
      ...(onStarted === undefined ? {} : { onOutput: () => onStarted() }),
    });
    return { exitCode: result.exitCode, stderr: result.stderr, error: '' };
  } catch (error) {
    return { exitCode: null, stderr: '', error: (error as Error).message };
  }
}

/**
 * Starts `echo started; sleep 60` and resolves, once the command has printed, with the
 * promise of its outcome (wrapped, so awaiting this does not wait for the command's end).
 */
async function startSleeper(
  sandbox: SandboxInstance,
): Promise<{ outcome: ReturnType<typeof outcomeOf> }> {
  let started!: () => void;
  const printed = new Promise<void>((resolve) => {
    started = resolve;
  });
  const outcome = outcomeOf(sandbox, 'echo started; sleep 60', () => started());
  await printed;
  return { outcome };
}

describe('command ended with its sandbox', () => {
  for (const { driver, check } of checks) {
    const run = check.available ? it : it.skip;
    const runtime = driver.name as 'gvisor' | 'bubblewrap';
    const template = runtime === 'gvisor' ? 'gv' : 'bw';

    run(`${runtime}: release names itself`, async () => {
      harness = createTestController();
      const { sandbox } = await harness.controller.claim({ template, tenant: 'acme' });
      const running = await startSleeper(sandbox);
      await harness.controller.release(sandbox.id);
      const outcome = await running.outcome;
      expect(outcome.error).toBe('');
      expect(outcome.exitCode).toBe(137);
      expect(outcome.stderr).toContain(
        `the command was ended because sandbox "${sandbox.id}" was released`,
      );
    });

    run(`${runtime}: release elsewhere names itself`, async () => {
      harness = createTestController();
      const { sandbox } = await harness.controller.claim({ template, tenant: 'acme' });
      // A second controller over the same state acts as another sandstack process,
      // which this one only notices as its agent or runtime dying.
      const other = harness.reopen();
      const running = await startSleeper(sandbox);
      await other.release(sandbox.id);
      const outcome = await running.outcome;
      expect(outcome.error).toBe('');
      expect(outcome.error).not.toContain('killed from outside');
      expect(outcome.exitCode).toBe(137);
      expect(outcome.stderr).toContain(
        `the command was ended because sandbox "${sandbox.id}" was released`,
      );
      await expect(sandbox.readFile('missing.txt')).rejects.toThrow(/destroyed|released/);
    });

    run(`${runtime}: outside kill after a limit hit`, async () => {
      harness = createTestController();
      harness.controller.createTemplate({
        name: 'lean',
        runtime,
        resources: { memoryBytes: 128 * MIB },
      });
      const { sandbox } = await harness.controller.claim({ template: 'lean', tenant: 'acme' });
      const bomb = await outcomeOf(
        sandbox,
        'python3 -c "x = b\'x\' * (600 * 1024 * 1024); print(len(x))"',
      );
      // Under bubblewrap the kernel kills the command's process and the agent lives on, but
      // gVisor's whole runtime ends. Either way the limit is named.
      expect(`${bomb.stderr}${bomb.error}`).toContain(`memory limit of ${128 * MIB} bytes`);
      expect((await outcomeOf(sandbox, 'echo alive')).exitCode).toBe(0);

      const running = await startSleeper(sandbox);
      for (const pid of cgroupPids(sandbox.id)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      const outcome = await running.outcome;
      expect(outcome.exitCode).toBeNull();
      expect(outcome.error).toContain('ended without hitting a limit');
      expect(outcome.error).not.toContain('memory limit');
    });
  }
});
