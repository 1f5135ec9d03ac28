/**
 * A small process inside a gVisor sandbox that runs commands on request, so a command in a
 * running sandbox costs less than a `runsc exec` (measured 23 ms against 64 ms under the
 * ptrace platform). It is the container's init process and talks to the host over two FIFOs
 * in the sandbox's state folder, which only root can open (mode 0600). Inside the sandbox the
 * agent has them as its stdin and stdout and runs as root, while it starts each command as
 * the unprivileged user the host names, so commands cannot open them through /proc/1/fd.
 *
 * Protocol: one JSON object per line each way. A request carries an id, the command, its
 * working folder, environment, stdin (base64), timeout and the caps on stdout and stderr;
 * `{"cancel": id}` makes the agent kill a running command, and `{id, "ping": true}` gets a
 * final reply once the agent is ready. For each command the agent sends output frames as
 * the command writes them (`{id, stream, data}`, data in base64, at most 64 KiB of output
 * each, and none past the stream's cap), then one final reply with the same id, the exit
 * code, and whether the command was killed at its deadline or cancelled or its output was
 * cut.
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
 * The agent's source, run by `python3 -u -c`. Each request runs in its own thread, so a long
 * command does not hold up the others. A command starts in a child forked ahead of the
 * request, which only changes user and execs `/bin/sh`. A timed-out or cancelled command's
 * processes are found by its supplementary group and killed, since a process group does not
 * hold processes that started their own session.
 */
export const AGENT_SOURCE = String.raw`
import base64, json, os, selectors, signal, sys, threading, time

write_lock = threading.Lock()
running_lock = threading.Lock()
running = {}
cancelled_early = set()
# Children forked ahead of requests, each waiting as root for its command (see prepare).
spare_lock = threading.Condition()
spares = []
spare_filling = [False]
# Spare children and commands by pid, whose exit reap() records.
children_lock = threading.Lock()
children = {}

def send(reply):
    data = (json.dumps(reply) + "\n").encode()
    with write_lock:
        view = memoryview(data)
        while view:
            view = view[os.write(1, view):]

def tagged(group):
    """Returns the live processes that carry the supplementary group, from /proc/<pid>/status."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/status" % name) as handle:
                fields = dict(line.split(":", 1) for line in handle.read().splitlines() if ":" in line)
        except (OSError, ValueError):
            continue
        if str(group) in fields.get("Groups", "").split() and fields.get("State", "").split()[:1] != ["Z"]:
            pids.append(int(name))
    return pids

def kill_tagged(group):
    for _ in range(3):
        pids = tagged(group)
        if not pids:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass

def stop(job):
    kill_tagged(job["group"])
    try:
        os.killpg(job["pid"], signal.SIGKILL)
    except OSError:
        pass

def reap():
    """Waits for every child of this init: commands, spares, and orphans re-parented to it."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            time.sleep(0.05)
            continue
        except InterruptedError:
            continue
        with children_lock:
            child = children.pop(pid, None)
        if child is not None:
            child["code"] = os.waitstatus_to_exitcode(status)
            child["exited"].set()
            child["ended"].set()

def spare_main(control, stdin_read, stdout_write, stderr_write):
    """Runs in a spare child until it execs the command or exits. Other threads of the agent
    may hold locks at the fork that this copy never releases, so it calls only os functions,
    json and signal."""
    cwd = "/"
    try:
        os.setsid()
        os.dup2(stdin_read, 0)
        os.dup2(stdout_write, 1)
        os.dup2(stderr_write, 2)
        for name in os.listdir("/proc/self/fd"):
            if int(name) > 2 and int(name) != control:
                try:
                    os.close(int(name))
                except OSError:
                    pass
        chunks = []
        while True:
            chunk = os.read(control, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        if not chunks:
            os._exit(0)
        spec = json.loads(b"".join(chunks))
        os.close(control)
        cwd = spec["cwd"]
        if not spec["stdin"]:
            devnull = os.open("/dev/null", os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
        os.setgroups([spec["group"]])
        os.setgid(spec["gid"])
        os.setuid(spec["uid"])
        os.chdir(cwd)
        # Python ignores SIGPIPE and SIGXFSZ. Commands get the defaults, as Popen's
        # restore_signals gives them.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        os.execve("/bin/sh", ["/bin/sh", "-c", spec["command"]], spec["env"])
    except OSError as error:
        message = "sandstack: could not start the command in %s: %s\n" % (cwd, error.strerror)
        try:
            os.write(2, message.encode())
        finally:
            os._exit(127)
    except BaseException:
        os._exit(127)

def fork_spare():
    """Forks a child that waits, still root, for one command on a control pipe. Forking a
    Python process costs several times an exec under gVisor's ptrace platform, so it happens
    ahead of the request."""
    control_read, control_write = os.pipe()
    stdin_read, stdin_write = os.pipe()
    stdout_read, stdout_write = os.pipe()
    stderr_read, stderr_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        spare_main(control_read, stdin_read, stdout_write, stderr_write)
        os._exit(127)
    for fd in (control_read, stdin_read, stdout_write, stderr_write):
        os.close(fd)
    # A spare that dies before this line is never waited for, and start() finds it dead.
    child = {"pid": pid, "control": control_write, "stdin": stdin_write, "stdout": stdout_read,
             "stderr": stderr_read, "code": None, "exited": threading.Event(), "ended": threading.Event()}
    with children_lock:
        children[pid] = child
    return child

def discard(spare):
    with children_lock:
        children.pop(spare["pid"], None)
    for name in ("control", "stdin", "stdout", "stderr"):
        try:
            os.close(spare[name])
        except OSError:
            pass

def fill_spares():
    try:
        spare = fork_spare()
    except OSError:
        spare = None
    with spare_lock:
        spare_filling[0] = False
        if spare is not None:
            spares.append(spare)
        spare_lock.notify_all()

def take_spare():
    """Returns a spare child for one command, or forks one now if none is ready or coming."""
    with spare_lock:
        # A fork in flight finishes sooner than a second one started beside it.
        while not spares and spare_filling[0]:
            spare_lock.wait()
        spare = spares.pop() if spares else None
    return spare if spare is not None else fork_spare()

def refill_spares():
    """Starts forking a spare unless one is ready or coming. Called once a command has been
    answered, because os.fork() holds the GIL for its whole length and would delay it."""
    with spare_lock:
        if spares or spare_filling[0]:
            return
        spare_filling[0] = True
    threading.Thread(target=fill_spares, daemon=True).start()

def start(request):
    """Hands the command to a spare child, which execs it. Returns the child's pipes."""
    spec = json.dumps({"command": request["command"], "cwd": request["cwd"], "env": request["env"],
                       "uid": request["uid"], "gid": request["gid"], "group": request["tagGroup"],
                       "stdin": request.get("stdin") is not None}).encode()
    for _ in range(3):
        spare = take_spare()
        try:
            view = memoryview(spec)
            while view:
                view = view[os.write(spare["control"], view):]
            os.close(spare["control"])
            return spare
        except OSError:
            # The spare died, for example killed by a clean-up that ends every process.
            discard(spare)
    raise OSError(11, "no spare child accepted the command")

def reader(job, caps):
    selector = selectors.DefaultSelector()
    for name in ("stdout", "stderr"):
        selector.register(job[name], selectors.EVENT_READ, name)
    open_streams = 2
    while open_streams:
        for key, _ in selector.select():
            name = key.data
            chunk = os.read(key.fd, 65536)
            if not chunk:
                selector.unregister(key.fd)
                os.close(key.fd)
                open_streams -= 1
                continue
            with job["lock"]:
                if job["done"]:
                    continue
                room = caps[name] - job["kept"][name]
                if len(chunk) > room:
                    job["truncated"][name] = True
                    chunk = chunk[:max(room, 0)]
                if not chunk:
                    continue
                job["kept"][name] += len(chunk)
                send({"id": job["id"], "stream": name, "data": base64.b64encode(chunk).decode()})
    selector.close()

def final(job_id, code, started, **flags):
    reply = {"id": job_id, "exitCode": code, "durationMs": (time.monotonic() - started) * 1000,
             "stdoutTruncated": False, "stderrTruncated": False, "killed": False, "cancelled": False}
    reply.update(flags)
    send(reply)

def feed(fd, stdin):
    try:
        view = memoryview(stdin)
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        pass
    finally:
        os.close(fd)

def cancel(job_id):
    with running_lock:
        job = running.get(job_id)
        if job is None:
            cancelled_early.add(job_id)
            return
    job["cancelled"] = True
    job["ended"].set()

def run(request):
    started = time.monotonic()
    job_id = request["id"]
    stdin = base64.b64decode(request["stdin"]) if request.get("stdin") is not None else None
    try:
        child = start(request)
    except OSError as error:
        message = "sandstack: could not start the command in %s: %s\n" % (request["cwd"], error.strerror)
        send({"id": job_id, "stream": "stderr", "data": base64.b64encode(message.encode()).decode()})
        final(job_id, 127, started)
        refill_spares()
        return
    job = child
    job.update(id=job_id, group=request["tagGroup"], lock=threading.Lock(), done=False,
               cancelled=False, kept={"stdout": 0, "stderr": 0}, truncated={"stdout": False, "stderr": False})
    with running_lock:
        running[job_id] = job
        early = job_id in cancelled_early
        cancelled_early.discard(job_id)
    if early:
        job["cancelled"] = True
        job["ended"].set()
    caps = {"stdout": request["maxStdoutBytes"], "stderr": request["maxStderrBytes"]}
    output = threading.Thread(target=reader, args=(job, caps), daemon=True)
    output.start()
    if stdin is not None:
        threading.Thread(target=feed, args=(job["stdin"], stdin), daemon=True).start()
    else:
        os.close(job["stdin"])
    finished = job["ended"].wait(timeout=request["timeoutMs"] / 1000) and not job["cancelled"]
    if not finished:
        stop(job)
    job["exited"].wait()
    # A background child may keep the pipes open for good, so output is collected for a
    # short while after the command exits and then the pipes are dropped.
    output.join(0.2)
    with running_lock:
        running.pop(job_id, None)
    code = job["code"]
    code = 128 - code if code < 0 else code
    with job["lock"]:
        job["done"] = True
        final(job_id, code, started, stdoutTruncated=job["truncated"]["stdout"],
              stderrTruncated=job["truncated"]["stderr"],
              killed=not finished and not job["cancelled"], cancelled=job["cancelled"])
    refill_spares()

def ping(request_id):
    """Replies once a spare child is ready, so a new sandbox counts as ready only when its
    first command will not wait for a fork."""
    with spare_lock:
        while not spares and spare_filling[0]:
            spare_lock.wait()
    send({"id": request_id, "exitCode": 0, "durationMs": 0})

def serve():
    threading.Thread(target=reap, daemon=True).start()
    refill_spares()
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
        if not isinstance(request, dict):
            continue
        if "cancel" in request:
            cancel(request["cancel"])
            continue
        if request.get("ping"):
            threading.Thread(target=ping, args=(request["id"],), daemon=True).start()
            continue
        threading.Thread(target=run, args=(request,), daemon=True).start()

# SIGPIPE stays ignored here (Python's default), so a command that exits without reading its
# stdin gives the feeding thread EPIPE instead of killing the agent, which is the container's
# init. Spare children give each command the default SIGPIPE back.
serve()
`;

/** One line from the agent: a piece of a command's output, or the command's end. */
interface AgentReply {
  id: string;
  /** Set on an output frame, with `data` in base64. */
  stream?: 'stdout' | 'stderr';
  data?: string;
  /** Set on the final reply. */
  exitCode?: number;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  killed?: boolean;
  cancelled?: boolean;
  durationMs?: number;
}

/** A command waiting for its final reply, and the output received for it so far. */
interface PendingCommand {
  output: OutputCollector;
  finish: (reply: AgentReply | undefined) => void;
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
  readonly #pending = new Map<string, PendingCommand>();
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
    const stdin =
      exec.stdin === undefined
        ? null
        : Buffer.from(exec.stdin as Uint8Array | string).toString('base64');
    const output = new OutputCollector(exec.limits, exec.onOutput);
    const request = {
      command: exec.command,
      cwd: exec.cwd,
      env: exec.env,
      tagGroup: exec.tagGroup,
      uid: user.uid,
      gid: user.gid,
      stdin,
      timeoutMs: exec.timeoutMs,
      maxStdoutBytes: exec.limits.stdout,
      maxStderrBytes: exec.limits.stderr,
    };
    const reply = await this.#send(request, { output, deadlineMs, signal: exec.signal });
    if (reply?.exitCode === undefined) {
      return undefined;
    }
    const killed = reply.killed === true || reply.cancelled === true;
    return {
      exitCode: killed ? 137 : reply.exitCode,
      signal: killed ? 'SIGKILL' : null,
      stdout: output.concat('stdout'),
      stderr: output.concat('stderr'),
      stdoutTruncated: output.truncated.stdout || reply.stdoutTruncated === true,
      stderrTruncated: output.truncated.stderr || reply.stderrTruncated === true,
      killed: reply.killed === true,
      aborted: reply.cancelled === true,
      durationMs: reply.durationMs ?? 0,
    };
  }

  /**
   * Waits until the agent has started and has a spare child ready for the first command.
   * Resolves false when the agent does not reply by `deadlineMs`.
   */
  async ping(deadlineMs: number): Promise<boolean> {
    const output = new OutputCollector({ stdout: 0, stderr: 0 }, undefined);
    const reply = await this.#send({ ping: true }, { output, deadlineMs, signal: undefined });
    return reply?.exitCode === 0;
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
    body: Record<string, unknown>,
    options: { output: OutputCollector; deadlineMs: number; signal: AbortSignal | undefined },
  ): Promise<AgentReply | undefined> {
    if (this.#closed) {
      return Promise.resolve(undefined);
    }
    const id = `${this.#idPrefix}:${this.#nextId++}`;
    const { signal } = options;
    const onAbort = (): void => {
      this.#requests.write(`${JSON.stringify({ cancel: id })}\n`);
    };
    return new Promise((resolve) => {
      const finish = (reply: AgentReply | undefined): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        resolve(reply?.id === id ? reply : undefined);
      };
      const timer = setTimeout(() => finish(undefined), timerDelay(options.deadlineMs));
      this.#pending.set(id, { output: options.output, finish });
      this.#requests.write(`${JSON.stringify({ id, ...body })}\n`);
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
    let reply: AgentReply;
    try {
      reply = JSON.parse(line) as AgentReply;
    } catch {
      // Replies meant for a process that died, cut where it stopped reading.
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) {
      return;
    }
    if (reply.stream === 'stdout' || reply.stream === 'stderr') {
      pending.output.add(reply.stream, Buffer.from(reply.data ?? '', 'base64'));
      return;
    }
    if (reply.exitCode !== undefined) {
      pending.finish(reply);
    }
  }
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
