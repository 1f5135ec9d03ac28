/**
 * Hostile tenant code against the real isolate runtime: each attempt ends the instance
 * with a clear error, and the host process keeps running.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/core/store.js';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';

function source(body: string, topLevel = ''): { source: string; filename: string } {
  return {
    filename: 'hostile.js',
    source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
      ${topLevel}
      export class Hostile extends WorkflowEntrypoint {
        async run(event, step) { ${body} }
      }`,
  };
}

describe('hostile workflow code', () => {
  let dir: string;
  let db: SqliteDatabase;
  let engine: WorkflowEngine;
  let counter = 0;

  const runHostile = async (body: string) => {
    counter += 1;
    const name = `hostile-${counter}`;
    await engine.deploy('mallory', name, source(body));
    const id = await engine.create('mallory', name);
    return engine.run('mallory', id);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-hostile-'));
    db = openDatabase(join(dir, 'state.db'));
    engine = new WorkflowEngine({
      db,
      limits: { memoryMb: 32, cpuPerStepMs: 300, cpuPerRunMs: 800 },
      stepDefaults: { retries: { limit: 0, delayMs: 1, backoff: 'constant' }, timeoutMs: 10_000 },
      bindings: () => ({ REC: { echo: async (_context, value) => value ?? null } }),
    });
  });

  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [
      'an infinite loop inside a step',
      `await step.do('spin', async () => { for (;;) {} });`,
      'WORKFLOW_CPU_LIMIT',
      /spin#1.*CPU time/,
    ],
    [
      'an infinite loop outside steps',
      `for (;;) {}`,
      'WORKFLOW_CPU_LIMIT',
      /CPU time in one run\(\) call/,
    ],
    [
      'a loop after an await',
      `await step.do('a', async () => 1); while (true) {}`,
      'WORKFLOW_CPU_LIMIT',
      /CPU/,
    ],
    [
      'a memory bomb',
      `const a = []; for (;;) { a.push(new Array(10000).fill(a.length)); }`,
      'WORKFLOW_MEMORY_LIMIT',
      /memory limit of 32 MB/,
    ],
    ['a string memory bomb', `let s = 'x'; for (;;) { s = s + s; }`, null, /./],
    ['a huge ArrayBuffer', `return new ArrayBuffer(2 ** 31).byteLength;`, null, /./],
    ['reading process', `return process.pid;`, 'WORKFLOW_FAILED', /process is not defined/],
    ['calling require', `return globalThis.require('fs');`, 'WORKFLOW_FAILED', /require/],
    [
      'a promise that never settles',
      `await new Promise(() => {});`,
      'WORKFLOW_FAILED',
      /never settle/,
    ],
  ])('stops %s', async (_label, body, code, message) => {
    const result = await runHostile(body);
    expect(result.status).toBe('errored');
    if (code !== null) {
      expect(result.error?.code).toBe(code);
    }
    expect(result.error?.message).toMatch(message);
  });

  it('stops 100k steps at the default step limit', async () => {
    // Default limits, so the cap that stops it is the one every tenant gets.
    const plain = new WorkflowEngine({ db });
    await plain.deploy(
      'mallory',
      'many-steps',
      source(`for (let i = 0; i < 100000; i++) { await step.do('again', async () => i); }`),
    );
    const id = await plain.create('mallory', 'many-steps');
    const result = await plain.run('mallory', id);
    expect(result.status).toBe('errored');
    expect(result.error?.message).toContain('more than 10000 steps');
    const stored = await plain.get('mallory', id);
    expect(stored.steps).toHaveLength(10_000);
  }, 300_000);

  it.each([
    ['the Function constructor', `return this.constructor.constructor('return typeof process')();`],
    ['the global object', `return typeof globalThis.process + typeof globalThis.require;`],
    [
      'a binding method constructor',
      `return this.env.REC.echo.constructor('return typeof process + typeof require')();`,
    ],
    [
      'an async function constructor',
      `return (async () => {}).constructor('return typeof process')();`,
    ],
    ['timers', `return typeof setTimeout + typeof setInterval + typeof queueMicrotask;`],
  ])('keeps the host out of reach through %s', async (_label, body) => {
    const result = await runHostile(body);
    expect(result.status).toBe('complete');
    expect(String(result.output)).not.toMatch(/object|function/);
  });

  it('ignores transfer options planted on Object.prototype', async () => {
    // isolated-vm reads its options through the prototype chain; a planted `reference: true`
    // would turn a host reply into a Reference to a host object.
    const result = await runHostile(
      `for (const key of ['reference', 'externalCopy', 'copy', 'promise', 'timeout']) {
         Object.defineProperty(Object.prototype, key, {
           get() { return key === 'reference' ? true : undefined; },
           configurable: true,
         });
       }
       const value = await this.env.REC.echo('plain');
       return typeof value === 'string' ? value : 'escaped: ' + typeof value;`,
    );
    expect(result.status).toBe('complete');
    expect(result.output).toBe('plain');
  });

  it('copies binding results instead of sharing host objects', async () => {
    const result = await runHostile(
      `const value = await this.env.REC.echo({ nested: { a: 1 } });
       return Object.getPrototypeOf(value) === Object.prototype && value.constructor === ({}).constructor;`,
    );
    expect(result.output).toBe(true);
  });

  it('rejects require of a Node builtin at deploy', async () => {
    await expect(
      engine.deploy(
        'mallory',
        'fs',
        source(`return require('node:fs').readFileSync('/etc/hostname', 'utf8');`),
      ),
    ).rejects.toMatchObject({
      code: 'WORKFLOW_INVALID',
      message: expect.stringContaining('node:fs'),
    });
  });

  it('rejects an infinite loop in top-level code at deploy', async () => {
    await expect(
      engine.deploy('mallory', 'top', source('return 1;', 'for (;;) {}')),
    ).rejects.toMatchObject({
      code: 'WORKFLOW_INVALID',
    });
  });

  it('rejects params nested too deeply', async () => {
    await engine.deploy('mallory', 'deep', source('return 1;'));
    let params: Record<string, unknown> = {};
    for (let level = 0; level < 100_000; level += 1) {
      params = { inner: params };
    }
    const create = engine.create('mallory', 'deep', { params: params as never });
    await expect(create).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('nested more than 1000 levels deep'),
    });
  });

  it('rejects an event payload nested too deeply', async () => {
    await engine.deploy(
      'mallory',
      'waiter',
      source(`return step.waitForEvent('wait', { type: 'go', timeout: '1 hour' });`),
    );
    const id = await engine.create('mallory', 'waiter');
    let payload: unknown[] = [];
    for (let level = 0; level < 100_000; level += 1) {
      payload = [payload];
    }
    const send = engine.sendEvent('mallory', id, { type: 'go', payload: payload as never });
    await expect(send).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/^Event payload: .*nested more than 1000/),
    });
  });

  it('keeps working after hostile runs', async () => {
    await engine.deploy(
      'mallory',
      'fine',
      source(`return step.do('ok', async () => 'still here');`),
    );
    const id = await engine.create('mallory', 'fine');
    const result = await engine.run('mallory', id);
    expect(result.output).toBe('still here');
  });
});
