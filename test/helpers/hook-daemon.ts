/**
 * Shared setup of the guard daemon tests: a temporary folder with the daemon's socket and
 * state paths, hook input for a Bash call, and a runner for a hook entry point as a real
 * process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, REPO_ROOT } from './cli.js';

/** The built hook entry point, which decides in its own process when no daemon replies. */
export const HOOK_ENTRY = join(REPO_ROOT, 'dist', 'guard', 'hook-main.js');

/** Output of one finished hook process. */
export interface HookRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temporary folder with the paths a daemon and its hooks share. */
export interface DaemonFolder {
  path: string;
  /** The daemon's socket, in a `run` folder the daemon creates. */
  socketPath: string;
  statePath: string;
  /** Hook options equal to the daemon's settings. */
  args: string[];
  remove: () => Promise<void>;
}

/** Creates a temporary folder for a daemon, which is also the project folder of its hooks. */
export async function makeDaemonFolder(prefix: string): Promise<DaemonFolder> {
  const dir = await makeTempDir(prefix);
  const socketPath = join(dir.path, 'run', 'guard.sock');
  const statePath = join(dir.path, 'guard.db');
  return {
    ...dir,
    socketPath,
    statePath,
    args: ['--socket', socketPath, '--state', statePath, '--project-dir', dir.path],
  };
}

/** Returns the hook input of a Bash call of `command` in session `sessionId`. */
export function bashHookInput(sessionId: string, cwd: string, command: string): string {
  return JSON.stringify({
    session_id: sessionId,
    cwd,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command },
  });
}

/**
 * Runs the hook entry point `entry` with `args` and `stdin`, and kills it after 60 seconds.
 * `onSpawn` receives the process as soon as it starts.
 */
export function runHookEntry(
  entry: string,
  stdin: string,
  args: readonly string[],
  onSpawn?: (child: ChildProcess) => void,
): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      env: { ...process.env, CLAUDE_PROJECT_DIR: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}
