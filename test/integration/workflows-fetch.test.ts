/**
 * The `env.FETCH` binding, called from real isolates against HTTP servers this test starts
 * on 127.0.0.1: the guard judges every request and redirect, limits hold, and the action
 * log keeps no secrets. No other host is ever contacted.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { createGuard } from '../../src/guard/guard.js';
import { createPolicy } from '../../src/guard/policy.js';
import { redactSecrets } from '../../src/guard/redact.js';
import { ActionLog } from '../../src/workflows/bindings/action-log.js';
import { createFetchBinding } from '../../src/workflows/bindings/fetch-binding.js';
import type { GuardAccess } from '../../src/workflows/bindings/sandbox-binding.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { RunSpans } from '../../src/telemetry/run-spans.js';
import { createTracing } from '../../src/telemetry/tracing.js';

const WORKFLOW = {
  filename: 'fetch.js',
  source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
    export class Fetch extends WorkflowEntrypoint {
      async run(event, step) {
        return step.do('fetch', { retries: { limit: 0, delay: 0 } }, async () => {
          try {
            return { ok: true, response: await this.env.FETCH.fetch(event.payload.url, event.payload.init) };
          } catch (error) {
            return { ok: false, code: error.code, message: error.message };
          }
        });
      }
    }`,
};

const GITHUB_TOKEN = `ghp_${'a1B2c3D4e5'.repeat(4)}`;

interface Outcome {
  ok: boolean;
  code?: string;
  message?: string;
  response?: {
    status: number;
    headers: Record<string, string>;
    body: string;
    truncated: boolean;
    url: string;
    redirected: boolean;
  };
}

function guardAccess(policy: Parameters<typeof createPolicy>[0] | undefined): GuardAccess {
  const guard = createGuard(policy === undefined ? {} : { policy: createPolicy(policy) });
  return { decide: (call, context) => guard.decide(call, context), redact: redactSecrets };
}

describe('workflow FETCH binding', () => {
  let dir: string;
  let db: SqliteDatabase;
  let actions: ActionLog;
  let server: Server;
  let base: string;
  let port: number;
  const requests: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  let engines: Record<string, WorkflowEngine>;
  let tlsServer: Server;
  let tlsBase: string;

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
      });
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/echo') {
        response.writeHead(201, { 'content-type': 'application/json', 'x-test': 'yes' });
        response.end(
          JSON.stringify({
            method: request.method,
            body,
            auth: request.headers.authorization ?? null,
          }),
        );
      } else if (path === '/big') {
        response.writeHead(200);
        response.end('x'.repeat(100_000));
      } else if (path === '/hang') {
        // Never answers; the binding's timeout ends the call.
      } else if (path === '/same-host') {
        response.writeHead(302, { location: '/echo' });
        response.end();
      } else if (path === '/other-host') {
        response.writeHead(302, { location: `http://localhost:${port}/echo` });
        response.end();
      } else if (path === '/loop') {
        response.writeHead(302, { location: '/loop' });
        response.end();
      } else {
        response.writeHead(404);
        response.end('not found');
      }
    });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-fetch-'));
    db = openDatabase(join(dir, 'state.db'));
    actions = new ActionLog(db);
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    const limits = { timeoutMs: 1000, maxResponseBytes: 1000, maxRedirects: 3 };
    const policies = {
      // The default guard, as `sandstack run` uses it.
      plain: undefined,
      // Loopback allowed by name only; localhost is denied by its own rule.
      loopback: { allow: ['WebFetch(domain:127.0.0.1)'], deny: ['WebFetch(domain:localhost)'] },
      // Loopback allowed, localhost left to the guard's checks.
      loopbackOnly: { allow: ['WebFetch(domain:127.0.0.1)'] },
      // Every fetch allowed, without naming a domain.
      blanket: { allow: ['WebFetch'] },
    };
    // A self-signed certificate for 127.0.0.1, which the binding must not trust.
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    tlsServer = createTlsServer(
      { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
      handle,
    );
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
    engines = {};
    for (const [name, policy] of Object.entries(policies)) {
      engines[name] = new WorkflowEngine({
        db,
        isolation: 'in-process',
        bindings: () => ({
          FETCH: createFetchBinding({ guard: guardAccess(policy), actions, limits }),
        }),
      });
      await engines[name].deploy(name, 'fetch', WORKFLOW);
    }
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    tlsServer.closeAllConnections();
    await new Promise((resolve) => tlsServer.close(resolve));
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fetchAs = async (
    tenant: string,
    url: string,
    init?: Record<string, unknown>,
  ): Promise<{ outcome: Outcome; id: string }> => {
    const engine = engines[tenant] as WorkflowEngine;
    const id = await engine.create(tenant, 'fetch', { params: { url, init } as never });
    const result = await engine.run(tenant, id);
    expect(result.status).toBe('complete');
    return { outcome: result.output as unknown as Outcome, id };
  };

  it('sends allowed requests and returns the response', async () => {
    const { outcome } = await fetchAs('loopback', `${base}/echo`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${GITHUB_TOKEN}`, 'Content-Type': 'text/plain' },
      body: 'hello',
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.response?.status).toBe(201);
    expect(outcome.response?.headers['x-test']).toBe('yes');
    expect(JSON.parse(outcome.response?.body ?? '')).toEqual({
      method: 'POST',
      body: 'hello',
      auth: `Bearer ${GITHUB_TOKEN}`,
    });
    expect(outcome.response?.truncated).toBe(false);
    // Without a span there is no trace to join.
    expect(requests.at(-1)?.headers.traceparent).toBeUndefined();
  });

  it('traces a fetch inside its step', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ exporters: [exporter] });
    const run = tracing.newRunContext();
    const spans = new RunSpans(tracing, run, { 'sandstack.tenant': 'traced' });
    const engine = new WorkflowEngine({
      db,
      isolation: 'in-process',
      bindings: () => ({
        FETCH: createFetchBinding({
          guard: guardAccess({ allow: ['WebFetch(domain:127.0.0.1)'] }),
          actions,
          startSpan: (name, stepKey, attributes, kind) =>
            spans.startSpan(name, stepKey, attributes, kind),
        }),
      }),
      onEvent: (event) => spans.onEvent(event),
    });
    await engine.deploy('traced', 'fetch', WORKFLOW);
    const forged = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`;
    const id = await engine.create('traced', 'fetch', {
      params: {
        url: `${base}/echo?token=${GITHUB_TOKEN}`,
        init: { headers: { TraceParent: forged } },
      } as never,
    });
    expect((await engine.run('traced', id)).status).toBe('complete');
    spans.finish('complete', false);

    const finished = exporter.getFinishedSpans();
    const step = finished.find((span) => span.name === 'workflow.step');
    const fetchSpan = finished.find((span) => span.name === 'execute_tool WebFetch');
    expect(step).toBeDefined();
    expect(fetchSpan).toBeDefined();
    expect(fetchSpan?.parentSpanContext?.spanId).toBe(step?.spanContext().spanId);
    expect(fetchSpan?.spanContext().traceId).toBe(run.traceId);
    expect(fetchSpan?.kind).toBe(SpanKind.CLIENT);
    const attributes = fetchSpan?.attributes ?? {};
    expect(attributes['gen_ai.operation.name']).toBe('execute_tool');
    expect(attributes['gen_ai.tool.name']).toBe('WebFetch');
    expect(attributes['gen_ai.tool.call.id']).toBe(`${id}/fetch#1/0`);
    expect(attributes['http.request.method']).toBe('GET');
    expect(attributes['http.response.status_code']).toBe(201);
    expect(attributes['server.address']).toBe('127.0.0.1');
    expect(String(attributes['url.full'])).not.toContain(GITHUB_TOKEN);
    expect(attributes['sandstack.tenant']).toBe('traced');
    expect(attributes['sandstack.operation']).toBe('fetch.request');

    // The loopback server joins the run's trace as a child of the tool call's span, in place
    // of the traceparent the workflow set.
    const received = requests.at(-1)?.headers.traceparent;
    const spanId = fetchSpan?.spanContext().spanId ?? '';
    expect(received).toBe(`00-${run.traceId}-${spanId}-01`);
    expect(received).not.toBe(forged);
  });

  it('denies loopback under the default guard', async () => {
    const before = requests.length;
    const { outcome } = await fetchAs('plain', `${base}/echo`);
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('GUARD_DENIED');
    expect(outcome.message).toContain('raw-IP endpoint');
    expect(requests.length).toBe(before);
  });

  it('rejects a host that resolves to loopback', async () => {
    const before = requests.length;
    const { outcome } = await fetchAs('loopbackOnly', `http://localhost:${port}/echo`);
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('GUARD_DENIED');
    expect(outcome.message).toContain('private or loopback address');
    expect(requests.length).toBe(before);
  });

  it('keeps private addresses closed under a blanket rule', async () => {
    const before = requests.length;
    const { outcome } = await fetchAs('blanket', `${base}/echo`);
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('GUARD_DENIED');
    expect(outcome.message).toContain('private or loopback address 127.0.0.1');
    expect(requests.length).toBe(before);
  });

  it('follows same-host redirects', async () => {
    const { outcome } = await fetchAs('loopback', `${base}/same-host`);
    expect(outcome.response?.status).toBe(201);
    expect(outcome.response?.redirected).toBe(true);
    expect(outcome.response?.url).toBe(`${base}/echo`);
  });

  it('judges a redirect to another host again', async () => {
    const before = requests.length;
    const { outcome, id } = await fetchAs('loopback', `${base}/other-host`, {
      headers: { authorization: 'Bearer x' },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('GUARD_DENIED');
    expect(outcome.message).toContain('WebFetch(domain:localhost)');
    expect(requests.length).toBe(before + 1);
    const [action] = actions.list('loopback', id);
    expect(action?.verdict).toBe('deny');
    expect(action?.input['url']).toBe(`http://localhost:${port}/echo`);
    expect(action?.input['redirects']).toEqual([`${base}/other-host`]);
  });

  it('stops after the redirect limit', async () => {
    const { outcome } = await fetchAs('loopback', `${base}/loop`);
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('after 3 redirects');
  });

  it('cuts the body at the size limit', async () => {
    const { outcome } = await fetchAs('loopback', `${base}/big`);
    expect(outcome.response?.body.length).toBe(1000);
    expect(outcome.response?.truncated).toBe(true);
  });

  it('times out a server that never answers', async () => {
    const { outcome } = await fetchAs('loopback', `${base}/hang`);
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('timed out after 1000 ms');
  });

  it('rejects an untrusted TLS certificate', async () => {
    const before = requests.length;
    const { outcome } = await fetchAs('loopback', `${tlsBase}/echo`);
    expect(outcome.ok).toBe(false);
    expect(outcome.code).toBe('STEP_FAILED');
    expect(outcome.message).toContain(`FETCH of ${tlsBase}/echo failed`);
    expect(outcome.message).toContain('self-signed certificate');
    expect(requests.length).toBe(before);
  });

  it('rejects invalid requests', async () => {
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ['file:///etc/passwd', undefined, 'scheme "file:"'],
      [`http://user:pw@127.0.0.1:${port}/`, undefined, 'must not carry credentials'],
      [`${base}/echo`, { method: 'TRACE' }, 'Invalid FETCH method'],
      [`${base}/echo`, { body: 'x' }, 'GET request cannot have a body'],
      [`${base}/echo`, { headers: { 'x-a': 'b\r\nInjected: 1' } }, 'line break'],
    ];
    for (const header of [
      'Host',
      'Content-Length',
      'transfer-encoding',
      'Connection',
      'Upgrade',
      'Keep-Alive',
      'TE',
      'Trailer',
      'Proxy-Connection',
    ]) {
      cases.push([
        `${base}/echo`,
        { headers: { [header]: 'x' } },
        `header "${header}" is not allowed`,
      ]);
    }
    const before = requests.length;
    for (const [url, init, message] of cases) {
      const { outcome } = await fetchAs('loopback', url, init);
      expect(outcome.code, url).toBe('INVALID_ARGUMENT');
      expect(outcome.message, url).toContain(message);
    }
    expect(requests.length).toBe(before);
  });

  it('records calls without secrets', async () => {
    const { id } = await fetchAs('loopback', `${base}/echo?key=${GITHUB_TOKEN}`, {
      headers: { authorization: `Bearer ${GITHUB_TOKEN}` },
    });
    const recorded = JSON.stringify(actions.list('loopback', id));
    expect(recorded).toContain('authorization');
    expect(recorded).toContain('"status":201');
    expect(recorded).not.toContain(GITHUB_TOKEN);
  });
});
