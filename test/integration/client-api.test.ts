/**
 * The TypeScript client against a real server on 127.0.0.1: every method round-trips,
 * another tenant's ids throw SandstackApiError with status 404, validation errors carry the
 * field names, and waitForInstance resolves or times out with a clear message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackApiError, SandstackClient, isSandstackApiError } from '../../src/client/index.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';

const ADMIN_TOKEN = `admin-${'c'.repeat(40)}`;

const BUILD_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Build extends WorkflowEntrypoint {
  async run(event, step) {
    const note = await step.do('read input', async () => this.env.INPUTS.text('note'));
    const box = await step.do('claim', async () => this.env.SANDBOX.claim({ template: 'default' }));
    const result = await step.do('exec', async () =>
      this.env.SANDBOX.exec(box.id, 'echo ' + event.payload.word),
    );
    await step.do('release', async () => {
      await this.env.SANDBOX.release(box.id);
      return null;
    });
    return { note, output: result.output, exitCode: result.exitCode };
  }
}
`;

const WAIT_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Wait extends WorkflowEntrypoint {
  async run(event, step) {
    const got = await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
    return { got: got.payload };
  }
}
`;

const FAIL_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Fail extends WorkflowEntrypoint {
  async run() {
    throw new Error('fails on purpose');
  }
}
`;

/** Runs `call` and returns the SandstackApiError it throws; fails the test if it does not. */
async function apiError(call: () => Promise<unknown>): Promise<SandstackApiError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof SandstackApiError) {
      return error;
    }
    throw error;
  }
  throw new Error('Expected the call to throw SandstackApiError, but it succeeded');
}

/** Returns the message of the error `call` rejects with. */
async function rejectionMessage(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('Expected the call to reject, but it resolved');
}

describe('SandstackClient', () => {
  let dir: string;
  let server: RunningServer;
  let admin: SandstackClient;
  let acme: SandstackClient;
  let globex: SandstackClient;

  const clientFor = (token: string): SandstackClient =>
    new SandstackClient({ baseUrl: server.url, token });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-client-'));
    server = await startServer({ stateDir: dir, port: 0, adminToken: ADMIN_TOKEN });
    admin = clientFor(ADMIN_TOKEN);
    for (const id of ['acme', 'globex']) {
      await admin.tenants.create({ id });
    }
    acme = clientFor((await admin.tenants.createToken('acme', { label: 'test' })).secret);
    globex = clientFor((await admin.tenants.createToken('globex')).secret);
  });

  afterAll(async () => {
    // Closing keeps claimed sandboxes running, so release what a failed test left behind.
    const controller = server?.context.stack.controller;
    for (const record of controller?.list() ?? []) {
      await controller?.release(record.id);
    }
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('construction', () => {
    it('rejects an invalid baseUrl', () => {
      expect(() => new SandstackClient({ baseUrl: 'localhost:7420', token: 'x' })).toThrow(
        /Invalid baseUrl "localhost:7420".*http:\/\//,
      );
      expect(() => new SandstackClient({ baseUrl: 'not a url', token: 'x' })).toThrow(
        /Invalid baseUrl/,
      );
    });

    it('rejects a missing token', () => {
      expect(() => new SandstackClient({ baseUrl: 'http://127.0.0.1:1', token: '' })).toThrow(
        /token is missing/,
      );
    });

    it('drops a trailing slash from baseUrl', async () => {
      const client = new SandstackClient({ baseUrl: `${server.url}/`, token: ADMIN_TOKEN });
      expect(client.baseUrl).toBe(server.url);
      expect((await client.health()).status).toBe('ok');
    });

    it('sends requests through a given fetch', async () => {
      const seen: string[] = [];
      const client = new SandstackClient({
        baseUrl: server.url,
        token: ADMIN_TOKEN,
        fetch: (input, init) => {
          seen.push(`${init.method} ${input}`);
          return fetch(input, init);
        },
      });
      await client.tenants.get('acme');
      expect(seen).toEqual([`GET ${server.url}/v1/tenants/acme`]);
    });
  });

  describe('tenants and tokens', () => {
    it('creates, lists, gets and deletes tenants', async () => {
      const created = await admin.tenants.create({ id: 'initech', displayName: 'Initech' });
      expect(created.id).toBe('initech');
      expect(created.displayName).toBe('Initech');
      const ids = (await admin.tenants.list()).map((tenant) => tenant.id);
      expect(ids).toEqual(expect.arrayContaining(['acme', 'globex', 'initech']));
      expect((await admin.tenants.get('initech')).displayName).toBe('Initech');

      const deleted = await admin.tenants.delete('initech');
      expect(deleted.id).toBe('initech');
      const gone = await apiError(() => admin.tenants.get('initech'));
      expect(gone.status).toBe(404);
      const reused = await apiError(() => admin.tenants.create({ id: 'initech' }));
      expect(reused.status).toBe(409);
      expect(reused.code).toBe('ALREADY_EXISTS');
    });

    it('creates, lists, rotates and revokes tokens', async () => {
      const created = await admin.tenants.createToken('acme', { label: 'rotate-me' });
      expect(created.secret).toMatch(/^sst_/);
      expect(created.token.tenant).toBe('acme');
      expect(created.token.label).toBe('rotate-me');
      const listed = await admin.tenants.listTokens('acme');
      expect(listed.map((token) => token.id)).toContain(created.token.id);

      const rotated = await admin.tenants.rotateToken('acme', created.token.id);
      expect(rotated.secret).not.toBe(created.secret);
      expect(rotated.token.label).toBe('rotate-me');
      const oldSecret = await apiError(() => clientFor(created.secret).usage());
      expect(oldSecret.status).toBe(401);
      expect(oldSecret.code).toBe('UNAUTHENTICATED');
      expect((await clientFor(rotated.secret).usage()).tenant).toBe('acme');

      const revoked = await admin.tenants.revokeToken('acme', rotated.token.id);
      expect(revoked.revokedAtMs).toEqual(expect.any(Number));
      const afterRevoke = await apiError(() => clientFor(rotated.secret).usage());
      expect(afterRevoke.status).toBe(401);
    });

    it("returns a tenant's usage and the audit log", async () => {
      const usage = await admin.tenants.usage('acme');
      expect(usage.tenant).toBe('acme');
      expect(usage.cpuSeconds).toEqual(expect.any(Number));

      const entries = await admin.tenants.audit({ tenant: 'acme', limit: 5 });
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.length).toBeLessThanOrEqual(5);
      expect(entries.every((entry) => entry.tenant === 'acme')).toBe(true);
      const older = await admin.tenants.audit({ before: entries[0]?.seq ?? 0, limit: 1 });
      expect(older[0]?.seq).toBeLessThan(entries[0]?.seq ?? 0);
    });

    it('keeps admin and tenant routes apart with 403', async () => {
      const tenantOnAdmin = await apiError(() => acme.tenants.list());
      expect(tenantOnAdmin.status).toBe(403);
      const adminOnTenant = await apiError(() => admin.instances.create({ workflow: 'build' }));
      expect(adminOnTenant.status).toBe(403);
      expect(adminOnTenant.message).toContain('tenant token');
    });
  });

  describe('bad requests', () => {
    it('carries the invalid field names', async () => {
      const error = await apiError(() =>
        admin.tenants.create({ id: 'has spaces', displayName: 5 as unknown as string }),
      );
      expect(error.status).toBe(400);
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.request).toBe('POST /v1/tenants');
      const fields = error.issues.map((issue) => issue.field);
      expect(fields).toEqual(expect.arrayContaining(['body.id', 'body.displayName']));
      expect(error.issues.find((issue) => issue.field === 'body.id')?.message).toContain(
        'use 1-63 letters',
      );
      expect(error.message).toContain('body.id');
    });

    it('carries an invalid query field', async () => {
      const error = await apiError(() =>
        acme.instances.list({ status: 'finished' as unknown as 'complete' }),
      );
      expect(error.status).toBe(400);
      expect(error.issues[0]?.field).toBe('query.status');
      expect(error.issues[0]?.message).toContain('complete');
    });

    it('reports workflow code that does not bundle', async () => {
      const error = await apiError(() =>
        acme.workflows.deploy({ name: 'broken', source: 'export class {' }),
      );
      expect(error.status).toBe(400);
      expect(error.code).toBe('WORKFLOW_INVALID');
    });

    it('encodes ids so they cannot change the route', async () => {
      const error = await apiError(() => acme.instances.get('../usage'));
      expect(error.status).toBe(400);
      expect(error.issues[0]?.field).toBe('path.id');
    });
  });

  describe('workflows and instances', () => {
    let runId: string;

    it('deploys a workflow and lists its versions', async () => {
      const deployed = await acme.workflows.deploy({
        name: 'build',
        source: BUILD_WORKFLOW,
        language: 'javascript',
      });
      expect(deployed.created).toBe(true);
      expect(deployed.className).toBe('Build');
      const again = await acme.workflows.deploy({
        name: 'build',
        source: BUILD_WORKFLOW,
        language: 'javascript',
      });
      expect(again.created).toBe(false);
      expect(again.version).toBe(deployed.version);

      const versions = await acme.workflows.versions('build');
      expect(versions.map((version) => version.version)).toEqual([deployed.version]);
      const workflows = await acme.workflows.list();
      expect(workflows.map((workflow) => workflow.workflow)).toEqual(['build']);
    });

    it('runs an instance and waits for completion', async () => {
      const created = await acme.instances.create({
        workflow: 'build',
        params: { word: 'hello-from-client' },
        inputs: { note: { content: Buffer.from('a note').toString('base64'), encoding: 'base64' } },
      });
      expect(['queued', 'running']).toContain(created.status);
      runId = created.id;

      const done = await acme.waitForInstance(runId, { timeoutMs: 120_000, intervalMs: 100 });
      expect(done.error).toBeNull();
      expect(done.status).toBe('complete');
      expect(done.output).toEqual({ note: 'a note', output: 'hello-from-client\n', exitCode: 0 });
      expect(done.steps.map((step) => step.key)).toEqual([
        'read input#1',
        'claim#1',
        'exec#1',
        'release#1',
      ]);
    });

    it('gets and lists instances with filters', async () => {
      const got = await acme.instances.get(runId);
      expect(got.id).toBe(runId);
      expect(got.workflow).toBe('build');
      const complete = await acme.instances.list({ workflow: 'build', status: 'complete' });
      expect(complete.map((instance) => instance.id)).toContain(runId);
      const queued = await acme.instances.list({ status: 'queued' });
      expect(queued.map((instance) => instance.id)).not.toContain(runId);
    });

    it("returns the run's trace and actions", async () => {
      const trace = await acme.instances.trace(runId);
      expect(trace.traceId).toEqual(expect.any(String));
      expect(trace.spans.length).toBeGreaterThan(0);
      expect(trace.spans.every((span) => span.traceId === trace.traceId)).toBe(true);
      const actions = await acme.instances.actions(runId);
      expect(actions.length).toBeGreaterThan(0);
    });

    it('pauses, resumes, sends an event and restarts', async () => {
      await acme.workflows.deploy({ name: 'wait', source: WAIT_WORKFLOW, language: 'javascript' });
      const created = await acme.instances.create({ workflow: 'wait', id: 'wait-1' });
      expect(created.id).toBe('wait-1');
      await acme.waitForInstance('wait-1', { statuses: ['waiting'], timeoutMs: 60_000 });

      expect((await acme.instances.pause('wait-1')).status).toBe('paused');
      const resumed = await acme.instances.resume('wait-1');
      expect(resumed.status).not.toBe('paused');
      await acme.waitForInstance('wait-1', { statuses: ['waiting'], timeoutMs: 60_000 });

      const sent = await acme.instances.sendEvent('wait-1', { type: 'go', payload: { n: 1 } });
      expect(sent.id).toBe('wait-1');
      const done = await acme.waitForInstance('wait-1', { timeoutMs: 60_000 });
      expect(done.status).toBe('complete');
      expect(done.output).toEqual({ got: { n: 1 } });

      const restarted = await acme.instances.restart('wait-1');
      expect(['queued', 'running', 'waiting']).toContain(restarted.status);
      await acme.waitForInstance('wait-1', { statuses: ['waiting'], timeoutMs: 60_000 });
      expect((await acme.instances.terminate('wait-1')).status).toBe('terminated');
    });

    it('rejects waitForInstance on timeout with the status', async () => {
      await acme.instances.create({ workflow: 'wait', id: 'wait-timeout' });
      await acme.waitForInstance('wait-timeout', { statuses: ['waiting'], timeoutMs: 60_000 });
      const message = await rejectionMessage(() =>
        acme.waitForInstance('wait-timeout', { timeoutMs: 200, intervalMs: 50 }),
      );
      expect(message).toContain('Timed out after 200 ms');
      expect(message).toContain('"wait-timeout"');
      expect(message).toContain('complete or errored or terminated');
      expect(message).toContain('still waiting');
      await acme.instances.terminate('wait-timeout');
    });

    it('rejects waitForInstance when the run ends otherwise', async () => {
      await acme.workflows.deploy({ name: 'fail', source: FAIL_WORKFLOW, language: 'javascript' });
      const created = await acme.instances.create({ workflow: 'fail' });
      const message = await rejectionMessage(() =>
        acme.waitForInstance(created.id, { statuses: ['complete'], timeoutMs: 60_000 }),
      );
      expect(message).toContain(`Instance "${created.id}" ended as errored`);
      expect(message).toContain('fails on purpose');
      expect(message).toContain('will not reach complete');
    });

    it('stops waitForInstance on abort', async () => {
      await acme.instances.create({ workflow: 'wait', id: 'wait-abort' });
      const controller = new AbortController();
      const waiting = acme.waitForInstance('wait-abort', {
        statuses: ['complete'],
        signal: controller.signal,
        intervalMs: 50,
      });
      controller.abort(new Error('stopped by the test'));
      await expect(waiting).rejects.toThrow('stopped by the test');
      await acme.instances.terminate('wait-abort');
    });

    it('rejects invalid wait options', async () => {
      await expect(acme.waitForInstance(runId, { statuses: [] })).rejects.toThrow(
        /statuses is empty/,
      );
      await expect(acme.waitForInstance(runId, { intervalMs: 0 })).rejects.toThrow(
        /Invalid intervalMs 0/,
      );
      await expect(acme.waitForInstance(runId, { timeoutMs: -1 })).rejects.toThrow(
        /Invalid timeoutMs -1/,
      );
    });

    it("answers 404 for another tenant's instance and workflow", async () => {
      const calls: [string, () => Promise<unknown>][] = [
        ['get', () => globex.instances.get(runId)],
        ['terminate', () => globex.instances.terminate(runId)],
        ['pause', () => globex.instances.pause(runId)],
        ['resume', () => globex.instances.resume(runId)],
        ['restart', () => globex.instances.restart(runId)],
        ['sendEvent', () => globex.instances.sendEvent(runId, { type: 'go' })],
        ['trace', () => globex.instances.trace(runId)],
        ['actions', () => globex.instances.actions(runId)],
        ['wait', () => globex.waitForInstance(runId, { timeoutMs: 1000 })],
        ['versions', () => globex.workflows.versions('build')],
        ['create', () => globex.instances.create({ workflow: 'build' })],
      ];
      for (const [name, call] of calls) {
        const error = await apiError(call);
        expect(error.status, name).toBe(404);
        expect(isSandstackApiError(error, 404), name).toBe(true);
      }
      expect(await globex.instances.list()).toEqual([]);
      expect(await globex.workflows.list()).toEqual([]);
    });
  });

  describe('sandboxes', () => {
    let sandboxId: string;

    it('claims a sandbox and lists it', async () => {
      const sandbox = await acme.sandboxes.claim({ template: 'default' });
      expect(sandbox.state).toBe('claimed');
      expect(sandbox.template).toBe('default');
      sandboxId = sandbox.id;
      expect((await acme.sandboxes.get(sandboxId)).id).toBe(sandboxId);
      const listed = await acme.sandboxes.list();
      expect(listed.map((record) => record.id)).toContain(sandboxId);
    });

    it('writes, reads and runs files', async () => {
      const written = await acme.sandboxes.writeFile(sandboxId, 'dir/hello.sh', 'echo hi "$1"');
      expect(written).toEqual({ path: 'dir/hello.sh', bytes: 12 });
      expect(await acme.sandboxes.readTextFile(sandboxId, 'dir/hello.sh')).toBe('echo hi "$1"');

      const bytes = new Uint8Array([0, 1, 2, 255, 254]);
      await acme.sandboxes.writeFile(sandboxId, 'data.bin', bytes);
      expect(await acme.sandboxes.readFile(sandboxId, 'data.bin')).toEqual(bytes);

      const result = await acme.sandboxes.exec(sandboxId, 'sh dir/hello.sh there');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('hi there\n');
      const failed = await acme.sandboxes.exec(sandboxId, {
        command: 'cat; echo "$GREETING" >&2; exit 3',
        stdin: 'from stdin',
        env: { GREETING: 'to stderr' },
      });
      expect(failed.exitCode).toBe(3);
      expect(failed.stdout).toBe('from stdin');
      expect(failed.stderr).toBe('to stderr\n');
    });

    it('reports a missing file with 404', async () => {
      const error = await apiError(() => acme.sandboxes.readFile(sandboxId, 'no-such-file'));
      expect(error.status).toBe(404);
      expect(error.code).toBe('FILE_NOT_FOUND');
    });

    it("answers 404 for another tenant's sandbox", async () => {
      const calls: [string, () => Promise<unknown>][] = [
        ['get', () => globex.sandboxes.get(sandboxId)],
        ['exec', () => globex.sandboxes.exec(sandboxId, 'true')],
        ['readFile', () => globex.sandboxes.readFile(sandboxId, 'data.bin')],
        ['writeFile', () => globex.sandboxes.writeFile(sandboxId, 'x', 'y')],
        ['release', () => globex.sandboxes.release(sandboxId)],
        ['suspend', () => globex.sandboxes.suspend(sandboxId)],
        ['resume', () => globex.sandboxes.resume(sandboxId)],
        ['snapshot', () => globex.sandboxes.snapshot(sandboxId, 'stolen')],
      ];
      for (const [name, call] of calls) {
        const error = await apiError(call);
        expect(error.status, name).toBe(404);
        expect(error.code, name).toBe('SANDBOX_NOT_FOUND');
      }
      expect(await globex.sandboxes.list({ includeReleased: true })).toEqual([]);
    });

    it('suspends, resumes and snapshots a sandbox', async () => {
      await acme.sandboxes.exec(sandboxId, 'echo kept > state.txt');
      const suspended = await acme.sandboxes.suspend(sandboxId);
      expect(suspended.operatingMode).toBe('Suspended');
      expect(suspended.conditions).toContainEqual(
        expect.objectContaining({ type: 'Suspended', status: 'True', reason: 'PodTerminated' }),
      );
      const blocked = await apiError(() => acme.sandboxes.exec(sandboxId, 'true'));
      expect(blocked.status).toBe(409);
      expect(blocked.code).toBe('SANDBOX_SUSPENDED');

      const resumed = await acme.sandboxes.resume(sandboxId);
      expect(resumed.operatingMode).toBe('Running');
      expect((await acme.sandboxes.exec(sandboxId, 'cat state.txt')).stdout).toBe('kept\n');

      const snapshot = await acme.sandboxes.snapshot(sandboxId, 'acme-snap');
      expect(snapshot.name).toBe('acme-snap');
      expect(snapshot.imageBytes).toBeGreaterThan(0);
      const taken = await apiError(() => acme.sandboxes.snapshot(sandboxId, 'acme-snap'));
      expect(taken.status).toBe(409);
      expect(taken.code).toBe('ALREADY_EXISTS');
    });

    it('lists snapshots per tenant and template', async () => {
      const listed = await acme.sandboxes.listSnapshots();
      expect(listed.map((snapshot) => snapshot.name)).toEqual(['acme-snap']);
      expect(listed[0]?.sandboxId).toBe(sandboxId);
      const ofTemplate = await acme.sandboxes.listSnapshots({ template: 'default' });
      expect(ofTemplate.map((snapshot) => snapshot.name)).toEqual(['acme-snap']);
      expect(await acme.sandboxes.listSnapshots({ template: 'other' })).toEqual([]);
      expect((await acme.sandboxes.getSnapshot('acme-snap')).imageBytes).toBeGreaterThan(0);

      expect(await globex.sandboxes.listSnapshots()).toEqual([]);
      for (const name of ['acme-snap', 'no-such-snap']) {
        const error = await apiError(() => globex.sandboxes.getSnapshot(name));
        expect(error.status, name).toBe(404);
        expect(error.code, name).toBe('SNAPSHOT_NOT_FOUND');
      }
      const invalid = await apiError(() => acme.sandboxes.listSnapshots({ template: 'a b' }));
      expect(invalid.status).toBe(400);
    });

    it('releases a sandbox and reports usage', async () => {
      const released = await acme.sandboxes.release(sandboxId);
      expect(released.state).toBe('released');
      expect(released.usage?.cpuSeconds).toEqual(expect.any(Number));
      expect((await acme.sandboxes.list()).map((record) => record.id)).not.toContain(sandboxId);
      const all = await acme.sandboxes.list({ includeReleased: true });
      expect(all.map((record) => record.id)).toContain(sandboxId);

      const usage = await acme.usage();
      expect(usage.tenant).toBe('acme');
      expect(usage.sandboxes).toBeGreaterThanOrEqual(1);
      expect(usage.instances.complete).toBeGreaterThanOrEqual(1);
    });
  });

  describe('approvals, metrics and health', () => {
    it('lists, gets and decides approval requests', async () => {
      const queue = server.context.approvals;
      const first = await queue.enqueue({
        tool: 'Bash',
        input: { command: 'rm -rf build' },
        reason: 'r',
      });
      const second = await queue.enqueue({ tool: 'Bash', input: { command: 'ls' }, reason: 'r' });

      const pending = await admin.approvals.list({ status: 'pending' });
      expect(pending.map((request) => request.id)).toEqual(
        expect.arrayContaining([first.id, second.id]),
      );
      expect((await admin.approvals.get(first.id)).tool).toBe('Bash');

      const approved = await admin.approvals.approve(first.id, { by: 'alice', note: 'fine' });
      expect(approved.status).toBe('approved');
      expect(approved.decidedBy).toBe('admin-env');
      expect(approved.decidedByLabel).toBe('alice');
      const denied = await admin.approvals.deny(second.id);
      expect(denied.status).toBe('denied');

      const twice = await apiError(() => admin.approvals.approve(first.id));
      expect(twice.status).toBe(409);
      const missing = await apiError(() => admin.approvals.get('apr_missing'));
      expect(missing.status).toBe(404);
      // A tenant sees only requests its own runs made, and these came from no run.
      expect(await acme.approvals.list()).toEqual([]);
      const other = await apiError(() => acme.approvals.get(first.id));
      expect(other.status).toBe(404);
    });

    it('returns Prometheus metrics to the admin', async () => {
      const text = await admin.metrics();
      expect(text).toContain('# TYPE');
      expect(text).toContain('tenant="acme"');
      const tenant = await apiError(() => acme.metrics());
      expect(tenant.status).toBe(403);
    });

    it('returns the health check', async () => {
      const health = await acme.health();
      expect(health.status).toBe('ok');
      expect(health.running).toEqual(expect.any(Number));
      expect(health.queued).toEqual(expect.any(Number));
    });
  });

  describe('transport failures', () => {
    let other: Server;
    let otherUrl: string;

    beforeAll(async () => {
      // Stands in for a proxy in front of the server that responds with its own error page.
      other = createServer((_request, response) => {
        response.writeHead(502, { 'content-type': 'text/html', 'retry-after': '7' });
        response.end('<html>Bad Gateway</html>');
      });
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => other?.close(resolve));
    });

    it('reports a non-JSON error body', async () => {
      const client = new SandstackClient({ baseUrl: otherUrl, token: 'x' });
      const error = await apiError(() => client.instances.get('run_1'));
      expect(error.status).toBe(502);
      expect(error.code).toBe('HTTP_ERROR');
      expect(error.message).toContain('GET /v1/instances/run_1 failed with HTTP 502');
      expect(error.message).toContain('Bad Gateway');
      expect(error.retryAfterSeconds).toBe(7);
    });

    it('reports a server that is not running', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));

      const client = new SandstackClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'x' });
      const message = await rejectionMessage(() => client.usage());
      expect(message).toContain(`GET /v1/usage to http://127.0.0.1:${port} failed`);
      expect(message).toContain('check that the server is running');
    });
  });
});
