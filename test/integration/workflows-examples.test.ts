/**
 * Workflows written the way Cloudflare's documentation and starter templates write them:
 * `cloudflare:workers` imports with type-only names, an `Env` type, a default export with
 * a `fetch` handler that is never called here, duration strings, retries and event waits.
 * They run without changes to their source.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';

const ORDER_WORKFLOW = `
import { WorkflowEntrypoint, WorkflowEvent, WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';

type Env = {
  ORDER_WORKFLOW: Workflow;
  INVENTORY: { reserve(sku: string, quantity: number): Promise<{ reserved: boolean }> };
};

type Params = { orderId: string; sku: string; quantity: number };

export class OrderWorkflow extends WorkflowEntrypoint<Env, Params> {
  async run(event: WorkflowEvent<Params>, step: WorkflowStep) {
    const order = await step.do('validate order', async () => {
      if (event.payload.quantity <= 0) {
        throw new NonRetryableError('quantity must be positive');
      }
      return { ...event.payload, receivedAt: event.timestamp };
    });

    const reservation = await step.do(
      'reserve stock',
      { retries: { limit: 3, delay: '1 second', backoff: 'constant' }, timeout: '30 seconds' },
      async () => this.env.INVENTORY.reserve(order.sku, order.quantity),
    );

    const approval = await step.waitForEvent<{ approved: boolean }>('wait for approval', {
      type: 'approval',
      timeout: '1 hour',
    });

    await step.sleep('cool-off period', '10 minutes');

    return step.do('confirm', async () => ({
      orderId: order.orderId,
      reserved: reservation.reserved,
      approved: approval.payload.approved,
    }));
  }
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const instance = await env.ORDER_WORKFLOW.create({ params: { orderId: '1', sku: 'a', quantity: 1 } });
    return Response.json({ id: instance.id, details: await instance.status() });
  },
};
`;

const PARALLEL_WORKFLOW = `
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';

interface Env {}
interface Params { urls: string[] }

export class FanOut extends WorkflowEntrypoint<Env, Params> {
  async run(event: WorkflowEvent<Params>, step: WorkflowStep) {
    const sizes = await Promise.all(
      event.payload.urls.map((url) => step.do(\`measure \${url}\`, async () => url.length)),
    );
    const deadline = new Date(event.timestamp.getTime() + 1000);
    await step.sleepUntil('until deadline', deadline);
    return step.do('sum', async () => sizes.reduce((total, size) => total + size, 0));
  }
}
`;

describe('Cloudflare-style workflows', () => {
  let dir: string;
  let db: SqliteDatabase;
  let engine: WorkflowEngine;
  let nowMs = Date.UTC(2026, 5, 1);
  let reservations = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-examples-'));
    db = openDatabase(join(dir, 'state.db'));
    engine = new WorkflowEngine({
      db,
      clock: { now: () => nowMs },
      limits: { maxInlineWaitMs: 0 },
      bindings: () => ({
        INVENTORY: {
          reserve: async () => {
            reservations += 1;
            if (reservations === 1) {
              throw new Error('inventory service busy');
            }
            return { reserved: true };
          },
        },
      }),
    });
  });

  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs an order workflow through retries, an event and a sleep', async () => {
    await engine.deploy('shop', 'order', { source: ORDER_WORKFLOW, filename: 'order.ts' });
    const id = await engine.create('shop', 'order', {
      params: { orderId: 'o-1', sku: 'sku-9', quantity: 2 },
    });

    // First run: the reservation fails once and waits out its 1 s retry delay.
    expect((await engine.run('shop', id)).status).toBe('waiting');
    nowMs += 1000;
    expect((await engine.run('shop', id)).status).toBe('waiting');

    await engine.sendEvent('shop', id, { type: 'approval', payload: { approved: true } });
    expect((await engine.run('shop', id)).status).toBe('waiting');
    nowMs += 10 * 60_000;

    const result = await engine.run('shop', id);
    expect(result.status).toBe('complete');
    expect(result.output).toEqual({ orderId: 'o-1', reserved: true, approved: true });
    expect(reservations).toBe(2);
    expect(result.steps.map((step) => step.key)).toEqual([
      'validate order#1',
      'reserve stock#1',
      'wait for approval#1',
      'cool-off period#1',
      'confirm#1',
    ]);
  });

  it('ends an invalid order with NonRetryableError', async () => {
    const id = await engine.create('shop', 'order', {
      params: { orderId: 'o-2', sku: 'x', quantity: 0 },
    });
    const result = await engine.run('shop', id);
    expect(result.status).toBe('errored');
    expect(result.error?.message).toBe('quantity must be positive');
    expect(result.steps).toHaveLength(1);
  });

  it('runs steps in parallel and sleeps until a date', async () => {
    await engine.deploy('shop', 'fan-out', { source: PARALLEL_WORKFLOW, filename: 'fan-out.ts' });
    const id = await engine.create('shop', 'fan-out', { params: { urls: ['a', 'bb', 'ccc'] } });
    expect((await engine.run('shop', id)).status).toBe('waiting');
    nowMs += 1000;
    const result = await engine.run('shop', id);
    expect(result.status).toBe('complete');
    expect(result.output).toBe(6);
    expect(result.steps.map((step) => step.key)).toEqual([
      'measure a#1',
      'measure bb#1',
      'measure ccc#1',
      'until deadline#1',
      'sum#1',
    ]);
  });
});
