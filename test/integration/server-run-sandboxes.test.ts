/**
 * The server releases the sandboxes a run claimed through env.SANDBOX once the instance
 * ends, whether it completes, errors or is terminated over HTTP, so they stop counting
 * toward the tenant's sandbox quota. Real sandboxes of the default template, over HTTP
 * on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http/server.js';

const ADMIN_TOKEN = `admin-${'r'.repeat(40)}`;

/** Claims a sandbox, then waits, fails or returns as `event.payload.end` selects, without releasing it. */
const KEEP_WORKFLOW = `import { NonRetryableError, WorkflowEntrypoint } from 'sandstack/workflows';
export class Keep extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', { retries: { limit: 0 } }, async () => this.env.SANDBOX.claim({}));
    if (event.payload.end === 'wait') {
      await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
    }
    if (event.payload.end === 'fail') {
      await step.do('fail', async () => {
        throw new NonRetryableError('failed on purpose');
      });
    }
    return box.id;
  }
}
`;

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

interface SandboxItem {
  id: string;
  state: string;
  runId: string | null;
}

describe('sandboxes of ended runs', () => {
  let dir: string;
  let server: RunningServer;
  let token: string;

  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Reply['body'] };
  };

  const runSandboxes = async (id: string): Promise<SandboxItem[]> => {
    const reply = await call('GET', '/v1/sandboxes?all=true');
    return (reply.body.sandboxes as SandboxItem[]).filter((item) => item.runId === id);
  };

  /** Polls until `check` returns a value; bounded to 600 polls of 100 ms. */
  const pollFor = async <T>(label: string, check: () => Promise<T | undefined>): Promise<T> => {
    for (let poll = 0; poll < 600; poll += 1) {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Timed out waiting for ${label}`);
  };

  const claimedBy = (id: string) =>
    pollFor(`a sandbox claimed by ${id}`, async () => {
      const sandboxes = await runSandboxes(id);
      return sandboxes.length > 0 ? sandboxes : undefined;
    });

  const releasedBy = (id: string) =>
    pollFor(`the sandboxes of ${id} to be released`, async () => {
      const sandboxes = await runSandboxes(id);
      const released = sandboxes.length > 0 && sandboxes.every((box) => box.state === 'released');
      return released ? sandboxes : undefined;
    });

  const statusOf = async (id: string): Promise<Reply['body']> =>
    pollFor(`${id} to end`, async () => {
      const reply = await call('GET', `/v1/instances/${id}`);
      const ended = ['complete', 'errored', 'terminated'].includes(reply.body.status as string);
      return ended ? reply.body : undefined;
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-run-sandboxes-'));
    server = await startServer({
      stateDir: dir,
      port: 0,
      adminToken: ADMIN_TOKEN,
      limits: { maxSandboxes: 1 },
    });
    const admin = async (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await admin('/v1/tenants', { id: 'acme' });
    const created = (await (await admin('/v1/tenants/acme/tokens', {})).json()) as {
      secret: string;
    };
    token = created.secret;
    const deployed = await call('POST', '/v1/workflows', { name: 'keep', source: KEEP_WORKFLOW });
    expect(deployed.status).toBeLessThan(300);
  }, 60_000);

  afterAll(async () => {
    const controller = server?.context.stack.controller;
    for (const record of controller?.list() ?? []) {
      await controller?.release(record.id);
    }
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('releases on terminate over HTTP', async () => {
    await call('POST', '/v1/instances', { workflow: 'keep', id: 'held', params: { end: 'wait' } });
    const [claimed] = await claimedBy('held');
    expect(claimed?.state).toBe('claimed');

    const terminated = await call('POST', '/v1/instances/held/terminate');
    expect(terminated.status).toBe(200);
    expect(terminated.body.status).toBe('terminated');
    const sandboxes = await runSandboxes('held');
    expect(sandboxes.map((box) => box.state)).toEqual(['released']);
  }, 120_000);

  it('releases when a run errors', async () => {
    await call('POST', '/v1/instances', {
      workflow: 'keep',
      id: 'failing',
      params: { end: 'fail' },
    });
    const ended = await statusOf('failing');
    expect(ended.status).toBe('errored');
    expect(JSON.stringify(ended.error)).toContain('failed on purpose');
    const sandboxes = await releasedBy('failing');
    expect(sandboxes).toHaveLength(1);
  }, 120_000);

  it('releases when a run completes', async () => {
    await call('POST', '/v1/instances', {
      workflow: 'keep',
      id: 'done',
      params: { end: 'return' },
    });
    const ended = await statusOf('done');
    expect(ended.status).toBe('complete');
    const sandboxes = await releasedBy('done');
    expect(sandboxes.map((box) => box.id)).toEqual([ended.output]);
  }, 120_000);
});
