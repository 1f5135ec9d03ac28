/**
 * The gVisor command agent's channel seen from a hostile command: commands cannot open the
 * agent's FIFOs to forge or steal replies, a flood aimed at the agent's stdout leaves the
 * host's memory and the sandbox intact, and a CLI command that used the agent exits by itself.
 * The agent also runs in a directory rootfs that has no python3.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { buildSmallRootfs, createTestController, type TestController } from '../helpers/sandbox.js';

describe('gVisor agent channel', () => {
  let harness: TestController;

  beforeAll(() => {
    harness = createTestController();
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it('rejects commands opening the agent FIFOs', async () => {
    const { sandbox } = await harness.controller.claim({ template: 'gv', tenant: 'acme' });
    const reply = await sandbox.exec({ command: 'echo forged > /proc/1/fd/1' });
    expect(reply.exitCode).not.toBe(0);
    expect(reply.stderr).toContain('Permission denied');
    const request = await sandbox.exec({ command: 'head -c 1 /proc/1/fd/0' });
    expect(request.exitCode).not.toBe(0);
    expect(request.stderr).toContain('Permission denied');
    const signal = await sandbox.exec({ command: 'kill -STOP 1' });
    expect(signal.exitCode).not.toBe(0);
  }, 120_000);

  it('keeps results unforged by a background sniffer', async () => {
    const { sandbox } = await harness.controller.claim({ template: 'gv', tenant: 'acme' });
    // A background process of an earlier command tries to take the next requests off the
    // agent's stdin and answer each one with a forged result.
    const sniffer = [
      'import json',
      'requests = open("/proc/1/fd/0")',
      'replies = open("/proc/1/fd/1", "w")',
      'for line in requests:',
      '    request = json.loads(line)',
      '    reply = {"id": request["id"], "exitCode": 0, "durationMs": 1}',
      '    replies.write(json.dumps({"id": request["id"], "stream": "stdout", "data": "Zm9yZ2VkCg=="}) + "\\n")',
      '    replies.write(json.dumps(reply) + "\\n")',
      '    replies.flush()',
    ].join('\n');
    await sandbox.writeFile('sniffer.py', sniffer);
    const started = await sandbox.exec({
      command: '(python3 sniffer.py > sniffer.log 2>&1 &) ; sleep 1; cat sniffer.log',
    });
    expect(started.stdout).toContain('Permission denied');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await sandbox.exec({ command: 'echo real; exit 3' });
      expect(result.stdout).toBe('real\n');
      expect(result.exitCode).toBe(3);
    }
  }, 120_000);

  it('reports the duration of a released command', async () => {
    const { sandbox } = await harness.controller.claim({ template: 'gv', tenant: 'acme' });
    let started!: () => void;
    const printed = new Promise<void>((resolve) => {
      started = resolve;
    });
    const running = sandbox.exec({ command: 'echo started; sleep 31', onOutput: () => started() });
    await printed;
    await harness.controller.release(sandbox.id);
    const result = await running;
    expect(result.exitCode).toBe(137);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeGreaterThan(0);
  }, 120_000);

  it('serves two controllers in one process', async () => {
    const { sandbox, record } = await harness.controller.claim({ template: 'gv', tenant: 'acme' });
    const again = await harness.reopen().get(record.id);
    expect(again).toBeDefined();
    // A FIFO with two readers hands each reply to whichever reads first, so a reply read by
    // the other controller's client would leave this command waiting for its deadline.
    for (let round = 0; round < 6; round += 1) {
      const first = await sandbox.exec({ command: `echo first ${round}`, timeoutMs: 5000 });
      expect(first.stdout).toBe(`first ${round}\n`);
      const second = await again!.sandbox.exec({
        command: `echo second ${round}`,
        timeoutMs: 5000,
      });
      expect(second.stdout).toBe(`second ${round}\n`);
      expect(second.exitCode).toBe(0);
    }
  }, 120_000);

  it('survives a flood written to the agent stdout', async () => {
    const { sandbox } = await harness.controller.claim({ template: 'gv', tenant: 'acme' });
    const before = process.memoryUsage().rss;
    // 200 MiB without a newline aimed at the reply channel through /proc/1/fd/1. Commands
    // cannot open it, but the host's line limit must hold if they ever can.
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

describe('gVisor agent in a directory rootfs', () => {
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-agent-rootfs-'));
    buildSmallRootfs(join(dir, 'rootfs'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs commands without python3', async () => {
    const driver = new GvisorDriver();
    const check = await driver.check();
    if (!check.available) {
      process.stderr.write(`Skipping gVisor directory rootfs test: ${check.reason ?? ''}\n`);
      return;
    }
    const rootfs = join(dir, 'rootfs');
    expect(existsSync(join(rootfs, 'usr/bin/python3'))).toBe(false);
    const template = resolveTemplate({
      name: 'small',
      rootfs: { kind: 'directory', path: rootfs },
    });
    const id = 'sbx_agentsmallrootfs';
    const sandbox = await driver.create({ id, template, stateDir: join(dir, id) });
    try {
      // The init process is the agent, so the command did not go through runsc exec.
      const result = await sandbox.exec({ command: 'cat /proc/1/cmdline; echo; cat', stdin: 'in' });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('exec-agent');
      expect(result.stdout.endsWith('\nin')).toBe(true);
      const timed = await sandbox.exec({ command: 'sleep 30', timeoutMs: 500 });
      expect(timed.timedOut).toBe(true);
      expect(timed.exitCode).toBe(137);
    } finally {
      await sandbox.destroy();
    }
  }, 120_000);

  it('leaves the host /dev/null alone without the agent', () => {
    // runsc gives the files behind a container's stdio to its sandbox user. The command
    // runs in a mount namespace of its own where a root-owned file replaces /dev/null,
    // so a failure cannot change the host's.
    const dir = mkdtempSync(join(tmpdir(), 'sandstack-devnull-'));
    try {
      const standIn = join(dir, 'null');
      writeFileSync(standIn, '');
      const output = execFileSync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mount --bind "$0" /dev/null && exec "$@"',
          standIn,
          process.execPath,
          '--import',
          'tsx',
          'test/fixtures/sandbox/gvisor-without-agent.ts',
          'sbx_devnull',
          join(dir, 'sbx_devnull'),
        ],
        { encoding: 'utf8' },
      );
      expect(output).toBe('hi\n');
      expect(statSync(standIn).uid).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
