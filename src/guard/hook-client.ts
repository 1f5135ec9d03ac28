/**
 * The hook process's side of the guard daemon: sends one call to the daemon when one is
 * listening, and otherwise decides it in process. This module loads no guard code until it
 * needs to, so a hook that reaches the daemon starts fast.
 */
import { lstatSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { HookResult, HookSettings } from './hook.js';

/** Exit code with which Claude Code blocks the call; equal to `HOOK_BLOCKING_EXIT_CODE`. */
const BLOCKING_EXIT_CODE = 2;

/**
 * Milliseconds the daemon may take beyond the waits its settings allow (the approval queue,
 * stage 2) before the hook blocks the call. Claude Code runs the call when a hook times out,
 * so a daemon that stops replying must not keep the hook waiting that long.
 */
const DAEMON_MARGIN_MS = 10_000;
/** Stage 2's own default timeout, as in stage2.ts. */
const STAGE2_DEFAULT_TIMEOUT_MS = 10_000;

/** Time kept between the daemon wait and the hook's timeout, so the hook blocks first. */
const HOOK_TIMEOUT_MARGIN_MS = 5_000;

/** Options for {@link decideHookCall}. */
export interface HookCallOptions {
  /** Socket of the guard daemon; without it, or when nothing listens there, the call is decided in process. */
  socketPath?: string;
  /**
   * The hook's `timeout` in Claude Code's settings. The wait for the daemon ends 5 s before
   * it, because Claude Code runs the call when a hook times out. @default 60_000
   */
  hookTimeoutMs?: number;
}

/**
 * Decides one hook call through the daemon at `options.socketPath`, or in process when the
 * daemon is not running, its socket is not safe to use, it serves other settings, or it is
 * busy. Once connected, a daemon failure blocks the call instead of deciding it twice.
 *
 * A rejected call is decided with the same settings, so it counts in the same state file.
 * The daemon rejects before it decides anything, and each backstop update is one SQL
 * statement, so a count is neither lost nor made twice.
 */
export async function decideHookCall(
  stdin: string,
  settings: HookSettings,
  options: HookCallOptions = {},
): Promise<HookResult & { via: 'daemon' | 'process' }> {
  const socketPath = options.socketPath;
  let note = '';
  if (socketPath !== undefined && isOwnSocket(socketPath)) {
    const limitMs = (options.hookTimeoutMs ?? 60_000) - HOOK_TIMEOUT_MARGIN_MS;
    const reply = await callDaemon(socketPath, stdin, settings, limitMs);
    if (reply !== undefined && 'rejected' in reply) {
      note = `sandstack guard: ${reply.message}; this call was decided in the hook's own process\n`;
    } else if (reply !== undefined) {
      return { ...reply, via: 'daemon' };
    }
  }
  const { runHook } = await import('./hook.js');
  const result = await runHook(stdin, settings);
  return { ...result, stderr: note + result.stderr, via: 'process' };
}

/**
 * Checks that `socketPath` is a socket owned by this user and closed to others, in a folder
 * of this user's that others cannot open, because a socket planted by another user could
 * return "allow" for every call.
 */
function isOwnSocket(socketPath: string): boolean {
  try {
    const uid = process.getuid?.();
    const stat = lstatSync(socketPath);
    const folder = statSync(path.dirname(socketPath));
    return (
      stat.isSocket() &&
      stat.uid === uid &&
      (stat.mode & 0o077) === 0 &&
      folder.isDirectory() &&
      folder.uid === uid &&
      (folder.mode & 0o077) === 0
    );
  } catch {
    return false;
  }
}

/** The daemon's rejection of other settings or of a connection while busy, as hook-daemon.ts sends it. */
interface DaemonRejection {
  rejected: 'settings' | 'busy';
  message: string;
}

/**
 * Returns the daemon's result or its rejection, or undefined when no daemon accepts the
 * connection.
 */
function callDaemon(
  socketPath: string,
  stdin: string,
  settings: HookSettings,
  limitMs: number,
): Promise<HookResult | DaemonRejection | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath, allowHalfOpen: true });
    let connected = false;
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      connected = true;
      const timeoutMs = Math.max(1_000, Math.min(replyTimeoutMs(settings), limitMs));
      // The daemon writes nothing until its reply, so idle time is the time it has taken.
      socket.setTimeout(timeoutMs, () => {
        socket.destroy();
        resolve(daemonFailed(`it did not reply within ${timeoutMs} ms`));
      });
      socket.end(JSON.stringify({ stdin, settings }));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      if (!connected) {
        resolve(undefined);
        return;
      }
      // A busy daemon may reset the connection after its rejection arrived.
      const received = parseResult(Buffer.concat(chunks).toString('utf8'));
      resolve('rejected' in received ? received : daemonFailed(error.message));
    });
    socket.on('end', () => {
      resolve(parseResult(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function replyTimeoutMs(settings: HookSettings): number {
  const approvalMs = settings.approvals?.timeoutMs ?? 0;
  const stage2Ms =
    settings.stage2 === undefined ? 0 : (settings.stage2.timeoutMs ?? STAGE2_DEFAULT_TIMEOUT_MS);
  return DAEMON_MARGIN_MS + approvalMs + stage2Ms;
}

function parseResult(text: string): HookResult | DaemonRejection {
  if (text === '') {
    return daemonFailed('it closed the connection without a result');
  }
  try {
    const reply = JSON.parse(text) as Partial<HookResult & DaemonRejection>;
    if (
      (reply.rejected === 'settings' || reply.rejected === 'busy') &&
      typeof reply.message === 'string'
    ) {
      return { rejected: reply.rejected, message: reply.message };
    }
    if (
      (reply.exitCode === 0 || reply.exitCode === BLOCKING_EXIT_CODE) &&
      typeof reply.stdout === 'string' &&
      typeof reply.stderr === 'string'
    ) {
      return reply as HookResult;
    }
  } catch {
    // Reported below.
  }
  return daemonFailed('it returned no valid result');
}

function daemonFailed(message: string): HookResult {
  return {
    exitCode: BLOCKING_EXIT_CODE,
    stdout: '',
    stderr: `sandstack guard: The guard daemon failed (${message}), so the call is blocked\n`,
  };
}
