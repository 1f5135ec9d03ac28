/**
 * Streaming exec end to end: the TypeScript client against a real server on 127.0.0.1 and
 * real gVisor and bubblewrap sandboxes. Output arrives while the command runs, the body is
 * NDJSON as documented, another tenant gets a 404, a flood is cut at the cap, and closing
 * the connection kills the command inside the sandbox.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackClient, isSandstackApiError, type ExecOutput } from '../../src/client/index.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { hostProcessesNaming, localDrivers } from '../helpers/sandbox.js';

const ADMIN_TOKEN = `admin-${'d'.repeat(40)}`;
const checks = await localDrivers();

/** Calls `probe` every 200 ms until it returns true, at most `tries` times; returns the last result. */
async function eventually(probe: () => Promise<boolean>, tries = 50): Promise<boolean> {
  for (let attempt = 0; attempt < tries; attempt += 1) {
    if (await probe()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe('streaming exec over HTTP', () => {
  let dir: string;
  let server: RunningServer;
  let acme: SandstackClient;
  let globex: SandstackClient;
  let acmeToken: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-stream-http-'));
    server = await startServer({ stateDir: dir, port: 0, adminToken: ADMIN_TOKEN });
    const controller = server.context.stack.controller;
    controller.createTemplate({ name: 'stream-gvisor', runtime: 'gvisor' });
    controller.createTemplate({ name: 'stream-bubblewrap', runtime: 'bubblewrap' });
    const admin = new SandstackClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    for (const id of ['acme', 'globex']) {
      await admin.tenants.create({ id });
    }
    acmeToken = (await admin.tenants.createToken('acme')).secret;
    acme = new SandstackClient({ baseUrl: server.url, token: acmeToken });
    globex = new SandstackClient({
      baseUrl: server.url,
      token: (await admin.tenants.createToken('globex')).secret,
    });
  });

  afterAll(async () => {
    const controller = server?.context.stack.controller;
    for (const record of controller?.list() ?? []) {
      await controller?.release(record.id);
    }
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const { driver, check } of checks) {
    const suite = check.available ? describe : describe.skip;

    suite(driver.name, () => {
      let sandboxId = '';

      beforeAll(async () => {
        sandboxId = (await acme.sandboxes.claim({ template: `stream-${driver.name}` })).id;
      });

      it('streams output before the end', async () => {
        const events: string[] = [];
        // The command waits for a file that the test writes only after the first line
        // came, so output held back until the end would leave it waiting until killed.
        const run = acme.sandboxes.execStream(sandboxId, {
          command:
            'echo one; i=0; while [ ! -e go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; echo two; echo oops >&2; exit 3',
          timeoutMs: 25_000,
        });
        for await (const chunk of run) {
          events.push(`${chunk.stream}:${chunk.data}`);
          if (chunk.data === 'one\n') {
            await acme.sandboxes.writeFile(sandboxId, 'go', '');
            events.push('go written');
          }
        }
        const end = await run.result;
        expect(events[0]).toBe('stdout:one\n');
        expect(events[1]).toBe('go written');
        expect(events).toContain('stdout:two\n');
        expect(events).toContain('stderr:oops\n');
        expect(end.exitCode).toBe(3);
        expect(end.timedOut).toBe(false);
        expect(end.outputTruncated).toBe(false);
        expect(end).not.toHaveProperty('stdout');
      });

      it('answers with NDJSON lines', async () => {
        const response = await fetch(`${server.url}/v1/sandboxes/${sandboxId}/exec/stream`, {
          method: 'POST',
          headers: { authorization: `Bearer ${acmeToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ command: 'cat; echo err >&2', stdin: 'in' }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toContain('application/x-ndjson');
        const lines = (await response.text())
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(lines).toContainEqual({ stream: 'stdout', data: 'in' });
        expect(lines).toContainEqual({ stream: 'stderr', data: 'err\n' });
        const last = lines.at(-1);
        expect(last?.exitCode).toBe(0);
        expect(typeof last?.durationMs).toBe('number');
      });

      it("answers 404 for another tenant's sandbox", async () => {
        const run = globex.sandboxes.execStream(sandboxId, 'echo leaked');
        const error = await run.result.catch((caught: unknown) => caught);
        expect(isSandstackApiError(error, 404)).toBe(true);
        const chunks: ExecOutput[] = [];
        await expect(
          (async () => {
            for await (const chunk of run) {
              chunks.push(chunk);
            }
          })(),
        ).rejects.toThrow(/not found/);
        expect(chunks).toEqual([]);
      });

      it('applies the time limit', async () => {
        const end = await acme.sandboxes.execStream(sandboxId, {
          command: 'sleep 20',
          timeoutMs: 500,
        }).result;
        expect(end.timedOut).toBe(true);
      });

      it('cuts a flood at the output limit', async () => {
        let streamed = '';
        const run = acme.sandboxes.execStream(sandboxId, 'head -c 50000000 /dev/zero | tr "\\0" x');
        for await (const chunk of run) {
          if (chunk.stream === 'stdout') {
            streamed += chunk.data;
          } else {
            expect(chunk.data).toContain('stdout passed the limit of 1048576 bytes');
          }
        }
        const end = await run.result;
        expect(end.stdoutTruncated).toBe(true);
        expect(streamed.length).toBe(1024 * 1024);
        expect((await acme.health()).status).toBe('ok');
      }, 60_000);

      it('kills the command when the client disconnects', async () => {
        const run = acme.sandboxes.execStream(sandboxId, 'sleep 3027 & echo started; sleep 3028');
        for await (const chunk of run) {
          expect(chunk.data).toBe('started\n');
          break;
        }
        await expect(run.result).rejects.toThrow();
        const gone =
          driver.name === 'gvisor'
            ? () =>
                acme.sandboxes
                  .exec(sandboxId, 'ps -eo args | grep -c "^sleep 302[78]" || true')
                  .then((result) => result.stdout.trim() === '0')
            : () => Promise.resolve(hostProcessesNaming('sleep 302').length === 0);
        expect(await eventually(gone)).toBe(true);
        const after = await acme.sandboxes.exec(sandboxId, 'echo after');
        expect(after.stdout).toBe('after\n');
      });
    });
  }
});
