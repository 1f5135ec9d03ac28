/**
 * The server releases the sandboxes a run claimed through env.SANDBOX once the instance
 * ends, whether it completes, errors or is terminated over HTTP, so they stop counting
 * toward the tenant's sandbox quota. A folder input that tar cannot unpack fails its
 * upload step without retries. Real sandboxes of the default template, over HTTP on
 * 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http/server.js';

const ADMIN_TOKEN = `admin-${'r'.repeat(40)}`;

/** Claims a sandbox, then waits, runs a long command, fails or returns as `event.payload.end` selects, without releasing it. */
const KEEP_WORKFLOW = `import { NonRetryableError, WorkflowEntrypoint } from 'sandstack/workflows';
export class Keep extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', { retries: { limit: 0 } }, async () => this.env.SANDBOX.claim({}));
    if (event.payload.end === 'wait') {
      await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
    }
    if (event.payload.end === 'exec') {
      await step.do('exec', async () => this.env.SANDBOX.exec(box.id, 'sleep 60'));
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

/** Uploads folder input `repo` into a claimed sandbox with the step's default retries. */
const UPLOAD_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Upload extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', { retries: { limit: 0 } }, async () => this.env.SANDBOX.claim({}));
    await step.do('upload', async () => this.env.SANDBOX.upload(box.id, 'repo', '/workspace/repo'));
    return box.id;
  }
}
`;

/** Builds a tar archive whose one member escapes the folder it is unpacked into. */
function escapingTar(): Buffer {
  const header = Buffer.alloc(512);
  const field = (text: string, offset: number): void => {
    header.write(text, offset, 'ascii');
  };
  const content = Buffer.from('escaped\n');
  field('../../../tmp/escaped-by-tar', 0);
  field('0000644\0', 100);
  field('0000000\0', 108);
  field('0000000\0', 116);
  field(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  field('00000000000\0', 136);
  field('0', 156);
  field('ustar\0', 257);
  field('00', 263);
  // The checksum is the byte sum of the header with its own field read as spaces.
  header.fill(' ', 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const body = Buffer.alloc(512);
  content.copy(body);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

/** Statuses of an instance that has ended. */
const ENDED = ['complete', 'errored', 'terminated'];

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

  /** Describes instance `id` and its sandboxes, for the message of a wait that timed out. */
  const describeRun = async (id: string): Promise<string> => {
    const instance = await call('GET', `/v1/instances/${id}`);
    const { status, error, steps } = instance.body;
    const sandboxes = await runSandboxes(id);
    return JSON.stringify({ status, error, steps, sandboxes });
  };

  /**
   * Polls until `check` returns a value, bounded to 1500 polls of 100 ms. A cold gVisor
   * claim may take up to 30 s for `runsc run` plus 30 s for the agent's first reply before
   * it gives up, so on a loaded host a 60 s wait can end before the claim does. A wait that
   * times out names what it waited for and the instance's state.
   */
  const pollFor = async <T>(
    label: string,
    id: string,
    check: () => Promise<T | undefined>,
  ): Promise<T> => {
    for (let poll = 0; poll < 1500; poll += 1) {
      const value = await check();
      if (value !== undefined) {
        return value;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Timed out waiting for ${label}; instance ${id}: ${await describeRun(id)}`);
  };

  const claimedBy = (id: string) =>
    pollFor(`a sandbox claimed by ${id}`, id, async () => {
      const sandboxes = await runSandboxes(id);
      return sandboxes.length > 0 ? sandboxes : undefined;
    });

  const releasedBy = (id: string) =>
    pollFor(`the sandboxes of ${id} to be released`, id, async () => {
      const sandboxes = await runSandboxes(id);
      const released = sandboxes.length > 0 && sandboxes.every((box) => box.state === 'released');
      return released ? sandboxes : undefined;
    });

  const statusOf = async (id: string): Promise<Reply['body']> =>
    pollFor(`${id} to end`, id, async () => {
      const reply = await call('GET', `/v1/instances/${id}`);
      const ended = ENDED.includes(reply.body.status as string);
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
    for (const [name, source] of [
      ['keep', KEEP_WORKFLOW],
      ['upload', UPLOAD_WORKFLOW],
    ]) {
      const deployed = await call('POST', '/v1/workflows', { name, source });
      expect(deployed.status).toBeLessThan(300);
    }
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
  }, 400_000);

  it('releases on terminate mid-command', async () => {
    await call('POST', '/v1/instances', { workflow: 'keep', id: 'busy', params: { end: 'exec' } });
    await claimedBy('busy');
    await pollFor('the exec step to start after the cold claim', 'busy', async () => {
      const reply = await call('GET', '/v1/instances/busy');
      if (ENDED.includes(reply.body.status as string)) {
        // A claim that failed ends the instance, and the step would never start.
        throw new Error(`Instance busy ended before its exec step: ${await describeRun('busy')}`);
      }
      const steps = reply.body.steps as { key: string }[];
      return steps.some((step) => step.key === 'exec#1') ? true : undefined;
    });

    const terminated = await call('POST', '/v1/instances/busy/terminate');
    expect(terminated.status).toBe(200);
    const sandboxes = await releasedBy('busy');
    expect(sandboxes).toHaveLength(1);
    expect((await call('GET', '/v1/instances/busy')).body.status).toBe('terminated');
  }, 400_000);

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
  }, 400_000);

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
  }, 400_000);

  it('fails a hostile tar upload at once', async () => {
    const created = await call('POST', '/v1/instances', {
      workflow: 'upload',
      id: 'hostile-tar',
      inputs: {
        repo: {
          type: 'directory',
          encoding: 'base64',
          content: escapingTar().toString('base64'),
        },
      },
    });
    expect(created.status).toBe(202);
    const ended = await statusOf('hostile-tar');
    expect(ended.status).toBe('errored');
    const error = ended.error as { code: string; message: string };
    expect(error.message).toContain(
      'Copying input "repo" into the sandbox failed and is not retried',
    );
    expect(error.message).toContain("Member name contains '..'");
    const steps = ended.steps as { key: string; status: string; attempt: number }[];
    expect(steps.find((step) => step.key === 'upload#1')).toMatchObject({
      status: 'errored',
      attempt: 1,
    });
    await releasedBy('hostile-tar');
  }, 400_000);
});
