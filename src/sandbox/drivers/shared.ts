import { randomInt } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { join, posix, relative } from 'node:path';
import { SandstackError } from '../../core/errors.js';
import { readLimitHits } from '../cgroup.js';
import {
  checkRequestedLimits,
  MAX_OUTPUT_BYTES,
  outputLimits,
  runProcess,
  templateOutputLimits,
  type OutputLimits,
  type ProcessResult,
} from '../process.js';
import {
  isBeingReleased,
  isWritableLayerFull,
  mountWritableLayer,
  writableLayerDir,
} from '../writable-layer.js';
import type {
  DriverCreateOptions,
  ExecRequest,
  ExecResult,
  OutputChunk,
  RootfsSpec,
  RuntimeName,
  SandboxTemplate,
  SandboxUsage,
} from '../types.js';
import { MAX_COMMAND_TIMEOUT_MS } from '../timers.js';
import { hasEgress } from '../network/sandbox-egress.js';

/** Host folders of one sandbox under its state directory. */
export interface SandboxLayout {
  /** Backs the template's workdir, in the writable layer; survives the creating process. */
  workspace: string;
  /** Backs the sandbox's private `/tmp`, in the writable layer. */
  tmp: string;
  /**
   * An empty read-only folder mounted over hidden folders. It is in the writable layer, so
   * the sandbox's /proc/self/mountinfo shows its path inside that filesystem, not a host path.
   */
  emptyDir: string;
  /** An empty read-only file mounted over hidden files, in the writable layer too. */
  emptyFile: string;
  /** JSON record of the sandbox ({@link SandboxMeta}). */
  meta: string;
}

/** Sandbox metadata that a driver stores beside the sandbox, so a later process can re-attach. */
export interface SandboxMeta {
  id: string;
  runtime: RuntimeName;
  template: SandboxTemplate;
  createdAt: number;
}

/** Folders hidden behind an empty folder, when the root filesystem has them. */
const HIDDEN_DIRS = [
  '/root',
  '/home',
  '/etc/ssh',
  '/etc/ssl/private',
  '/etc/kubernetes',
  '/run',
  '/srv',
  '/mnt',
  '/media',
  '/var/tmp',
  '/var/log',
  '/var/mail',
  '/var/spool',
  '/var/backups',
  '/var/lib/cloud',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/kubelet',
  '/var/lib/mysql',
  '/var/lib/postgresql',
  '/var/lib/redis',
  '/var/run/secrets',
];

/** Files hidden behind an empty file, when the root filesystem has them. */
const HIDDEN_FILES = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'];

/**
 * Range of the supplementary group ids that tag the processes of one command (gVisor), far
 * above the ids that /etc/group files use. A process without CAP_SETGID cannot drop a
 * supplementary group, so a driver finds every process of a command by it, even one that
 * cleared its environment or left the command's session.
 */
export const TAG_GROUP_RANGE = { min: 0x1000_0000, max: 0x7fff_0000 };

/** PATH inside every sandbox. */
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Extra time the host waits past a command's timeout before killing the runtime client. */
export const HOST_GRACE_MS = 5000;

/** Returns the folder layout of the sandbox whose state lives in `stateDir`. */
export function layoutOf(stateDir: string): SandboxLayout {
  const writable = writableLayerDir(stateDir);
  return {
    workspace: join(writable, 'workspace'),
    tmp: join(writable, 'tmp'),
    emptyDir: join(writable, 'empty'),
    emptyFile: join(writable, 'empty-file'),
    meta: join(stateDir, 'sandbox.json'),
  };
}

/**
 * Mounts the sandbox's writable layer, creates its host folders (idempotent) and writes its
 * metadata once. The layer gets the disk limit less `reservedBytes`, which other files of
 * the sandbox on the host (its egress log) may use.
 */
export async function prepareLayout(
  stateDir: string,
  meta: SandboxMeta,
  reservedBytes: number,
): Promise<SandboxLayout> {
  const layout = layoutOf(stateDir);
  await mountWritableLayer(stateDir, writableLayerBytes(meta.template, reservedBytes));
  mkdirSync(layout.workspace, { recursive: true });
  mkdirSync(layout.tmp, { recursive: true });
  chmodSync(layout.tmp, 0o1777);
  createHidingMountSources(layout);
  if (!existsSync(layout.meta)) {
    writeFileSync(layout.meta, JSON.stringify(meta, null, 2));
  }
  return layout;
}

/** Returns the size of a sandbox's writable layer: its disk limit less `reservedBytes`. */
function writableLayerBytes(template: SandboxTemplate, reservedBytes: number): number {
  return template.resources.diskBytes - reservedBytes;
}

/**
 * Moves a spare state folder into place for a cold start, when `options` offers one of the
 * layer's size. Returns whether it did; {@link prepareLayout} then finds the layer mounted.
 */
export function takeSpareLayer(options: DriverCreateOptions, reservedBytes: number): boolean {
  const bytes = writableLayerBytes(options.template, reservedBytes);
  return options.spareLayers?.take(options.stateDir, bytes) ?? false;
}

/**
 * Creates the empty folder and file that hide host paths (idempotent). A sandbox that an
 * earlier version created has them in its state folder instead, so attaching calls this too.
 */
export function createHidingMountSources(layout: SandboxLayout): void {
  mkdirSync(layout.emptyDir, { recursive: true });
  chmodSync(layout.emptyDir, 0o555);
  if (!existsSync(layout.emptyFile)) {
    writeFileSync(layout.emptyFile, '', { mode: 0o444 });
  }
}

/**
 * Reads a sandbox's metadata, or undefined when its state folder or workspace is gone. The
 * workspace is missing while the writable layer is not mounted, as after a host reboot.
 */
export function readMeta(stateDir: string): SandboxMeta | undefined {
  const layout = layoutOf(stateDir);
  if (!existsSync(layout.meta) || !existsSync(layout.workspace)) {
    return undefined;
  }
  return JSON.parse(readFileSync(layout.meta, 'utf8')) as SandboxMeta;
}

/**
 * Runs the cleanup steps of a failed create() in order, each even when an earlier one failed,
 * and returns the error to throw: `error` itself, or a `SANDBOX_FAILED` error that also lists
 * what the cleanup could not undo. A step fails by throwing.
 */
export async function undoFailedCreate(
  sandboxId: string,
  error: unknown,
  steps: (() => Promise<unknown>)[],
): Promise<unknown> {
  const problems: string[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (cause) {
      problems.push(messageOf(cause));
    }
  }
  if (problems.length === 0) {
    return error;
  }
  return new SandstackError(
    'SANDBOX_FAILED',
    `${messageOf(error)}; cleaning up sandbox "${sandboxId}" also failed: ${problems.join('; ')}`,
    { cause: error },
  );
}

/** Throws when processes survived the removal of a sandbox's cgroups (`left` is non-empty). */
export function rejectLeftProcesses(sandboxId: string, left: number[]): void {
  if (left.length > 0) {
    throw new SandstackError(
      'SANDBOX_FAILED',
      `Sandbox "${sandboxId}" still has processes ${left.join(', ')} after SIGKILL; kill them by hand`,
    );
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/**
 * Mount points to hide, split by kind, that exist as real folders or files in the rootfs.
 * Paths under `/tmp` or the workdir are skipped, because those mounts replace them anyway
 * and gVisor fails to boot when a later mount covers an earlier one.
 */
export function hiddenPaths(
  rootfs: RootfsSpec,
  extra: { dirs: readonly string[]; files: readonly string[]; workdir: string },
): { dirs: string[]; files: string[] } {
  const { dirs: extraDirs, files: extraFiles, workdir } = extra;
  const isReplaced = (path: string): boolean => isUnder(path, '/tmp') || isUnder(path, workdir);
  const base = rootfs.kind === 'host' ? '/' : rootfs.path;
  const isKind = (path: string, kind: 'dir' | 'file'): boolean => {
    try {
      const stat = lstatSync(join(base, path));
      return kind === 'dir' ? stat.isDirectory() : stat.isFile();
    } catch {
      return false;
    }
  };
  const toSandboxPaths = (paths: readonly string[]): string[] => [
    ...new Set(paths.flatMap((path) => sandboxPathsOf(path, base))),
  ];
  return {
    dirs: [...HIDDEN_DIRS, ...toSandboxPaths(extraDirs)].filter(
      (path) => isKind(path, 'dir') && !isReplaced(path),
    ),
    files: [...HIDDEN_FILES, ...toSandboxPaths(extraFiles)].filter(
      (path) => isKind(path, 'file') && !isReplaced(path),
    ),
  };
}

/**
 * Returns the paths at which a sandbox with its root filesystem at host folder `base` shows
 * host path `hostPath`. The real path of a symlinked `hostPath` is included, because the
 * symlink itself cannot be mounted over. For a directory rootfs, each path under `base`
 * also maps to its path relative to `base`.
 */
function sandboxPathsOf(hostPath: string, base: string): string[] {
  const hostPaths = [hostPath, realPathOf(hostPath)];
  const roots = [...new Set([posix.resolve(base), realPathOf(base)])];
  const inRootfs = hostPaths.flatMap((path) =>
    roots
      .filter((root) => root === '/' || isUnder(path, root))
      .map((root) => posix.join('/', relative(root, path))),
  );
  return [...hostPaths, ...inRootfs];
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isUnder(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

/** A command ready to run, with every default applied. */
export interface ResolvedExec {
  command: string;
  cwd: string;
  env: Record<string, string>;
  stdin: string | Uint8Array | undefined;
  timeoutMs: number;
  limits: OutputLimits;
  onOutput: ((chunk: OutputChunk) => void) | undefined;
  signal: AbortSignal | undefined;
  /** Supplementary group id that tags every process of this command (see TAG_GROUP_RANGE). */
  tagGroup: number;
}

/**
 * Argument list run inside the sandbox for one command. GNU `timeout` kills the command's
 * whole process group when the time is up, so children started by the command die too.
 * A shell starts `timeout` rather than the runtime, because `runsc exec` makes its process
 * a session leader, where `timeout` cannot create the process group it later kills.
 */
export function commandArgv(exec: ResolvedExec): string[] {
  const seconds = (exec.timeoutMs / 1000).toFixed(3);
  const script = 'timeout -s KILL "$0" /bin/sh -c "$1"; status=$?; exit $status';
  return ['/bin/sh', '-c', script, seconds, exec.command];
}

/** Quotes one word for `/bin/sh`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Behaviour shared by the local drivers: defaults, limit reporting and the files API, which
 * runs `cat` inside the sandbox so that symlinks resolve in the sandbox, never on the host.
 */
export abstract class LocalSandbox {
  abstract readonly id: string;
  abstract readonly runtime: RuntimeName;
  protected abstract readonly template: SandboxTemplate;
  protected abstract readonly createdAt: number;
  /** Host folder of the sandbox's state, which contains the writable layer. */
  protected abstract readonly stateDir: string;
  /** Set when the controller ends the sandbox; every command from then on fails with it. */
  private endError: SandstackError | undefined;
  /** Callers of {@link commandEnded} waiting for the next command to end. */
  private commandEndWaiters: (() => void)[] = [];
  /** Results of commands that a release of the sandbox cut short. */
  private readonly endedByRelease = new WeakSet<ProcessResult>();

  get commandTimeoutMs(): number {
    return this.template.commandTimeoutMs;
  }

  get outputLimits(): OutputLimits {
    return templateOutputLimits(this.template);
  }

  /** Makes running and later commands fail with `error`, because the sandbox is ending. */
  markEnding(error: SandstackError): void {
    this.endError = error;
  }

  /** Builds the host argument list that runs `exec` inside the sandbox. */
  protected abstract hostArgv(exec: ResolvedExec): Promise<string[]>;

  /**
   * Returns a function that kills every process of one command from the host at its deadline,
   * or undefined when the in-sandbox `timeout` does that reliably.
   */
  protected killTree(_exec: ResolvedExec): (() => Promise<void>) | undefined {
    return undefined;
  }

  /**
   * Called before a command starts and before the limit counters are read, so a runtime
   * that restarts here (with fresh cgroups) is counted from its new start.
   */
  protected async beforeCommand(): Promise<void> {
    // Nothing by default.
  }

  /**
   * Called after a command ends, to turn a runtime death into a clear error. `hitsBefore`
   * holds the cgroups' limit counters from just before the command started, so a limit hit
   * by an earlier command is not blamed for this one.
   */
  protected abstract afterCommand(
    result: ProcessResult,
    hitsBefore: { memory: number; pids: number },
  ): Promise<void>;

  abstract usage(): Promise<SandboxUsage>;
  abstract isAlive(): Promise<boolean>;
  abstract destroy(): Promise<void>;

  commandEnded(): Promise<void> {
    return new Promise((resolve) => this.commandEndWaiters.push(resolve));
  }

  async exec(request: ExecRequest): Promise<ExecResult> {
    try {
      return await this.execAndReport(request);
    } finally {
      const waiters = this.commandEndWaiters;
      this.commandEndWaiters = [];
      for (const resolve of waiters) {
        resolve();
      }
    }
  }

  private async execAndReport(request: ExecRequest): Promise<ExecResult> {
    checkRequestedLimits(request, this.outputLimits);
    const exec = this.resolve(request);
    const before = readLimitHits(this.id);
    const result = await this.execRaw(exec);
    const stdout = result.stdout.toString('utf8');
    const stderr = result.stderr.toString('utf8');
    const timedOut =
      result.killed || (result.exitCode === 137 && result.durationMs >= exec.timeoutMs);
    const note = this.endedByRelease.has(result)
      ? `\nsandstack: the command was ended because sandbox "${this.id}" was released`
      : this.limitNote(before, { timedOut, timeoutMs: exec.timeoutMs, stderr }) +
        truncationNote(result, exec.limits, this.outputLimits);
    if (note !== '') {
      exec.onOutput?.({ stream: 'stderr', data: Buffer.from(note) });
    }
    return {
      exitCode: result.exitCode,
      stdout,
      stderr: stderr + note,
      timedOut,
      outputTruncated: result.stdoutTruncated || result.stderrTruncated,
      stdoutTruncated: result.stdoutTruncated,
      stderrTruncated: result.stderrTruncated,
      durationMs: Math.round(result.durationMs),
    };
  }

  async readFile(path: string): Promise<Buffer> {
    const quoted = shellQuote(checkPath(path));
    // Only regular files: a device or FIFO would stream until the command's timeout.
    const script = `if [ -d ${quoted} ]; then echo "is a directory" >&2; exit 21; fi; if [ -e ${quoted} ] && [ ! -f ${quoted} ]; then echo "is not a regular file (a device, FIFO or socket); read it with exec" >&2; exit 22; fi; exec head -c ${MAX_FILE_BYTES + 1} -- ${quoted}`;
    const result = await this.execRaw(
      this.resolve({ command: script, maxStdoutBytes: MAX_FILE_BYTES + 1 }),
    );
    if (result.exitCode === 0 && result.stdout.length > MAX_FILE_BYTES) {
      throw new SandstackError(
        'SANDBOX_LIMIT',
        `File "${path}" is larger than ${MAX_FILE_BYTES} bytes; read it in parts with exec`,
      );
    }
    if (this.endedByRelease.has(result)) {
      throw this.releasedDuring(`reading "${path}"`);
    }
    if (result.exitCode !== 0) {
      throw this.fileError(path, 'read', result.stderr.toString('utf8'));
    }
    return result.stdout;
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const quoted = shellQuote(checkPath(path));
    const script = `mkdir -p -- "$(dirname -- ${quoted})" && cat > ${quoted}`;
    const result = await this.execRaw(this.resolve({ command: script, stdin: data }));
    if (this.endedByRelease.has(result)) {
      throw this.releasedDuring(`writing "${path}"`);
    }
    if (result.exitCode !== 0) {
      throw this.fileError(path, 'write', result.stderr.toString('utf8'));
    }
  }

  private releasedDuring(action: string): SandstackError {
    return new SandstackError(
      'SANDBOX_NOT_FOUND',
      `Sandbox "${this.id}" was released while ${action}; claim a new one`,
    );
  }

  /** Wall-clock seconds since the sandbox was created. */
  protected wallSeconds(): number {
    return (Date.now() - this.createdAt) / 1000;
  }

  protected async execRaw(exec: ResolvedExec): Promise<ProcessResult> {
    if (this.endError !== undefined) {
      throw this.endError;
    }
    exec.signal?.throwIfAborted();
    await this.beforeCommand();
    const hitsBefore = readLimitHits(this.id);
    const result = await this.runCommand(exec);
    // A command cut short because the controller ended the sandbox reports that cause,
    // not the runtime's death that followed it.
    if (this.endError !== undefined) {
      throw this.endError;
    }
    if (result.exitCode !== 0 && isBeingReleased(this.stateDir)) {
      // The release may come from another process, and this one notices it only as its
      // runtime or agent dying, so the marker file separates it from a kill from outside.
      this.endedByRelease.add(result);
      return result;
    }
    await this.afterCommand(result, hitsBefore);
    // Rejecting only now means the command's processes are gone when the caller hears of it.
    exec.signal?.throwIfAborted();
    return result;
  }

  /** Runs one command through a runtime client process on the host (`runsc exec`, `bwrap`). */
  protected async runCommand(exec: ResolvedExec): Promise<ProcessResult> {
    const argv = await this.hostArgv(exec);
    const killTree = this.killTree(exec);
    return runProcess({
      argv,
      stdin: exec.stdin,
      killAfterMs: killTree === undefined ? exec.timeoutMs + HOST_GRACE_MS : exec.timeoutMs,
      limits: exec.limits,
      ...(exec.onOutput === undefined ? {} : { onOutput: exec.onOutput }),
      ...(exec.signal === undefined ? {} : { signal: exec.signal }),
      ...(killTree === undefined ? {} : { onDeadline: killTree }),
    });
  }

  private resolve(request: ExecRequest): ResolvedExec {
    const template = this.template;
    const commandBytes = Buffer.byteLength(request.command);
    if (commandBytes > MAX_COMMAND_BYTES) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `The command is ${commandBytes} bytes, and Linux passes at most ${MAX_COMMAND_BYTES} bytes as the one argument of "sh -c"; write the script to a file in the sandbox (files API or stdin) and run that file`,
      );
    }
    if (request.command.includes('\0')) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `The command contains a NUL character at offset ${request.command.indexOf('\0')}, which no program can receive in its arguments; remove it or pass binary data on stdin`,
      );
    }
    if (request.cwd?.includes('\0')) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `The working folder ${JSON.stringify(request.cwd)} contains a NUL character; give a path without one`,
      );
    }
    checkEnv(request.env);
    const cwd =
      request.cwd === undefined ? template.workdir : posix.resolve(template.workdir, request.cwd);
    return {
      command: request.command,
      cwd,
      env: {
        PATH: SANDBOX_PATH,
        HOME: '/tmp',
        ...template.env,
        ...request.env,
      },
      tagGroup: randomInt(TAG_GROUP_RANGE.min, TAG_GROUP_RANGE.max),
      stdin: request.stdin,
      timeoutMs: checkedExecNumber('timeoutMs', request.timeoutMs ?? template.commandTimeoutMs),
      limits: checkedLimits(outputLimits(request, template)),
      onOutput: request.onOutput,
      signal: request.signal,
    };
  }

  private limitNote(
    before: { memory: number; pids: number },
    outcome: { timedOut: boolean; timeoutMs: number; stderr: string },
  ): string {
    const { timedOut, timeoutMs } = outcome;
    const after = readLimitHits(this.id);
    const { resources } = this.template;
    if (NO_SPACE.test(outcome.stderr) && isWritableLayerFull(this.stateDir)) {
      return `\nsandstack: ${this.diskLimitText()} was reached and writes failed; delete files or raise resources.diskBytes in the template`;
    }
    if (after.memory > before.memory) {
      return `\nsandstack: the memory limit of ${resources.memoryBytes} bytes was reached and a process was killed; raise resources.memoryBytes in the template`;
    }
    if (after.pids > before.pids) {
      return `\nsandstack: the pids limit of ${resources.pids} tasks was reached and forks failed; raise resources.pids in the template`;
    }
    if (timedOut) {
      return `\nsandstack: the command timed out after ${timeoutMs}ms and was killed; raise timeoutMs`;
    }
    return '';
  }

  private diskLimitText(): string {
    const parts = hasEgress(this.template)
      ? 'workspace, /tmp and the egress log together'
      : 'workspace and /tmp together';
    return `the disk limit of ${this.template.resources.diskBytes} bytes (${parts})`;
  }

  private fileError(path: string, action: 'read' | 'write', stderr: string): SandstackError {
    if (NO_SPACE.test(stderr)) {
      return new SandstackError(
        'SANDBOX_LIMIT',
        `Could not ${action} "${path}" in sandbox "${this.id}": ${this.diskLimitText()} was reached; delete files or raise resources.diskBytes in the template`,
        { details: { sandboxId: this.id, diskBytes: this.template.resources.diskBytes } },
      );
    }
    return fileError(path, action, stderr);
  }
}

/**
 * Says which stream passed its limit, with the limit's value and where to raise it, as the
 * last line of stderr. A command may only lower the template's limit, so the template is the
 * place unless the command itself set a lower one.
 */
function truncationNote(
  result: Pick<ProcessResult, 'stdoutTruncated' | 'stderrTruncated'>,
  limits: OutputLimits,
  templateLimits: OutputLimits,
): string {
  const cut = (stream: 'stdout' | 'stderr', option: string): string => {
    const remedy =
      limits[stream] < templateLimits[stream]
        ? `raise ${option} (or maxOutputBytes) of the command, up to the template's limit of ${templateLimits[stream]}`
        : `raise ${option} (or maxOutputBytes) of the template, up to ${MAX_OUTPUT_BYTES}, because a command may only lower it`;
    return `\nsandstack: ${stream} passed the limit of ${limits[stream]} bytes and the rest was dropped; ${remedy}`;
  };
  return (
    (result.stdoutTruncated ? cut('stdout', 'maxStdoutBytes') : '') +
    (result.stderrTruncated ? cut('stderr', 'maxStderrBytes') : '')
  );
}

/**
 * Builds the error of suspend, resume and snapshot on a runtime that cannot checkpoint
 * processes.
 */
export function checkpointUnsupported(
  runtime: RuntimeName,
  sandboxId: string,
  action: 'suspend' | 'resume' | 'snapshot',
): SandstackError {
  const why: Record<RuntimeName, string> = {
    bubblewrap: 'bubblewrap runs plain host processes and has no checkpoint of their memory',
    gvisor: 'this gVisor build has no checkpoint support',
    kubernetes:
      'agent-sandbox suspends a Sandbox by deleting its pod, so no process memory is kept to copy',
  };
  return new SandstackError(
    'CHECKPOINT_UNSUPPORTED',
    `Cannot ${action} sandbox "${sandboxId}": runtime ${runtime} cannot checkpoint (${why[runtime]}); use a template with runtime gvisor for sandboxes you suspend or snapshot`,
    { details: { sandboxId, runtime } },
  );
}

/** Largest file `readFile` returns, in bytes. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** The message of ENOSPC, as coreutils and shells print it. */
const NO_SPACE = /No space left on device/;

function checkPath(path: string): string {
  if (path === '' || path.includes('\0')) {
    throw new SandstackError(
      'SANDBOX_PATH_INVALID',
      `Path ${JSON.stringify(path)} is empty or contains a NUL byte; pass a file path`,
    );
  }
  return path;
}

function fileError(path: string, action: 'read' | 'write', stderr: string): SandstackError {
  const detail = stderr.trim().split('\n').pop() ?? '';
  if (/No such file|Not a directory/.test(detail)) {
    return new SandstackError(
      'FILE_NOT_FOUND',
      `File "${path}" not found in the sandbox (${detail})`,
    );
  }
  return new SandstackError(
    'SANDBOX_PATH_INVALID',
    `Could not ${action} "${path}" in the sandbox: ${detail || 'unknown error'}`,
  );
}

/** Longest command text: Linux's limit on one argument (MAX_ARG_STRLEN), less its NUL. */
const MAX_COMMAND_BYTES = 128 * 1024 - 1;

/** Maximum output limit of a command, in bytes. */
const MAX_EXEC_NUMBER = 2 ** 31 - 1;

function checkedLimits(limits: OutputLimits): OutputLimits {
  return {
    stdout: checkedExecNumber('maxStdoutBytes', limits.stdout),
    stderr: checkedExecNumber('maxStderrBytes', limits.stderr),
  };
}

function checkedExecNumber(
  name: 'timeoutMs' | 'maxStdoutBytes' | 'maxStderrBytes',
  value: number,
): number {
  // The driver's own deadline is the timeout plus a grace period, and a Node.js timer fires at
  // once past 2^31 - 1 ms, so the timeout has a lower maximum than the output limits.
  const max = name === 'timeoutMs' ? MAX_COMMAND_TIMEOUT_MS : MAX_EXEC_NUMBER;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid ${name} ${JSON.stringify(value)}; use a whole number from 1 to ${max}`,
    );
  }
  return value;
}

/** Result of a command that ended without a reply from the agent. */
export function killedResult(
  stderr: string,
  outcome: { killed: boolean; durationMs: number },
): ProcessResult {
  return {
    exitCode: 137,
    signal: 'SIGKILL',
    stdout: Buffer.alloc(0),
    stderr: Buffer.from(stderr),
    stdoutTruncated: false,
    stderrTruncated: false,
    aborted: false,
    ...outcome,
  };
}

/**
 * Rejects environment variables a process cannot receive as given: an empty name, a name
 * with `=` (which would set another variable), and a NUL or newline in a name or a NUL in a
 * value.
 * @throws SandstackError `INVALID_ARGUMENT` naming the variable and the fix
 */
function checkEnv(env: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(env ?? {})) {
    if (name === '' || /[=\0\n]/.test(name)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid environment variable name ${JSON.stringify(name)}: a name must be non-empty and contain no "=", NUL or newline; rename it`,
      );
    }
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid value of environment variable "${name}": a value must be a string without NUL characters`,
      );
    }
  }
}
