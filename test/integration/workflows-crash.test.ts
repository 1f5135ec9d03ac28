/**
 * Crash and replay with a real SIGKILL: a child process runs an instance, is killed while
 * a step is in flight, and a second process finishes it. Side effects are counted in a
 * file that a host binding appends to.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CHILD = join(REPO_ROOT, 'test', 'helpers', 'workflow-child.ts');

const WORKFLOW = `
import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Counting extends WorkflowEntrypoint {
  async run(event, step) {
    await step.do('one', async () => this.env.LOG.append('step-1'));
    await step.do('two', async () => this.env.LOG.append('step-2'));
    await step.do('three', async () => {
      await this.env.LOG.append('step-3-start');
      await this.env.LOG.hang();
      return this.env.LOG.append('step-3-end');
    });
    return step.do('four', async () => this.env.LOG.append('step-4'));
  }
}`;

function startChild(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', CHILD, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolveDone) => {
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

async function waitForLine(path: string, line: string): Promise<void> {
  // Bounded: about 60 s of polling.
  for (let round = 0; round < 600; round += 1) {
    if (existsSync(path) && readFileSync(path, 'utf8').split('\n').includes(line)) {
      return;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error(`"${line}" never appeared in ${path}`);
}

describe('workflow replay after kill -9', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-crash-'));
    await writeFile(join(dir, 'workflow.js'), WORKFLOW);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reruns only the step in flight', async () => {
    const log = join(dir, 'effects.log');
    const args = [join(dir, 'state.db'), log, join(dir, 'workflow.js'), 'crash-1'];

    const first = startChild(args, { HANG: '1' });
    await waitForLine(log, 'step-3-start');
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const second = await startChild(args, { HANG: '0' }).done;
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout) as {
      status: string;
      output: unknown;
      steps: { key: string }[];
    };
    expect(result.status).toBe('complete');
    expect(result.output).toBe('four#1');
    expect(result.steps.map((step) => step.key)).toEqual(['one#1', 'two#1', 'three#1', 'four#1']);

    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const count = (line: string): number => lines.filter((entry) => entry === line).length;
    expect(count('step-1')).toBe(1);
    expect(count('step-2')).toBe(1);
    expect(count('step-3-start')).toBe(2);
    expect(count('step-3-end')).toBe(1);
    expect(count('step-4')).toBe(1);
  }, 120_000);

  it('returns a finished instance without running it again', async () => {
    const log = join(dir, 'effects.log');
    const args = [join(dir, 'state.db'), log, join(dir, 'workflow.js'), 'crash-1'];
    const before = readFileSync(log, 'utf8');
    const again = await startChild(args, { HANG: '0' }).done;
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'complete' });
    expect(readFileSync(log, 'utf8')).toBe(before);
  }, 60_000);
});
