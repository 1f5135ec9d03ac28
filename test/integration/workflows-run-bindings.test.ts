/**
 * The bindings `sandstack run` and the server grant, over a real embedded stack: STATE is
 * shared by a tenant's instances but not across tenants, and FETCH passes the run's guard,
 * whose default policy denies raw-IP hosts such as this test's 127.0.0.1 server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunBindings } from '../../src/server/run-bindings.js';
import { openStack, type Stack } from '../../src/server/stack.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';
import { openRunInputs } from '../../src/workflows/inputs.js';

const WORKFLOW = {
  filename: 'bindings.js',
  source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
    export class Bindings extends WorkflowEntrypoint {
      async run(event, step) {
        const { write, url } = event.payload;
        if (write !== undefined) {
          await step.do('put', async () => this.env.STATE.put('shared', write));
        }
        const read = await step.do('get', async () => this.env.STATE.get('shared'));
        const fetched = await step.do('fetch', async () => {
          try {
            return { ok: true, status: (await this.env.FETCH.fetch(url)).status };
          } catch (error) {
            return { ok: false, code: error.code, message: error.message };
          }
        });
        return { read, fetched };
      }
    }`,
};

describe('run bindings STATE and FETCH', () => {
  let dir: string;
  let stack: Stack;
  let engine: WorkflowEngine;
  let server: Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-run-bindings-'));
    stack = await openStack({ stateDir: join(dir, 'state') });
    server = createServer((_request, response) => {
      requests += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    engine = new WorkflowEngine({
      db: stack.db,
      isolation: 'in-process',
      bindings: (tenant, instanceId) =>
        createRunBindings({
          stack,
          tenant,
          instanceId,
          inputs: openRunInputs(join(dir, 'inputs', tenant, instanceId)),
          // Spans are not under test here, so each call gets one that records nothing.
          startSpan: () => trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
          onAction: () => undefined,
        }),
    });
    await engine.deploy('alice', 'bindings', WORKFLOW);
    await engine.deploy('bob', 'bindings', WORKFLOW);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shares STATE within a tenant only', async () => {
    const writer = await engine.create('alice', 'bindings', { params: { write: { n: 1 }, url } });
    expect((await engine.run('alice', writer)).output).toMatchObject({ read: { n: 1 } });
    const reader = await engine.create('alice', 'bindings', { params: { url } });
    expect((await engine.run('alice', reader)).output).toMatchObject({ read: { n: 1 } });
    const other = await engine.create('bob', 'bindings', { params: { url } });
    expect((await engine.run('bob', other)).output).toMatchObject({ read: null });
  });

  it('guards FETCH and records the denial', async () => {
    const id = await engine.create('alice', 'bindings', { params: { url } });
    const result = await engine.run('alice', id);
    expect(result.output).toMatchObject({ fetched: { ok: false, code: 'GUARD_DENIED' } });
    expect(requests).toBe(0);
    const fetches = stack.actions.list('alice', id).filter((action) => action.tool === 'WebFetch');
    expect(fetches).toHaveLength(1);
    // A raw-IP host needs a human's approval, which a workflow run cannot wait for.
    expect(fetches[0]?.verdict).toBe('ask');
    expect(fetches[0]?.stepKey).toBe('fetch#1');
  });
});
