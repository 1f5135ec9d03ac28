/**
 * The control plane API over real HTTP on 127.0.0.1: tokens, validation, body limits, a
 * workflow deployed and run to the end with a real sandbox, directly claimed sandboxes,
 * and another tenant's ids answering 404 on every route.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http/server.js';

interface Reply {
  status: number;
  body: Record<string, unknown> & {
    error?: { code: string; message: string; issues?: { field: string; message: string }[] };
  };
  text: string;
}

const ADMIN_TOKEN = `admin-${'x'.repeat(40)}`;

const BUILD_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Build extends WorkflowEntrypoint {
  async run(event, step) {
    const note = await step.do('read input', async () => this.env.INPUTS.text('note'));
    const box = await step.do('claim', async () => this.env.SANDBOX.claim({ template: 'default' }));
    const result = await step.do('exec', async () =>
      this.env.SANDBOX.exec(box.id, 'echo ' + event.payload.word + ' > /workspace/w.txt && cat /workspace/w.txt'),
    );
    await step.do('release', async () => {
      await this.env.SANDBOX.release(box.id);
      return null;
    });
    return { note, output: result.output, exitCode: result.exitCode, allowed: result.allowed };
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

/** Greets `event.payload.name`; deployed with a manifest that declares that param. */
const GREET_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Greet extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do('greet', async () => 'hello ' + event.payload.name);
  }
}
`;

const ASK_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Ask extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', async () => this.env.SANDBOX.claim({ template: 'default' }));
    const push = await step.do('push', async () => this.env.SANDBOX.exec(box.id, 'git push origin main'));
    await step.do('release', async () => {
      await this.env.SANDBOX.release(box.id);
      return null;
    });
    return { allowed: push.allowed, reason: push.reason };
  }
}
`;

/** Counts the starts of its slow step in a file of its sandbox. */
const COUNT_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Count extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', async () => this.env.SANDBOX.claim({ template: 'default' }));
    await step.do('slow', async () =>
      this.env.SANDBOX.exec(box.id, 'echo start >> /workspace/starts.txt && sleep 3'),
    );
    const count = await step.do('count', async () =>
      this.env.SANDBOX.exec(box.id, 'wc -l < /workspace/starts.txt'),
    );
    await step.do('release', async () => {
      await this.env.SANDBOX.release(box.id);
      return null;
    });
    return count.output.trim();
  }
}
`;

describe('control plane API', () => {
  let dir: string;
  let server: RunningServer;
  let acme: string;
  let globex: string;

  const call = async (
    token: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const init: RequestInit = {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined || typeof body !== 'object'
          ? {}
          : { 'content-type': 'application/json' }),
        ...headers,
      },
    };
    if (body !== undefined) {
      init.body =
        typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    }
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    let parsed: Reply['body'] = {};
    try {
      parsed = JSON.parse(text) as Reply['body'];
    } catch {
      // Not JSON: a file download.
    }
    return { status: response.status, body: parsed, text };
  };
  const admin = (method: string, path: string, body?: unknown): Promise<Reply> =>
    call(ADMIN_TOKEN, method, path, body);

  const createTenant = async (id: string): Promise<string> => {
    expect((await admin('POST', '/v1/tenants', { id })).status).toBe(201);
    const token = await admin('POST', `/v1/tenants/${id}/tokens`, { label: 'test' });
    expect(token.status).toBe(201);
    return token.body.secret as string;
  };

  const waitForStatus = async (token: string, id: string, statuses: string[]): Promise<Reply> => {
    // Bounded: 600 polls of 100 ms, about a minute.
    for (let poll = 0; poll < 600; poll += 1) {
      const reply = await call(token, 'GET', `/v1/instances/${id}`);
      if (statuses.includes(reply.body.status as string)) {
        return reply;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Instance ${id} never reached ${statuses.join(' or ')}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-server-api-'));
    server = await startServer({
      stateDir: dir,
      port: 0,
      adminToken: ADMIN_TOKEN,
      maxBodyBytes: 256 * 1024,
    });
    acme = await createTenant('acme');
    globex = await createTenant('globex');
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

  describe('tokens', () => {
    it('rejects a missing or unknown token with 401', async () => {
      const missing = await call(undefined, 'GET', '/v1/instances');
      expect(missing.status).toBe(401);
      expect(missing.body.error?.code).toBe('UNAUTHENTICATED');
      expect(missing.body.error?.message).toContain('Authorization: Bearer');

      const unknown = await call('sst_not-a-real-token', 'GET', '/v1/instances');
      expect(unknown.status).toBe(401);

      const malformed = await call(undefined, 'GET', '/v1/instances', undefined, {
        authorization: `Basic ${acme}`,
      });
      expect(malformed.status).toBe(401);
    });

    it('keeps admin and tenant routes apart with 403', async () => {
      expect((await call(acme, 'GET', '/v1/tenants')).status).toBe(403);
      expect((await call(acme, 'POST', '/v1/tenants/acme/tokens', {})).status).toBe(403);
      expect((await call(acme, 'GET', '/v1/audit')).status).toBe(403);
      const adminOnTenantRoute = await admin('POST', '/v1/instances', { workflow: 'build' });
      expect(adminOnTenantRoute.status).toBe(403);
      expect(adminOnTenantRoute.body.error?.message).toContain('tenant token');
      expect((await admin('GET', '/v1/sandboxes/sbx_1')).status).toBe(403);
    });

    it("lists every tenant's instances and sandboxes for the admin only", async () => {
      const all = await admin('GET', '/v1/instances');
      expect(all.status).toBe(200);
      const one = await admin('GET', '/v1/instances?tenant=globex');
      expect(one.status).toBe(200);
      for (const instance of one.body.instances as { tenant: string }[]) {
        expect(instance.tenant).toBe('globex');
      }
      const sandboxes = await admin('GET', '/v1/sandboxes?tenant=globex&all=true');
      expect(sandboxes.status).toBe(200);
      const foreign = await call(acme, 'GET', '/v1/instances?tenant=globex');
      expect(foreign.status).toBe(400);
      expect(foreign.body.error?.message).toContain('lists only its own tenant "acme"');
      const foreignSandboxes = await call(acme, 'GET', '/v1/sandboxes?tenant=globex');
      expect(foreignSandboxes.status).toBe(400);
    });

    it('rotates a token so only the new secret works', async () => {
      const created = await admin('POST', '/v1/tenants/acme/tokens', { label: 'rotate-me' });
      const oldSecret = created.body.secret as string;
      const tokenId = (created.body.token as { id: string }).id;
      expect((await call(oldSecret, 'GET', '/v1/usage')).status).toBe(200);

      const rotated = await admin('POST', `/v1/tenants/acme/tokens/${tokenId}/rotate`);
      expect(rotated.status).toBe(200);
      const newSecret = rotated.body.secret as string;
      expect(newSecret).not.toBe(oldSecret);
      expect((rotated.body.token as { label: string }).label).toBe('rotate-me');
      expect((await call(oldSecret, 'GET', '/v1/usage')).status).toBe(401);
      expect((await call(newSecret, 'GET', '/v1/usage')).status).toBe(200);

      const again = await admin('POST', `/v1/tenants/acme/tokens/${tokenId}/rotate`);
      expect(again.status).toBe(400);
    });

    it('revokes a token at once', async () => {
      const created = await admin('POST', '/v1/tenants/acme/tokens', {});
      const secret = created.body.secret as string;
      const tokenId = (created.body.token as { id: string }).id;
      const revoked = await admin('DELETE', `/v1/tenants/acme/tokens/${tokenId}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAtMs).toEqual(expect.any(Number));
      expect((await call(secret, 'GET', '/v1/usage')).status).toBe(401);
    });

    it("answers 404 for another tenant's token id", async () => {
      const globexTokens = await admin('GET', '/v1/tenants/globex/tokens');
      const globexTokenId = (globexTokens.body.tokens as { id: string }[])[0]?.id;
      expect(globexTokenId).toBeDefined();
      const rotate = await admin('POST', `/v1/tenants/acme/tokens/${globexTokenId}/rotate`);
      expect(rotate.status).toBe(404);
      const revoke = await admin('DELETE', `/v1/tenants/acme/tokens/${globexTokenId}`);
      expect(revoke.status).toBe(404);
      expect((await call(globex, 'GET', '/v1/usage')).status).toBe(200);
    });

    it('stores only token hashes', () => {
      const rows = server.context.stack.db
        .prepare('SELECT token_hash FROM server_tokens')
        .all() as { token_hash: string }[];
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(row.token_hash).not.toBe(acme);
      }
    });

    it('deletes a tenant, revoking its tokens and keeping its id taken', async () => {
      const secret = await createTenant('initech');
      expect((await admin('DELETE', '/v1/tenants/initech')).status).toBe(200);
      expect((await call(secret, 'GET', '/v1/usage')).status).toBe(401);
      expect((await admin('GET', '/v1/tenants/initech')).status).toBe(404);
      const reuse = await admin('POST', '/v1/tenants', { id: 'initech' });
      expect(reuse.status).toBe(409);
      expect(reuse.body.error?.message).toContain('deleted tenant');
    });
  });

  describe('bad requests', () => {
    it('names each invalid field and the fix', async () => {
      const reply = await admin('POST', '/v1/tenants', { id: 'has spaces', displayName: 5 });
      expect(reply.status).toBe(400);
      expect(reply.body.error?.code).toBe('INVALID_ARGUMENT');
      const fields = reply.body.error?.issues?.map((issue) => issue.field);
      expect(fields).toEqual(expect.arrayContaining(['body.id', 'body.displayName']));
      const idIssue = reply.body.error?.issues?.find((issue) => issue.field === 'body.id');
      expect(idIssue?.message).toContain('use 1-63 letters');
    });

    it('rejects malformed JSON and a wrong content type', async () => {
      const malformed = await call(acme, 'POST', '/v1/instances', '{"workflow":', {
        'content-type': 'application/json',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error?.message).toContain('Malformed JSON');

      const wrongType = await call(acme, 'POST', '/v1/instances', 'workflow=x', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(wrongType.status).toBe(415);
      expect(wrongType.body.error?.message).toContain('application/json');
    });

    it('rejects a missing required field', async () => {
      const reply = await call(acme, 'POST', '/v1/sandboxes/sbx_none/exec', {});
      expect(reply.status).toBe(400);
      expect(reply.body.error?.issues?.[0]?.field).toBe('body.command');
    });

    it('rejects an invalid query value', async () => {
      const reply = await call(acme, 'GET', '/v1/instances?status=finished');
      expect(reply.status).toBe(400);
      expect(reply.body.error?.issues?.[0]?.field).toBe('query.status');
      expect(reply.body.error?.issues?.[0]?.message).toContain('complete');
    });

    it('answers 413 naming the limit for an oversized body', async () => {
      const reply = await call(acme, 'POST', '/v1/workflows', {
        name: 'big',
        source: 'x'.repeat(300 * 1024),
      });
      expect(reply.status).toBe(413);
      expect(reply.body.error?.code).toBe('BODY_TOO_LARGE');
      expect(reply.body.error?.message).toContain(String(256 * 1024));
    });

    it('reports workflow code that does not bundle', async () => {
      const reply = await call(acme, 'POST', '/v1/workflows', {
        name: 'broken',
        source: 'export class {',
      });
      expect(reply.status).toBe(400);
      expect(reply.body.error?.code).toBe('WORKFLOW_INVALID');
      expect(reply.body.error?.message).not.toContain(tmpdir());
    });

    it("keeps files on the server's disk out of a bundle", async () => {
      const reply = await call(acme, 'POST', '/v1/workflows', {
        name: 'sneaky',
        language: 'javascript',
        source: `import pkg from './package.json';
          import { WorkflowEntrypoint } from 'sandstack/workflows';
          export class Sneaky extends WorkflowEntrypoint { async run() { return pkg; } }`,
      });
      expect(reply.status).toBe(400);
      expect(reply.body.error?.code).toBe('WORKFLOW_INVALID');
    });

    it('names routes in not-found errors', async () => {
      const claim = await call(acme, 'POST', '/v1/sandboxes', { template: 'no-such-template' });
      expect(claim.status).toBe(400);
      expect(claim.body.error?.message).toBe(
        'Template "no-such-template" not found; list the templates you can use with GET /v1/templates',
      );
      const run = await call(acme, 'POST', '/v1/instances', { workflow: 'no-such-workflow' });
      expect(run.status).toBe(404);
      expect(run.body.error?.message).toBe(
        'Workflow "no-such-workflow" not found for tenant "acme"; deploy it with POST /v1/workflows',
      );
    });

    it('rejects an exec timeout past timers', async () => {
      const reply = await call(acme, 'POST', '/v1/sandboxes/sbx_any/exec', {
        command: 'true',
        timeoutMs: 1e12,
      });
      expect(reply.status).toBe(400);
      expect(reply.body.error?.message).toContain(
        'body.timeoutMs: timeoutMs must be at most 2073600000 ms (24 days)',
      );
    });

    it('answers 404 with a hint for an unknown route', async () => {
      const reply = await call(acme, 'GET', '/v1/nothing-here');
      expect(reply.status).toBe(404);
      expect(reply.body.error?.message).toContain('/openapi.json');
    });
  });

  describe('workflows and instances', () => {
    let runId: string;

    it('deploys a workflow and lists its versions', async () => {
      const deployed = await call(acme, 'POST', '/v1/workflows', {
        name: 'build',
        source: BUILD_WORKFLOW,
        language: 'javascript',
      });
      expect(deployed.status).toBe(201);
      expect(deployed.body.className).toBe('Build');
      expect(deployed.body.created).toBe(true);

      const again = await call(acme, 'POST', '/v1/workflows', {
        name: 'build',
        source: BUILD_WORKFLOW,
        language: 'javascript',
      });
      expect(again.body.created).toBe(false);

      const versions = await call(acme, 'GET', '/v1/workflows/build/versions');
      expect(versions.status).toBe(200);
      expect(versions.body.versions).toHaveLength(1);
      const list = await call(acme, 'GET', '/v1/workflows');
      expect((list.body.workflows as { workflow: string }[]).map((w) => w.workflow)).toEqual([
        'build',
      ]);
    });

    it('names the uploaded file in deploy errors', async () => {
      const header = 'import { WorkflowEntrypoint } from "sandstack/workflows";\n';
      const body = 'export class W extends WorkflowEntrypoint { async run() { return x; } }';
      const cases: [string, string][] = [
        [
          'import x from "./helper";',
          'Invalid workflow in flows/greet.ts:2:15: Workflow imports "./helper", but an uploaded workflow is one file and can import no other file',
        ],
        [
          'import x from "../../../etc/hostname";',
          'Workflow imports "../../../etc/hostname", but an uploaded workflow is one file',
        ],
        ['import x from "/etc/hostname";', 'Workflow imports "/etc/hostname", but an uploaded'],
        ['import x from "lodash";', 'copy its code into the uploaded file or remove the import'],
        ['const x = ;', 'Syntax error in flows/greet.ts:2:11'],
      ];
      for (const [line, expected] of cases) {
        const reply = await call(acme, 'POST', '/v1/workflows', {
          name: 'broken',
          source: `${header}${line}\n${body}`,
          filename: 'flows/greet.ts',
        });
        expect(reply.status, line).toBe(400);
        expect(reply.body.error?.message, line).toContain(expected);
        expect(reply.body.error?.message, line).not.toContain('sandstack-deploy-');
        expect(reply.body.error?.message, line).not.toContain(tmpdir());
      }
      const unnamed = await call(acme, 'POST', '/v1/workflows', {
        name: 'broken',
        source: `${header}export class W extends WorkflowEntrypoint {}`,
        className: 'Missing',
      });
      expect(unnamed.body.error?.message).toContain(
        'Workflow "workflow.ts" exports no WorkflowEntrypoint subclass named "Missing"',
      );
    });

    it('runs an instance to completion with a sandbox and an input', async () => {
      const created = await call(acme, 'POST', '/v1/instances', {
        workflow: 'build',
        params: { word: 'hello-from-api' },
        inputs: { note: { content: 'a note for the run' } },
      });
      expect(created.status).toBe(202);
      runId = created.body.id as string;

      const done = await waitForStatus(acme, runId, ['complete', 'errored']);
      expect(done.body.error).toBeNull();
      expect(done.body.status).toBe('complete');
      const output = done.body.output as Record<string, unknown>;
      expect(output.note).toBe('a note for the run');
      expect(output.allowed).toBe(true);
      expect(output.exitCode).toBe(0);
      expect(output.output).toContain('hello-from-api');
      expect((done.body.steps as unknown[]).length).toBe(4);
    });

    it('returns the run trace with step and sandbox spans', async () => {
      const trace = await call(acme, 'GET', `/v1/instances/${runId}/trace`);
      expect(trace.status).toBe(200);
      const spans = trace.body.spans as { name: string; attributes: Record<string, unknown> }[];
      const names = spans.map((span) => span.name);
      expect(names).toContain('workflow.run');
      expect(names).toContain('workflow.step');
      expect(spans.every((span) => span.attributes['sandstack.tenant'] === 'acme')).toBe(true);
      expect(names.length).toBeGreaterThan(4);
    });

    it("returns the run's guarded actions", async () => {
      const actions = await call(acme, 'GET', `/v1/instances/${runId}/actions`);
      expect(actions.status).toBe(200);
      const kinds = (actions.body.actions as { kind: string; verdict: string }[]).map(
        (action) => `${action.kind}:${action.verdict}`,
      );
      expect(kinds).toContain('tool:allow');
      expect(kinds).toContain('claim:allow');
    });

    it('checks params the manifest declares', async () => {
      const deployed = await call(acme, 'POST', '/v1/workflows', {
        name: 'greet-declared',
        source: GREET_WORKFLOW,
        language: 'javascript',
        manifest: {
          params: { name: { type: 'string', required: true } },
          inputs: { repo: { type: 'directory' } },
        },
      });
      expect(deployed.status).toBe(201);

      const cases: [unknown, string][] = [
        [{ nam: 'Ada' }, 'Unknown param "nam"; the workflow\'s sandstack.json declares name, repo'],
        [
          {},
          'Param "name" is missing; the workflow\'s sandstack.json requires it; send it in "params"',
        ],
        [{ name: 5 }, 'Param "name" must be of type string, got number 5'],
        [['Ada'], 'Params must be a JSON object, got array'],
      ];
      for (const [params, message] of cases) {
        const reply = await call(acme, 'POST', '/v1/instances', {
          workflow: 'greet-declared',
          params,
        });
        expect(reply.status, JSON.stringify(params)).toBe(400);
        expect(reply.body.error?.code, JSON.stringify(params)).toBe('INVALID_ARGUMENT');
        expect(reply.body.error?.message, JSON.stringify(params)).toContain(message);
      }

      const created = await call(acme, 'POST', '/v1/instances', {
        workflow: 'greet-declared',
        params: { name: 'Ada' },
      });
      expect(created.status).toBe(202);
      const done = await waitForStatus(acme, created.body.id as string, ['complete', 'errored']);
      expect(done.body.output).toBe('hello Ada');
    });

    it('rejects a duplicate instance id with 409', async () => {
      const duplicate = await call(acme, 'POST', '/v1/instances', { workflow: 'build', id: runId });
      expect(duplicate.status).toBe(409);
    });

    it('delivers an event and terminates an instance', async () => {
      await call(acme, 'POST', '/v1/workflows', { name: 'wait', source: WAIT_WORKFLOW });
      const first = await call(acme, 'POST', '/v1/instances', { workflow: 'wait', id: 'wait-1' });
      expect(first.status).toBe(202);
      await waitForStatus(acme, 'wait-1', ['waiting']);
      const sent = await call(acme, 'POST', '/v1/instances/wait-1/events', {
        type: 'go',
        payload: { n: 7 },
      });
      expect(sent.status).toBe(202);
      const done = await waitForStatus(acme, 'wait-1', ['complete', 'errored']);
      expect(done.body.output).toEqual({ got: { n: 7 } });

      await call(acme, 'POST', '/v1/instances', { workflow: 'wait', id: 'wait-2' });
      await waitForStatus(acme, 'wait-2', ['waiting']);
      const terminated = await call(acme, 'POST', '/v1/instances/wait-2/terminate');
      expect(terminated.status).toBe(200);
      expect(terminated.body.status).toBe('terminated');
      const twice = await call(acme, 'POST', '/v1/instances/wait-2/terminate');
      expect(twice.status).toBe(400);
    });

    it('keeps a running step on pause and resume', async () => {
      expect(
        (await call(acme, 'POST', '/v1/workflows', { name: 'count', source: COUNT_WORKFLOW }))
          .status,
      ).toBe(201);
      const created = await call(acme, 'POST', '/v1/instances', { workflow: 'count' });
      expect(created.status).toBe(202);
      const id = created.body.id as string;
      // Bounded: 600 polls of 100 ms, about a minute.
      let slowRunning = false;
      for (let poll = 0; poll < 600 && !slowRunning; poll += 1) {
        const reply = await call(acme, 'GET', `/v1/instances/${id}`);
        const steps = reply.body.steps as { key: string; status: string }[];
        slowRunning = steps.some((item) => item.key === 'slow#1' && item.status === 'running');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(slowRunning).toBe(true);

      expect((await call(acme, 'POST', `/v1/instances/${id}/pause`)).status).toBe(200);
      expect((await call(acme, 'POST', `/v1/instances/${id}/resume`)).status).toBe(200);
      const done = await waitForStatus(acme, id, ['complete', 'errored']);
      expect(done.body.status).toBe('complete');
      expect(done.body.output).toBe('1');
    }, 120_000);

    it('lists instances filtered by status', async () => {
      const complete = await call(acme, 'GET', '/v1/instances?status=complete');
      const ids = (complete.body.instances as { id: string }[]).map((instance) => instance.id);
      expect(ids).toContain(runId);
      expect(ids).not.toContain('wait-2');
    });

    it('writes every mutation to the audit log', async () => {
      const audit = await admin('GET', '/v1/audit?tenant=acme&limit=1000');
      expect(audit.status).toBe(200);
      const actions = (audit.body.entries as { action: string }[]).map((entry) => entry.action);
      for (const action of [
        'tenant.create',
        'token.create',
        'token.rotate',
        'token.revoke',
        'workflow.deploy',
        'instance.create',
        'instance.event',
        'instance.terminate',
      ]) {
        expect(actions).toContain(action);
      }
    });

    it("hides templates from a run's claim error", async () => {
      const deployed = await call(acme, 'POST', '/v1/workflows', {
        name: 'claim-missing',
        language: 'javascript',
        source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
          export class ClaimMissing extends WorkflowEntrypoint {
            async run(event, step) {
              return step.do('claim', { retries: { limit: 0, delay: 0 } }, async () => {
                try {
                  await this.env.SANDBOX.claim({ template: 'no-such-template' });
                  return 'claimed';
                } catch (error) {
                  return error.message;
                }
              });
            }
          }`,
      });
      expect(deployed.status).toBe(201);
      const created = await call(acme, 'POST', '/v1/instances', { workflow: 'claim-missing' });
      expect(created.status).toBe(202);
      const done = await waitForStatus(acme, created.body.id as string, ['complete', 'errored']);
      expect(done.body.status).toBe('complete');
      expect(String(done.body.output)).toContain('Template "no-such-template" not found');
      expect(String(done.body.output)).not.toContain('known templates');
    });
  });

  describe('sandboxes', () => {
    let sandboxId: string;

    it('claims a sandbox and runs a command in it', async () => {
      const claimed = await call(acme, 'POST', '/v1/sandboxes', { template: 'default' });
      expect(claimed.status).toBe(201);
      expect(claimed.body.state).toBe('claimed');
      expect(claimed.body).not.toHaveProperty('stateDir');
      sandboxId = claimed.body.id as string;

      const exec = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
        command: 'echo out && echo err >&2 && exit 3',
      });
      expect(exec.status).toBe(200);
      expect(exec.body.exitCode).toBe(3);
      expect(exec.body.stdout).toBe('out\n');
      expect(exec.body.stderr).toBe('err\n');
    });

    it('writes and reads a file', async () => {
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      const written = await call(
        acme,
        'PUT',
        `/v1/sandboxes/${sandboxId}/files?path=data/b.bin`,
        bytes,
        {
          'content-type': 'application/octet-stream',
        },
      );
      expect(written.status).toBe(200);
      expect(written.body.bytes).toBe(5);

      const response = await fetch(
        `${server.url}/v1/sandboxes/${sandboxId}/files?path=data/b.bin`,
        {
          headers: { authorization: `Bearer ${acme}` },
        },
      );
      expect(response.status).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);

      const listed = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
        command: 'wc -c < data/b.bin',
      });
      expect((listed.body.stdout as string).trim()).toBe('5');
    });

    it("rejects timeouts over the template's", async () => {
      const over = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
        command: 'echo ran',
        timeoutMs: 60_001,
      });
      expect(over.status).toBe(400);
      expect(over.body.error?.code).toBe('INVALID_ARGUMENT');
      expect(over.body.error?.message).toContain('timeoutMs 60001 is over');
      expect(over.body.error?.message).toContain("the sandbox's template, 60000 ms");
      expect(over.body.error?.issues?.[0]?.field).toBe('body.timeoutMs');
      const streamed = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec/stream`, {
        command: 'echo ran',
        timeoutMs: 60_001,
      });
      expect(streamed.status).toBe(400);
      const equal = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
        command: 'echo ran',
        timeoutMs: 60_000,
      });
      expect(equal.status).toBe(200);
      expect(equal.body.stdout).toBe('ran\n');
    });

    it("rejects output limits over the template's", async () => {
      const over = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
        command: 'head -c 3000000 /dev/zero',
        maxOutputBytes: 2_000_000_000,
      });
      expect(over.status).toBe(400);
      expect(over.body.error?.code).toBe('INVALID_ARGUMENT');
      expect(over.body.error?.message).toContain('maxOutputBytes 2000000000 is over');
      expect(over.body.error?.message).toContain("template's stdout limit of 1048576 bytes");
      expect(over.body.error?.issues?.[0]?.field).toBe('body.maxOutputBytes');
      const streamed = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec/stream`, {
        command: 'echo ran',
        maxStderrBytes: 1_048_577,
      });
      expect(streamed.status).toBe(400);
      expect(streamed.body.error?.issues?.[0]?.field).toBe('body.maxStderrBytes');

      const lower = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
        command: 'head -c 3000 /dev/zero | tr "\\0" x',
        maxStdoutBytes: 1000,
      });
      expect(lower.status).toBe(200);
      expect(lower.body.stdout).toBe('x'.repeat(1000));
      expect(lower.body.stdoutTruncated).toBe(true);
      expect(lower.body.stderr).toContain(
        "raise maxStdoutBytes (or maxOutputBytes) of the command, up to the template's limit of 1048576",
      );
      const atTemplate = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, {
        command: 'head -c 1048577 /dev/zero',
      });
      expect(atTemplate.body.stdoutTruncated).toBe(true);
      expect(atTemplate.body.stderr).toContain(
        'raise maxStdoutBytes (or maxOutputBytes) of the template, up to 67108864',
      );
    });

    it('rejects a file read without a path', async () => {
      const reply = await call(acme, 'GET', `/v1/sandboxes/${sandboxId}/files`);
      expect(reply.status).toBe(400);
      expect(reply.body.error?.issues?.[0]?.field).toBe('query.path');
    });

    it('lists only the caller’s sandboxes', async () => {
      const own = await call(acme, 'GET', '/v1/sandboxes');
      expect((own.body.sandboxes as { id: string }[]).map((item) => item.id)).toContain(sandboxId);
      const other = await call(globex, 'GET', '/v1/sandboxes?all=true');
      expect((other.body.sandboxes as { id: string }[]).map((item) => item.id)).not.toContain(
        sandboxId,
      );
    });

    it("answers 404 on every route for another tenant's ids", async () => {
      const instanceRoutes: [string, string, unknown?][] = [
        ['GET', `/v1/instances/${'wait-1'}`],
        ['POST', '/v1/instances/wait-1/terminate'],
        ['POST', '/v1/instances/wait-1/pause'],
        ['POST', '/v1/instances/wait-1/resume'],
        ['POST', '/v1/instances/wait-1/restart'],
        ['POST', '/v1/instances/wait-1/events', { type: 'go' }],
        ['GET', '/v1/instances/wait-1/trace'],
        ['GET', '/v1/instances/wait-1/actions'],
        ['GET', '/v1/workflows/build/versions'],
        ['POST', '/v1/instances', { workflow: 'build' }],
        ['GET', `/v1/sandboxes/${sandboxId}`],
        ['POST', `/v1/sandboxes/${sandboxId}/exec`, { command: 'true' }],
        ['GET', `/v1/sandboxes/${sandboxId}/files?path=data/b.bin`],
        ['DELETE', `/v1/sandboxes/${sandboxId}`],
      ];
      for (const [method, path, body] of instanceRoutes) {
        const reply = await call(globex, method, path, body);
        expect(reply.status, `${method} ${path}`).toBe(404);
      }
      const write = await call(globex, 'PUT', `/v1/sandboxes/${sandboxId}/files?path=x`, 'x', {
        'content-type': 'application/octet-stream',
      });
      expect(write.status).toBe(404);

      // The owner still has everything.
      expect((await call(acme, 'GET', `/v1/sandboxes/${sandboxId}`)).body.state).toBe('claimed');
      expect((await call(acme, 'GET', '/v1/instances/wait-1')).body.status).toBe('complete');
      const listed = await call(globex, 'GET', '/v1/instances');
      expect(listed.body.instances).toEqual([]);
      const workflows = await call(globex, 'GET', '/v1/workflows');
      expect(workflows.body.workflows).toEqual([]);
    });

    it('keeps an instance id used by two tenants apart', async () => {
      await call(globex, 'POST', '/v1/workflows', { name: 'wait', source: WAIT_WORKFLOW });
      const created = await call(globex, 'POST', '/v1/instances', {
        workflow: 'wait',
        id: 'wait-1',
      });
      expect(created.status).toBe(202);
      await waitForStatus(globex, 'wait-1', ['waiting']);
      const globexTrace = await call(globex, 'GET', '/v1/instances/wait-1/trace');
      const acmeTrace = await call(acme, 'GET', '/v1/instances/wait-1/trace');
      expect(globexTrace.body.traceId).not.toBe(acmeTrace.body.traceId);
      await call(globex, 'POST', '/v1/instances/wait-1/terminate');
    });

    it('releases a sandbox and reports its usage', async () => {
      const released = await call(acme, 'DELETE', `/v1/sandboxes/${sandboxId}`);
      expect(released.status).toBe(200);
      expect(released.body.state).toBe('released');
      expect(released.body.usage).toEqual({
        cpuSeconds: expect.any(Number),
        memoryPeakBytes: expect.any(Number),
        gibSeconds: expect.any(Number),
        measuredGibSeconds: expect.any(Number),
      });
      const exec = await call(acme, 'POST', `/v1/sandboxes/${sandboxId}/exec`, { command: 'true' });
      expect(exec.status).toBe(404);

      const usage = await call(acme, 'GET', '/v1/usage');
      expect(usage.status).toBe(200);
      expect(usage.body.sandboxes).toBeGreaterThanOrEqual(2);
      expect(usage.body.activeSandboxes).toBe(0);
      const byAdmin = await admin('GET', '/v1/tenants/acme/usage');
      expect(byAdmin.body.sandboxes).toBe(usage.body.sandboxes);
    });
  });

  describe('approval queue', () => {
    it("shows a tenant only its own runs' requests", async () => {
      const own = await server.context.approvals.enqueue({
        tool: 'Bash',
        input: { command: 'git push origin main' },
        reason: 'Pushes to the default branch',
        sessionId: 'globex/run_own',
      });
      // "acme_" would match "acme/" and more if the prefix were a LIKE pattern.
      const lookalike = await server.context.approvals.enqueue({
        tool: 'Bash',
        input: { command: 'git push origin main' },
        reason: 'Pushes to the default branch',
        sessionId: 'globexx/run_other',
      });

      const listed = await call(globex, 'GET', '/v1/approvals?status=pending');
      expect(listed.status).toBe(200);
      expect((JSON.parse(listed.text) as { id: string }[]).map((item) => item.id)).toEqual([
        own.id,
      ]);
      expect((await call(acme, 'GET', `/v1/approvals/${own.id}`)).status).toBe(404);
      expect((await call(acme, 'POST', `/v1/approvals/${own.id}/deny`, {})).status).toBe(404);
      expect((await call(globex, 'GET', `/v1/approvals/${lookalike.id}`)).status).toBe(404);

      const denied = await call(globex, 'POST', `/v1/approvals/${own.id}/deny`);
      expect(denied.status).toBe(200);
      expect(denied.body.status).toBe('denied');
      await server.context.approvals.deny(lookalike.id);
    });

    it('lets only the admin decide requests of no tenant', async () => {
      const request = await server.context.approvals.enqueue({
        tool: 'Bash',
        input: { command: 'gh pr merge 12' },
        reason: 'Merges a pull request',
      });

      expect(JSON.parse((await call(acme, 'GET', '/v1/approvals')).text)).toEqual([]);
      expect((await call(acme, 'POST', `/v1/approvals/${request.id}/approve`, {})).status).toBe(
        404,
      );

      const listed = await admin('GET', '/v1/approvals?status=pending');
      expect(listed.status).toBe(200);
      expect(JSON.parse(listed.text)).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: request.id })]),
      );

      const approved = await admin('POST', `/v1/approvals/${request.id}/approve`, {
        note: 'planned merge',
      });
      expect(approved.status).toBe(200);
      expect(approved.body.status).toBe('approved');
      const again = await admin('POST', `/v1/approvals/${request.id}/deny`, {});
      expect(again.status).toBe(409);
    });

    it('records the caller as decider', async () => {
      const request = await server.context.approvals.enqueue({
        tool: 'Bash',
        input: { command: 'git push origin main' },
        reason: 'Pushes to the default branch',
        sessionId: 'globex/run_label',
      });
      const whoami = await call(globex, 'GET', '/v1/whoami');
      const decided = await call(globex, 'POST', `/v1/approvals/${request.id}/deny`, {
        by: 'admin@corp',
      });
      expect(decided.status).toBe(200);
      expect(decided.body.decidedBy).toBe(`globex/${whoami.body.tokenId as string}`);
      expect(decided.body.decidedByLabel).toBe('admin@corp');
    });

    it('writes decisions to the audit log', async () => {
      const audit = await admin('GET', '/v1/audit?limit=1000');
      const entries = audit.body.entries as { action: string; target: string | null }[];
      expect(entries.filter((entry) => entry.action === 'approval.approve')).toHaveLength(1);
      expect(entries.filter((entry) => entry.action === 'approval.deny')).toHaveLength(2);
    });
  });

  describe('guard asks in runs', () => {
    it('blocks the call when the tenant denies the ask', async () => {
      expect(
        (await call(globex, 'POST', '/v1/workflows', { name: 'ask', source: ASK_WORKFLOW })).status,
      ).toBe(201);
      const created = await call(globex, 'POST', '/v1/instances', { workflow: 'ask' });
      expect(created.status).toBe(202);
      const id = created.body.id as string;

      // Bounded: 600 polls of 100 ms, about a minute.
      let pending: { id: string; sessionId: string; tool: string }[] = [];
      for (let poll = 0; poll < 600 && pending.length === 0; poll += 1) {
        const listed = await call(globex, 'GET', '/v1/approvals?status=pending');
        pending = JSON.parse(listed.text) as typeof pending;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(pending).toHaveLength(1);
      expect(pending[0]?.sessionId).toBe(`globex/${id}`);
      expect(pending[0]?.tool).toBe('Bash');
      expect(JSON.parse((await call(acme, 'GET', '/v1/approvals')).text)).toEqual([]);

      const denied = await call(globex, 'POST', `/v1/approvals/${pending[0]?.id}/deny`, {
        note: 'not today',
      });
      expect(denied.status).toBe(200);
      const done = await waitForStatus(globex, id, ['complete', 'errored']);
      expect(done.body.status).toBe('complete');
      const output = done.body.output as { allowed: boolean; reason: string };
      expect(output.allowed).toBe(false);
      expect(output.reason).toContain('denied request');
      expect(output.reason).toContain('not today');
    }, 120_000);
  });

  describe('terminate with an ask pending', () => {
    it('expires the ask of the run', async () => {
      const created = await call(globex, 'POST', '/v1/instances', { workflow: 'ask' });
      expect(created.status).toBe(202);
      const id = created.body.id as string;
      // Bounded: 600 polls of 100 ms, about a minute.
      let pending: { id: string; sessionId: string }[] = [];
      for (let poll = 0; poll < 600 && pending.length === 0; poll += 1) {
        const listed = await call(globex, 'GET', '/v1/approvals?status=pending');
        pending = (JSON.parse(listed.text) as typeof pending).filter(
          (item) => item.sessionId === `globex/${id}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(pending).toHaveLength(1);
      const requestId = pending[0]?.id as string;

      expect((await call(globex, 'POST', `/v1/instances/${id}/terminate`)).status).toBe(200);
      const after = await call(globex, 'GET', `/v1/approvals/${requestId}`);
      expect(after.body.status).toBe('expired');
      expect(after.body.note).toBe('run terminated');
      const approved = await call(globex, 'POST', `/v1/approvals/${requestId}/approve`, {});
      expect(approved.status).toBe(409);

      const actions = await call(globex, 'GET', `/v1/instances/${id}/actions`);
      const kinds = (actions.body.actions as { kind: string; verdict: string }[]).map(
        (action) => `${action.kind}:${action.verdict}`,
      );
      expect(kinds).toContain('claim:allow');
      expect(kinds).not.toContain('tool:allow');
    }, 120_000);
  });

  describe('cost, pools and whoami', () => {
    interface CostReply {
      groupBy: string;
      models: { name: string }[];
      lines: { key: string; sandboxes: number; cost: Record<string, number> }[];
    }

    it('prices only the caller tenant for a tenant token', async () => {
      const own = await call(acme, 'GET', '/v1/cost?by=tenant');
      expect(own.status).toBe(200);
      const report = own.body as unknown as CostReply;
      expect(report.lines.map((line) => line.key)).toEqual(['acme', 'total']);
      expect(report.models.map((model) => model.name)).toEqual(['active-cpu', 'session']);
      expect(report.lines[0]?.sandboxes).toBeGreaterThan(0);
      expect(report.lines[0]?.cost['session']).toBeGreaterThan(0);

      const other = await call(acme, 'GET', '/v1/cost?tenant=globex');
      expect(other.status).toBe(404);
      // globex's run above claimed a sandbox too, and acme's report leaves it out.
      const theirs = (await call(globex, 'GET', '/v1/cost')).body as unknown as CostReply;
      expect(theirs.lines.map((line) => line.key)).toEqual(['globex', 'total']);
    });

    it('prices every tenant for the admin', async () => {
      const all = (await admin('GET', '/v1/cost')).body as unknown as CostReply;
      expect(all.lines.map((line) => line.key)).toEqual(['acme', 'globex', 'total']);
      const byRun = (await admin('GET', '/v1/cost?by=run&tenant=acme'))
        .body as unknown as CostReply;
      expect(byRun.groupBy).toBe('run');
      expect(byRun.lines.length).toBeGreaterThan(1);
      expect((await admin('GET', '/v1/cost?tenant=nobody')).status).toBe(404);
      const invalid = await admin('GET', '/v1/cost?by=month');
      expect(invalid.status).toBe(400);
      expect(invalid.body.error?.issues?.[0]?.field).toBe('query.by');
    });

    it('lists pools for both kinds of token', async () => {
      for (const token of [acme, ADMIN_TOKEN]) {
        const reply = await call(token, 'GET', '/v1/pools');
        expect(reply.status).toBe(200);
        expect(reply.body.pools).toEqual([]);
      }
      expect((await call(undefined, 'GET', '/v1/pools')).status).toBe(401);
    });

    it('returns the caller from whoami', async () => {
      const tenant = await call(acme, 'GET', '/v1/whoami');
      expect(tenant.body.role).toBe('tenant');
      expect(tenant.body.tenant).toBe('acme');
      expect(tenant.body.tokenId).toMatch(/^tok_/);
      const root = await admin('GET', '/v1/whoami');
      expect(root.body.role).toBe('admin');
      expect(root.body.tenant).toBeNull();
      expect((await call('sst_unknown', 'GET', '/v1/whoami')).status).toBe(401);
    });
  });

  describe('documents', () => {
    it('serves the health check without a token', async () => {
      const reply = await call(undefined, 'GET', '/healthz');
      expect(reply.status).toBe(200);
      expect(reply.body.status).toBe('ok');
    });

    it('serves Prometheus metrics to the admin only', async () => {
      const reply = await admin('GET', '/v1/metrics');
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('# TYPE sandstack_workflow_instances gauge');
      expect(reply.text).toMatch(
        /^sandstack_workflow_instances\{tenant="acme",status="\w+"\} \d+$/m,
      );
      const asTenant = await call(acme, 'GET', '/v1/metrics');
      expect(asTenant.status).toBe(403);
      const anonymous = await call(undefined, 'GET', '/v1/metrics');
      expect(anonymous.status).toBe(401);
    });

    it('serves an OpenAPI document generated from the schemas', async () => {
      const reply = await call(undefined, 'GET', '/openapi.json');
      expect(reply.status).toBe(200);
      expect(reply.body.openapi).toBe('3.1.0');
      const paths = reply.body.paths as Record<string, Record<string, unknown>>;
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          '/v1/tenants',
          '/v1/tenants/{tenant}/tokens/{tokenId}/rotate',
          '/v1/workflows',
          '/v1/instances/{id}',
          '/v1/sandboxes/{id}/exec',
          '/v1/sandboxes/{id}/exec/stream',
          '/v1/usage',
        ]),
      );
      const create = paths['/v1/instances']?.post as {
        requestBody: { content: Record<string, { schema: { $ref?: string } }> };
      };
      expect(create.requestBody.content['application/json']?.schema.$ref).toContain(
        'CreateInstanceRequest',
      );
      const stream = paths['/v1/sandboxes/{id}/exec/stream']?.post as {
        responses: Record<string, { content: Record<string, { schema: { $ref?: string } }> }>;
      };
      expect(stream.responses['200']?.content['application/x-ndjson']?.schema.$ref).toContain(
        'ExecStreamLine',
      );
      const components = reply.body.components as {
        securitySchemes: Record<string, unknown>;
        schemas: Record<string, unknown>;
      };
      expect(components.securitySchemes).toHaveProperty('bearerAuth');
      expect(components.schemas).toHaveProperty('ExecOutputLine');
      expect(components.schemas).toHaveProperty('ExecEndLine');
    });
  });
});
