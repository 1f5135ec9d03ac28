/**
 * Two control plane servers on one PostgreSQL database, over real HTTP on 127.0.0.1. A
 * tenant and token made on one node work on the other. A guard `ask` waiting on the node
 * that runs the instance is approved on the other node. A run that moves from one node to
 * another keeps one trace, its `env.STATE` and its run inputs. Sandbox quotas count the
 * tenant's sandboxes and CPU-seconds on every node.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantLimits } from '../../src/server/http/limits.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import type { TestPostgres } from '../helpers/postgres.js';
import { startTestPostgres } from '../helpers/postgres.js';
import { closeTestServer } from '../helpers/server.js';

const ADMIN_TOKEN = `admin-${'c'.repeat(40)}`;

const PUSH_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Push extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', async () => this.env.SANDBOX.claim({ template: 'default' }));
    // The guard decides "ask" for a push to the default branch, so this step waits for a human.
    const push = await step.do('push', async () => this.env.SANDBOX.exec(box.id, 'git push origin main'));
    await step.do('release', async () => {
      await this.env.SANDBOX.release(box.id);
      return null;
    });
    return { allowed: push.allowed };
  }
}
`;

// The sleep is longer than the engine's 5 s inline wait, so the instance is suspended and
// its lease released. The node that claims it when the timer is due runs the last step.
const HANDOVER_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Handover extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do('write', async () => {
      await this.env.STATE.put('handover', { written: event.payload.mark });
      return null;
    });
    await step.sleep('gap', '6 seconds');
    return step.do('read', async () => ({
      state: await this.env.STATE.get('handover'),
      input: await this.env.INPUTS.text('note'),
    }));
  }
}
`;

interface Reply {
  status: number;
  body: Record<string, unknown>;
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
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Reply['body']) };
}

/** Polls `read` every 100 ms until `done` holds, at most 600 times. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let poll = 0; poll < 600 && !done(value); poll += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe('nodes sharing state in PostgreSQL', () => {
  let postgres: TestPostgres;
  let url: string;
  const dirs: string[] = [];
  const servers: RunningServer[] = [];

  const startNode = async (limits?: Partial<TenantLimits>): Promise<RunningServer> => {
    const dir = await mkdtemp(join(tmpdir(), 'sandstack-cluster-'));
    dirs.push(dir);
    const server = await startServer({
      stateDir: dir,
      port: 0,
      adminToken: ADMIN_TOKEN,
      store: url,
      ...(limits === undefined ? {} : { limits }),
    });
    servers.push(server);
    return server;
  };

  const stopNode = async (server: RunningServer): Promise<void> => {
    servers.splice(servers.indexOf(server), 1);
    await closeTestServer(server);
  };

  beforeAll(async () => {
    postgres = await startTestPostgres();
    url = await postgres.createDatabase('cluster');
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) {
      await closeTestServer(server);
    }
    await postgres?.stop();
    for (const dir of dirs) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts a token made on another node', async () => {
    const [nodeA, nodeB] = [await startNode(), await startNode()];
    expect((await call(nodeA, ADMIN_TOKEN, 'POST', '/v1/tenants', { id: 'acme' })).status).toBe(
      201,
    );
    const created = await call(nodeA, ADMIN_TOKEN, 'POST', '/v1/tenants/acme/tokens', {});
    expect(created.status).toBe(201);
    const token = created.body.secret as string;

    const listed = await call(nodeB, token, 'GET', '/v1/workflows');
    expect(listed.status).toBe(200);
    const again = await call(nodeB, ADMIN_TOKEN, 'POST', '/v1/tenants', { id: 'acme' });
    expect(again.status).toBe(409);

    const tokenId = (created.body.token as { id: string }).id;
    const revoked = await call(nodeB, ADMIN_TOKEN, 'DELETE', `/v1/tenants/acme/tokens/${tokenId}`);
    expect(revoked.status).toBe(200);
    expect((await call(nodeA, token, 'GET', '/v1/workflows')).status).toBe(401);

    const audit = await call(nodeA, ADMIN_TOKEN, 'GET', '/v1/audit?tenant=acme');
    const actions = (audit.body.entries as { action: string }[]).map((entry) => entry.action);
    expect(actions).toEqual(['token.revoke', 'token.create', 'tenant.create']);
  });

  it('approves on one node an ask waiting on the other', async () => {
    const [nodeA, nodeB] = servers as [RunningServer, RunningServer];
    const token = (await call(nodeA, ADMIN_TOKEN, 'POST', '/v1/tenants/acme/tokens', {})).body
      .secret as string;
    expect(
      (await call(nodeA, token, 'POST', '/v1/workflows', { name: 'push', source: PUSH_WORKFLOW }))
        .status,
    ).toBe(201);
    const created = await call(nodeA, token, 'POST', '/v1/instances', { workflow: 'push' });
    expect(created.status).toBe(202);
    const id = created.body.id as string;

    const pending = await pollUntil(
      () => call(nodeB, token, 'GET', '/v1/approvals?status=pending'),
      (reply) => (reply.body as unknown as unknown[]).length > 0,
    );
    const requests = pending.body as unknown as { id: string; sessionId: string }[];
    expect(requests.map((request) => request.sessionId)).toEqual([`acme/${id}`]);
    // Decide on the node that is not running the instance.
    const runner = nodeA.context.runner.isRunning('acme', id) ? nodeA : nodeB;
    const decider = runner === nodeA ? nodeB : nodeA;
    expect(runner.context.runner.isRunning('acme', id)).toBe(true);
    const listed = await call(runner, token, 'GET', '/v1/sandboxes');
    const sandboxes = listed.body.sandboxes as { id: string }[];
    expect(sandboxes).toHaveLength(1);
    const elsewhere = await call(decider, token, 'GET', `/v1/sandboxes/${sandboxes[0]?.id}`);
    expect(elsewhere.status).toBe(404);
    expect((elsewhere.body.error as { message: string }).message).toContain(
      `was claimed on node "${runner.context.stack.sandboxDirectory?.nodeId}" (${runner.url})`,
    );

    const restart = await call(decider, token, 'POST', `/v1/instances/${id}/restart`);
    expect(restart.status).toBe(400);
    expect((restart.body.error as { message: string }).message).toMatch(
      /is running on node ".+", which holds its lease/,
    );
    const approved = await call(
      decider,
      token,
      'POST',
      `/v1/approvals/${requests[0]?.id}/approve`,
      {
        by: 'carol',
      },
    );
    expect(approved.status).toBe(200);

    const done = await pollUntil(
      () => call(decider, token, 'GET', `/v1/instances/${id}`),
      (reply) => ['complete', 'errored', 'terminated'].includes(reply.body.status as string),
    );
    expect(done.body.status).toBe('complete');
    expect(done.body.output).toEqual({ allowed: true });
  }, 120_000);

  it('keeps trace, STATE and inputs across nodes', async () => {
    const [nodeA, nodeB] = servers as [RunningServer, RunningServer];
    const token = (await call(nodeA, ADMIN_TOKEN, 'POST', '/v1/tenants/acme/tokens', {})).body
      .secret as string;
    await call(nodeA, token, 'POST', '/v1/workflows', {
      name: 'handover',
      source: HANDOVER_WORKFLOW,
    });
    // Node B stops, so node A runs the first step.
    await stopNode(nodeB);
    const created = await call(nodeA, token, 'POST', '/v1/instances', {
      workflow: 'handover',
      params: { mark: 'from-a' },
      inputs: { note: { content: 'uploaded to node A' } },
    });
    const id = created.body.id as string;
    const sleeping = await pollUntil(
      () => call(nodeA, token, 'GET', `/v1/instances/${id}`),
      (reply) => reply.body.status === 'waiting',
    );
    expect((sleeping.body.steps as { key: string }[]).map((step) => step.key)).toEqual([
      'write#1',
      'gap#1',
    ]);

    // Node A stops while the instance sleeps, and a new node takes it when the timer is due.
    await stopNode(nodeA);
    const nodeC = await startNode();
    const done = await pollUntil(
      () => call(nodeC, token, 'GET', `/v1/instances/${id}`),
      (reply) => ['complete', 'errored', 'terminated'].includes(reply.body.status as string),
    );
    expect(done.body.status).toBe('complete');
    expect(done.body.output).toEqual({
      state: { written: 'from-a' },
      input: 'uploaded to node A',
    });

    const trace = await call(nodeC, token, 'GET', `/v1/instances/${id}/trace`);
    const spans = trace.body.spans as { name: string; traceId: string; attributes: object }[];
    const steps = spans
      .filter((span) => span.name === 'workflow.step')
      .map((span) => (span.attributes as Record<string, unknown>)['sandstack.step.key']);
    expect(steps).toContain('write#1');
    expect(steps).toContain('read#1');
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([trace.body.traceId]));
  }, 120_000);

  it("counts other nodes' sandboxes toward quotas", async () => {
    const nodeA = await startNode({ maxSandboxes: 1 });
    const nodeB = await startNode({ maxSandboxes: 1 });
    await call(nodeA, ADMIN_TOKEN, 'POST', '/v1/tenants', { id: 'quota-co' });
    const token = (await call(nodeA, ADMIN_TOKEN, 'POST', '/v1/tenants/quota-co/tokens', {})).body
      .secret as string;

    const held = await call(nodeA, token, 'POST', '/v1/sandboxes', {});
    expect(held.status).toBe(201);
    const heldId = held.body.id as string;
    const second = await call(nodeB, token, 'POST', '/v1/sandboxes', {});
    expect(second.status).toBe(429);
    expect((second.body.error as { message: string }).message).toContain(
      'has 1 claimed sandboxes and the limit is 1',
    );

    // About 0.3 CPU-seconds of busy loop, then a quota below that on the tenant.
    const burn = await call(nodeA, token, 'POST', `/v1/sandboxes/${heldId}/exec`, {
      command:
        'end=$(($(date +%s%N) + 300000000)); while [ "$(date +%s%N)" -lt "$end" ]; do :; done',
    });
    expect(burn.status).toBe(200);
    const released = await call(nodeA, token, 'DELETE', `/v1/sandboxes/${heldId}`);
    expect(released.status).toBe(200);
    const used = (released.body.usage as { cpuSeconds: number }).cpuSeconds;
    expect(used).toBeGreaterThan(0.05);
    const quota = await call(nodeB, ADMIN_TOKEN, 'PUT', '/v1/tenants/quota-co/quota', {
      cpuSeconds: 0.05,
    });
    expect(quota.status).toBe(200);

    const overCpu = await call(nodeB, token, 'POST', '/v1/sandboxes', {});
    expect(overCpu.status).toBe(429);
    const quotaBody = overCpu.body.error as { message: string; quota: { name: string } };
    expect(quotaBody.quota.name).toBe('cpuSeconds');
    expect(quotaBody.message).toContain(`has used ${used.toFixed(2)} sandbox CPU-seconds`);

    await call(nodeB, ADMIN_TOKEN, 'DELETE', '/v1/tenants/quota-co/quota');
    const afterRelease = await call(nodeB, token, 'POST', '/v1/sandboxes', {});
    expect(afterRelease.status).toBe(201);
    await call(nodeB, token, 'DELETE', `/v1/sandboxes/${afterRelease.body.id as string}`);
  }, 120_000);
});
