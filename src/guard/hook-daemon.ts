/**
 * A local daemon that decides hook calls, so that each hook process skips loading the guard
 * (the bash grammar, the policy and the SQLite state). The daemon listens on a unix socket
 * that only its owner can reach. A hook process sends one request per connection, as JSON
 * followed by a half-close, and reads one {@link HookResult} back.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SandstackError } from '../core/errors.js';
import { noopLogger, type Logger } from '../core/logger.js';
import { HOOK_BLOCKING_EXIT_CODE, runHook, type HookResult, type HookSettings } from './hook.js';
import { redactSecrets } from './redact.js';

/** One hook call sent to the daemon. */
export interface HookDaemonRequest {
  stdin: string;
  settings: HookSettings;
}

/** A running daemon. */
export interface HookDaemon {
  socketPath: string;
  /** Stops accepting calls, waits for running ones and removes the socket. */
  close(): Promise<void>;
}

/** Largest request the daemon reads; a Write call's content is part of it. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** Returns the daemon's socket path in `stateDir`. */
export function hookSocketPath(stateDir: string): string {
  return path.join(path.resolve(stateDir), 'guard.sock');
}

/** Options for {@link startHookDaemon}. */
export interface HookDaemonOptions {
  /** Receives start, stop and every call the daemon blocks. @default a no-op logger */
  logger?: Logger;
}

/**
 * Starts the daemon on `socketPath`. The socket is created with mode 0600, so only the
 * owner's processes can connect.
 *
 * @throws SandstackError `ALREADY_EXISTS` when another daemon listens on the socket.
 */
export async function startHookDaemon(
  socketPath: string,
  options: HookDaemonOptions = {},
): Promise<HookDaemon> {
  const logger = options.logger ?? noopLogger;
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await removeStaleSocket(socketPath);
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    serveConnection(socket, logger);
  });
  // The umask covers the moment between bind and chmod, in which the socket would otherwise
  // be reachable with the default mode.
  const previousMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousMask);
  }
  chmodSync(socketPath, 0o600);
  logger.info('Guard daemon started', { socketPath });

  return {
    socketPath,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          logger.info('Guard daemon stopped', { socketPath });
          resolve();
        });
        try {
          unlinkSync(socketPath);
        } catch {
          // Already removed.
        }
      }),
  };
}

function serveConnection(socket: net.Socket, logger: Logger): void {
  // Events, not `for await`: the async iterator destroys the socket once reading ends,
  // before the reply is written.
  const chunks: Buffer[] = [];
  let size = 0;
  socket.on('error', (error) => {
    logger.warn('Hook connection failed', { error: error.message });
    socket.destroy();
  });
  socket.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      socket.end(JSON.stringify(blockedResult('The hook request is larger than 64 MB')));
      socket.destroySoon();
      return;
    }
    chunks.push(chunk);
  });
  socket.on('end', () => {
    void handleRequest(Buffer.concat(chunks).toString('utf8')).then((result) => {
      if (result.exitCode !== 0) {
        // The message may quote the start of malformed input, so secrets are redacted.
        logger.warn('Hook call blocked', { error: redactSecrets(result.stderr.trim()) });
      }
      socket.end(JSON.stringify(result));
    });
  });
}

async function handleRequest(text: string): Promise<HookResult> {
  let request: HookDaemonRequest;
  try {
    request = JSON.parse(text) as HookDaemonRequest;
  } catch {
    return blockedResult('The guard daemon got a request that is not JSON');
  }
  if (typeof request.stdin !== 'string' || typeof request.settings?.statePath !== 'string') {
    return blockedResult('The guard daemon got a request without stdin or settings.statePath');
  }
  return runHook(request.stdin, request.settings);
}

function blockedResult(message: string): HookResult {
  return { exitCode: HOOK_BLOCKING_EXIT_CODE, stdout: '', stderr: `sandstack guard: ${message}\n` };
}

async function removeStaleSocket(socketPath: string): Promise<void> {
  try {
    lstatSync(socketPath);
  } catch {
    return;
  }
  const answering = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (answering) {
    throw new SandstackError(
      'ALREADY_EXISTS',
      `A guard daemon already listens on "${socketPath}"; stop it first or pass another --socket`,
    );
  }
  unlinkSync(socketPath);
}
