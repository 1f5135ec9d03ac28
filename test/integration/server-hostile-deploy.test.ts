/**
 * `sandstack serve` as a child process against deploys whose top-level code exhausts the
 * isolate's memory: each deploy fails with WORKFLOW_INVALID, the server keeps answering, and
 * another tenant's run in flight goes on to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startCli, type StartedCli } from '../helpers/cli.js';

const WAIT_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Wait extends WorkflowEntrypoint {
  async run(event, step) {
    const got = await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
    return { got: got.payload };
  }
}
`;

const BOMBS = [
  'const a = new Array(1e8).fill(0);',
  'const a = []; for (;;) a.push(new Array(1e6).fill(1));',
];

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

describe('hostile deploys to sandstack serve', () => {
  let state: { path: string; remove: () => Promise<void> };
  let cli: StartedCli;
  let url: string;
  let admin: string;

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Reply['body']),
    } satisfies Reply;
  };

  const createTenant = async (id: string): Promise<string> => {
    expect((await call(admin, 'POST', '/v1/tenants', { id })).status).toBe(201);
    return (await call(admin, 'POST', `/v1/tenants/${id}/tokens`, {})).body.secret as string;
  };

  beforeAll(async () => {
    state = await makeTempDir('serve-hostile');
    cli = startCli(['--state-dir', state.path, 'serve', '--port', '0'], {
      env: { SANDSTACK_ADMIN_TOKEN: '' },
    });
    let output = '';
    cli.child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await cli.waitForOutput(/listening on http:\/\/\S+/);
    url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
    admin = /^\s+(ssa_\S+)$/m.exec(output)?.[1] ?? '';
  }, 60_000);

  afterAll(async () => {
    cli?.child.kill('SIGKILL');
    await cli?.done;
    await state?.remove();
  });

  it('rejects memory bombs and keeps serving', async () => {
    const acme = await createTenant('acme');
    const evil = await createTenant('evil');
    const deployed = await call(acme, 'POST', '/v1/workflows', {
      name: 'wait',
      source: WAIT_WORKFLOW,
    });
    expect(deployed.status).toBe(201);
    expect((await call(acme, 'POST', '/v1/instances', { workflow: 'wait', id: 'w1' })).status).toBe(
      202,
    );

    for (const bomb of BOMBS) {
      const reply = await call(evil, 'POST', '/v1/workflows', {
        name: 'bomb',
        filename: 'w.js',
        source: `${bomb}\n${WAIT_WORKFLOW}`,
      });
      expect(reply.status, bomb).toBe(400);
      expect(reply.body.error?.code, bomb).toBe('WORKFLOW_INVALID');
      expect(reply.body.error?.message, bomb).toContain('ran out of memory');
      expect(reply.body.error?.message, bomb).toContain('32 MB');
    }

    expect(cli.child.exitCode).toBeNull();
    expect((await call(evil, 'GET', '/v1/whoami')).body.tenant).toBe('evil');
    const sent = await call(acme, 'POST', '/v1/instances/w1/events', {
      type: 'go',
      payload: 'on',
    });
    expect(sent.status).toBe(202);
    // Bounded: 600 polls of 100 ms, about a minute.
    let status = '';
    let output: unknown;
    for (let poll = 0; poll < 600 && status !== 'complete'; poll += 1) {
      const reply = await call(acme, 'GET', '/v1/instances/w1');
      status = reply.body.status as string;
      output = reply.body.output;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('complete');
    expect(output).toEqual({ got: 'on' });
  }, 120_000);
});
