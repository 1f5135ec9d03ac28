/**
 * OTLP export: `sandstack run` sends the run's trace to a collector named by
 * OTEL_EXPORTER_OTLP_ENDPOINT. The collector here is an HTTP server on loopback that keeps
 * every OTLP/HTTP JSON request it receives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

interface OtlpRequest {
  resourceSpans: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

describe('sandstack run with an OTLP collector', () => {
  const requests: { path: string; contentType: string; body: OtlpRequest }[] = [];
  let collector: Server;
  let endpoint: string;
  let state: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    state = await makeTempDir('otlp');
    collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({
          path: request.url ?? '',
          contentType: request.headers['content-type'] ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest,
        });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => collector.close(resolve));
    await state.remove();
  });

  it('sends the whole run trace', async () => {
    const result = await runCli(
      ['--state-dir', state.path, 'run', 'examples/agent-session', '--tenant', 'acme', '--json'],
      { env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'sandstack-test' } },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { traceId: string };

    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((request) => request.path === '/v1/traces')).toBe(true);
    expect(requests.every((request) => request.contentType.includes('json'))).toBe(true);
    const resourceSpans = requests.flatMap((request) => request.body.resourceSpans);
    const serviceNames = resourceSpans.flatMap((entry) =>
      (entry.resource?.attributes ?? [])
        .filter((attribute) => attribute.key === 'service.name')
        .map((attribute) => attribute.value.stringValue),
    );
    expect(new Set(serviceNames)).toEqual(new Set(['sandstack-test']));

    const spans = resourceSpans.flatMap((entry) =>
      entry.scopeSpans.flatMap((scope) => scope.spans),
    );
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([summary.traceId]));
    const names = new Set(spans.map((span) => span.name));
    for (const name of ['workflow.run', 'workflow.step', 'guard.decide', 'execute_tool Bash']) {
      expect(names).toContain(name);
    }
    const execs = spans.filter((span) => span.name.startsWith('execute_tool '));
    expect(execs.length).toBeGreaterThan(0);
    for (const exec of execs) {
      const attributes = new Map(
        (exec.attributes ?? []).map((attribute) => [attribute.key, attribute.value.stringValue]),
      );
      expect(attributes.get('gen_ai.operation.name')).toBe('execute_tool');
      expect(attributes.get('gen_ai.tool.name')).toMatch(/^(Bash|Read|Edit|Grep|Glob|Write)$/);
      expect(exec.name).toBe(`execute_tool ${attributes.get('gen_ai.tool.name')}`);
      expect(attributes.get('sandstack.operation')).toBe('sandbox.exec');
      expect(attributes.get('sandstack.tenant')).toBe('acme');
      expect(attributes.get('gen_ai.tool.call.id')).toMatch(/^run_\S+\/.+\/\d+$/);
    }
    const root = spans.find((span) => span.name === 'workflow.run');
    expect(root?.parentSpanId ?? '').toBe('');
    const steps = spans.filter((span) => span.name === 'workflow.step');
    expect(steps.every((step) => step.parentSpanId === root?.spanId)).toBe(true);
    // Spans of calls made inside a step are children of that step's span.
    const stepIds = new Set(steps.map((step) => step.spanId));
    const inner = spans.filter(
      (span) => span.name === 'guard.decide' || span.name.startsWith('execute_tool '),
    );
    expect(inner.length).toBeGreaterThan(0);
    for (const span of inner) {
      expect(stepIds.has(span.parentSpanId ?? ''), `${span.name} ${span.spanId}`).toBe(true);
    }
  }, 180_000);
});
