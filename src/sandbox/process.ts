import { spawn } from 'node:child_process';

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
  /** Runs at the deadline before the SIGKILL, to stop what the process started elsewhere. */
  onDeadline?: () => Promise<void>;
  /** Cap on stdout plus stderr kept; the rest is read and dropped. */
  maxOutputBytes: number;
}

/** Raw outcome of one host process. */
export interface ProcessResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  outputTruncated: boolean;
  /** The host-side deadline fired and the process was killed. */
  killed: boolean;
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
  const collector = new OutputCollector(options.maxOutputBytes);
  child.stdout.on('data', (chunk: Buffer) => collector.add('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => collector.add('stderr', chunk));
  writeStdin(child.stdin, options.stdin);

  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    const stop = options.onDeadline?.() ?? Promise.resolve();
    void stop.catch(() => undefined).finally(() => child.kill('SIGKILL'));
  }, options.killAfterMs);

  let closed = false;
  child.once('close', () => (closed = true));

  return new Promise((resolve, reject) => {
    let settled = false;
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
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
          outputTruncated: collector.truncated,
          killed,
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

/** Keeps stdout and stderr up to one shared byte cap. */
class OutputCollector {
  private readonly chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
  private keptBytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  add(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const room = this.maxBytes - this.keptBytes;
    if (chunk.length > room) {
      this.truncated = true;
    }
    if (room <= 0) {
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks[stream].push(part);
    this.keptBytes += part.length;
  }

  concat(stream: 'stdout' | 'stderr'): Buffer {
    return Buffer.concat(this.chunks[stream]);
  }
}
