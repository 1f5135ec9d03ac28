/**
 * A local daemon that decides hook calls, so that each hook process skips loading the guard
 * (the bash grammar, the policy and the SQLite state). The daemon listens on a unix socket
 * that only its owner can reach, in a folder that only its owner can open. A hook process
 * sends one request per connection, as JSON followed by a half-close, and reads one
 * {@link HookDaemonReply} back.
 *
 * The daemon fixes its settings (policy, state file, project, approval queue, stage 2) when
 * it starts. A request carries the client's settings only so that they can be compared: a
 * request whose settings differ is rejected, and the client decides the call in its own
 * process. So a process that reaches the socket cannot get decisions under a looser policy,
 * write to another project's state file or queue, or send the stage-2 API key elsewhere.
 *
 * A connection must send its whole request within a few seconds, and a connection beyond the
 * limit of open ones gets a `busy` rejection before the daemon reads anything, so the client
 * decides that call in its own process. So idle connections cannot stall the hook.
 */
import { chmodSync, lstatSync, mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SandstackError } from '../core/errors.js';
import { noopLogger, type Logger } from '../core/logger.js';
import { HOOK_BLOCKING_EXIT_CODE, runHook, type HookResult, type HookSettings } from './hook.js';
import { redactSecrets } from './redact.js';

/** One hook call sent to the daemon. */
export interface HookDaemonRequest {
  stdin: string;
  /** The client's settings, which must equal the daemon's. */
  settings: HookSettings;
}

/** The daemon's rejection of a request whose settings differ from its own. */
export interface HookSettingsRejection {
  rejected: 'settings';
  /** Names of the settings that differ, such as `policyPath`. */
  fields: string[];
  message: string;
}

/**
 * The daemon's rejection of a connection while it serves its maximum number of connections.
 * The daemon sends it before reading the request, so it has decided and recorded nothing.
 */
export interface HookBusyRejection {
  rejected: 'busy';
  message: string;
}

/** What the daemon writes back: a decided call, or a rejection the client decides in process. */
export type HookDaemonReply = HookResult | HookSettingsRejection | HookBusyRejection;

/** A running daemon. */
export interface HookDaemon {
  socketPath: string;
  /** Stops accepting calls, waits for running ones and removes the socket. */
  close(): Promise<void>;
}

/** Largest request the daemon reads by default; a Write call's content is part of it. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;
/**
 * Connections served at once. A connection beyond them gets a `busy` rejection at once and
 * its client decides the call in process.
 */
const MAX_CONNECTIONS = 64;
/**
 * Milliseconds from accepting a connection until its whole request must have arrived. A hook
 * sends its request as soon as it connects, so only a stuck or hostile client comes close.
 */
const REQUEST_TIMEOUT_MS = 5_000;
/** Milliseconds between log lines about busy rejections; the lines in between are counted. */
const BUSY_LOG_INTERVAL_MS = 60_000;
/** The settings a client must send unchanged, in the order a rejection names them. */
const SETTING_FIELDS = [
  'statePath',
  'policyPath',
  'projectDir',
  'homeDir',
  'stage2',
  'approvals',
] as const satisfies readonly (keyof HookSettings)[];

/** Returns the daemon's socket path in `stateDir`. */
export function hookSocketPath(stateDir: string): string {
  return path.join(path.resolve(stateDir), 'guard.sock');
}

/** Options for {@link startHookDaemon}. */
export interface HookDaemonOptions {
  /** Settings of every call the daemon decides; requests with other settings are rejected. */
  settings: HookSettings;
  /** Receives start, stop, rejected requests and every call the daemon blocks. @default a no-op logger */
  logger?: Logger;
  /** Largest request in bytes; a larger one is blocked. @default 64 MiB */
  maxRequestBytes?: number;
  /** Connections served at once; more get a `busy` rejection. @default 64 */
  maxConnections?: number;
  /** Milliseconds a connection has to send its whole request before it is closed. @default 5000 */
  requestTimeoutMs?: number;
  /** Milliseconds between log lines about busy rejections. @default 60000 */
  busyLogIntervalMs?: number;
}

/**
 * Starts the daemon on `socketPath`. The socket is created with mode 0600 in a folder with
 * mode 0700 owned by this user, so only the owner's processes can connect.
 *
 * @throws SandstackError `ALREADY_EXISTS` when another daemon listens on the socket, and
 * `INVALID_ARGUMENT` when the socket's folder is not a folder of this user's that only this
 * user can open.
 */
export async function startHookDaemon(
  socketPath: string,
  options: HookDaemonOptions,
): Promise<HookDaemon> {
  const logger = options.logger ?? noopLogger;
  const settings = options.settings;
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
  const requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const busyLog = createBusyLog(logger, maxConnections, options.busyLogIntervalMs);
  preparePrivateFolder(path.dirname(socketPath));
  await removeStaleSocket(socketPath);
  // Node's own `server.maxConnections` closes extra connections without a word, which the
  // client must take as a daemon failure and block. Counting here lets the daemon send the reason.
  let open = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    if (open >= maxConnections) {
      busyLog.record();
      rejectBusy(socket, maxConnections, requestTimeoutMs);
      return;
    }
    open += 1;
    socket.once('close', () => {
      open -= 1;
    });
    serveConnection(socket, { settings, logger, maxRequestBytes, requestTimeoutMs });
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
  logger.info('Guard daemon started', {
    socketPath,
    statePath: settings.statePath,
    projectDir: settings.projectDir,
    policyPath: settings.policyPath,
  });

  return {
    socketPath,
    close: () =>
      new Promise((resolve) => {
        busyLog.flush();
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

interface ConnectionContext {
  settings: HookSettings;
  logger: Logger;
  maxRequestBytes: number;
  requestTimeoutMs: number;
}

/**
 * Writes a `busy` rejection and closes the connection once the client has sent its request,
 * or after `timeoutMs`. The request is read and dropped: closing a unix socket with unread
 * data resets the connection, and the client could lose the rejection.
 */
function rejectBusy(socket: net.Socket, maxConnections: number, timeoutMs: number): void {
  const rejection: HookBusyRejection = {
    rejected: 'busy',
    message: `The guard daemon is serving its maximum of ${maxConnections} connections`,
  };
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', () => socket.destroy());
  socket.on('end', () => socket.destroy());
  socket.end(JSON.stringify(rejection));
  socket.resume();
}

/** Counts busy rejections and logs them at most once per interval, with their count. */
function createBusyLog(
  logger: Logger,
  maxConnections: number,
  intervalMs = BUSY_LOG_INTERVAL_MS,
): { record(): void; flush(): void } {
  let unlogged = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (unlogged > 0) {
      logger.warn('Hook connections rejected because the daemon was busy', {
        rejected: unlogged,
        maxConnections,
      });
      unlogged = 0;
    }
  };
  return {
    record() {
      unlogged += 1;
      if (timer === undefined) {
        // The first rejection of an interval is logged at once, the rest when it ends.
        flush();
        timer = setTimeout(flush, intervalMs);
        timer.unref();
      }
    },
    flush,
  };
}

function serveConnection(socket: net.Socket, context: ConnectionContext): void {
  const { logger, maxRequestBytes, requestTimeoutMs } = context;
  // Events, not `for await`: the async iterator destroys the socket once reading ends,
  // before the reply is written.
  const chunks: Buffer[] = [];
  let size = 0;
  let rejected = false;
  // A deadline for the whole request, not an idle limit: a client that sends a byte now and
  // then would otherwise hold its connection for good.
  const requestTimer = setTimeout(() => {
    logger.warn('Hook connection closed because its request did not arrive in time', {
      timeoutMs: requestTimeoutMs,
    });
    socket.destroy();
  }, requestTimeoutMs);
  socket.once('close', () => clearTimeout(requestTimer));
  socket.on('error', (error) => {
    logger.warn('Hook connection failed', { error: error.message });
    socket.destroy();
  });
  socket.on('data', (chunk: Buffer) => {
    if (rejected) {
      return;
    }
    size += chunk.length;
    if (size > maxRequestBytes) {
      rejected = true;
      chunks.length = 0;
      logger.warn('Hook request too large', { maxRequestBytes });
      socket.end(
        JSON.stringify(blockedResult(`The hook request is larger than ${maxRequestBytes} bytes`)),
      );
      socket.destroySoon();
      return;
    }
    chunks.push(chunk);
  });
  socket.on('end', () => {
    if (rejected) {
      return;
    }
    // Deciding may wait for a human in the approval queue, so the deadline ends here.
    clearTimeout(requestTimer);
    void handleRequest(Buffer.concat(chunks).toString('utf8'), context).then((reply) => {
      if ('rejected' in reply) {
        logger.warn('Hook request rejected', { fields: reply.fields });
      } else if (reply.exitCode !== 0) {
        // The message may quote the start of malformed input, so secrets are redacted.
        logger.warn('Hook call blocked', { error: redactSecrets(reply.stderr.trim()) });
      }
      socket.end(JSON.stringify(reply));
    });
  });
}

async function handleRequest(
  text: string,
  context: ConnectionContext,
): Promise<HookResult | HookSettingsRejection> {
  let request: Partial<HookDaemonRequest>;
  try {
    request = JSON.parse(text) as Partial<HookDaemonRequest>;
  } catch {
    return blockedResult('The guard daemon got a request that is not JSON');
  }
  if (
    typeof request !== 'object' ||
    request === null ||
    typeof request.stdin !== 'string' ||
    typeof request.settings !== 'object' ||
    request.settings === null
  ) {
    return blockedResult('The guard daemon got a request without stdin or settings');
  }
  const fields = differentSettings(request.settings, context.settings);
  if (fields.length > 0) {
    return {
      rejected: 'settings',
      fields,
      message: `The guard daemon serves other settings (${fields.join(', ')} differ); start a daemon with the hook's options or pass --no-daemon`,
    };
  }
  return runHook(request.stdin, context.settings);
}

/**
 * Lists the settings in which `client` differs from `daemon`. Values compare as JSON with
 * sorted keys, so key order and an absent key versus `undefined` do not count.
 */
export function differentSettings(client: unknown, daemon: HookSettings): string[] {
  const given = (typeof client === 'object' && client !== null ? client : {}) as Record<
    string,
    unknown
  >;
  const own = daemon as unknown as Record<string, unknown>;
  const unknownFields = Object.keys(given).filter(
    (key) => given[key] !== undefined && !(SETTING_FIELDS as readonly string[]).includes(key),
  );
  const differing = SETTING_FIELDS.filter(
    (field) => canonicalJson(given[field]) !== canonicalJson(own[field]),
  );
  return [...differing, ...unknownFields.sort()];
}

function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, inner: unknown) => {
      if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
        return inner;
      }
      const record = inner as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(record)
          .filter((key) => record[key] !== undefined)
          .sort()
          .map((key) => [key, record[key]]),
      );
    }) ?? 'undefined'
  );
}

/**
 * Creates the socket's folder with mode 0700 when it is missing, and checks that it is a
 * folder of this user's that no one else can open: in a folder that others can write to,
 * another user could replace the socket with one of their own.
 */
function preparePrivateFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const real = realpathSync(folder);
  const stat = lstatSync(real);
  const uid = process.getuid?.();
  if (!stat.isDirectory()) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `The socket folder "${folder}" is not a folder; pass a --socket inside a folder only you can open`,
    );
  }
  if (uid !== undefined && stat.uid !== uid) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `The socket folder "${folder}" belongs to user ${stat.uid}, not to you (${uid}); pass a --socket inside a folder of your own with mode 0700`,
    );
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `The socket folder "${folder}" has mode ${mode}, so other users could open or replace the socket; run "chmod 700 ${folder}" or pass a --socket inside a folder only you can open`,
    );
  }
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
