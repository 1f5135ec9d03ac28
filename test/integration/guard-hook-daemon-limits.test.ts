/**
 * Connection limits of the guard daemon: a full daemon rejects new connections so the hook
 * decides in its own process, and a connection that does not send its request is closed.
 * The daemon runs in this process on a real socket; each hook call is a real hook process.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/core/logger.js';
import { startHookDaemon, type HookDaemon } from '../../src/guard/hook-daemon.js';
import { resolveHookOptions } from '../../src/guard/hook-options.js';
import { createSqliteBackstop, openGuardState } from '../../src/guard/hook-state.js';
import {
  bashHookInput,
  HOOK_ENTRY,
  makeDaemonFolder,
  runHookEntry,
  type DaemonFolder,
} from '../helpers/hook-daemon.js';

/** A connection that sends nothing, with the daemon's reply once the daemon ends its side. */
interface IdleConnection {
  socket: net.Socket;
  closed: Promise<string>;
}

function openIdle(socketPath: string): Promise<IdleConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: socketPath, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<string>((done) => {
      // A half-open socket emits `end` when the daemon closes, and `close` only once this side
      // ends too or a write fails.
      const finish = (): void => done(Buffer.concat(chunks).toString('utf8'));
      socket.on('end', finish);
      socket.on('close', finish);
    });
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

describe('guard daemon connection limits', () => {
  let dir: DaemonFolder;
  let daemon: HookDaemon | undefined;
  let logLines: { message: string; rejected?: number }[];
  const idle: IdleConnection[] = [];

  const input = (sessionId: string, command: string): string =>
    bashHookInput(sessionId, dir.path, command);

  async function start(options: { requestTimeoutMs: number; maxConnections: number }) {
    logLines = [];
    const settings = resolveHookOptions({ state: dir.statePath, projectDir: dir.path }).settings;
    daemon = await startHookDaemon(dir.socketPath, {
      settings,
      ...options,
      busyLogIntervalMs: 3_600_000,
      logger: createJsonLogger((line) => logLines.push(JSON.parse(line) as { message: string })),
    });
  }

  beforeAll(async () => {
    dir = await makeDaemonFolder('guard-daemon-limits');
  });

  afterEach(async () => {
    for (const connection of idle.splice(0)) {
      connection.socket.destroy();
    }
    await daemon?.close();
    daemon = undefined;
  });

  afterAll(async () => {
    await dir.remove();
  });

  it('rejects connections beyond the limit', async () => {
    // A deadline far beyond the test keeps the idle connections open throughout.
    await start({ requestTimeoutMs: 600_000, maxConnections: 64 });
    // Connections are accepted in order, so the first one rejected shows the daemon is full.
    let rejection = '';
    for (let count = 0; count < 200 && rejection === ''; count += 1) {
      const connection = await openIdle(dir.socketPath);
      idle.push(connection);
      rejection = await Promise.race([
        connection.closed,
        new Promise<string>((resolve) => setTimeout(() => resolve(''), 200)),
      ]);
    }
    expect(JSON.parse(rejection)).toMatchObject({ rejected: 'busy' });
    // The connections before the rejected one are still open.
    expect(idle.length).toBeGreaterThanOrEqual(65);
    expect(idle[0]?.socket.destroyed).toBe(false);

    const run = await runHookEntry(
      HOOK_ENTRY,
      input('busy-1', 'git push --force origin main'),
      dir.args,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"permissionDecision":"deny"');
    expect(run.stderr).toContain('serving its maximum of 64 connections');
    expect(run.stderr).toContain("decided in the hook's own process");
    // The call decided in process counts once in the daemon's state file.
    const state = createSqliteBackstop(openGuardState(dir.statePath)).state('busy-1');
    expect(state.total).toBe(1);
  });

  it('logs busy rejections once with a count', async () => {
    await start({ requestTimeoutMs: 600_000, maxConnections: 2 });
    for (let count = 0; count < 2; count += 1) {
      idle.push(await openIdle(dir.socketPath));
    }
    const rejected: string[] = [];
    // The daemon accepts connections in order, so the two idle ones are counted first.
    for (let count = 0; count < 12; count += 1) {
      const connection = await openIdle(dir.socketPath);
      idle.push(connection);
      connection.socket.end();
      rejected.push(await connection.closed);
    }
    const busy = rejected.filter((reply) => reply.includes('"busy"')).length;
    expect(busy).toBe(12);
    const busyLines = (): { rejected?: number }[] =>
      logLines.filter((line) => line.message.includes('rejected because the daemon was busy'));
    expect(busyLines()).toHaveLength(1);
    // Closing the daemon waits for open connections and logs the rejections counted so far.
    for (const connection of idle.splice(0)) {
      connection.socket.destroy();
    }
    await daemon?.close();
    daemon = undefined;
    const lines = busyLines();
    expect(lines).toHaveLength(2);
    expect((lines[0]?.rejected ?? 0) + (lines[1]?.rejected ?? 0)).toBe(busy);
  });

  it('closes a connection without a request', async () => {
    await start({ requestTimeoutMs: 1_000, maxConnections: 1 });
    const connection = await openIdle(dir.socketPath);
    idle.push(connection);
    expect(await connection.closed).toBe('');
    expect(logLines.map((line) => line.message)).toContain(
      'Hook connection closed because its request did not arrive in time',
    );
    const run = await runHookEntry(HOOK_ENTRY, input('idle-1', 'ls'), dir.args);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"permissionDecision":"allow"');
    expect(run.stderr).not.toContain("decided in the hook's own process");
  });

  it('closes a connection that sends slowly', async () => {
    await start({ requestTimeoutMs: 1_000, maxConnections: 1 });
    const connection = await openIdle(dir.socketPath);
    idle.push(connection);
    let open = true;
    void connection.closed.then(() => (open = false));
    // One byte every 100 ms keeps an idle limit from firing, but not the request deadline.
    for (let count = 0; count < 600 && open; count += 1) {
      connection.socket.write(' ');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(open).toBe(false);
    expect(await connection.closed).toBe('');
  });
});
