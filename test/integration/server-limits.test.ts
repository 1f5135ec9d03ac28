/**
 * Per-tenant quotas and the request rate limit of the control plane, over real HTTP on
 * 127.0.0.1: each returns 429 with a message that names the limit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantLimits } from '../../src/server/http/limits.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';

const ADMIN_TOKEN = `admin-${'y'.repeat(40)}`;

const WAIT_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Wait extends WorkflowEntrypoint {
  async run(event, step) {
    await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
    return 'done';
  }
}
`;

/** Holds its run slot for four seconds: the sleep is short enough to wait out in process. */
const HOLD_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Hold extends WorkflowEntrypoint {
  async run(event, step) {
    await step.sleep('hold', '4 seconds');
    return 'held';
  }
}
`;

/** Claims a sandbox through env.SANDBOX and runs one command in it. */
const CLAIM_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Claim extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', { retries: { limit: 0 } }, async () => this.env.SANDBOX.claim({}));
    const result = await step.do('exec', { retries: { limit: 0 } }, async () => this.env.SANDBOX.exec(box.id, 'echo ran'));
    await step.do('release', async () => {
      await this.env.SANDBOX.release(box.id);
      return null;
    });
    return result.output;
  }
}
`;

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
  retryAfter: string | null;
}

async function call(
  server: RunningServer,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: (await response.json()) as Reply['body'],
    retryAfter: response.headers.get('retry-after'),
  };
}

async function startWithTenant(
  dir: string,
  limits: Partial<TenantLimits>,
): Promise<{ server: RunningServer; token: string }> {
  const server = await startServer({ stateDir: dir, port: 0, adminToken: ADMIN_TOKEN, limits });
  await call(server, ADMIN_TOKEN, 'POST', '/v1/tenants', { id: 'acme' });
  const created = await call(server, ADMIN_TOKEN, 'POST', '/v1/tenants/acme/tokens', {});
  return { server, token: created.body.secret as string };
}

async function waitForEnd(server: RunningServer, token: string, id: string): Promise<Reply> {
  // Bounded: 600 polls of 100 ms.
  for (let poll = 0; poll < 600; poll += 1) {
    const reply = await call(server, token, 'GET', `/v1/instances/${id}`);
    if (['complete', 'errored', 'terminated'].includes(reply.body.status as string)) {
      return reply;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Instance ${id} did not end`);
}

async function waitForComplete(server: RunningServer, token: string, id: string): Promise<void> {
  // Bounded: 300 polls of 100 ms.
  for (let poll = 0; poll < 300; poll += 1) {
    const reply = await call(server, token, 'GET', `/v1/instances/${id}`);
    if (reply.body.status === 'complete') {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Instance ${id} did not complete`);
}

/** Releases every claimed sandbox, which closing the server keeps running. */
async function releaseAll(server: RunningServer | undefined): Promise<void> {
  const controller = server?.context.stack.controller;
  for (const record of controller?.list() ?? []) {
    await controller?.release(record.id);
  }
}

describe('tenant quotas', () => {
  let dir: string;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-server-quotas-'));
    ({ server, token } = await startWithTenant(dir, { maxSandboxes: 1, maxActiveInstances: 1 }));
  });

  afterAll(async () => {
    await releaseAll(server);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a claim over the sandbox quota', async () => {
    const first = await call(server, token, 'POST', '/v1/sandboxes', {});
    expect(first.status).toBe(201);

    const second = await call(server, token, 'POST', '/v1/sandboxes', {});
    expect(second.status).toBe(429);
    expect(second.body.error?.code).toBe('QUOTA_EXCEEDED');
    expect(second.body.error?.message).toContain('limit is 1');
    expect(second.body.error?.message).toContain('--max-sandboxes-per-tenant');

    const released = await call(
      server,
      token,
      'DELETE',
      `/v1/sandboxes/${first.body.id as string}`,
    );
    expect(released.status).toBe(200);
    const third = await call(server, token, 'POST', '/v1/sandboxes', {});
    expect(third.status).toBe(201);
    await call(server, token, 'DELETE', `/v1/sandboxes/${third.body.id as string}`);
  });

  it('lets one of several parallel claims through', async () => {
    const replies = await Promise.all(
      Array.from({ length: 3 }, () => call(server, token, 'POST', '/v1/sandboxes', {})),
    );
    const claimed = replies.filter((reply) => reply.status === 201);
    const rejected = replies.filter((reply) => reply.status === 429);
    expect(claimed).toHaveLength(1);
    expect(rejected).toHaveLength(2);
    await call(server, token, 'DELETE', `/v1/sandboxes/${claimed[0]?.body.id as string}`);
  });

  it("counts a run's env.SANDBOX claim against the sandbox quota", async () => {
    const held = await call(server, token, 'POST', '/v1/sandboxes', {});
    expect(held.status).toBe(201);
    await call(server, token, 'POST', '/v1/workflows', { name: 'claim', source: CLAIM_WORKFLOW });
    const run = await call(server, token, 'POST', '/v1/instances', { workflow: 'claim' });
    const ended = await waitForEnd(server, token, run.body.id as string);
    expect(ended.body.status).toBe('errored');
    expect(JSON.stringify(ended.body.error)).toContain('limit is 1');
    expect(server.context.stack.controller.list({ tenant: 'acme' })).toHaveLength(1);
    await call(server, token, 'DELETE', `/v1/sandboxes/${held.body.id as string}`);
  }, 120_000);

  it('rejects a create over the unfinished instance quota', async () => {
    await call(server, token, 'POST', '/v1/workflows', { name: 'wait', source: WAIT_WORKFLOW });
    const first = await call(server, token, 'POST', '/v1/instances', {
      workflow: 'wait',
      id: 'w1',
    });
    expect(first.status).toBe(202);

    const second = await call(server, token, 'POST', '/v1/instances', { workflow: 'wait' });
    expect(second.status).toBe(429);
    expect(second.body.error?.code).toBe('QUOTA_EXCEEDED');
    expect(second.body.error?.message).toContain('unfinished instances');

    expect((await call(server, token, 'POST', '/v1/instances/w1/terminate')).status).toBe(200);
    const third = await call(server, token, 'POST', '/v1/instances', {
      workflow: 'wait',
      id: 'w3',
    });
    expect(third.status).toBe(202);
    await call(server, token, 'POST', '/v1/instances/w3/terminate');
  });
});

describe('runs per tenant', () => {
  let dir: string;
  let server: RunningServer;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-server-fair-'));
    server = await startServer({
      stateDir: dir,
      port: 0,
      adminToken: ADMIN_TOKEN,
      maxConcurrentRuns: 4,
      maxRunsPerTenant: 1,
    });
    for (const tenant of ['acme', 'globex']) {
      await call(server, ADMIN_TOKEN, 'POST', '/v1/tenants', { id: tenant });
      const created = await call(server, ADMIN_TOKEN, 'POST', `/v1/tenants/${tenant}/tokens`, {});
      const token = created.body.secret as string;
      await call(server, token, 'POST', '/v1/workflows', { name: 'hold', source: HOLD_WORKFLOW });
      if (tenant === 'acme') {
        acme = token;
      } else {
        globex = token;
      }
    }
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("queues a tenant's second run while another tenant's starts", async () => {
    // The first run holds its slot for seconds, so the second create sees it still running.
    const first = await call(server, acme, 'POST', '/v1/instances', { workflow: 'hold' });
    expect(first.body.status).toBe('running');
    const second = await call(server, acme, 'POST', '/v1/instances', { workflow: 'hold' });
    expect(second.body.status).toBe('queued');
    const other = await call(server, globex, 'POST', '/v1/instances', { workflow: 'hold' });
    expect(other.body.status).toBe('running');

    const ids = [first, second].map((reply) => reply.body.id as string);
    for (const id of ids) {
      await waitForComplete(server, acme, id);
    }
  }, 60_000);
});

describe('cold claims and CPU quota of runs', () => {
  let dir: string;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-server-cold-'));
    ({ server, token } = await startWithTenant(dir, { maxSandboxes: 2 }));
  });

  afterAll(async () => {
    await releaseAll(server);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts a cold claim once while it starts', async () => {
    const controller = server.context.stack.controller;
    const first = call(server, token, 'POST', '/v1/sandboxes', {});
    // Bounded: 2000 polls of 5 ms, until the first claim has stored its starting record.
    for (let poll = 0; poll < 2000; poll += 1) {
      if (controller.list({ tenant: 'acme' }).length > 0) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const second = await call(server, token, 'POST', '/v1/sandboxes', {});
    expect(second.status).toBe(201);
    expect((await first).status).toBe(201);
    const third = await call(server, token, 'POST', '/v1/sandboxes', {});
    expect(third.status).toBe(429);
    await releaseAll(server);
  }, 120_000);

  it("rejects a run's command past the CPU-seconds quota", async () => {
    const box = await call(server, token, 'POST', '/v1/sandboxes', {});
    const burn = 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo burnt';
    await call(server, token, 'POST', `/v1/sandboxes/${box.body.id as string}/exec`, {
      command: burn,
    });
    const quota = await call(server, ADMIN_TOKEN, 'PUT', '/v1/tenants/acme/quota', {
      cpuSeconds: 0.05,
    });
    expect(quota.status).toBe(200);
    await call(server, token, 'POST', '/v1/workflows', { name: 'claim', source: CLAIM_WORKFLOW });
    const run = await call(server, token, 'POST', '/v1/instances', { workflow: 'claim' });
    const ended = await waitForEnd(server, token, run.body.id as string);
    expect(ended.body.status).toBe('errored');
    expect(JSON.stringify(ended.body.error)).toContain('CPU-seconds quota is 0.05');
    await call(server, ADMIN_TOKEN, 'DELETE', '/v1/tenants/acme/quota');
  }, 120_000);
});

describe('pending events per instance', () => {
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-server-events-'));
    server = await startServer({
      stateDir: dir,
      port: 0,
      adminToken: ADMIN_TOKEN,
      engineLimits: { maxPendingEvents: 2 },
    });
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns 429 past the bound', async () => {
    await call(server, ADMIN_TOKEN, 'POST', '/v1/tenants', { id: 'acme' });
    const created = await call(server, ADMIN_TOKEN, 'POST', '/v1/tenants/acme/tokens', {});
    const token = created.body.secret as string;
    await call(server, token, 'POST', '/v1/workflows', { name: 'wait', source: WAIT_WORKFLOW });
    await call(server, token, 'POST', '/v1/instances', { workflow: 'wait', id: 'w1' });
    const path = '/v1/instances/w1/events';

    expect((await call(server, token, 'POST', path, { type: 'other' })).status).toBe(202);
    expect((await call(server, token, 'POST', path, { type: 'other' })).status).toBe(202);
    const third = await call(server, token, 'POST', path, { type: 'other' });
    expect(third.status).toBe(429);
    expect(third.body.error?.code).toBe('EVENT_LIMIT');
    expect(third.body.error?.message).toContain('already has 2 pending events');
    expect(third.body.error?.message).toContain('--max-pending-events');
    await call(server, token, 'POST', '/v1/instances/w1/terminate');
  });
});

describe('request rate limit', () => {
  let dir: string;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-server-rate-'));
    ({ server, token } = await startWithTenant(dir, { requestsPerSecond: 1 }));
  });

  afterAll(async () => {
    await releaseAll(server);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns 429 with Retry-After past the burst', async () => {
    // A burst of 2 at 1 request per second: ten requests sent at once cannot all pass
    // unless they take more than eight seconds to arrive.
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => call(server, token, 'GET', '/v1/usage')),
    );
    const limited = replies.filter((reply) => reply.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.body.error?.code).toBe('RATE_LIMITED');
    expect(limited[0]?.body.error?.message).toContain('1 requests per second');
    expect(Number(limited[0]?.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('does not limit the admin token', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => call(server, ADMIN_TOKEN, 'GET', '/v1/tenants')),
    );
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
  });
});
