/**
 * Streaming command output from real gVisor and bubblewrap sandboxes: output reaches
 * `onOutput` while the command still runs, stdout and stderr have their own caps, a flood
 * is cut at the cap with the host intact, and aborting the signal kills the command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTemplate } from '../../src/sandbox/templates.js';
import type { OutputChunk, SandboxInstance } from '../../src/sandbox/types.js';
import { hostProcessesNaming, localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();

/** Text of the chunks of one stream. */
function textOf(chunks: OutputChunk[], stream: OutputChunk['stream']): string {
  return Buffer.concat(
    chunks.filter((chunk) => chunk.stream === stream).map((c) => c.data),
  ).toString();
}

for (const { driver, check } of checks) {
  const suite = check.available ? describe : describe.skip;
  if (!check.available) {
    process.stderr.write(`Skipping ${driver.name} streaming tests: ${check.reason ?? ''}\n`);
  }

  suite(`${driver.name} streaming exec`, () => {
    let dir = '';
    let sandbox: SandboxInstance;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sandstack-stream-'));
      const id = `sbx_stream${driver.name}`;
      const template = resolveTemplate({ name: 'stream', commandTimeoutMs: 30_000 });
      sandbox = await driver.create({ id, template, stateDir: join(dir, id) });
    });

    afterAll(async () => {
      await sandbox?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('delivers the first line while the command waits', async () => {
      const events: string[] = [];
      // The command prints, then waits for a file that the test writes only once the
      // first line has arrived, so a batched delivery would leave it waiting until killed.
      const command =
        'echo one; i=0; while [ ! -e go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; sleep 0.2; echo two; echo late >&2';
      let released: Promise<void> | undefined;
      const result = await sandbox.exec({
        command,
        timeoutMs: 25_000,
        onOutput: (chunk) => {
          const text = chunk.data.toString();
          events.push(`${chunk.stream}:${text}`);
          if (text.startsWith('one') && released === undefined) {
            released = sandbox.writeFile('go', '').then(() => {
              events.push('go written');
            });
          }
        },
      });
      events.push('exit');
      await released;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('one\ntwo\n');
      expect(result.stderr).toBe('late\n');
      expect(events.indexOf('stdout:one\n')).toBe(0);
      expect(events.indexOf('go written')).toBeGreaterThan(0);
      expect(events.indexOf('go written')).toBeLessThan(events.indexOf('stdout:two\n'));
      expect(events.at(-1)).toBe('exit');
    });

    it('keeps stdin working while streaming', async () => {
      const chunks: OutputChunk[] = [];
      const result = await sandbox.exec({
        command: 'tr a-z A-Z',
        stdin: 'streamed input\n',
        onOutput: (chunk) => chunks.push(chunk),
      });
      expect(result.stdout).toBe('STREAMED INPUT\n');
      expect(textOf(chunks, 'stdout')).toBe('STREAMED INPUT\n');
    });

    it('caps stdout and stderr apart', async () => {
      const chunks: OutputChunk[] = [];
      const result = await sandbox.exec({
        command: 'head -c 3000 /dev/zero | tr "\\0" o; head -c 3000 /dev/zero | tr "\\0" e >&2',
        maxStdoutBytes: 1000,
        maxStderrBytes: 5000,
        onOutput: (chunk) => chunks.push(chunk),
      });
      expect(result.stdout).toBe('o'.repeat(1000));
      expect(result.stdoutTruncated).toBe(true);
      expect(result.stderrTruncated).toBe(false);
      expect(result.outputTruncated).toBe(true);
      expect(result.stderr.startsWith('e'.repeat(3000))).toBe(true);
      expect(result.stderr).toContain('stdout passed the limit of 1000 bytes');
      expect(textOf(chunks, 'stdout')).toBe('o'.repeat(1000));
      expect(textOf(chunks, 'stderr')).toContain('raise maxStdoutBytes');
    });

    it('cuts a flood at the cap and keeps the host', async () => {
      const before = process.memoryUsage().rss;
      let streamedBytes = 0;
      const result = await sandbox.exec({
        command: 'head -c 100000000 /dev/zero; head -c 100000000 /dev/zero >&2',
        maxStdoutBytes: 65_536,
        maxStderrBytes: 4096,
        onOutput: (chunk) => {
          streamedBytes += chunk.data.length;
        },
      });
      const growth = process.memoryUsage().rss - before;
      expect(result.exitCode).toBe(0);
      expect(result.stdout.length).toBe(65_536);
      expect(result.stderrTruncated).toBe(true);
      expect(result.stderr).toContain('stderr passed the limit of 4096 bytes');
      // The kept bytes plus the two notes, never the 200 MB the command wrote.
      expect(streamedBytes).toBeLessThan(65_536 + 4096 + 1024);
      expect(growth).toBeLessThan(64 * 1024 * 1024);
      const after = await sandbox.exec({ command: 'echo still-here' });
      expect(after.stdout).toBe('still-here\n');
    }, 60_000);

    it('kills the command when the signal aborts', async () => {
      const controller = new AbortController();
      const outcome = sandbox.exec({
        command: 'sleep 3017 & echo started; sleep 3018',
        signal: controller.signal,
        onOutput: (chunk) => {
          if (chunk.data.toString().includes('started')) {
            controller.abort(new Error('client went away'));
          }
        },
      });
      await expect(outcome).rejects.toThrow('client went away');
      if (driver.name === 'gvisor') {
        const left = await sandbox.exec({
          command: 'ps -eo args | grep -c "^sleep 301[78]" || true',
        });
        expect(left.stdout.trim()).toBe('0');
      } else {
        expect(hostProcessesNaming('sleep 301')).toEqual([]);
      }
      const after = await sandbox.exec({ command: 'echo after-abort' });
      expect(after.stdout).toBe('after-abort\n');
    });

    it('rejects at once for an aborted signal', async () => {
      const signal = AbortSignal.abort(new Error('aborted before start'));
      await expect(sandbox.exec({ command: 'echo never', signal })).rejects.toThrow(
        'aborted before start',
      );
    });
  });
}
