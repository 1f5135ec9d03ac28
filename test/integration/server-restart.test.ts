/**
 * `sandstack serve` as a child process: it prints the admin token once, a kill -9 loses
 * nothing it accepted (tenants, tokens, queued and running instances, a claimed sandbox's
 * files), and SIGTERM stops it cleanly.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/store.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { makeTempDir, runCli, startCli, type StartedCli } from '../helpers/cli.js';

const NAP_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Nap extends WorkflowEntrypoint {
  async run(event, step) {
    const before = await step.do('before', async () => 'before-' + event.payload.n);
    await step.sleep('nap', '2 seconds');
    const after = await step.do('after', async () => 'after-' + event.payload.n);
    return { before, after };
  }
}
`;

/** A server child process and what it printed. */
interface ServeProcess {
  cli: StartedCli;
  url: string;
  output: () => string;
}

async function startServe(stateDir: string): Promise<ServeProcess> {
  const cli = startCli(
    ['--state-dir', stateDir, 'serve', '--port', '0', '--max-concurrent-runs', '1'],
    // An empty variable counts as unset, so the server uses its stored admin token.
    { env: { SANDSTACK_ADMIN_TOKEN: '' } },
  );
  let output = '';
  cli.child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await cli.waitForOutput(/listening on http:\/\/\S+/);
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
  if (url === undefined) {
    throw new Error(`No URL in the server output:\n${output}`);
  }
  return { cli, url, output: () => output };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Reply['body']) };
}

async function waitForInstance(
  url: string,
  token: string,
  id: string,
  done: (body: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  // Bounded: 900 polls of 100 ms, about a minute and a half.
  for (let poll = 0; poll < 900; poll += 1) {
    const reply = await call(url, token, 'GET', `/v1/instances/${id}`);
    if (reply.status === 200 && done(reply.body)) {
      return reply.body;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Instance ${id} never reached the expected state`);
}

describe('sandstack serve across restarts', () => {
  let state: { path: string; remove: () => Promise<void> };
  let current: ServeProcess | undefined;

  beforeAll(async () => {
    state = await makeTempDir('serve-restart');
  });

  afterAll(async () => {
    current?.cli.child.kill('SIGKILL');
    await current?.cli.done;
    // A failed test can leave its claimed sandbox running: release it before removing the folder.
    const db = openDatabase(join(state.path, 'state.db'));
    const controller = new SandboxController({ db, stateDir: join(state.path, 'sandboxes') });
    for (const record of controller.list()) {
      await controller.release(record.id);
    }
    await controller.close();
    db.close();
    await state.remove();
  });

  it('loses nothing it accepted when killed with SIGKILL', async () => {
    current = await startServe(state.path);
    const adminToken = /^\s+(ssa_\S+)$/m.exec(current.output())?.[1];
    expect(adminToken, current.output()).toBeDefined();
    const admin = adminToken as string;
    let url = current.url;

    expect((await call(url, admin, 'POST', '/v1/tenants', { id: 'acme' })).status).toBe(201);
    const token = (await call(url, admin, 'POST', '/v1/tenants/acme/tokens', {})).body
      .secret as string;
    const deployed = await call(url, token, 'POST', '/v1/workflows', {
      name: 'nap',
      source: NAP_WORKFLOW,
      language: 'javascript',
    });
    expect(deployed.status).toBe(201);

    const sandbox = await call(url, token, 'POST', '/v1/sandboxes', {});
    expect(sandbox.status).toBe(201);
    const sandboxId = sandbox.body.id as string;
    const written = await call(
      url,
      token,
      'PUT',
      `/v1/sandboxes/${sandboxId}/files?path=kept.txt`,
      'still here',
      'application/octet-stream',
    );
    expect(written.status).toBe(200);

    // One run at a time: the first instance is mid-run, the other two wait in the queue.
    const ids = ['nap-1', 'nap-2', 'nap-3'];
    for (const [index, id] of ids.entries()) {
      const created = await call(url, token, 'POST', '/v1/instances', {
        workflow: 'nap',
        id,
        params: { n: index + 1 },
      });
      expect(created.status).toBe(202);
    }
    await waitForInstance(url, token, 'nap-1', (body) =>
      (body.steps as { key: string; status: string }[]).some(
        (step) => step.key === 'before#1' && step.status === 'complete',
      ),
    );
    current.cli.child.kill('SIGKILL');
    expect((await current.cli.done).signal).toBe('SIGKILL');

    current = await startServe(state.path);
    url = current.url;
    expect(current.output()).not.toContain('New admin token');
    expect((await call(url, admin, 'GET', '/v1/tenants')).status).toBe(200);

    for (const [index, id] of ids.entries()) {
      const body = await waitForInstance(url, token, id, (reply) =>
        ['complete', 'errored', 'terminated'].includes(reply.status as string),
      );
      expect(body.status, JSON.stringify(body)).toBe('complete');
      expect(body.output).toEqual({ before: `before-${index + 1}`, after: `after-${index + 1}` });
    }

    const read = await call(url, token, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
      command: 'cat kept.txt',
    });
    expect(read.status).toBe(200);
    expect(read.body.stdout).toBe('still here');
    expect((await call(url, token, 'DELETE', `/v1/sandboxes/${sandboxId}`)).status).toBe(200);
  }, 240_000);

  it('refuses a second server or run on its state folder', async () => {
    const second = await runCli(['--state-dir', state.path, 'serve', '--port', '0'], {
      env: { SANDSTACK_ADMIN_TOKEN: '' },
    });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('The state folder is in use by another sandstack serve');
    expect(second.stderr).toContain('--state-dir');

    const run = await runCli(['--state-dir', state.path, 'run', 'examples/agent-session']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('The state folder is in use by sandstack serve');
    expect(run.stderr).toContain('--server');
  }, 60_000);

  it('stops cleanly on SIGTERM', async () => {
    const server = current as ServeProcess;
    server.cli.child.kill('SIGTERM');
    const result = await server.cli.done;
    expect(result.code, result.stderr).toBe(0);
    expect(server.output()).toContain('SIGTERM received');
    expect(server.output()).toContain('Stopped');
    expect(result.stderr).toContain('Server stopped');
    current = undefined;
  }, 60_000);
});
