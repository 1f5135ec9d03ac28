/**
 * The hook process's side of the guard daemon: sends one call to the daemon when one is
 * listening, and otherwise decides it in process. This module loads no guard code until it
 * needs to, so a hook that reaches the daemon starts fast.
 */
import { lstatSync } from 'node:fs';
import net from 'node:net';
import type { HookResult, HookSettings } from './hook.js';

/** Exit code with which Claude Code blocks the call; equal to `HOOK_BLOCKING_EXIT_CODE`. */
const BLOCKING_EXIT_CODE = 2;

/** Options for {@link decideHookCall}. */
export interface HookCallOptions {
  /** Socket of the guard daemon; without it, or when nothing listens there, the call is decided in process. */
  socketPath?: string;
}

/**
 * Decides one hook call through the daemon at `options.socketPath`, or in process when the
 * daemon is not running or its socket is not safe to use. Once connected, a daemon failure
 * blocks the call instead of deciding it twice.
 */
export async function decideHookCall(
  stdin: string,
  settings: HookSettings,
  options: HookCallOptions = {},
): Promise<HookResult & { via: 'daemon' | 'process' }> {
  const socketPath = options.socketPath;
  if (socketPath !== undefined && isOwnSocket(socketPath)) {
    const result = await callDaemon(socketPath, stdin, settings);
    if (result !== undefined) {
      return { ...result, via: 'daemon' };
    }
  }
  const { runHook } = await import('./hook.js');
  return { ...(await runHook(stdin, settings)), via: 'process' };
}

/**
 * Checks that `socketPath` is a socket owned by this user and closed to others, because a
 * socket planted by another user could return "allow" for every call.
 */
function isOwnSocket(socketPath: string): boolean {
  try {
    const stat = lstatSync(socketPath);
    const uid = process.getuid?.();
    return stat.isSocket() && stat.uid === uid && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Returns the daemon's result, or undefined when no daemon accepts the connection. */
function callDaemon(
  socketPath: string,
  stdin: string,
  settings: HookSettings,
): Promise<HookResult | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ path: socketPath, allowHalfOpen: true });
    let connected = false;
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      connected = true;
      socket.end(JSON.stringify({ stdin, settings }));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      resolve(connected ? daemonFailed(error.message) : undefined);
    });
    socket.on('end', () => {
      resolve(parseResult(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function parseResult(text: string): HookResult {
  try {
    const result = JSON.parse(text) as HookResult;
    if (result.exitCode === 0 || result.exitCode === BLOCKING_EXIT_CODE) {
      return result;
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
