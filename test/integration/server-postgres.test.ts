/**
 * Two control plane servers on one PostgreSQL workflow store, over real HTTP on 127.0.0.1:
 * an instance created on one is visible on the other and runs once. Tenants are shared
 * too, so the test creates the tenant once and a token on each server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { startCli } from '../helpers/cli.js';
import type { TestPostgres } from '../helpers/postgres.js';
import { startTestPostgres } from '../helpers/postgres.js';

const ADMIN_TOKEN = `admin-${'p'.repeat(40)}`;

const NAP_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Nap extends WorkflowEntrypoint {
  async run(event, step) {
    const before = await step.do('before', async () => 'before');
    await step.sleep('nap', '1 second');
    return { before, after: await step.do('after', async () => 'after') };
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

describe('servers sharing a PostgreSQL workflow store', () => {
  let postgres: TestPostgres;
  let url: string;
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    postgres = await startTestPostgres();
    url = await postgres.createDatabase('servers');
    for (let index = 0; index < 2; index += 1) {
      const dir = await mkdtemp(join(tmpdir(), 'sandstack-server-pg-'));
      dirs.push(dir);
      const server = await startServer({
        stateDir: dir,
        port: 0,
        adminToken: ADMIN_TOKEN,
        store: url,
      });
      servers.push(server);
      if (index === 0) {
        await call(server, ADMIN_TOKEN, 'POST', '/v1/tenants', { id: 'acme' });
      }
      const created = await call(server, ADMIN_TOKEN, 'POST', '/v1/tenants/acme/tokens', {});
      tokens.push(created.body.secret as string);
    }
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) {
      await server.close();
    }
    await postgres?.stop();
    for (const dir of dirs) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('shares instances between servers', async () => {
    const [first, second] = servers as [RunningServer, RunningServer];
    const [firstToken, secondToken] = tokens as [string, string];
    const deployed = await call(first, firstToken, 'POST', '/v1/workflows', {
      name: 'nap',
      source: NAP_WORKFLOW,
    });
    expect(deployed.status).toBe(201);
    const created = await call(first, firstToken, 'POST', '/v1/instances', { workflow: 'nap' });
    expect(created.status).toBe(202);
    const id = created.body.id as string;

    let seen: Reply | undefined;
    // Bounded: 300 polls of 100 ms.
    for (let poll = 0; poll < 300; poll += 1) {
      seen = await call(second, secondToken, 'GET', `/v1/instances/${id}`);
      if (seen.body.status === 'complete') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen?.body.status).toBe('complete');
    expect(seen?.body.output).toEqual({ before: 'before', after: 'after' });
    const steps = seen?.body.steps as { key: string; attempt: number }[];
    expect(steps.map((step) => step.key)).toEqual(['before#1', 'nap#1', 'after#1']);
    expect(steps.every((step) => step.attempt === 1)).toBe(true);
  }, 60_000);

  it('names only local state at startup', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandstack-server-pg-'));
    dirs.push(dir);
    const cli = startCli(['--state-dir', dir, 'serve', '--port', '0', '--store', url], {
      env: { SANDSTACK_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    let stderr = '';
    cli.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await cli.waitForOutput(/listening on http:\/\/\S+/);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.done;
    }
    expect(stderr).toContain('Sandboxes, pools, templates, their usage records and the action log');
    expect(stderr).not.toMatch(/tenants|tokens|traces/i);
  }, 60_000);

  it('rejects a store that is neither sqlite nor postgres', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandstack-server-pg-'));
    dirs.push(dir);
    await expect(
      startServer({ stateDir: dir, port: 0, adminToken: ADMIN_TOKEN, store: 'mysql://db/x' }),
    ).rejects.toThrow(/Invalid workflow store "mysql:\/\/db\/x"; use "sqlite" or a postgres/);
  });
});
