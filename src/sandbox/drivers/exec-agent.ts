/**
 * A small process inside a gVisor sandbox that runs commands on request, so a command in a
 * running sandbox costs less than a `runsc exec` (measured 23 ms against 64 ms under the
 * ptrace platform). It is the container's init process and talks to the host over two FIFOs
 * in the sandbox's state folder. On the host only root can open them. Inside the sandbox the
 * agent has them as its stdin and stdout, which commands (root in the same PID namespace)
 * can also open through /proc/1/fd: see the NOTE at MAX_REPLY_LINE_BYTES.
 *
 * Protocol: one JSON object per line each way. A request carries an id, the command, its
 * working folder, environment, stdin (base64), timeout and output cap. The reply carries the
 * same id, the exit code, stdout and stderr (base64), and whether the command was killed at
 * its deadline or its output was cut.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { ProcessResult } from '../process.js';
import type { ResolvedExec } from './shared.js';

/**
 * The agent's source, run by `python3 -u -c`. Each request runs in its own thread, so a long
 * command does not hold up the others. A timed-out command's processes are found by the
 * marker variable in their environment and killed, since a process group does not hold
 * processes that started their own session.
 */
export const AGENT_SOURCE = String.raw`
import base64, json, os, signal, subprocess, sys, threading, time

write_lock = threading.Lock()

def send(reply):
    data = (json.dumps(reply) + "\n").encode()
    with write_lock:
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]

def marked(marker):
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as handle:
                if marker in handle.read().split(b"\0"):
                    pids.append(int(name))
        except OSError:
            pass
    return pids

def kill_marked(marker):
    for _ in range(3):
        pids = marked(marker)
        if not pids:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass

def reader(stream, sink, state, cap):
    while True:
        chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
        if not chunk:
            return
        with state["lock"]:
            room = cap - state["kept"]
            if room <= 0:
                state["truncated"] = True
                continue
            if len(chunk) > room:
                chunk = chunk[:room]
                state["truncated"] = True
            state["kept"] += len(chunk)
            sink.append(chunk)

def run(request):
    started = time.monotonic()
    env = request["env"]
    marker = ("%s=%s" % (request["markerName"], env.get(request["markerName"], ""))).encode()
    stdin = base64.b64decode(request["stdin"]) if request.get("stdin") is not None else None
    try:
        child = subprocess.Popen(
            ["/bin/sh", "-c", request["command"]],
            cwd=request["cwd"], env=env, start_new_session=True,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        message = "sandstack: could not start the command in %s: %s\n" % (request["cwd"], error.strerror)
        send({"id": request["id"], "exitCode": 127, "stdout": "", "stderr": base64.b64encode(message.encode()).decode(),
              "truncated": False, "killed": False, "durationMs": (time.monotonic() - started) * 1000})
        return
    state = {"lock": threading.Lock(), "kept": 0, "truncated": False}
    out, err = [], []
    threads = [threading.Thread(target=reader, args=(child.stdout, out, state, request["maxOutputBytes"]), daemon=True),
               threading.Thread(target=reader, args=(child.stderr, err, state, request["maxOutputBytes"]), daemon=True)]
    for thread in threads:
        thread.start()
    if stdin is not None:
        def feed():
            try:
                child.stdin.write(stdin)
            except OSError:
                pass
            finally:
                try:
                    child.stdin.close()
                except OSError:
                    pass
        threading.Thread(target=feed, daemon=True).start()
    killed = False
    try:
        code = child.wait(timeout=request["timeoutMs"] / 1000)
    except subprocess.TimeoutExpired:
        killed = True
        kill_marked(marker)
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except OSError:
            pass
        code = child.wait()
    # A background child may keep the pipes open for good, so output is collected for a
    # short while after the command exits and then the pipes are dropped.
    for thread in threads:
        thread.join(0.2)
    code = 128 - code if code < 0 else code
    send({"id": request["id"], "exitCode": code,
          "stdout": base64.b64encode(b"".join(out)).decode(),
          "stderr": base64.b64encode(b"".join(err)).decode(),
          "truncated": state["truncated"], "killed": killed,
          "durationMs": (time.monotonic() - started) * 1000})

def serve():
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            time.sleep(0.05)
            continue
        try:
            request = json.loads(line)
        except ValueError:
            continue
        threading.Thread(target=run, args=(request,), daemon=True).start()

# SIGPIPE stays ignored here (Python's default), so a command that exits without reading its
# stdin gives the feeding thread EPIPE instead of killing the agent, which is the container's
# init. Popen's restore_signals gives each command the default SIGPIPE back.
serve()
`;

interface AgentReply {
  id: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
  killed?: boolean;
  durationMs?: number;
}

/**
 * Longest reply line the host keeps: a reply contains stdout and stderr in base64 (4/3 of the
 * output cap, which reaches 64 MiB for file reads) plus a little JSON.
 *
 * NOTE: commands run as root in the agent's PID namespace, so they can write to the agent's
 * stdout through /proc/1/fd/1. Such writes can forge or garble their own sandbox's replies,
 * nothing more: the host drops lines past this length, so they cannot exhaust its memory.
 */
const MAX_REPLY_LINE_BYTES = Math.ceil((64 * 1024 * 1024 * 4) / 3) + 1024 * 1024;

/** The host's end of the channel to one sandbox's agent. */
export class ExecAgentClient {
  readonly #requests: Socket;
  readonly #replies: Socket;
  readonly #pending = new Map<string, (reply: AgentReply) => void>();
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
  constructor(paths: { requests: string; replies: string }) {
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
    // agent skips the line because it is not valid JSON.
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
   * Runs one command through the agent. Resolves undefined when the agent does not reply by
   * `deadlineMs`, so the caller can fall back to another way and stop using the agent.
   */
  async exec(
    exec: ResolvedExec,
    markerName: string,
    deadlineMs: number,
  ): Promise<ProcessResult | undefined> {
    const stdin =
      exec.stdin === undefined
        ? null
        : Buffer.from(exec.stdin as Uint8Array | string).toString('base64');
    const reply = await this.#send(
      {
        command: exec.command,
        cwd: exec.cwd,
        env: exec.env,
        markerName,
        stdin,
        timeoutMs: exec.timeoutMs,
        maxOutputBytes: exec.maxOutputBytes,
      },
      deadlineMs,
    );
    if (reply?.exitCode === undefined) {
      return undefined;
    }
    const killed = reply.killed === true;
    return {
      exitCode: killed ? 137 : reply.exitCode,
      signal: killed ? 'SIGKILL' : null,
      stdout: Buffer.from(reply.stdout ?? '', 'base64'),
      stderr: Buffer.from(reply.stderr ?? '', 'base64'),
      outputTruncated: reply.truncated === true,
      killed,
      durationMs: reply.durationMs ?? 0,
    };
  }

  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#requests.destroy();
    this.#replies.destroy();
    for (const resolve of this.#pending.values()) {
      resolve({ id: '' });
    }
    this.#pending.clear();
  }

  #send(body: Record<string, unknown>, timeoutMs: number): Promise<AgentReply | undefined> {
    if (this.#closed) {
      return Promise.resolve(undefined);
    }
    const id = `${this.#idPrefix}:${this.#nextId++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(reply.id === id ? reply : undefined);
      });
      this.#requests.write(`${JSON.stringify({ id, ...body })}\n`);
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
    let reply: AgentReply;
    try {
      reply = JSON.parse(line) as AgentReply;
    } catch {
      // Replies meant for a process that died, cut where it stopped reading.
      return;
    }
    this.#pending.get(reply.id)?.(reply);
  }
}
