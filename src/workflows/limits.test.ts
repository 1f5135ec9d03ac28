/**
 * Size and memory limits of an instance: the per-instance total of stored step results,
 * step results too large for one message, and ArrayBuffer allocations at the isolate's
 * memory cap, in worker processes and in the engine's process. WebAssembly and
 * SharedArrayBuffer, whose memory the cap would not count, are missing from tenant code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../core/store.js';
import type { IsolationMode, WorkflowEngineOptions } from './engine.js';
import { WorkflowEngine } from './engine.js';
import { IsolateWorkerPool } from './worker-pool.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) {
    await cleanup();
  }
});

/** Creates an engine on a SQLite file with a fake clock. */
async function makeEngine(options: Partial<WorkflowEngineOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-limits-'));
  const db = openDatabase(join(dir, 'state.db'));
  cleanups.push(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  let nowMs = Date.UTC(2026, 0, 1);
  const clock = { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
  const engine = new WorkflowEngine({ db, clock, ...options });
  return { engine, clock };
}

/** Deploys a workflow of `tenant` whose `run` has `body`, and runs one instance of it. */
async function runBody(engine: WorkflowEngine, body: string, tenant = 'acme') {
  await engine.deploy(tenant, 'test', {
    filename: 'workflow.js',
    source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
      export class Test extends WorkflowEntrypoint {
        async run(event, step) { ${body} }
      }`,
  });
  const id = await engine.create(tenant, 'test');
  return { id, result: await engine.run(tenant, id) };
}

const RETRIES = `{ retries: { limit: 5, delay: '10 seconds', backoff: 'exponential' } }`;

describe('tenant step result limit', () => {
  const BODY = `for (const name of ['a', 'b']) {
     await step.do(name, ${RETRIES}, async () => 'x'.repeat(2000));
   }`;

  it('counts ended instances of the tenant', async () => {
    const { engine } = await makeEngine({ limits: { maxTenantStepResultBytes: 11_000 } });
    const first = await runBody(engine, BODY);
    expect(first.result.status).toBe('complete');
    const secondId = await engine.create('acme', 'test');
    expect((await engine.run('acme', secondId)).status).toBe('complete');
    // 4 results of 2002 bytes are stored, so the second result of a third run passes 11000.
    const thirdId = await engine.create('acme', 'test');
    const third = await engine.run('acme', thirdId);
    expect(third.status).toBe('errored');
    expect(third.error?.code).toBe('WORKFLOW_STATE_LIMIT');
    expect(third.error?.message).toContain('Step "b#1" returned 2002 bytes');
    expect(third.error?.message).toContain('tenant "acme" to 12012 bytes');
    expect(third.error?.message).toContain('over the 11000-byte limit per tenant');
    expect(third.error?.message).toContain('sandstack instance prune --tenant acme');
    expect(third.steps.map((step) => [step.key, step.status, step.attempt])).toEqual([
      ['a#1', 'complete', 1],
      ['b#1', 'errored', 1],
    ]);
  });

  it('leaves other tenants alone', async () => {
    const { engine } = await makeEngine({ limits: { maxTenantStepResultBytes: 11_000 } });
    for (let run = 0; run < 2; run += 1) {
      expect((await runBody(engine, BODY, 'acme')).result.status).toBe('complete');
    }
    expect((await runBody(engine, BODY, 'globex')).result.status).toBe('complete');
  });
});

describe('instance state limit', () => {
  it('fails the step that passes it', async () => {
    const { engine } = await makeEngine({ limits: { maxInstanceStateBytes: 5000 } });
    const { result } = await runBody(
      engine,
      `for (const name of ['a', 'b', 'c']) {
         await step.do(name, ${RETRIES}, async () => 'x'.repeat(2000));
       }`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('WORKFLOW_STATE_LIMIT');
    expect(result.error?.message).toContain('Step "c#1" returned 2002 bytes');
    expect(result.error?.message).toContain('to 6006 bytes, over the 5000-byte limit');
    expect(result.error?.message).toContain('limits.maxInstanceStateBytes');
    expect(result.steps.map((step) => [step.key, step.status, step.attempt])).toEqual([
      ['a#1', 'complete', 1],
      ['b#1', 'complete', 1],
      ['c#1', 'errored', 1],
    ]);
  });

  it('counts results stored before a resume', async () => {
    const { engine, clock } = await makeEngine({ limits: { maxInstanceStateBytes: 5000 } });
    const { id, result } = await runBody(
      engine,
      `await step.do('a', async () => 'x'.repeat(2000));
       await step.do('b', async () => 'x'.repeat(2000));
       await step.sleep('nap', '1 hour');
       await step.do('c', async () => 'x'.repeat(2000));`,
    );
    expect(result.status).toBe('waiting');
    clock.advance(3_600_000);
    const resumed = await engine.run('acme', id);
    expect(resumed.error?.code).toBe('WORKFLOW_STATE_LIMIT');
  });

  it('counts event payloads', async () => {
    const { engine } = await makeEngine({ limits: { maxInstanceStateBytes: 5000 } });
    const { id } = await runBody(
      engine,
      `await step.waitForEvent('approval', { type: 'approval' });
       await step.do('a', async () => 'x'.repeat(2000));`,
    );
    await engine.sendEvent('acme', id, { type: 'approval', payload: 'y'.repeat(3000) });
    const result = await engine.run('acme', id);
    expect(result.error?.code).toBe('WORKFLOW_STATE_LIMIT');
  });

  it('counts pending event payloads', async () => {
    const { engine } = await makeEngine({ limits: { maxInstanceStateBytes: 5000 } });
    const { id } = await runBody(
      engine,
      `await step.do('a', async () => 'x'.repeat(2000));
       await step.waitForEvent('never', { type: 'never' });`,
    );
    await engine.sendEvent('acme', id, { type: 'other', payload: 'y'.repeat(2000) });
    const send = engine.sendEvent('acme', id, { type: 'other', payload: 'z'.repeat(2000) });
    await expect(send).rejects.toMatchObject({ code: 'WORKFLOW_STATE_LIMIT' });
    await expect(send).rejects.toThrow(/to 6006 bytes, over the 5000-byte limit per instance/);
    await expect(send).rejects.toThrow(/--max-instance-state-bytes/);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const { engine } = await makeEngine({ limits: { maxStepResultBytes: 1000 } });
    const { result } = await runBody(
      engine,
      `return step.do('accents', async () => 'é'.repeat(600));`,
    );
    expect(result.error?.code).toBe('STEP_RESULT_INVALID');
    expect(result.error?.message).toContain('returned 1202 bytes');
  });
});

describe('pending event limits', () => {
  const WAIT_TWICE = `await step.waitForEvent('first', { type: 'go' });
     await step.waitForEvent('second', { type: 'never' });`;

  it('rejects a send past the count', async () => {
    const { engine } = await makeEngine({ limits: { maxPendingEvents: 3 } });
    const { id } = await runBody(engine, WAIT_TWICE);
    for (let count = 0; count < 3; count += 1) {
      await engine.sendEvent('acme', id, { type: 'other', payload: count });
    }
    const send = engine.sendEvent('acme', id, { type: 'go' });
    await expect(send).rejects.toMatchObject({ code: 'EVENT_LIMIT' });
    await expect(send).rejects.toThrow(/already has 3 pending events, the maximum per instance/);
    await expect(send).rejects.toThrow(/limits.maxPendingEvents/);
    await expect(send).rejects.toThrow(/--max-pending-events/);
  });

  it('accepts a send once events are received', async () => {
    const { engine } = await makeEngine({ limits: { maxPendingEvents: 1 } });
    const { id } = await runBody(engine, WAIT_TWICE);
    await engine.sendEvent('acme', id, { type: 'go' });
    await expect(engine.sendEvent('acme', id, { type: 'go' })).rejects.toThrow(
      /already has 1 pending/,
    );

    const resumed = await engine.run('acme', id);
    expect(resumed.steps.map((step) => [step.key, step.status])).toEqual([
      ['first#1', 'complete'],
      ['second#1', 'waiting'],
    ]);
    await engine.sendEvent('acme', id, { type: 'late' });
  });

  it('rejects a send past the bytes', async () => {
    const { engine } = await makeEngine({ limits: { maxPendingEventBytes: 3000 } });
    const { id } = await runBody(engine, WAIT_TWICE);
    await engine.sendEvent('acme', id, { type: 'other', payload: 'é'.repeat(1000) });
    const send = engine.sendEvent('acme', id, { type: 'other', payload: 'é'.repeat(1000) });
    await expect(send).rejects.toMatchObject({ code: 'EVENT_LIMIT' });
    await expect(send).rejects.toThrow(
      /Event payload of 2002 bytes would bring the pending event payloads of instance "[^"]+" to 4004 bytes/,
    );
    await expect(send).rejects.toThrow(/limits.maxPendingEventBytes/);
  });
});

describe.each<IsolationMode>(['process', 'in-process'])('limits with isolation %s', (isolation) => {
  it('fails a 10 MB step result at the result limit', async () => {
    const { engine } = await makeEngine({ isolation });
    const { result } = await runBody(
      engine,
      `await step.do('huge', ${RETRIES}, async () => 'x'.repeat(10 * 1024 * 1024));`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_RESULT_INVALID');
    expect(result.error?.message).toContain(
      'Step "huge#1" returned 10485762 bytes of JSON, over the 1048576-byte limit',
    );
    expect(result.steps[0]?.attempt).toBe(1);
  });

  it('fails a deeply nested step result', async () => {
    const { engine } = await makeEngine({ isolation });
    const { result } = await runBody(
      engine,
      `await step.do('deep', ${RETRIES}, async () => {
        let value = [];
        for (let level = 0; level < 200000; level++) value = [value];
        return value;
      });`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_RESULT_INVALID');
    expect(result.error?.message).toContain('nesting deeper than 1000 levels at result.0.0');
    expect(result.steps[0]?.attempt).toBe(1);
  });

  it('fails a 10 MB workflow output at the result limit', async () => {
    const { engine } = await makeEngine({ isolation });
    const { result } = await runBody(engine, `return 'x'.repeat(10 * 1024 * 1024);`);
    expect(result.error?.code).toBe('STEP_RESULT_INVALID');
    expect(result.error?.message).toContain('The workflow returned 10485762 bytes');
  });

  it('rejects a 10 MB binding argument by size', async () => {
    const { engine } = await makeEngine({
      isolation,
      bindings: () => ({ SINK: { put: async () => null } }),
    });
    const { result } = await runBody(
      engine,
      `await step.do('send', ${RETRIES}, async () => this.env.SINK.put('x'.repeat(10 * 1024 * 1024)));`,
    );
    expect(result.error?.message).toMatch(
      /sent \d+ characters of JSON in one "binding" call, over the 8388608-character limit/,
    );
  });

  it.each([
    ['one large ArrayBuffer', 'return new ArrayBuffer(2 ** 31).byteLength'],
    ['one large typed array', 'return new Uint8Array(1e9).length'],
    [
      'many typed arrays',
      'const kept = []; for (let i = 0; i < 1000; i++) { kept.push(new Float64Array(1e5)); } return kept.length',
    ],
  ])('fails fast on %s', async (_name, bomb) => {
    const { engine } = await makeEngine({ isolation, limits: { memoryMb: 32 } });
    const { result } = await runBody(
      engine,
      `return step.do('bomb', ${RETRIES}, async () => { ${bomb}; });`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('WORKFLOW_MEMORY_LIMIT');
    expect(result.error?.message).toContain('memory limit of 32 MB');
    expect(result.steps[0]?.attempt).toBe(1);
  });

  it.each([
    ['WebAssembly.Memory', 'new WebAssembly.Memory({ initial: 16384 })', 'WebAssembly'],
    ['a SharedArrayBuffer', 'new SharedArrayBuffer(2 ** 30)', 'SharedArrayBuffer'],
  ])('rejects %s without retries', async (_name, allocation, global) => {
    const { engine } = await makeEngine({ isolation, limits: { memoryMb: 32 } });
    const { result } = await runBody(
      engine,
      `return step.do('wasm', ${RETRIES}, async () => { const kept = ${allocation}; return 1; });`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_FAILED');
    expect(result.error?.message).toContain(`${global} is not defined`);
    expect(result.error?.message).toContain('workflow isolates have no WebAssembly');
    expect(result.steps[0]?.attempt).toBe(1);
  });

  it('hides WebAssembly from tenant globals', async () => {
    const { engine } = await makeEngine({ isolation });
    const { result } = await runBody(
      engine,
      `return [typeof WebAssembly, typeof SharedArrayBuffer, 'WebAssembly' in globalThis];`,
    );
    expect(result.output).toEqual(['undefined', 'undefined', false]);
  });

  it('fails fast on an allocation outside steps', async () => {
    const { engine } = await makeEngine({ isolation, limits: { memoryMb: 32 } });
    const { result } = await runBody(engine, `return new ArrayBuffer(2 ** 31).byteLength;`);
    expect(result.error?.code).toBe('WORKFLOW_MEMORY_LIMIT');
    expect(result.error?.message).toContain('The workflow failed to allocate an ArrayBuffer');
  });
});

describe('ArrayBuffer bomb on a shared worker', () => {
  it("leaves another tenant's run on the worker alone", async () => {
    const pool = new IsolateWorkerPool({ size: 1 });
    cleanups.push(async () => pool.close());
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const waiting = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const { engine } = await makeEngine({
      workerPool: pool,
      limits: { memoryMb: 32 },
      bindings: () => ({
        GATE: {
          wait: async () => {
            entered();
            await gate;
            return 'released';
          },
        },
      }),
    });
    await engine.deploy('acme', 'gated', {
      filename: 'gated.js',
      source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
        export class Gated extends WorkflowEntrypoint {
          async run(event, step) { return step.do('wait', async () => this.env.GATE.wait()); }
        }`,
    });
    const gated = engine.run('acme', await engine.create('acme', 'gated'));
    await waiting;

    const { result: bomb } = await runBody(
      engine,
      `return step.do('bomb', ${RETRIES}, async () => new Uint8Array(1e9).length);`,
      'mallory',
    );
    release();
    const survivor = await gated;

    expect(bomb.error?.code).toBe('WORKFLOW_MEMORY_LIMIT');
    expect(survivor.status).toBe('complete');
    expect(survivor.output).toBe('released');
    expect(survivor.steps.map((step) => step.attempt)).toEqual([1]);
  });
});

describe('WebAssembly at deploy', () => {
  it('rejects top-level WebAssembly.Memory', async () => {
    const { engine } = await makeEngine();
    const deploy = engine.deploy('acme', 'wasm', {
      filename: 'wasm.js',
      source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
        const memory = new WebAssembly.Memory({ initial: 16384 });
        export class Wasm extends WorkflowEntrypoint {
          async run() { return memory.buffer.byteLength; }
        }`,
    });
    await expect(deploy).rejects.toThrow(/WebAssembly is not defined/);
  });
});

describe('engine limits', () => {
  it('rejects a result limit too large for one message', async () => {
    await expect(makeEngine({ limits: { maxStepResultBytes: 16 * 1024 * 1024 } })).rejects.toThrow(
      /Invalid limits.maxStepResultBytes 16777216; use at most 4161536/,
    );
  });
});
