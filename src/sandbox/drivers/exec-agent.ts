/**
 * Host side of the command agent of a gVisor sandbox (native/exec-agent.c, a static C
 * program), so a command in a running sandbox costs less than a `runsc exec`. The agent is
 * the container's init process and talks to the host over two FIFOs (mode 0600) in the
 * sandbox's state folder, which only root can enter. On the host runsc gives them to its
 * sandbox user (nobody), as it does every file behind a container's stdio, so the folder is
 * what keeps other host users out. Inside the sandbox the agent has them as its
 * stdin and stdout and runs as root, while it starts each command as the unprivileged user
 * the host names, so commands cannot open them through /proc/1/fd.
 *
 * Protocol: one line per message each way, fields separated by tabs, and every field that
 * may hold arbitrary bytes in base64. A `run` request carries an id, the user, group and tag
 * group, the timeout, the caps on stdout and stderr, the working folder, the command, its
 * stdin (`-` for none), its environment entries and a final `.`. `cancel <id>` makes the agent kill a
 * running command, and `ping <id>` gets `pong <id> <protocol>` back. For each command the
 * agent sends `output` frames as the command writes (at most 64 KiB of output each, and none
 * past the stream's cap). Then it sends one `exit` reply with the exit code, the duration,
 * and whether the output was cut and the command was killed at its deadline or cancelled.
 * native/exec-agent.c lists every field.
 *
 * Each request also names a supplementary group that the command's processes get. A process
 * without CAP_SETGID cannot leave its supplementary groups, so the group finds every process
 * of a command at its deadline or cancel, including ones that cleared their environment,
 * started their own session or were re-parented to the agent.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { OutputCollector, type ProcessResult } from '../process.js';
import type { ResolvedExec } from './shared.js';
import { timerDelay } from '../timers.js';

/**
 * Version of the wire format and of the agent's arguments. The agent sends its own in
 * `pong`, and the host uses an agent only when the two match. So a binary left from an
 * older build is not sent requests it cannot parse, nor relied on for work it does not do:
 * version 3 added `--copy-file`, which copies the statx shim. Change it with every change
 * to either, here and in native/exec-agent.c.
 */
export const AGENT_PROTOCOL = '3';

/** A piece of a command's output, from an `output` reply. */
interface OutputReply {
  kind: 'output';
  id: string;
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** A command's end, from an `exit` reply. */
interface ExitReply {
  kind: 'exit';
  id: string;
  exitCode: number;
  durationMs: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  killed: boolean;
  cancelled: boolean;
}

/** The agent's reply to a ping, with its protocol version. */
interface PongReply {
  kind: 'pong';
  id: string;
  protocol: string;
}

/** One line from the agent. */
type AgentReply = OutputReply | ExitReply | PongReply;

/** The reply that ends a request: `exit` for `run`, `pong` for `ping`. */
type FinalReply = ExitReply | PongReply;

/** A request waiting for its final reply, and the output received for it so far. */
interface PendingRequest {
  output: OutputCollector;
  finish: (reply: FinalReply | undefined) => void;
}

/**
 * Longest reply line the host keeps. The agent sends output in frames of at most 64 KiB
 * (about 87 KiB in base64), so a longer line is not the agent's.
 *
 * Commands cannot open the replies FIFO. Should a runtime bug ever let one, it could forge
 * only its own sandbox's replies. The host drops longer lines and keeps no more output per
 * command than its limits, so such writes cannot exhaust its memory.
 */
const MAX_REPLY_LINE_BYTES = 1024 * 1024;

/** The host's end of the channel to one sandbox's agent. */
export class ExecAgentClient {
  readonly #requests: Socket;
  readonly #replies: Socket;
  readonly #pending = new Map<string, PendingRequest>();
  /** Prefix of this client's request ids, so replies meant for an earlier host are ignored. */
  readonly #idPrefix = randomUUID().slice(0, 8);
  #nextId = 1;
  #closed = false;
  /** Pieces of the reply line being received, and their total length. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** The current line grew past the limit; its bytes are dropped up to the next newline. */
  #skippingLine = false;

  /**
   * Opens the two FIFOs, non-blocking so that an idle channel holds no thread of Node's pool.
   * The container's sandbox process has the other ends open, so when it dies the replies FIFO
   * reads end-of-file and the client closes, and callers learn at once that the container
   * is gone.
   * @throws Error `ENXIO` when no container holds the requests FIFO
   */
  readonly #onClose: (() => void) | undefined;

  constructor(paths: { requests: string; replies: string }, onClose?: () => void) {
    this.#onClose = onClose;
    const nonBlocking = constants.O_NONBLOCK;
    const replies = openSync(paths.replies, constants.O_RDONLY | nonBlocking);
    let requests: number;
    try {
      requests = openSync(paths.requests, constants.O_WRONLY | nonBlocking);
    } catch (error) {
      closeSync(replies);
      throw error;
    }
    this.#requests = new Socket({ fd: requests, readable: false });
    this.#replies = new Socket({ fd: replies, writable: false });
    // A host that died mid-write left a partial request line. This newline ends it, and the
    // agent rejects the line because it lacks the end marker.
    this.#requests.write('\n');
    this.#replies.on('data', (chunk: Buffer) => this.#onData(chunk));
    // An idle channel must not keep the host process alive; pending requests hold timers.
    this.#requests.unref();
    this.#replies.unref();
    this.#requests.on('error', () => this.close());
    this.#replies.on('error', () => this.close());
    this.#replies.on('end', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs one command through the agent, passing its output to `exec.onOutput` as frames
   * arrive. Aborting `exec.signal` sends the agent a cancel request for it. Resolves undefined
   * when the agent does not reply by `deadlineMs`, so the caller can fall back to another
   * way and stop using the agent.
   */
  async exec(
    exec: ResolvedExec,
    options: {
      deadlineMs: number;
      /** User and group the command runs as. */
      user: { uid: number; gid: number };
    },
  ): Promise<ProcessResult | undefined> {
    const { deadlineMs, user } = options;
    const output = new OutputCollector(exec.limits, exec.onOutput);
    const stdin =
      exec.stdin === undefined
        ? '-'
        : Buffer.from(exec.stdin as Uint8Array | string).toString('base64');
    const fields = [
      String(user.uid),
      String(user.gid),
      String(exec.tagGroup),
      String(exec.timeoutMs),
      String(exec.limits.stdout),
      String(exec.limits.stderr),
      toBase64(exec.cwd),
      toBase64(exec.command),
      stdin,
      ...Object.entries(exec.env).map(([name, value]) => toBase64(`${name}=${value}`)),
      // The end marker: the agent rejects a request cut short before it.
      '.',
    ];
    const reply = await this.#send('run', fields, { output, deadlineMs, signal: exec.signal });
    if (reply?.kind !== 'exit') {
      return undefined;
    }
    const killed = reply.killed || reply.cancelled;
    return {
      exitCode: killed ? 137 : reply.exitCode,
      signal: killed ? 'SIGKILL' : null,
      stdout: output.concat('stdout'),
      stderr: output.concat('stderr'),
      stdoutTruncated: output.truncated.stdout || reply.stdoutTruncated,
      stderrTruncated: output.truncated.stderr || reply.stderrTruncated,
      killed: reply.killed,
      aborted: reply.cancelled,
      durationMs: reply.durationMs,
    };
  }

  /**
   * Waits until the agent has started and returns its protocol version, or undefined when
   * the agent does not reply by `deadlineMs`.
   */
  async ping(deadlineMs: number): Promise<string | undefined> {
    const output = new OutputCollector({ stdout: 0, stderr: 0 }, undefined);
    const reply = await this.#send('ping', [], { output, deadlineMs, signal: undefined });
    return reply?.kind === 'pong' ? reply.protocol : undefined;
  }

  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#onClose?.();
    this.#requests.destroy();
    this.#replies.destroy();
    for (const pending of [...this.#pending.values()]) {
      pending.finish(undefined);
    }
    this.#pending.clear();
  }

  #send(
    kind: 'run' | 'ping',
    fields: string[],
    options: { output: OutputCollector; deadlineMs: number; signal: AbortSignal | undefined },
  ): Promise<FinalReply | undefined> {
    if (this.#closed) {
      return Promise.resolve(undefined);
    }
    const id = `${this.#idPrefix}:${this.#nextId++}`;
    const { signal } = options;
    const onAbort = (): void => {
      this.#requests.write(`cancel\t${id}\n`);
    };
    return new Promise((resolve) => {
      const finish = (reply: FinalReply | undefined): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        resolve(reply?.id === id ? reply : undefined);
      };
      const timer = setTimeout(() => finish(undefined), timerDelay(options.deadlineMs));
      this.#pending.set(id, { output: options.output, finish });
      this.#requests.write(`${[kind, id, ...fields].join('\t')}\n`);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted === true) {
        onAbort();
      }
    });
  }

  /** Splits the reply stream into lines, dropping any line longer than the limit. */
  #onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      if (!this.#skippingLine) {
        this.#partial.push(piece);
        this.#partialBytes += piece.length;
        if (this.#partialBytes > MAX_REPLY_LINE_BYTES) {
          this.#partial = [];
          this.#partialBytes = 0;
          this.#skippingLine = true;
        }
      }
      if (newline === -1) {
        return;
      }
      if (!this.#skippingLine) {
        this.#onLine(Buffer.concat(this.#partial).toString('utf8'));
      }
      this.#partial = [];
      this.#partialBytes = 0;
      this.#skippingLine = false;
      start = newline + 1;
    }
  }

  #onLine(line: string): void {
    const reply = parseReply(line);
    if (reply === undefined) {
      // Replies meant for a process that died, cut where it stopped reading.
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) {
      return;
    }
    if (reply.kind === 'output') {
      pending.output.add(reply.stream, reply.data);
      return;
    }
    pending.finish(reply);
  }
}

function toBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Parses one reply line, or returns undefined when it is not a well-formed reply. */
function parseReply(line: string): AgentReply | undefined {
  const [kind, id, ...fields] = line.split('\t');
  if (id === undefined || id === '') {
    return undefined;
  }
  if (kind === 'output' && fields.length === 2) {
    const [stream, data = ''] = fields;
    if (stream !== 'stdout' && stream !== 'stderr') {
      return undefined;
    }
    return { kind, id, stream, data: Buffer.from(data, 'base64') };
  }
  if (kind === 'exit' && fields.length === 6) {
    const [exitCode, durationMs, ...flags] = fields.map(Number);
    if (!Number.isInteger(exitCode) || !Number.isFinite(durationMs)) {
      return undefined;
    }
    const [stdoutTruncated, stderrTruncated, killed, cancelled] = flags.map((flag) => flag === 1);
    return {
      kind,
      id,
      exitCode: exitCode ?? 0,
      durationMs: durationMs ?? 0,
      stdoutTruncated: stdoutTruncated === true,
      stderrTruncated: stderrTruncated === true,
      killed: killed === true,
      cancelled: cancelled === true,
    };
  }
  if (kind === 'pong' && fields.length === 1) {
    return { kind, id, protocol: fields[0] ?? '' };
  }
  return undefined;
}

/** This process's open clients by replies FIFO, so sandbox objects of one process share one. */
const openClients = new Map<string, ExecAgentClient>();

/**
 * Returns this process's client of an agent, opening one when none is open. A FIFO with two
 * readers hands each reply line to whichever reads first, so a second client would lose
 * replies to the first and wait for them until its deadline. One client per process reads
 * the FIFO, and a lock file that names the process keeps other processes' clients out.
 * @returns undefined while the lock file names another live process
 * @throws Error `ENXIO` when no container has the requests FIFO open
 */
export function openAgentClient(paths: {
  requests: string;
  replies: string;
  lock: string;
}): ExecAgentClient | undefined {
  const open = openClients.get(paths.replies);
  if (open !== undefined && !open.closed) {
    return open;
  }
  if (!takeLock(paths.lock)) {
    return undefined;
  }
  let client: ExecAgentClient | undefined;
  const onClose = (): void => {
    releaseLock(paths.lock);
    if (openClients.get(paths.replies) === client) {
      openClients.delete(paths.replies);
    }
  };
  try {
    client = new ExecAgentClient(paths, onClose);
  } catch (error) {
    releaseLock(paths.lock);
    throw error;
  }
  openClients.set(paths.replies, client);
  return client;
}

/**
 * Creates the lock file with this process's id, or takes it over from a process that no
 * longer runs. Returns false while the file names another live process.
 *
 * NOTE: two processes that take over the same dead holder's lock at once can both succeed.
 */
function takeLock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    const holder = lockHolder(path);
    if (holder === process.pid) {
      return true;
    }
    if (holder !== undefined && isRunning(holder)) {
      return false;
    }
    rmSync(path, { force: true });
  }
  return false;
}

function releaseLock(path: string): void {
  if (lockHolder(path) === process.pid) {
    rmSync(path, { force: true });
  }
}

function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
