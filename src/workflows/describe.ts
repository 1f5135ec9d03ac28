/**
 * Deploy-time check of a workflow bundle: loads it in a throwaway isolate and lists its
 * entrypoint classes. The isolate runs in a short-lived child process (describe-worker),
 * so top-level code that makes isolated-vm abort the process costs only that child.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ivm from 'isolated-vm';
import { SandstackError } from '../core/errors.js';
import { createTenantContext } from './isolate.js';
import { workerEntry } from './worker-pool.js';

/** Time allowed for a bundle's top-level code when it is checked at deploy time. */
export const DESCRIBE_TIMEOUT_MS = 2000;
/** Heap limit of the deploy-time isolate, in MB. */
export const DESCRIBE_MEMORY_MB = 32;
/**
 * Time allowed for the whole check in the child process, start-up included. Past it the
 * child is killed.
 */
const DESCRIBE_CHILD_TIMEOUT_MS = 60_000;
/** Maximum bytes of the child's stderr kept to explain its exit. */
const STDERR_TAIL_BYTES = 4096;
/**
 * Maximum child processes checking modules at once in this process. Further deploys wait
 * for a free slot, so a burst of deploys cannot fork without bound.
 */
const MAX_CONCURRENT_CHECKS = 2;

let runningChecks = 0;
const waitingChecks: (() => void)[] = [];

/** Runs `check` once fewer than {@link MAX_CONCURRENT_CHECKS} checks are running. */
async function withCheckSlot<T>(check: () => Promise<T>): Promise<T> {
  if (runningChecks >= MAX_CONCURRENT_CHECKS) {
    await new Promise<void>((resolve) => waitingChecks.push(resolve));
  } else {
    runningChecks += 1;
  }
  try {
    return await check();
  } finally {
    // A waiting check takes the slot over, so the count stays the same.
    const next = waitingChecks.shift();
    if (next === undefined) {
      runningChecks -= 1;
    } else {
      next();
    }
  }
}

/** Result of loading a bundle, as the child process sends it. */
export type DescribeResult =
  { ok: true; classes: string[] } | { ok: false; outOfMemory: boolean; message: string };

const MEMORY_FIX = `top-level code may use at most ${DESCRIBE_MEMORY_MB} MB when the module is checked at deploy; move large allocations into run() or a step`;

/** Loads `code` in a new isolate in this process. Only the describe-worker child calls it. */
export async function describeBundleInIsolate(code: string): Promise<DescribeResult> {
  const isolate = new ivm.Isolate({ memoryLimit: DESCRIBE_MEMORY_MB });
  try {
    const context = await createTenantContext(isolate);
    await context.eval(code, { timeout: DESCRIBE_TIMEOUT_MS });
    const text = (await context.eval('__sandstack_describe()', {
      timeout: DESCRIBE_TIMEOUT_MS,
      copy: true,
    })) as string;
    return { ok: true, classes: (JSON.parse(text) as { classes: string[] }).classes };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // isolated-vm disposes an isolate that passes its memory limit, and the failed call
    // rejects with a message that names the limit or the disposal.
    const outOfMemory = isolate.isDisposed || /memory limit|out of memory/i.test(message);
    return { ok: false, outOfMemory, message };
  } finally {
    if (!isolate.isDisposed) {
      isolate.dispose();
    }
  }
}

/**
 * Loads `code` in the describe-worker child process and returns its entrypoint classes.
 *
 * @throws SandstackError `WORKFLOW_INVALID` when top-level code throws, runs past
 * {@link DESCRIBE_TIMEOUT_MS} or uses more than {@link DESCRIBE_MEMORY_MB} MB, or when the
 * child exits without a result.
 */
export async function describeBundle(code: string): Promise<string[]> {
  const result = await withCheckSlot(() => describeInChild(code));
  if (result.ok) {
    return result.classes;
  }
  if (result.outOfMemory) {
    throw new SandstackError(
      'WORKFLOW_INVALID',
      `Workflow ran out of memory while loading its module: ${MEMORY_FIX}`,
      { details: { memoryLimitMb: DESCRIBE_MEMORY_MB } },
    );
  }
  throw new SandstackError(
    'WORKFLOW_INVALID',
    `Workflow failed while loading its module: ${result.message}; top-level code must not throw or run long`,
  );
}

function describeInChild(code: string): Promise<DescribeResult> {
  const entry = workerEntry('describe-worker');
  const child = fork(fileURLToPath(entry.url), [], {
    execArgv: entry.execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
    // Its own process group keeps a terminal's Ctrl-C for the parent to handle.
    detached: true,
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
  });
  return new Promise<DescribeResult>((resolve, reject) => {
    let result: DescribeResult | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), DESCRIBE_CHILD_TIMEOUT_MS);
    child.on('message', (message: DescribeResult | { type: 'ready' }) => {
      if ('type' in message) {
        child.send({ code });
      } else {
        result = message;
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new SandstackError(
          'INTERNAL',
          `Could not start the process that checks a workflow module: ${error.message}`,
        ),
      );
    });
    child.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      if (result !== undefined) {
        resolve(result);
        return;
      }
      const outOfMemory = /heap out of memory|is_heap_oom = 1|allocation failed/i.test(stderrTail);
      const how = signal === null ? `code ${String(exitCode)}` : `signal ${signal}`;
      resolve({
        ok: false,
        outOfMemory,
        message: `the process that loads it exited with ${how}`,
      });
    });
  });
}
