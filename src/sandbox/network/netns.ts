import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:net';
import { promisify } from 'node:util';
import { SandstackError } from '../../core/errors.js';

const execFileAsync = promisify(execFile);

/** Folder where `ip netns` keeps named network namespaces. */
export const NETNS_DIR = '/run/netns';

/**
 * Script run by a short-lived Node process inside the namespace. It listens on loopback there
 * and hands the listening socket to the parent over the IPC channel. The parent then accepts
 * connections made inside the namespace, while its own outgoing sockets stay on the host.
 */
const LISTENER_SCRIPT = [
  "const net = require('node:net');",
  'const server = net.createServer();',
  "server.on('error', (error) => { process.stderr.write(String(error.code)); process.exit(3); });",
  "server.listen(Number(process.argv[1]), '127.0.0.1', () => {",
  "  process.send('server', server, () => process.exit(0));",
  '});',
].join('\n');

/** The `details.reason` of the error {@link listenInNetns} throws when the port is taken. */
export const PORT_IN_USE = 'EADDRINUSE';

/** Time allowed for the listener process to start and hand over its socket. */
const LISTEN_TIMEOUT_MS = 30_000;

/** Returns whether a named network namespace exists. */
export function netnsExists(name: string): boolean {
  return existsSync(`${NETNS_DIR}/${name}`);
}

/**
 * Creates a named network namespace with only a loopback interface (idempotent).
 * @throws SandstackError `SANDBOX_FAILED` when `ip netns` fails (not root, no iproute2)
 */
export async function createNetns(name: string): Promise<void> {
  try {
    if (!netnsExists(name)) {
      await execFileAsync('ip', ['netns', 'add', name]);
    }
    await execFileAsync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    throw new SandstackError(
      'SANDBOX_FAILED',
      `Could not create network namespace "${name}": ${firstLine(error)}; install iproute2 and run sandstack as root`,
      { cause: error },
    );
  }
}

/** Deletes a named network namespace if it exists. */
export async function deleteNetns(name: string): Promise<void> {
  if (netnsExists(name)) {
    await execFileAsync('ip', ['netns', 'delete', name]).catch(() => undefined);
  }
}

/**
 * Returns a server that listens on `127.0.0.1:port` inside the namespace but runs in this
 * process (see {@link LISTENER_SCRIPT}).
 * @throws SandstackError `SANDBOX_FAILED` when the listener cannot start
 */
export function listenInNetns(name: string, port: number): Promise<Server> {
  const argv = ['netns', 'exec', name, process.execPath, '-e', LISTENER_SCRIPT, String(port)];
  const child = spawn('ip', argv, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new SandstackError(
          'SANDBOX_FAILED',
          `Could not listen on 127.0.0.1:${port} in network namespace "${name}": ${reason}`,
          { details: { reason } },
        ),
      );
    };
    const timer = setTimeout(
      () => fail(`no socket after ${LISTEN_TIMEOUT_MS}ms`),
      LISTEN_TIMEOUT_MS,
    );
    child.once('message', (_message, handle) => {
      clearTimeout(timer);
      resolve(handle as Server);
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => {
      if (code !== 0) {
        fail(stderr.trim().split('\n').pop() ?? `exit code ${String(code)}`);
      }
    });
  });
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr !== '' ? stderr : String(error);
  return text.trim().split('\n')[0] ?? '';
}
