import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../core/store.js';
import { openDatabase } from '../core/store.js';
import type { WorkflowEngineOptions } from './engine.js';
import { WorkflowEngine } from './engine.js';
import type { BindingCallContext, EngineEvent, HostBinding, JsonValue } from './types.js';

interface Harness {
  engine: WorkflowEngine;
  db: SqliteDatabase;
  clock: { now: () => number; advance: (ms: number) => void };
  events: EngineEvent[];
  calls: { context: BindingCallContext; args: JsonValue[] }[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) {
    await cleanup();
  }
});

/** Creates an engine on a SQLite file in a temp dir, a fake clock and a recording binding. */
async function makeHarness(options: Partial<WorkflowEngineOptions> = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sandstack-engine-'));
  const db = openDatabase(join(dir, 'state.db'));
  cleanups.push(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
  let nowMs = Date.UTC(2026, 0, 1);
  const clock = { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
  const events: EngineEvent[] = [];
  const calls: Harness['calls'] = [];
  let counter = 0;
  const recorder: HostBinding = {
    record: async (context, ...args) => {
      calls.push({ context, args });
      return calls.length;
    },
    next: async () => {
      counter += 1;
      return counter;
    },
    fail: async () => {
      throw new Error('binding failed on purpose');
    },
  };
  const engine = new WorkflowEngine({
    db,
    clock,
    onEvent: (event) => events.push(event),
    bindings: () => ({ REC: recorder }),
    stepDefaults: { retries: { limit: 0, delayMs: 1, backoff: 'constant' }, timeoutMs: 10_000 },
    ...options,
  });
  return { engine, db, clock, events, calls };
}

function workflow(body: string): { source: string; filename: string } {
  return {
    filename: 'workflow.js',
    source: `import { WorkflowEntrypoint, NonRetryableError } from 'sandstack/workflows';
      export class Test extends WorkflowEntrypoint {
        async run(event, step) { ${body} }
      }`,
  };
}

async function runOnce(harness: Harness, body: string, params: JsonValue = {}) {
  await harness.engine.deploy('acme', 'test', workflow(body));
  const id = await harness.engine.create('acme', 'test', { params });
  return { id, result: await harness.engine.run('acme', id) };
}

describe('WorkflowEngine', () => {
  it('runs steps and stores the output', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `const a = await step.do('a', async () => event.payload.n + 1);
       const b = await step.do('b', async () => a * 2);
       return { a, b, id: event.instanceId === this.ctx.instanceId };`,
      { n: 1 },
    );
    expect(result.status).toBe('complete');
    expect(result.output).toEqual({ a: 2, b: 4, id: true });
    expect(result.steps.map((step) => step.key)).toEqual(['a#1', 'b#1']);
  });

  it('numbers repeated step names by occurrence', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `for (let i = 0; i < 3; i++) { await step.do('same', async () => i); }`,
    );
    expect(result.steps.map((step) => step.key)).toEqual(['same#1', 'same#2', 'same#3']);
  });

  it('replays completed steps without running them', async () => {
    const harness = await makeHarness();
    const { id, result } = await runOnce(
      harness,
      `const first = await step.do('first', async () => this.env.REC.record('first'));
       await step.sleep('nap', '1 hour');
       const second = await step.do('second', async () => this.env.REC.record('second'));
       return [first, second];`,
    );
    expect(result.status).toBe('waiting');
    harness.clock.advance(3_600_000);
    const resumed = await harness.engine.run('acme', id);
    expect(resumed.status).toBe('complete');
    expect(resumed.output).toEqual([1, 2]);
    expect(harness.calls.map((call) => call.args[0])).toEqual(['first', 'second']);
    expect(harness.events).toContainEqual({
      type: 'step.replayed',
      instanceId: id,
      stepKey: 'first#1',
    });
    expect(harness.events).toContainEqual({
      type: 'instance.start',
      instanceId: id,
      resumed: true,
    });
  });

  it('retries a failing step with backoff', async () => {
    const harness = await makeHarness();
    const { id, result } = await runOnce(
      harness,
      `return step.do('flaky', { retries: { limit: 3, delay: 1, backoff: 'linear' } }, async () => {
         const n = await this.env.REC.next();
         if (n < 3) { throw new Error('try again ' + n); }
         return n;
       });`,
    );
    expect(result.status).toBe('complete');
    expect(result.output).toBe(3);
    const retries = harness.events.filter((event) => event.type === 'step.retry');
    expect(retries.map((event) => (event.type === 'step.retry' ? event.delayMs : 0))).toEqual([
      1, 2,
    ]);
    expect(result.steps[0]?.attempt).toBe(3);
    expect(harness.events.at(-1)).toEqual({
      type: 'instance.end',
      instanceId: id,
      status: 'complete',
    });
  });

  it('errors the instance after the retry limit', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `return step.do('broken', { retries: { limit: 2, delay: 1 } }, async () => {
         await this.env.REC.next();
         throw new Error('always broken');
       });`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_FAILED');
    expect(result.error?.message).toBe('always broken');
    expect(result.steps[0]?.attempt).toBe(3);
  });

  it('stops retrying on NonRetryableError', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `return step.do('fatal', { retries: { limit: 5, delay: 1 } }, async () => {
         await this.env.REC.next();
         throw new NonRetryableError('give up');
       });`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.message).toBe('give up');
    expect(result.steps[0]?.attempt).toBe(1);
  });

  it('passes the step context to the callback', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `await step.do('ctx', async () => 1);
       return step.do('ctx', { retries: { limit: 2, delay: 1 }, timeout: '1 minute' }, async (ctx) => {
         if (ctx.attempt < 2) { throw new Error('again'); }
         return ctx;
       });`,
    );
    expect(result.output).toEqual({
      step: { name: 'ctx', count: 2 },
      attempt: 2,
      config: { retries: { limit: 2, delay: 1, backoff: 'constant' }, timeout: 60_000 },
    });
  });

  it('lets the workflow catch a failed step', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `try { await step.do('bad', async () => { throw new Error('no'); }); }
       catch (error) { return 'caught ' + error.message; }`,
    );
    expect(result.status).toBe('complete');
    expect(result.output).toBe('caught no');
  });

  it('times out a slow step attempt', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `return step.do('slow', { timeout: 50, retries: { limit: 0, delay: 1 } }, () => new Promise(() => {}));`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_TIMEOUT');
    expect(result.error?.message).toContain('slow#1');
  });

  it('rejects a result that is not JSON', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `return step.do('fn', async () => ({ f: () => 1 }));`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_RESULT_INVALID');
    expect(result.error?.message).toContain('Step "fn#1"');
    expect(result.error?.message).toContain('result.f');
  });

  it('rejects a result over the size limit', async () => {
    const harness = await makeHarness({ limits: { maxStepResultBytes: 1000 } });
    const { result } = await runOnce(
      harness,
      `return step.do('big', async () => 'x'.repeat(2000));`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_RESULT_INVALID');
    expect(result.error?.message).toContain('1000-byte limit');
  });

  it('rejects an output over the size limit', async () => {
    const harness = await makeHarness({ limits: { maxStepResultBytes: 1000 } });
    const { result } = await runOnce(harness, `return 'x'.repeat(2000);`);
    expect(result.status).toBe('errored');
    expect(result.error?.message).toContain('The workflow returned 2002 bytes');
  });

  it('stops an instance at the step limit', async () => {
    const harness = await makeHarness({ limits: { maxStepsPerInstance: 5 } });
    const { result } = await runOnce(
      harness,
      `for (;;) { await step.do('again', async () => 1); }`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.message).toContain('more than 5 steps');
    expect(result.steps).toHaveLength(5);
  });

  it('passes step key and call index to bindings', async () => {
    const harness = await makeHarness();
    await runOnce(
      harness,
      `await this.env.REC.record('outside');
       await step.do('calls', async () => {
         await this.env.REC.record('one', { n: 1 });
         await this.env.REC.record('two');
       });`,
    );
    const contexts = harness.calls.map((call) => [call.context.stepKey, call.context.callIndex]);
    expect(contexts).toEqual([
      [undefined, 0],
      ['calls#1', 0],
      ['calls#1', 1],
    ]);
    expect(harness.calls[1]?.args).toEqual(['one', { n: 1 }]);
    expect(harness.calls[0]?.context.tenant).toBe('acme');
  });

  it('delivers binding errors without the host stack', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `try { await this.env.REC.fail(); } catch (error) {
         return { isError: error instanceof Error, code: error.code, message: error.message, stack: error.stack };
       }`,
    );
    const output = result.output as {
      isError: boolean;
      code: string;
      message: string;
      stack: string;
    };
    expect(output.isError).toBe(true);
    expect(output.message).toBe('binding failed on purpose');
    expect(output.code).toBe('INTERNAL');
    expect(output.stack).not.toContain('engine.test');
    expect(output.stack).not.toContain('node_modules');
  });

  it('fails with a determinism error when replay asks for other steps', async () => {
    const harness = await makeHarness();
    // Reading a binding outside a step is the classic mistake: the name differs on replay.
    const { id, result } = await runOnce(
      harness,
      `const n = await this.env.REC.next();
       await step.do('step-' + n, async () => n);
       await step.sleep('nap', '1 hour');
       return n;`,
    );
    expect(result.status).toBe('waiting');
    harness.clock.advance(3_600_000);
    const replay = await harness.engine.run('acme', id);
    expect(replay.status).toBe('errored');
    expect(replay.error?.code).toBe('WORKFLOW_NONDETERMINISM');
    expect(replay.error?.message).toContain('"step-2#1"');
    expect(replay.error?.message).toContain('"step-1#1"');
  });

  it('fails with a determinism error after the pinned code changed', async () => {
    const harness = await makeHarness();
    const { id } = await runOnce(
      harness,
      `await step.do('a', async () => 1); await step.sleep('nap', '1 hour'); return 'v1';`,
    );
    const v2 = await harness.engine.deploy(
      'acme',
      'test',
      workflow(
        `await step.do('b', async () => 1); await step.sleep('nap', '1 hour'); return 'v2';`,
      ),
    );
    // Re-pinning by hand simulates an operator who swaps the code under a live instance.
    harness.db
      .prepare('UPDATE workflow_instances SET version = ? WHERE id = ?')
      .run(v2.version, id);
    harness.clock.advance(3_600_000);
    const replay = await harness.engine.run('acme', id);
    expect(replay.error?.code).toBe('WORKFLOW_NONDETERMINISM');
  });

  it('keeps an instance on the version it started with', async () => {
    const harness = await makeHarness();
    const { id } = await runOnce(harness, `await step.sleep('nap', '1 hour'); return 'v1';`);
    await harness.engine.deploy(
      'acme',
      'test',
      workflow(`await step.sleep('nap', '1 hour'); return 'v2';`),
    );
    harness.clock.advance(3_600_000);
    expect((await harness.engine.run('acme', id)).output).toBe('v1');
    const fresh = await harness.engine.create('acme', 'test');
    harness.clock.advance(1);
    expect((await harness.engine.run('acme', fresh)).status).toBe('waiting');
  });

  it('waits for an event and continues after sendEvent', async () => {
    const harness = await makeHarness();
    const { id, result } = await runOnce(
      harness,
      `const approval = await step.waitForEvent('approval', { type: 'approved', timeout: '1 hour' });
       return { payload: approval.payload, type: approval.type, isDate: approval.timestamp instanceof Date };`,
    );
    expect(result.status).toBe('waiting');
    await harness.engine.sendEvent('acme', id, { type: 'approved', payload: { by: 'ops' } });
    const done = await harness.engine.run('acme', id);
    expect(done.status).toBe('complete');
    expect(done.output).toEqual({ payload: { by: 'ops' }, type: 'approved', isDate: true });
  });

  it('rejects an event payload over the size limit', async () => {
    const harness = await makeHarness({ limits: { maxStepResultBytes: 100 } });
    const { id } = await runOnce(harness, `await step.waitForEvent('e', { type: 'go' });`);
    await expect(
      harness.engine.sendEvent('acme', id, { type: 'go', payload: 'x'.repeat(200) }),
    ).rejects.toThrow(/over the 100-byte limit/);
  });

  it('rejects a rollback handler', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `return step.do('charge', async () => 1, { rollback: async () => {} });`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.message).toContain('rollback handlers are not supported');
  });

  it('rejects a retry delay function', async () => {
    const harness = await makeHarness();
    const { result } = await runOnce(
      harness,
      `return step.do('dyn', { retries: { limit: 1, delay: () => 5 } }, async () => 1);`,
    );
    expect(result.status).toBe('errored');
    expect(result.error?.message).toContain('retries.delay as a function is not supported');
  });

  it('times out an event wait', async () => {
    const harness = await makeHarness();
    const { id } = await runOnce(
      harness,
      `await step.waitForEvent('approval', { type: 'approved', timeout: '1 minute' });`,
    );
    harness.clock.advance(60_001);
    const result = await harness.engine.run('acme', id);
    expect(result.status).toBe('errored');
    expect(result.error?.code).toBe('STEP_TIMEOUT');
  });

  it('terminates a waiting instance for good', async () => {
    const harness = await makeHarness();
    const { id } = await runOnce(harness, `await step.sleep('nap', '1 hour'); return 'done';`);
    await harness.engine.terminate('acme', id);
    harness.clock.advance(3_600_000);
    const result = await harness.engine.run('acme', id);
    expect(result.status).toBe('terminated');
    expect(result.output).toBeUndefined();
  });

  it('stops a run terminated from another engine', async () => {
    const harness = await makeHarness();
    const other = new WorkflowEngine({ db: harness.db });
    const { id, result } = await runOnce(
      harness,
      `await step.do('a', async () => this.env.REC.record('a'));
       await step.sleep('nap', '1 hour');
       await step.do('b', async () => this.env.REC.record('b'));`,
    );
    expect(result.status).toBe('waiting');
    harness.clock.advance(3_600_000);
    await other.terminate('acme', id);
    const after = await harness.engine.run('acme', id);
    expect(after.status).toBe('terminated');
    expect(harness.calls.map((call) => call.args[0])).toEqual(['a']);
  });

  it('ends at a step boundary when terminated mid-run', async () => {
    const target: { engine?: WorkflowEngine; instanceId: string } = { instanceId: '' };
    const harness = await makeHarness({
      bindings: () => ({
        CTL: {
          terminateMe: async () => {
            // A second engine on the same database simulates another process.
            await target.engine?.terminate('acme', target.instanceId);
            return null;
          },
        },
      }),
    });
    target.engine = new WorkflowEngine({ db: harness.db });
    await harness.engine.deploy(
      'acme',
      'test',
      workflow(`await step.do('a', async () => this.env.CTL.terminateMe());
                return step.do('b', async () => 'should not run');`),
    );
    target.instanceId = await harness.engine.create('acme', 'test');
    const result = await harness.engine.run('acme', target.instanceId);
    expect(result.status).toBe('terminated');
    expect(result.steps.map((step) => step.key)).toEqual(['a#1']);
  });

  it('restarts an instance from the top', async () => {
    const harness = await makeHarness();
    const { id } = await runOnce(
      harness,
      `return step.do('a', async () => this.env.REC.record('a'));`,
    );
    await harness.engine.restart('acme', id);
    expect((await harness.engine.get('acme', id)).status).toBe('queued');
    expect((await harness.engine.get('acme', id)).steps).toEqual([]);
    const again = await harness.engine.run('acme', id);
    expect(again.status).toBe('complete');
    expect(again.output).toBe(2);
    expect(harness.calls).toHaveLength(2);
  });

  it('pauses and resumes an instance', async () => {
    const harness = await makeHarness();
    await harness.engine.deploy('acme', 'test', workflow(`return step.do('a', async () => 'ok');`));
    const id = await harness.engine.create('acme', 'test');
    await harness.engine.pause('acme', id);
    expect((await harness.engine.run('acme', id)).status).toBe('paused');
    await harness.engine.resume('acme', id);
    expect((await harness.engine.run('acme', id)).status).toBe('complete');
  });

  it('waits out a step timeout past 24.8 days', async () => {
    const harness = await makeHarness({
      bindings: () => ({
        SLOW: {
          later: () => new Promise((resolve) => setTimeout(() => resolve('late'), 200)),
        },
      }),
    });
    const { result } = await runOnce(
      harness,
      `return step.do('long', { timeout: '1000 days' }, async () => this.env.SLOW.later());`,
    );
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('complete');
    expect(result.output).toBe('late');
  });

  describe('pause with a step in flight', () => {
    /** A binding whose `wait` counts its calls and resolves only when `open` is called. */
    const gate = () => {
      let starts = 0;
      let open = (): void => undefined;
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      const binding: HostBinding = {
        wait: async () => {
          starts += 1;
          await opened;
          return 'done';
        },
      };
      return { binding, open, starts: () => starts };
    };
    const body = `const got = await step.do('slow', async () => this.env.GATE.wait());
      return step.do('after', async () => got + '!');`;

    const startSlowStep = async (harness: Harness, starts: () => number) => {
      await harness.engine.deploy('acme', 'test', workflow(body));
      const id = await harness.engine.create('acme', 'test');
      const first = harness.engine.run('acme', id);
      // Bounded: 500 polls of 10 ms.
      for (let poll = 0; poll < 500 && starts() === 0; poll += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(starts()).toBe(1);
      return { id, first };
    };

    it('keeps the step on resume', async () => {
      const slow = gate();
      const harness = await makeHarness({ bindings: () => ({ GATE: slow.binding }) });
      const { id, first } = await startSlowStep(harness, slow.starts);
      await harness.engine.pause('acme', id);
      await harness.engine.resume('acme', id);
      // A caller that runs resumed instances, as a server's scheduler does.
      const second = harness.engine.run('acme', id).then(
        (result) => result.status,
        (error: unknown) => (error as { code?: string }).code,
      );
      expect(await second).toBe('INVALID_ARGUMENT');
      slow.open();
      const result = await first;
      expect(result.status).toBe('complete');
      expect(result.output).toBe('done!');
      expect(slow.starts()).toBe(1);
    });

    it('stores the step before stopping', async () => {
      const slow = gate();
      const harness = await makeHarness({ bindings: () => ({ GATE: slow.binding }) });
      const { id, first } = await startSlowStep(harness, slow.starts);
      await harness.engine.pause('acme', id);
      slow.open();
      const paused = await first;
      expect(paused.status).toBe('paused');
      expect(paused.steps.map((step) => [step.key, step.status])).toEqual([['slow#1', 'complete']]);
      await harness.engine.resume('acme', id);
      const result = await harness.engine.run('acme', id);
      expect(result.status).toBe('complete');
      expect(result.output).toBe('done!');
      expect(slow.starts()).toBe(1);
    });
  });

  it('rejects a duplicate instance id', async () => {
    const harness = await makeHarness();
    await harness.engine.deploy('acme', 'test', workflow(`return 1;`));
    await harness.engine.create('acme', 'test', { id: 'order-1' });
    await expect(harness.engine.create('acme', 'test', { id: 'order-1' })).rejects.toThrow(
      expect.objectContaining({ code: 'ALREADY_EXISTS' }),
    );
  });

  it('runs due instances of every tenant', async () => {
    const harness = await makeHarness();
    const body = `await step.sleep('nap', '1 hour'); return 'awake';`;
    await harness.engine.deploy('acme', 'test', workflow(body));
    await harness.engine.deploy('other', 'test', workflow(body));
    const acme = await harness.engine.create('acme', 'test');
    const other = await harness.engine.create('other', 'test');

    const first = await harness.engine.runDue();
    expect(first.map((result) => [result.tenant, result.id, result.status])).toEqual([
      ['acme', acme, 'waiting'],
      ['other', other, 'waiting'],
    ]);
    expect(await harness.engine.runDue()).toEqual([]);

    harness.clock.advance(3_600_000);
    const second = await harness.engine.runDue();
    expect(second.map((result) => result.output)).toEqual(['awake', 'awake']);
  });

  it('emits start, step and end events in order', async () => {
    const harness = await makeHarness();
    const { id } = await runOnce(harness, `await step.do('a', async () => 1);`);
    expect(harness.events.map((event) => event.type)).toEqual([
      'instance.start',
      'step.start',
      'step.complete',
      'instance.end',
    ]);
    expect(harness.events[0]).toEqual({ type: 'instance.start', instanceId: id, resumed: false });
  });
});
