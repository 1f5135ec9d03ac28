import { spawn } from 'node:child_process';
import { SandstackError } from '../core/errors.js';
import type { ExecRequest, OutputChunk, SandboxTemplate } from './types.js';
import { timerDelay } from './timers.js';

/**
 * Environment of the runtime clients sandstack starts on the host (bwrap, runsc). They get
 * only PATH, because the host's environment may hold secrets and a sandboxed command can read
 * it: bwrap's own init is pid 1 in the sandbox, and its /proc/1/environ is the environment
 * bwrap was started with.
 */
export function hostToolEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  };
}

/** Options for {@link runProcess}. */
export interface RunProcessOptions {
  /** Program and arguments, run without a shell on the host. */
  argv: readonly string[];
  /** Bytes written to the process's standard input, then closed. @default none */
  stdin?: string | Uint8Array;
  /** Host-side deadline after which the process gets SIGKILL. */
  killAfterMs: number;
  /**
   * Runs at the deadline, or when `signal` aborts, before the SIGKILL, to stop what the
   * process started elsewhere.
   */
  onDeadline?: () => Promise<void>;
  /** Caps on the bytes of each stream kept; the rest is read and dropped. */
  limits: OutputLimits;
  /** Receives each kept piece of output as it is read. @default none */
  onOutput?: (chunk: OutputChunk) => void;
  /** Aborting it stops the process as the deadline does. @default none */
  signal?: AbortSignal;
}

/** Caps on the bytes of stdout and stderr kept from one command. */
export interface OutputLimits {
  stdout: number;
  stderr: number;
}

/**
 * Maximum output limit of a template per stream, in bytes. A command's kept output is held
 * in the caller's memory (the server's, over HTTP), so this bounds it to 64 MiB per stream.
 */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Requests of the library's own helpers (file listing and folder download), which may keep
 * more output than the template allows because they check and bound it themselves.
 */
const helperRequests = new WeakSet<ExecRequest>();

/** Marks `request` as one of the library's own, exempt from {@link checkRequestedLimits}. */
export function helperRequest<T extends ExecRequest>(request: T): T {
  helperRequests.add(request);
  return request;
}

/**
 * Checks that a command's output limits only lower the template's. A request may not raise
 * them, so the template's limit is what its caller can make the host keep.
 * @throws SandstackError `INVALID_ARGUMENT` naming the field, its value and the template's
 */
export function checkRequestedLimits(request: ExecRequest, templateLimits: OutputLimits): void {
  if (helperRequests.has(request)) {
    return;
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const own = stream === 'stdout' ? 'maxStdoutBytes' : 'maxStderrBytes';
    const field = request[own] === undefined ? 'maxOutputBytes' : own;
    const value = request[field];
    const limit = templateLimits[stream];
    if (value !== undefined && value > limit) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `${field} ${value} is over the template's ${stream} limit of ${limit} bytes, and a command may only lower it; send at most ${limit}, or raise ${own} (or maxOutputBytes) of the template, up to ${MAX_OUTPUT_BYTES}`,
        { details: { field, value, limit } },
      );
    }
  }
}

/** Resolves the byte caps of a command's stdout and stderr from the template alone. */
export function templateOutputLimits(
  template: Pick<SandboxTemplate, 'maxOutputBytes' | 'maxStdoutBytes' | 'maxStderrBytes'>,
): OutputLimits {
  return outputLimits({}, template);
}

/** Resolves the byte caps of a command's stdout and stderr from the request and template. */
export function outputLimits(
  request: Pick<ExecRequest, 'maxOutputBytes' | 'maxStdoutBytes' | 'maxStderrBytes'>,
  template: Pick<SandboxTemplate, 'maxOutputBytes' | 'maxStdoutBytes' | 'maxStderrBytes'>,
): OutputLimits {
  const shared = request.maxOutputBytes;
  return {
    stdout: request.maxStdoutBytes ?? shared ?? template.maxStdoutBytes ?? template.maxOutputBytes,
    stderr: request.maxStderrBytes ?? shared ?? template.maxStderrBytes ?? template.maxOutputBytes,
  };
}

/** Raw outcome of one host process. */
export interface ProcessResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** The host-side deadline fired and the process was killed. */
  killed: boolean;
  /** The caller's signal aborted and the process was killed. */
  aborted: boolean;
  durationMs: number;
}

/** Time allowed for pipes to drain after the process exits, because a background child may
 * keep them open for good. */
const DRAIN_AFTER_EXIT_MS = 200;

/**
 * Runs one host process, feeding `stdin` and collecting capped output. Never rejects for a
 * non-zero exit; rejects only when the program cannot be started.
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const [program, ...args] = options.argv;
  if (program === undefined) {
    return Promise.reject(new Error('runProcess needs a program'));
  }
  const start = performance.now();
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], env: hostToolEnv() });
  const collector = new OutputCollector(options.limits, options.onOutput);
  child.stdout.on('data', (chunk: Buffer) => collector.add('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => collector.add('stderr', chunk));
  writeStdin(child.stdin, options.stdin);

  let killed = false;
  let aborted = false;
  let stopping = false;
  const stop = (): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    const stopped = options.onDeadline?.() ?? Promise.resolve();
    void stopped.catch(() => undefined).finally(() => child.kill('SIGKILL'));
  };
  const timer = setTimeout(() => {
    killed = true;
    stop();
  }, timerDelay(options.killAfterMs));
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) {
    onAbort();
  }

  let closed = false;
  child.once('close', () => (closed = true));

  return new Promise((resolve, reject) => {
    let settled = false;
    const cleanUp = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error) => {
      cleanUp();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      cleanUp();
      const finish = (): void => {
        if (settled) {
          return;
        }
        settled = true;
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({
          exitCode: code ?? 128 + signalNumber(signal),
          signal,
          stdout: collector.concat('stdout'),
          stderr: collector.concat('stderr'),
          stdoutTruncated: collector.truncated.stdout,
          stderrTruncated: collector.truncated.stderr,
          killed,
          aborted,
          durationMs: performance.now() - start,
        });
      };
      if (closed) {
        finish();
        return;
      }
      child.once('close', finish);
      setTimeout(finish, DRAIN_AFTER_EXIT_MS).unref();
    });
  });
}

function writeStdin(stream: NodeJS.WritableStream, data: string | Uint8Array | undefined): void {
  // A command that never reads its input closes the pipe early; that is not an error.
  stream.on('error', () => undefined);
  if (data === undefined) {
    stream.end();
    return;
  }
  stream.end(typeof data === 'string' ? Buffer.from(data) : data);
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15 };
  return signal === null ? 0 : (numbers[signal] ?? 0);
}

/**
 * Keeps stdout and stderr, each up to its own byte cap, and passes each kept piece on as it
 * arrives.
 */
export class OutputCollector {
  private readonly chunks: Record<OutputChunk['stream'], Buffer[]> = { stdout: [], stderr: [] };
  private readonly keptBytes: Record<OutputChunk['stream'], number> = { stdout: 0, stderr: 0 };
  readonly truncated: Record<OutputChunk['stream'], boolean> = { stdout: false, stderr: false };

  constructor(
    private readonly limits: OutputLimits,
    private readonly onOutput?: (chunk: OutputChunk) => void,
  ) {}

  add(stream: OutputChunk['stream'], chunk: Buffer): void {
    const room = this.limits[stream] - this.keptBytes[stream];
    if (chunk.length > room) {
      this.truncated[stream] = true;
    }
    if (room <= 0 || chunk.length === 0) {
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks[stream].push(part);
    this.keptBytes[stream] += part.length;
    this.onOutput?.({ stream, data: part });
  }

  concat(stream: OutputChunk['stream']): Buffer {
    return Buffer.concat(this.chunks[stream]);
  }
}
