import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Root of the repository. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Path of the built CLI; the test command builds before it runs the tests. */
export const CLI_PATH = join(REPO_ROOT, 'bin', 'sandstack.js');

/**
 * Environment that keeps the CLI on its local state folder whatever the caller's shell or
 * config file sets; tests of the remote CLI override it.
 */
const NO_REMOTE = {
  SANDSTACK_SERVER: '',
  SANDSTACK_TOKEN: '',
  SANDSTACK_CONFIG: join(tmpdir(), 'sandstack-tests-no-config', 'config.yaml'),
};

/** Output of one finished CLI process. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCli} and {@link startCli}. */
export interface CliOptions {
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kills the process after this long. @default 240000 */
  timeoutMs?: number;
  /** Text written to the process's standard input, which is then closed; none by default. */
  input?: string;
}

/** A CLI process started in the background. */
export interface StartedCli {
  child: ChildProcess;
  /** Resolves once stdout contains `text`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when the process exits. */
  done: Promise<CliResult>;
}

/** Starts `sandstack <args>` and returns its handle. */
export function startCli(args: readonly string[], options: CliOptions = {}): StartedCli {
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...NO_REMOTE, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) {
    child.stdin?.end(options.input);
  }
  let stdout = '';
  let stderr = '';
  const waiters: { test: (text: string) => boolean; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
  const done = new Promise<CliResult>((resolveDone) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveDone({ code, signal, stdout, stderr });
    });
  });

  const waitForOutput = (text: string | RegExp, timeoutMs = 120_000): Promise<void> =>
    new Promise((resolveWait, rejectWait) => {
      const test = (output: string): boolean =>
        typeof text === 'string' ? output.includes(text) : text.test(output);
      if (test(stdout)) {
        resolveWait();
        return;
      }
      const waitTimer = setTimeout(
        () =>
          rejectWait(
            new Error(
              `Timed out waiting for ${String(text)}; stdout so far:\n${stdout}\nstderr:\n${stderr}`,
            ),
          ),
        timeoutMs,
      );
      waiters.push({
        test,
        resolve: () => {
          clearTimeout(waitTimer);
          resolveWait();
        },
      });
      void done.then(() => {
        clearTimeout(waitTimer);
        rejectWait(
          new Error(
            `Process exited before printing ${String(text)}; stdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      });
    });

  return { child, waitForOutput, done };
}

/** Runs `sandstack <args>` to completion. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Runs `sandstack guard hook <args>` with the hook input `stdin`, as Claude Code sends it. The
 * process is killed after `options.timeoutMs`, 60 seconds by default. CLAUDE_PROJECT_DIR is
 * empty unless `options.env` sets it, so the test runner's own project does not become the
 * hook's project.
 */
export function runGuardHook(
  stdin: string,
  args: readonly string[] = [],
  options: Omit<CliOptions, 'input'> = {},
): Promise<CliResult> {
  return runCli(['guard', 'hook', ...args], {
    timeoutMs: 60_000,
    ...options,
    input: stdin,
    env: { CLAUDE_PROJECT_DIR: '', ...options.env },
  });
}

/** Creates a temporary folder and returns it with a function that removes it. */
export async function makeTempDir(
  prefix: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `sandstack-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
