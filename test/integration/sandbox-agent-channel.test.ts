/**
 * The gVisor command agent's reply channel seen from a hostile command: writing a flood of
 * bytes into the agent's stdout must not grow the host's memory without bound or crash it,
 * and the sandbox stays usable. Also: a CLI command that used the agent exits by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { createTestController, type TestController } from '../helpers/sandbox.js';

describe('gVisor agent channel', () => {
  let harness: TestController;

  beforeAll(() => {
    harness = createTestController();
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it('survives a flood written to the agent stdout', async () => {
    const { sandbox } = await harness.controller.claim({ template: 'gv', tenant: 'acme' });
    const before = process.memoryUsage().rss;
    // 200 MiB without a newline goes to the reply channel through /proc/1/fd/1.
    await sandbox
      .exec({ command: 'dd if=/dev/zero of=/proc/1/fd/1 bs=1M count=200', timeoutMs: 20_000 })
      .catch(() => undefined);
    const growth = process.memoryUsage().rss - before;
    // The host keeps at most one reply line (1 MiB) of the flood.
    expect(growth).toBeLessThan(64 * 1024 * 1024);
    const after = await sandbox.exec({ command: 'echo still-here' });
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toBe('still-here\n');
  }, 120_000);
});

describe('sandstack sandbox exec', () => {
  let state: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    state = await makeTempDir('agent-cli');
  });

  afterAll(async () => {
    await state.remove();
  });

  it('exits after printing the result', async () => {
    const cli = (args: string[]) =>
      runCli(['--state-dir', state.path, 'sandbox', ...args], { timeoutMs: 60_000 });
    const claimed = await cli(['claim', '--json']);
    expect(claimed.code, claimed.stderr).toBe(0);
    const id = (JSON.parse(claimed.stdout) as { id: string }).id;
    const exec = await cli(['exec', id, '--json', '--', 'echo hi']);
    expect(exec.signal).toBeNull();
    expect(exec.code, exec.stderr).toBe(0);
    expect((JSON.parse(exec.stdout) as { stdout: string }).stdout).toBe('hi\n');
    const released = await cli(['release', id]);
    expect(released.code, released.stderr).toBe(0);
  }, 180_000);
});
