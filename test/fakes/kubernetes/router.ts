import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative, resolve } from 'node:path';

import type { FakeSandboxController } from './controller.js';
import type { ObjectStore } from './object-store.js';

/** Options for {@link startFakeRouter}. */
export interface FakeRouterOptions {
  store: ObjectStore;
  controller: FakeSandboxController;
  /** Port the runtime in each fake pod listens on; other X-Sandbox-Port values get 502. */
  serverPort: number;
}

/** A running fake router; `requests` records the headers of every request. */
export interface FakeRouter {
  url: string;
  requests: { path: string; headers: Record<string, string | undefined> }[];
  close(): Promise<void>;
}

/** Upper bound on one command's run time in the fake pod. */
const MAX_COMMAND_MS = 60_000;

/** Splits a command line the way Python's `shlex.split` does in POSIX mode. */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] ?? '';
    if (quote === "'") {
      if (char === "'") {
        quote = undefined;
      } else {
        word += char;
      }
    } else if (quote === '"') {
      if (char === '"') {
        quote = undefined;
      } else if (char === '\\' && /["\\$`\n]/.test(line[index + 1] ?? '')) {
        index += 1;
        word += line[index] ?? '';
      } else {
        word += char;
      }
    } else if (/\s/.test(char)) {
      if (word !== undefined) {
        words.push(word);
        word = undefined;
      }
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (char === '\\') {
      index += 1;
      word = (word ?? '') + (line[index] ?? '');
    } else {
      word = (word ?? '') + char;
    }
  }
  if (quote !== undefined) {
    throw new Error('No closing quotation');
  }
  if (word !== undefined) {
    words.push(word);
  }
  return words;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function runCommand(
  args: string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string; exit_code: number }> {
  return new Promise((resolveRun) => {
    const [file = '', ...rest] = args;
    const child = spawn(file, rest, {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), MAX_COMMAND_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolveRun({
        stdout: '',
        stderr: `Failed to execute command: ${error.message}`,
        exit_code: 1,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exit_code: code ?? (signal === null ? 1 : 128 + 9),
      });
    });
  });
}

/** Resolves `path` inside `root`, or returns undefined when it would leave it. */
function inside(root: string, path: string): string | undefined {
  const target = resolve(root, path);
  const rel = relative(root, target);
  return rel === '' || rel.startsWith('..') ? undefined : target;
}

/**
 * Starts a fake agent-sandbox router plus the runtime behind it, on 127.0.0.1. It reads
 * `X-Sandbox-ID`, `X-Sandbox-Namespace` and `X-Sandbox-Port` as the real router does, returns
 * 502 when the sandbox has no ready pod, and serves the example runtime's endpoints
 * (`POST /execute`, `POST /upload`, `GET /download/<path>`) from the pod's temp folder with
 * plain child processes. It replaces a pod and isolates nothing.
 */
export async function startFakeRouter(options: FakeRouterOptions): Promise<FakeRouter> {
  const requests: FakeRouter['requests'] = [];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const header = (name: string): string | undefined => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    requests.push({
      path: url.pathname,
      headers: Object.fromEntries(
        ['X-Sandbox-ID', 'X-Sandbox-Namespace', 'X-Sandbox-Port', 'X-Sandbox-Timeout'].map(
          (name) => [name, header(name)],
        ),
      ),
    });

    const sandboxId = header('X-Sandbox-ID');
    if (sandboxId === undefined) {
      send(response, 400, { detail: 'X-Sandbox-ID header is required.' });
      return;
    }
    const namespace = header('X-Sandbox-Namespace') ?? 'default';
    if (!/^[A-Za-z0-9-]+$/.test(namespace)) {
      send(response, 400, { detail: 'Invalid namespace format.' });
      return;
    }
    const podDir = options.controller.podDirs.get(sandboxId);
    const port = Number(header('X-Sandbox-Port') ?? '8888');
    if (
      podDir === undefined ||
      options.store.get('sandboxes', namespace, sandboxId) === undefined ||
      port !== options.serverPort
    ) {
      send(response, 502, { detail: `Could not connect to the backend sandbox: ${sandboxId}` });
      return;
    }

    if (request.method === 'POST' && url.pathname === '/execute') {
      const { command } = JSON.parse((await readBody(request)).toString('utf8')) as {
        command: string;
      };
      let args: string[];
      try {
        args = shlexSplit(command);
      } catch (error) {
        send(response, 200, {
          stdout: '',
          stderr: `Failed to execute command: ${String(error)}`,
          exit_code: 1,
        });
        return;
      }
      send(response, 200, await runCommand(args, podDir));
      return;
    }
    if (request.method === 'POST' && url.pathname === '/upload') {
      const body = await readBody(request);
      const form = await new Request('http://127.0.0.1/upload', {
        method: 'POST',
        headers: { 'content-type': header('content-type') ?? '' },
        body,
      }).formData();
      const file = form.get('file');
      const target = file instanceof File ? inside(podDir, file.name) : undefined;
      if (!(file instanceof File) || target === undefined) {
        send(response, 400, { message: 'Invalid upload' });
        return;
      }
      try {
        await writeFile(target, Buffer.from(await file.arrayBuffer()));
        send(response, 200, { message: `File '${file.name}' uploaded successfully.` });
      } catch (error) {
        send(response, 500, { message: `File upload failed: ${String(error)}` });
      }
      return;
    }
    if (request.method === 'GET' && url.pathname.startsWith('/download/')) {
      const target = inside(podDir, decodeURIComponent(url.pathname.slice('/download/'.length)));
      const info = target === undefined ? undefined : await stat(target).catch(() => undefined);
      if (target === undefined || info?.isFile() !== true) {
        send(response, 404, { message: 'File not found' });
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      response.end(await readFile(target));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/') {
      send(response, 200, { status: 'ok', message: 'Sandbox Runtime is active.' });
      return;
    }
    send(response, 404, { detail: 'Not Found' });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        send(response, 500, { detail: String(error) });
      }
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}
