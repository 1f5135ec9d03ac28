import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { SandstackError } from '../../core/errors.js';
import {
  BACKGROUND_NICENESS,
  cgroupPathFor,
  hasCgroupV1,
  niceArgv,
  readCgroupUsage,
  readLimitHits,
  removeCgroups,
  restoreNormalPriority,
} from '../cgroup.js';
import { hostToolEnv, type ProcessResult } from '../process.js';
import type {
  DriverCreateOptions,
  LayerRecovery,
  OperatingMode,
  RuntimeCheck,
  SandboxDriver,
  SandboxInstance,
  SandboxTemplate,
  SandboxUsage,
  SnapshotInfo,
} from '../types.js';
import {
  copyTree,
  hasImage,
  readEarlierUsage,
  readSnapshotManifest,
  saveEarlierUsage,
  snapshotPaths,
  suspendImageDir,
  treeBytes,
  writeSnapshotManifest,
  type EarlierUsage,
} from './checkpoint-files.js';
import { checkImageBeforeRestore, writeImageManifest } from './checkpoint-image.js';
import { recoverSuspendedLayer } from './suspended-layer.js';
import { agentChannelPaths, type AgentChannelPaths } from './bubblewrap-agent.js';
import { AGENT_PROTOCOL, openAgentClient, type ExecAgentClient } from './exec-agent.js';
import {
  AGENT_ARGS,
  EXEC_AGENT,
  NATIVE_BUILD_DIR,
  NATIVE_DIR_IN_SANDBOX,
  STATX_SHIM,
  STATX_SHIM_COPY_ARG,
  STATX_SHIM_COPY_IN_SANDBOX,
} from './native.js';
import {
  LocalSandbox,
  HOST_GRACE_MS,
  SANDBOX_PATH,
  TAG_GROUP_RANGE,
  commandArgv,
  hiddenPaths,
  createHidingMountSources,
  layoutOf,
  prepareLayout,
  readMeta,
  rejectLeftProcesses,
  takeSpareLayer,
  undoFailedCreate,
  type ResolvedExec,
  type SandboxLayout,
  killedResult,
} from './shared.js';
import {
  isWritableLayerMounted,
  markReleasing,
  removeStateDir,
  writableLayerDir,
} from '../writable-layer.js';
import type { EgressProxy } from '../network/egress-proxy.js';
import { NETNS_DIR } from '../network/netns.js';
import {
  egressLogLimit,
  hasEgress,
  proxyEnv,
  startEgress,
  stopEgress,
  type EgressSettings,
} from '../network/sandbox-egress.js';

const execFileAsync = promisify(execFile);

/** Options for {@link GvisorDriver}. */
export interface GvisorDriverOptions {
  /** The runsc program. @default 'runsc' */
  runscPath?: string;
  /** Host folders hidden in every sandbox, such as the controller's state folder. @default [] */
  hiddenDirs?: string[];
  /** Host files hidden in every sandbox, such as the state database. @default [] */
  hiddenFiles?: string[];
  /**
   * Settings of the egress proxy of templates with `network.egress: 'proxy'`.
   * @default the host's resolver, private addresses refused
   */
  egress?: EgressSettings;
  /**
   * Whether containers run the command agent when setup built it; without it each command is
   * a `runsc exec`. @default true
   */
  commandAgent?: boolean;
}

/** Paths, relative to a root filesystem, where glibc-based distributions keep the C library. */
const GLIBC_PATHS = [
  'lib/x86_64-linux-gnu/libc.so.6',
  'usr/lib/x86_64-linux-gnu/libc.so.6',
  'lib/aarch64-linux-gnu/libc.so.6',
  'usr/lib/aarch64-linux-gnu/libc.so.6',
  'lib64/libc.so.6',
  'usr/lib64/libc.so.6',
  'lib/libc.so.6',
  'usr/lib/libc.so.6',
];

/**
 * User and group that commands run as inside the sandbox: `nobody`, which Debian and most
 * images list in /etc/passwd. Commands are not root, so they cannot open the agent's FIFOs
 * (root's, mode 0600) through /proc/1/fd or signal the agent. runsc 0.0~20221219.0 still
 * lets them list /proc/1/fd and read the agent's environment, which has only PATH and HOME.
 * The agent and the host's kill loops stay root.
 *
 * NOTE: commands cannot do what needs root inside the sandbox (chown, binding ports below
 * 1024, reading root-only files), and on the host the workspace's files belong to uid 65534.
 */
const COMMAND_USER = { uid: 65534, gid: 65534 };

/** Capabilities of the container's init, the command agent. */
const AGENT_CAPABILITIES = ['CAP_SETUID', 'CAP_SETGID', 'CAP_KILL'];

/** CFS period for the CPU quota, in microseconds. */
const CPU_PERIOD_US = 100_000;

/** Extra time the in-sandbox `timeout` allows past the host's deadline. */
const BACKSTOP_MS = 5000;

/** Time allowed for `runsc run -detach` and for each runsc management command. */
const RUNSC_TIMEOUT_MS = 30_000;

/** Time allowed for the warm-up command of a sandbox started for a pool. */
const WARM_UP_TIMEOUT_MS = 10_000;

/**
 * Host tasks the sandbox's pids cgroup allows on top of the template's `resources.pids`, for
 * gVisor itself: under the ptrace platform the Sentry's and gofer's threads count against the
 * cgroup. With runsc 0.0~20221219.0 on a 2-core host, an idle sandbox with the command agent
 * had 113-115 host tasks, and 125-137 while one command ran, with or without egress. The
 * reserve leaves about twice that, so `pids` is what the tenant's processes and threads may
 * use. NOTE: each process inside costs about 10-16 host tasks under ptrace, and the Sentry
 * keeps threads that a burst of commands made, so the template's pids buy fewer processes
 * than on bubblewrap.
 */
export const GVISOR_RESERVED_PIDS = 256;

/** Time allowed for `runsc checkpoint`, which writes all of the sandbox's memory. */
const CHECKPOINT_TIMEOUT_MS = 120_000;

/**
 * Runs sandboxes with gVisor (runsc, ptrace platform): a detached OCI container whose init
 * process sleeps, and one `runsc exec` per command. The container outlives the process
 * that created it, and a later process re-attaches through the runsc state folder kept in
 * the sandbox's state directory.
 */
export class GvisorDriver implements SandboxDriver {
  readonly name = 'gvisor' as const;
  private readonly settings: Required<GvisorDriverOptions>;

  constructor(options: GvisorDriverOptions = {}) {
    this.settings = {
      runscPath: options.runscPath ?? 'runsc',
      hiddenDirs: options.hiddenDirs ?? [],
      hiddenFiles: options.hiddenFiles ?? [],
      egress: options.egress ?? {},
      commandAgent: options.commandAgent ?? true,
    };
  }

  async check(): Promise<RuntimeCheck> {
    const { runscPath } = this.settings;
    let version: string;
    try {
      const { stdout } = await execFileAsync(runscPath, ['--version']);
      version = /runsc version (\S+)/.exec(stdout)?.[1] ?? stdout.trim();
    } catch (error) {
      return unavailable(
        `"${runscPath} --version" failed: ${firstLine(error)}`,
        'Install gVisor (apt-get install runsc)',
      );
    }
    if (process.getuid?.() !== 0) {
      return unavailable('runsc needs root to create sandboxes', 'Run sandstack as root', version);
    }
    if (!hasCgroupV1()) {
      return unavailable(
        'The cgroup v1 controllers cpu, cpuacct, memory and pids are not mounted',
        'Boot with cgroup v1 or hybrid hierarchies (systemd.unified_cgroup_hierarchy=0)',
        version,
      );
    }
    try {
      const args = ['--network=none', '--platform=ptrace', 'do', 'true'];
      await execFileAsync(runscPath, args, { timeout: RUNSC_TIMEOUT_MS });
    } catch (error) {
      return unavailable(
        `"runsc do true" failed: ${firstLine(error)}`,
        'Run "runsc --debug --debug-log=/tmp/runsc/ --network=none do true" and read the log',
        version,
      );
    }
    return { runtime: 'gvisor', available: true, version };
  }

  /**
   * Creates and starts a sandbox. When a step fails, it removes what it made before it
   * throws: the container, cgroups, egress proxy and network namespace, the writable layer's
   * mount and loop device, and the state folder, which the driver owns.
   */
  async create(options: DriverCreateOptions): Promise<SandboxInstance> {
    const createdAt = Date.now();
    const meta = { id: options.id, runtime: this.name, template: options.template, createdAt };
    const label =
      options.template.snapshot === undefined
        ? 'the snapshot'
        : `snapshot "${options.template.snapshot}"`;
    const manifest =
      options.snapshotDir === undefined
        ? undefined
        : readSnapshotManifest(options.snapshotDir, label);
    if (manifest !== undefined) {
      checkSnapshotFits(manifest.template, options.template, label);
    }
    if (manifest !== undefined && hasEgress(options.template)) {
      throw egressCheckpointError(options.id, 'restore a snapshot into');
    }
    if (options.snapshotDir !== undefined) {
      const image = snapshotPaths(options.snapshotDir).image;
      await checkImageBeforeRestore(image, { kind: 'snapshot', label });
    }
    const reservedBytes = egressLogLimit(options.template, this.settings.egress);
    // A spare state folder comes with its layer mounted and the agent's FIFOs made.
    const spare = takeSpareLayer(options, reservedBytes);
    // Without one, a fresh start makes the agent's FIFOs while the writable layer is copied
    // and mounted, because each of the two waits for a child process.
    mkdirSync(options.stateDir, { recursive: true });
    const useAgent =
      options.snapshotDir === undefined && this.settings.commandAgent && existsSync(EXEC_AGENT);
    const fifos = !useAgent
      ? undefined
      : spare
        ? Promise.resolve()
        : makeAgentFifos(agentChannelPaths(options.stateDir));
    // Keep a failure here for the await below, so it is not reported as unhandled meanwhile.
    fifos?.catch(() => undefined);
    let proxy: EgressProxy | undefined;
    try {
      const layout = await prepareLayout(options.stateDir, meta, reservedBytes);
      // The network namespace and its proxy must exist before runsc joins the namespace.
      proxy = await startEgress(options.id, options.template, {
        stateDir: options.stateDir,
        settings: this.settings.egress,
      });
      const sandbox = new GvisorSandbox({
        ...this.settings,
        ...meta,
        layout,
        stateDir: options.stateDir,
        proxy,
      });
      await this.startCreated(sandbox, options, fifos);
      return sandbox;
    } catch (error) {
      await fifos?.catch(() => undefined);
      throw await undoCreate(this.settings.runscPath, options, proxy, error);
    }
  }

  /** Boots or restores a sandbox that create() has laid out. */
  private async startCreated(
    sandbox: GvisorSandbox,
    options: DriverCreateOptions,
    fifos: Promise<void> | undefined,
  ): Promise<void> {
    const niceness = options.background === true ? BACKGROUND_NICENESS : 0;
    if (options.snapshotDir === undefined) {
      await sandbox.start(niceness, fifos);
    } else {
      const paths = snapshotPaths(options.snapshotDir);
      await copyTree(paths.files, writableLayerDir(options.stateDir));
      await sandbox.restoreFrom(paths.image, niceness);
    }
    if (options.background === true) {
      await sandbox.warmUp();
    }
    if (niceness !== 0) {
      // runsc puts the sandbox and its gofer into the container's cgroup, so this reaches
      // every process that stays after `runsc run` has exited.
      restoreNormalPriority(options.id);
    }
  }

  /**
   * Mounts the writable layer of a suspended sandbox again when a host reboot, or an unmount
   * while the host stayed up, left it unmounted, so that a later resume restores its
   * processes over the same files. The checkpoint image is verified first, and the boot id
   * recorded at suspend distinguishes the two causes (see recoverSuspendedLayer). The rest of
   * what a reboot removes needs no re-creating: suspend already removed the runsc state
   * folder and the cgroups, and the restore makes them anew. A template with egress cannot be
   * suspended, so no network namespace is needed either.
   * @returns how the layer was recovered, or undefined when it was mounted already
   * @throws SandstackError `CHECKPOINT_CORRUPT` for a damaged checkpoint image,
   *   `SANDBOX_FAILED` when the metadata, the checkpoint image or the disk image is missing,
   *   the disk image is corrupt or still attached to a loop device (retryable then), and
   *   `CHECKPOINT_UNSUPPORTED` when the image's command agent speaks another protocol. The
   *   layer is left unmounted then.
   */
  recoverSuspended(options: DriverCreateOptions): Promise<LayerRecovery | undefined> {
    return recoverSuspendedLayer({
      id: options.id,
      stateDir: options.stateDir,
      checkInit: (imageDir) => readCheckpointInit(imageDir, options.id),
    });
  }

  /**
   * Re-attaches to a sandbox. A suspended sandbox whose writable layer a host reboot
   * unmounted is mounted again first (see recoverSuspended), which throws when it cannot be.
   */
  async attach(options: DriverCreateOptions): Promise<SandboxInstance | undefined> {
    if (!isWritableLayerMounted(options.stateDir) && hasImage(suspendImageDir(options.stateDir))) {
      await this.recoverSuspended(options);
    }
    const meta = readMeta(options.stateDir);
    if (meta === undefined) {
      return undefined;
    }
    // The proxy lived in the process that created the sandbox, so start it again here.
    const proxy = await startEgress(options.id, meta.template, {
      stateDir: options.stateDir,
      settings: this.settings.egress,
    });
    const layout = layoutOf(options.stateDir);
    createHidingMountSources(layout);
    const sandbox = new GvisorSandbox({
      ...this.settings,
      id: options.id,
      template: meta.template,
      createdAt: meta.createdAt,
      layout,
      stateDir: options.stateDir,
      proxy,
    });
    const alive = await sandbox.isAlive();
    if (alive) {
      await sandbox.killOrphanedCommands();
    }
    const imageDir = suspendImageDir(options.stateDir);
    if (alive && hasImage(imageDir)) {
      // A resume restored the container and its process died before removing the image.
      rmSync(imageDir, { recursive: true, force: true });
    }
    if (!alive && !hasImage(imageDir)) {
      // The runtime died with the process that ran it, and its cgroups still count what it
      // used. Starting again removes them, so keep that usage first.
      sandbox.rememberUsage();
      await sandbox.start();
    }
    return sandbox;
  }
}

interface GvisorSandboxOptions extends Required<GvisorDriverOptions> {
  id: string;
  template: SandboxTemplate;
  layout: SandboxLayout;
  stateDir: string;
  createdAt: number;
  /** The egress proxy of a `proxy` template's sandbox, when this process runs it. */
  proxy: EgressProxy | undefined;
}

class GvisorSandbox extends LocalSandbox implements SandboxInstance {
  readonly id: string;
  readonly runtime = 'gvisor' as const;
  protected readonly template: SandboxTemplate;
  protected readonly createdAt: number;
  protected readonly stateDir: string;
  private readonly runscRoot: string;
  private readonly bundle: string;
  /** The container ran the last command normally, so the next one skips `runsc state`. */
  private knownAlive = false;
  /** Set by destroy, so a command it cuts short returns its result instead of a crash error. */
  private destroying = false;
  /** Channel to the command agent, the container's init, when the agent was built. */
  private agent: ExecAgentClient | undefined;
  /** A checkpoint is being written, so a command that ends now was cut by it. */
  private checkpointing = false;
  /**
   * The agent copied the statx shim into the sandbox's /dev, so commands preload that copy.
   * Undefined until a launch sets it or the bundle is read.
   */
  private shimCopied: boolean | undefined;
  /** The agent missed a reply deadline once, so later commands use `runsc exec`. */
  private agentFailed = false;
  /** CPU and memory of runtimes that ended earlier, so usage() keeps counting them. */
  private earlierUsage: EarlierUsage;

  constructor(private readonly options: GvisorSandboxOptions) {
    super();
    this.id = options.id;
    this.template = options.template;
    this.createdAt = options.createdAt;
    this.stateDir = options.stateDir;
    this.runscRoot = runscRootOf(options.stateDir);
    this.bundle = join(options.stateDir, 'bundle');
    this.earlierUsage = readEarlierUsage(options.stateDir);
  }

  get operatingMode(): OperatingMode {
    return hasImage(suspendImageDir(this.stateDir)) ? 'Suspended' : 'Running';
  }

  /**
   * Starts a fresh container over the workspace, after removing what a dead one left.
   * @throws SandstackError `SANDBOX_FAILED` when runsc cannot start it
   */
  /**
   * Starts the container with `runsc run`, its host processes at `niceness` (default 0).
   * `fifos` is the creation of the agent's FIFOs when the caller started it already.
   */
  async start(niceness = 0, fifos?: Promise<void>): Promise<void> {
    const args = ['run', '-detach', '-bundle', this.bundle, this.id];
    await this.launch(args, 'start', niceness, undefined, fifos);
  }

  /**
   * Starts the container from a checkpoint image instead of booting it, over the workspace
   * that is already in place.
   * @throws SandstackError `SANDBOX_FAILED` when runsc cannot restore it
   */
  async restoreFrom(imageDir: string, niceness = 0): Promise<void> {
    const init = readCheckpointInit(imageDir, this.id);
    const args = ['restore', '--image-path', imageDir, '-detach', '-bundle', this.bundle, this.id];
    await this.launch(args, 'restore', niceness, init);
  }

  /**
   * Writes a fresh bundle and runs `runsc run` or `runsc restore` with it, detached, its host
   * processes at `niceness`. A start runs the agent when it was built, and the agent copies
   * the statx shim when the sandbox uses it. A restore runs what the image contains (`image`).
   */
  private async launch(
    runscArgs: string[],
    action: 'start' | 'restore',
    niceness: number,
    image?: CheckpointInit,
    fifos?: Promise<void>,
  ): Promise<void> {
    await this.removeContainer();
    mkdirSync(this.runscRoot, { recursive: true });
    mkdirSync(this.bundle, { recursive: true });
    const useAgent = await this.prepareAgentChannel(image?.agent, fifos);
    const copyShim = useAgent && (image === undefined ? this.usesShim() : image.shimCopy);
    this.shimCopied = copyShim;
    giveWorkspaceToCommands(this.options.layout.workspace);
    writeFileSync(
      join(this.bundle, 'config.json'),
      JSON.stringify(this.ociSpec(useAgent, copyShim), null, 2),
    );
    const runsc = this.runsc(...runscArgs);
    const [program = 'runsc', ...args] = niceness === 0 ? runsc : [...niceArgv(niceness), ...runsc];
    // A new agent reads a ping that waits in its FIFO as soon as it boots, so on a start the
    // ping is sent once runsc has spawned, and its reply can arrive while runsc still runs.
    let earlyPing: Promise<string | undefined> | undefined;
    const onSpawn =
      action === 'start' && useAgent
        ? () => {
            earlyPing = this.openAgentAndPing();
          }
        : undefined;
    const result = await runDetached(
      program,
      args,
      join(this.options.stateDir, `runsc-${action}.log`),
      useAgent ? this.agentPaths() : undefined,
      onSpawn,
    ).catch((error: unknown) => {
      this.closeAgent();
      throw error;
    });
    if (result.code !== 0) {
      this.closeAgent();
      await this.removeContainer();
      const detail = result.stderr.trim().split('\n').pop() ?? '';
      throw new SandstackError(
        'SANDBOX_FAILED',
        `runsc could not ${action} sandbox "${this.id}": ${detail}`,
        { retryable: true },
      );
    }
    this.knownAlive = false;
    if (useAgent) {
      await this.connectAgent(earlyPing);
    }
  }

  private closeAgent(): void {
    this.agent?.close();
    this.agent = undefined;
  }

  /**
   * Opens the channel to the agent and sends it a ping. Resolves with the agent's protocol,
   * or undefined when the channel cannot be opened or the agent does not reply in time.
   */
  private openAgentAndPing(): Promise<string | undefined> {
    try {
      this.agent = openAgentClient(this.agentPaths());
    } catch {
      // The container already ended; the first command finds that out and restarts it.
      return Promise.resolve(undefined);
    }
    return this.agent?.ping(RUNSC_TIMEOUT_MS) ?? Promise.resolve(undefined);
  }

  /**
   * Waits until a freshly started agent can take a command, so that a sandbox in a pool is
   * ready for its first command. `earlyPing` is a ping sent while runsc started; without it
   * this opens the channel and pings now. An agent that does not reply in time is left to
   * the first command, which falls back to `runsc exec` if it must.
   */
  private async connectAgent(earlyPing?: Promise<string | undefined>): Promise<void> {
    const protocol = await (earlyPing ?? this.openAgentAndPing());
    if (this.agent === undefined) {
      return;
    }
    if (protocol === AGENT_PROTOCOL) {
      // The channel's end-of-file tells when the container ends, so while it stays open
      // commands need no `runsc state` first.
      this.knownAlive = true;
    } else if (protocol !== undefined) {
      // The agent in native/build speaks another protocol because setup.sh was not run
      // after an update. It cannot parse these requests, so commands use runsc exec.
      this.agentFailed = true;
      this.agent.close();
      this.agent = undefined;
    }
  }

  /**
   * Runs `true` through the agent once, so that the first command of a sandbox that waits in
   * a pool does not pay for loading the shell and the C library into gVisor's caches. In a
   * fresh sandbox the first `true` took 24.5 ms p50 and the next ones 13-14 ms (n=8, load
   * average 10). The result is ignored: a broken agent shows on the first real command.
   */
  async warmUp(): Promise<void> {
    const agent = this.agent;
    if (agent === undefined || agent.closed) {
      return;
    }
    const exec = this.withSandboxEnv({
      command: 'true',
      cwd: this.template.workdir,
      env: { PATH: SANDBOX_PATH, HOME: '/tmp', ...this.template.env },
      tagGroup: randomInt(TAG_GROUP_RANGE.min, TAG_GROUP_RANGE.max),
      stdin: undefined,
      timeoutMs: WARM_UP_TIMEOUT_MS,
      limits: { stdout: 0, stderr: 0 },
      onOutput: undefined,
      signal: undefined,
    });
    await agent.exec(exec, { deadlineMs: WARM_UP_TIMEOUT_MS + HOST_GRACE_MS, user: COMMAND_USER });
  }

  async suspend(): Promise<void> {
    if (this.operatingMode === 'Suspended') {
      return;
    }
    this.rejectIfEgress('suspend');
    await this.ensureRunning();
    const imageDir = suspendImageDir(this.stateDir);
    // The image is written under another name and renamed, so a suspend cut short never
    // looks like a complete checkpoint.
    const partial = `${imageDir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    await this.checkpointTo(partial);
    renameSync(partial, imageDir);
    await this.removeContainer();
  }

  async resume(): Promise<void> {
    const imageDir = suspendImageDir(this.stateDir);
    if (!hasImage(imageDir)) {
      return;
    }
    await checkImageBeforeRestore(imageDir, { kind: 'suspended', sandboxId: this.id });
    await this.restoreFrom(imageDir);
    rmSync(imageDir, { recursive: true, force: true });
  }

  async snapshot(dir: string): Promise<SnapshotInfo> {
    if (existsSync(dir)) {
      throw new SandstackError(
        'ALREADY_EXISTS',
        `Snapshot folder "${dir}" already exists; pick another snapshot name`,
      );
    }
    this.rejectIfEgress('snapshot');
    const paths = snapshotPaths(dir);
    const suspended = this.operatingMode === 'Suspended';
    const started = performance.now();
    mkdirSync(dir, { recursive: true });
    if (suspended) {
      await copyTree(suspendImageDir(this.stateDir), paths.image);
    } else {
      await this.ensureRunning();
      await this.checkpointTo(paths.image);
    }
    // The processes are stopped now, so the copy matches the checkpoint.
    await copyTree(writableLayerDir(this.stateDir), paths.files);
    if (!suspended) {
      await this.restoreFrom(paths.image);
    }
    const pausedMs = suspended ? 0 : performance.now() - started;
    writeSnapshotManifest(dir, {
      sourceId: this.id,
      runtime: this.runtime,
      template: this.template,
      createdAt: Date.now(),
    });
    return {
      imageBytes: await treeBytes(paths.image),
      filesBytes: await treeBytes(paths.files),
      pausedMs: Math.round(pausedMs),
    };
  }

  /**
   * Runs `runsc checkpoint`, which stops the container after writing its image. Usage is
   * read first because the checkpoint ends the container's cgroups.
   *
   * NOTE: `--leave-running` is not used. In runsc 0.0~20221219.0 it does not return: the
   * command stays in the foreground as the restarted container's parent, and killing it can
   * break the container's file access. A checkpoint followed by a restore does the same job.
   */
  private async checkpointTo(imageDir: string): Promise<void> {
    // Set before the agent closes, because closing ends its running commands at once.
    this.checkpointing = true;
    this.agent?.close();
    this.agent = undefined;
    this.rememberUsage();
    mkdirSync(imageDir, { recursive: true });
    const [program = 'runsc', ...args] = this.runsc(
      'checkpoint',
      '--image-path',
      imageDir,
      this.id,
    );
    let init = 'none';
    if (this.runsCurrentAgent()) {
      init = this.copiesShim() ? `${AGENT_INIT} ${SHIM_COPY_INIT}` : AGENT_INIT;
    }
    try {
      await execFileAsync(program, args, { timeout: CHECKPOINT_TIMEOUT_MS });
      writeFileSync(join(imageDir, CHECKPOINT_INIT_FILE), `${init}\n`);
      // Last, so that its digests cover the init file too.
      await writeImageManifest(imageDir);
    } catch (error) {
      rmSync(imageDir, { recursive: true, force: true });
      throw new SandstackError(
        'SANDBOX_FAILED',
        `runsc could not checkpoint sandbox "${this.id}": ${lastLine(error)}`,
        { cause: error, retryable: true },
      );
    } finally {
      this.checkpointing = false;
      this.knownAlive = false;
    }
  }

  async usage(): Promise<SandboxUsage> {
    const now = readCgroupUsage(this.id);
    return {
      cpuSeconds: this.earlierUsage.cpuSeconds + now.cpuSeconds,
      memoryPeakBytes: Math.max(this.earlierUsage.memoryPeakBytes, now.memoryPeakBytes),
      wallSeconds: this.wallSeconds(),
    };
  }

  async isAlive(): Promise<boolean> {
    if (!existsSync(this.runscRoot)) {
      return false;
    }
    try {
      const args = ['--root', this.runscRoot, 'state', this.id];
      const { stdout } = await execFileAsync(this.options.runscPath, args);
      return (JSON.parse(stdout) as { status?: string }).status === 'running';
    } catch {
      return false;
    }
  }

  async destroy(): Promise<void> {
    this.destroying = true;
    markReleasing(this.stateDir);
    this.knownAlive = false;
    this.agent?.close();
    this.agent = undefined;
    const left = await this.removeContainer();
    await stopEgress(this.id, this.options.proxy);
    await removeStateDir(this.options.stateDir);
    if (left.length > 0) {
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Sandbox "${this.id}" still has processes ${left.join(', ')} after SIGKILL; kill them by hand`,
      );
    }
  }

  protected async hostArgv(resolved: ResolvedExec): Promise<string[]> {
    const exec = this.withSandboxEnv(resolved);
    await this.ensureRunning();
    const env = Object.entries(exec.env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
    // The host's deadline (killTree) must fire first, so the in-sandbox timeout is a backstop.
    const backstop = { ...exec, timeoutMs: exec.timeoutMs + BACKSTOP_MS };
    const user = `--user=${COMMAND_USER.uid}:${COMMAND_USER.gid}`;
    const tag = `--additional-gids=${exec.tagGroup}`;
    return this.runsc(
      'exec',
      '--cwd',
      exec.cwd,
      user,
      tag,
      ...env,
      this.id,
      ...commandArgv(backstop),
    );
  }

  /**
   * Runs a command through the agent when the sandbox has one, else through `runsc exec`. A
   * command whose reply does not come by its deadline is killed from the host, and the
   * sandbox stops using the agent.
   */
  protected override async runCommand(resolved: ResolvedExec): Promise<ProcessResult> {
    const exec = this.withSandboxEnv(resolved);
    await this.ensureRunning();
    if (this.agentFailed || !existsSync(this.agentPaths().requests)) {
      return super.runCommand(exec);
    }
    if (this.agent === undefined || this.agent.closed) {
      if (!this.runsCurrentAgent()) {
        // An agent started by an older sandstack speaks an older protocol.
        this.agentFailed = true;
        return super.runCommand(exec);
      }
      try {
        this.agent = openAgentClient(this.agentPaths());
      } catch {
        // No process has the FIFOs open, so the container is gone, and runsc exec reports that.
        return super.runCommand(exec);
      }
      if (this.agent === undefined) {
        // Another process reads the agent's replies, so this one uses runsc exec.
        return super.runCommand(exec);
      }
    }
    // destroy() may clear this.agent while the command runs, so keep this command's client.
    const agent = this.agent;
    const started = performance.now();
    const result = await agent.exec(exec, {
      deadlineMs: exec.timeoutMs + HOST_GRACE_MS,
      user: COMMAND_USER,
    });
    if (result !== undefined) {
      return result;
    }
    if (agent.closed) {
      // The container died during the command (a limit, or runsc was killed). afterCommand
      // finds out which and reports it.
      this.agent = undefined;
      return killedResult('', { killed: false, durationMs: performance.now() - started });
    }

    this.agentFailed = true;
    agent.close();
    this.agent = undefined;
    await this.killTree(exec)();
    const deadlineMs = exec.timeoutMs + HOST_GRACE_MS;
    const note = `sandstack: the sandbox's command agent did not reply within ${deadlineMs}ms, so the command was killed. Later commands use runsc exec.\n`;
    return killedResult(note, { killed: true, durationMs: deadlineMs });
  }

  protected override beforeCommand(): Promise<void> {
    return this.ensureRunning();
  }

  /**
   * Restarts the container over the same workspace when an earlier command or a signal from
   * outside ended it. A running sandbox that a host reboot ended is never re-attached (its
   * workspace is not mounted), so that case does not reach this.
   */
  private async ensureRunning(): Promise<void> {
    this.rejectIfSuspended();
    if (!existsSync(this.options.layout.workspace)) {
      throw new SandstackError(
        'SANDBOX_NOT_FOUND',
        `Sandbox "${this.id}" was destroyed; claim a new one`,
      );
    }
    // An open agent channel means the container runs: its end-of-file closes the channel.
    const channelOpen = this.agent !== undefined && !this.agent.closed;
    if (!this.knownAlive && !channelOpen && !(await this.isAlive())) {
      // An earlier command crashed the runtime (a limit), or a signal from outside ended it:
      // start again over the same workspace rather than failing every later command.
      this.rememberUsage();
      await this.start();
    }
    this.knownAlive = true;
  }

  private rejectIfSuspended(): void {
    if (this.operatingMode === 'Suspended') {
      throw this.suspendedError('it is suspended');
    }
  }

  private suspendedError(why: string): SandstackError {
    return new SandstackError(
      'SANDBOX_SUSPENDED',
      `Sandbox "${this.id}" cannot run commands because ${why}`,
      {
        details: { sandboxId: this.id },
        remedy: {
          cli: `resume it first with "sandstack sandbox resume ${this.id}"`,
          http: `resume it first with POST /v1/sandboxes/${this.id}/resume`,
        },
      },
    );
  }

  /**
   * Adds the proxy variables of a sandbox with egress, which the command may override, and
   * the statx shim to LD_PRELOAD when this sandbox mounts it.
   */
  private withSandboxEnv(exec: ResolvedExec): ResolvedExec {
    const env = { ...proxyEnv(this.template), ...exec.env };
    if (this.usesShim() && env.LD_PRELOAD === undefined) {
      env.LD_PRELOAD = this.copiesShim()
        ? STATX_SHIM_COPY_IN_SANDBOX
        : `${NATIVE_DIR_IN_SANDBOX}/gvisor-statx.so`;
    }
    return { ...exec, env };
  }

  /**
   * Rejects a checkpoint of a sandbox with egress. Its runtime uses the host network stack
   * of its own namespace, and runsc 0.0~20221219.0 fails with "checkpoint not supported when
   * using hostinet".
   */
  private rejectIfEgress(action: 'suspend' | 'snapshot'): void {
    if (hasEgress(this.template)) {
      throw egressCheckpointError(this.id, action);
    }
  }

  /**
   * Returns whether this sandbox loads the shim: a host-root sandbox, and a directory-root one
   * whose root has a GNU C library. The shim needs only `syscall` at version GLIBC_2.2.5,
   * which every glibc of the same architecture has. A musl root gets no shim.
   */
  private usesShim(): boolean {
    const { rootfs } = this.template;
    if (!existsSync(STATX_SHIM)) {
      return false;
    }
    // NOTE: existsSync resolves an absolute symlink in the root against the host, so the
    // check can be wrong for a root whose library paths are absolute symlinks.
    return (
      rootfs.kind === 'host' || GLIBC_PATHS.some((path) => existsSync(join(rootfs.path, path)))
    );
  }

  /**
   * Returns whether the container's init is this version's agent, from its OCI bundle, which
   * lists the agent's arguments and may add the shim copy.
   */
  private runsCurrentAgent(): boolean {
    const args = this.bundleArgs();
    const extra = args.slice(AGENT_ARGS.length);
    return (
      AGENT_ARGS.every((arg, i) => args[i] === arg) &&
      extra.every((arg) => arg === STATX_SHIM_COPY_ARG)
    );
  }

  /**
   * Returns whether the agent copied the statx shim into the sandbox's /dev, from the launch
   * of this process or else from the bundle of the process that launched the container.
   */
  private copiesShim(): boolean {
    this.shimCopied ??= this.runsCurrentAgent() && this.bundleArgs().includes(STATX_SHIM_COPY_ARG);
    return this.shimCopied;
  }

  private bundleArgs(): string[] {
    try {
      const spec = JSON.parse(readFileSync(join(this.bundle, 'config.json'), 'utf8')) as {
        process?: { args?: string[] };
      };
      return spec.process?.args ?? [];
    } catch {
      return [];
    }
  }

  private agentPaths(): AgentChannelPaths {
    return agentChannelPaths(this.options.stateDir);
  }

  /**
   * Creates fresh FIFOs for the command agent when the agent was built, or waits for `fifos`,
   * which made them for a fresh start. Returns false when the container runs without the
   * agent, and its init is then `sleep`.
   */
  private async prepareAgentChannel(
    withAgent: boolean | undefined,
    fifos: Promise<void> | undefined,
  ): Promise<boolean> {
    this.agent?.close();
    this.agent = undefined;
    this.agentFailed = false;
    if (fifos !== undefined) {
      await fifos;
      return true;
    }
    const paths = this.agentPaths();
    rmSync(paths.requests, { force: true });
    rmSync(paths.replies, { force: true });
    if (!(withAgent ?? (this.options.commandAgent && existsSync(EXEC_AGENT)))) {
      return false;
    }
    await makeAgentFifos(paths);
    return true;
  }

  /**
   * Kills a timed-out command's processes by their supplementary group (see TAG_GROUP_RANGE).
   * In runsc 0.0~20221219.0 neither GNU `timeout` nor `kill -KILL -PGID` inside the sandbox
   * stops a process group started by `runsc exec`, so the host finds the processes in
   * /proc/<pid>/status and kills each one.
   */
  protected override killTree(exec: ResolvedExec): () => Promise<void> {
    const group = String(exec.tagGroup);
    // Stop every process first and kill them after, so that no parent runs another line
    // while its children die one by one.
    const loop = (signal: string): string =>
      `for p in /proc/[0-9]*; do if grep -qE '^Groups:(.*[[:space:]])?${group}([[:space:]]|$)' "$p/status" 2>/dev/null; then kill -${signal} "\${p#/proc/}" 2>/dev/null; fi; done`;
    const script = `${loop('STOP')}; ${loop('KILL')}; true`;
    return async () => {
      const args = this.runsc('exec', this.id, '/bin/sh', '-c', script);
      // The loop kills a fork bomb's new children too, so run it a few times (bounded).
      for (let round = 0; round < 3; round += 1) {
        await execFileAsync(args[0] ?? 'runsc', args.slice(1), { timeout: RUNSC_TIMEOUT_MS }).catch(
          () => undefined,
        );
      }
    };
  }

  /**
   * Kills every process in the container except its init (the agent, or `sleep`), because a
   * process which died (for example by SIGKILL) may have left commands running. They keep
   * running inside the container after their `runsc exec` client or agent request is gone,
   * and a command retried after the crash must not race its first attempt. Background
   * processes of earlier commands end too, whatever their environment or session.
   */
  async killOrphanedCommands(): Promise<void> {
    const loop = (signal: string): string =>
      `for p in /proc/[0-9]*; do n=\${p#/proc/}; if [ "$n" != 1 ] && [ "$n" != $$ ]; then kill -${signal} "$n" 2>/dev/null; fi; done`;
    const args = this.runsc(
      'exec',
      this.id,
      '/bin/sh',
      '-c',
      `${loop('STOP')}; ${loop('KILL')}; true`,
    );
    // The loop kills a fork bomb's new children too, so run it a few times (bounded). A
    // failure here means the container is going away; the next command restarts it.
    for (let round = 0; round < 3; round += 1) {
      await execFileAsync(args[0] ?? 'runsc', args.slice(1), { timeout: RUNSC_TIMEOUT_MS }).catch(
        () => undefined,
      );
    }
  }

  protected async afterCommand(
    result: ProcessResult,
    hitsBefore: { memory: number; pids: number },
  ): Promise<void> {
    if (this.checkpointing || this.operatingMode === 'Suspended') {
      // A suspend stopped the container under the command, which is not a limit.
      throw this.suspendedError('the sandbox was suspended while the command ran');
    }
    if (result.exitCode === 0 || this.destroying) {
      return;
    }
    this.knownAlive = await this.isAlive();
    if (this.knownAlive) {
      return;
    }
    const hits = readLimitHits(this.id);
    const { resources } = this.template;
    this.rememberUsage();
    await this.removeContainer();
    const details = {
      sandboxId: this.id,
      pids: resources.pids,
      memoryBytes: resources.memoryBytes,
    };
    const memoryHit = hits.memory > hitsBefore.memory;
    if (!memoryHit && hits.pids <= hitsBefore.pids) {
      // No cgroup counted a refused fork or an OOM kill, so something outside ended the
      // runtime: a signal from another process, or a crash of runsc itself.
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Sandbox "${this.id}" stopped while running the command: its gVisor runtime ended ` +
          'without hitting a limit (killed from outside or crashed; see the runsc log in its ' +
          'state folder). The next command starts a fresh runtime over the same workspace',
        { details },
      );
    }
    const limit = memoryHit
      ? `memory limit of ${resources.memoryBytes} bytes`
      : `pids limit of ${resources.pids} tasks (counted as host tasks, above the ${GVISOR_RESERVED_PIDS} that gVisor itself may use)`;
    throw new SandstackError(
      'SANDBOX_LIMIT',
      `Sandbox "${this.id}" stopped while running the command because it hit its ${limit}; ` +
        'raise the limit in the template. ' +
        'The next command starts a fresh runtime over the same workspace',
      { details },
    );
  }

  /** Adds what the cgroups counted so far to the usage kept in the state folder. */
  rememberUsage(): void {
    const now = readCgroupUsage(this.id);
    this.earlierUsage = {
      cpuSeconds: this.earlierUsage.cpuSeconds + now.cpuSeconds,
      memoryPeakBytes: Math.max(this.earlierUsage.memoryPeakBytes, now.memoryPeakBytes),
    };
    saveEarlierUsage(this.stateDir, this.earlierUsage);
  }

  /**
   * Kills and deletes the container, then kills what is left in its cgroups, because a
   * failed runsc can leave `runsc-sandbox` and `runsc-gofer` processes that its state
   * folder no longer lists.
   */
  private removeContainer(): Promise<number[]> {
    return removeContainer(this.options.runscPath, this.runscRoot, this.id);
  }

  /**
   * Returns a runsc command line. A sandbox with egress uses the host network stack, but the
   * network namespace it joins (see ociSpec) has only loopback, where the proxy listens.
   * Others get gVisor's own stack with no interface but its loopback.
   */
  private runsc(...args: string[]): string[] {
    const network = hasEgress(this.template) ? '--network=host' : '--network=none';
    const global = ['--root', this.runscRoot, network, '--platform=ptrace'];
    return [this.options.runscPath, ...global, ...args];
  }

  private ociSpec(useAgent: boolean, copyShim: boolean): unknown {
    const { layout, hiddenDirs, hiddenFiles } = this.options;
    const template = this.template;
    const hidden = hiddenPaths(template.rootfs, {
      dirs: hiddenDirs,
      files: hiddenFiles,
      workdir: template.workdir,
    });
    const bind = (source: string, destination: string, mode: 'ro' | 'rw'): unknown => ({
      destination,
      type: 'bind',
      source,
      options: ['rbind', mode],
    });
    const files = hidden.files;
    const mounts = [
      { destination: '/proc', type: 'proc', source: 'proc' },
      ...hidden.dirs.map((dir) => bind(layout.emptyDir, dir, 'ro')),
      ...files.map((file) => bind(layout.emptyFile, file, 'ro')),
      bind(layout.tmp, '/tmp', 'rw'),
      ...(useAgent || this.usesShim() ? [bind(NATIVE_BUILD_DIR, NATIVE_DIR_IN_SANDBOX, 'ro')] : []),
      bind(layout.workspace, template.workdir, 'rw'),
    ];
    const { resources } = template;
    const quota = Math.max(1000, Math.round(resources.cpu * CPU_PERIOD_US));
    return {
      ociVersion: '1.0.2',
      process: {
        args: useAgent
          ? [...AGENT_ARGS, ...(copyShim ? [STATX_SHIM_COPY_ARG] : [])]
          : ['sleep', 'infinity'],
        cwd: '/',
        env: [`PATH=${SANDBOX_PATH}`],
        user: { uid: 0, gid: 0 },
        // Only what the agent needs to start commands as COMMAND_USER with a tag group and
        // to kill their processes. Commands lose all of these when they change to that
        // user, and noNewPrivileges keeps them from coming back.
        capabilities: {
          bounding: AGENT_CAPABILITIES,
          effective: AGENT_CAPABILITIES,
          permitted: AGENT_CAPABILITIES,
          inheritable: [],
          ambient: [],
        },
        noNewPrivileges: true,
      },
      root: { path: template.rootfs.kind === 'host' ? '/' : template.rootfs.path, readonly: true },
      hostname: 'sandbox',
      mounts,
      linux: {
        cgroupsPath: cgroupPathFor(this.id),
        resources: {
          memory: { limit: resources.memoryBytes },
          cpu: { quota, period: CPU_PERIOD_US },
          pids: { limit: resources.pids + GVISOR_RESERVED_PIDS },
        },
        namespaces: [
          ...['pid', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
          hasEgress(template)
            ? { type: 'network', path: join(NETNS_DIR, this.id) }
            : { type: 'network' },
        ],
      },
    };
  }
}

/**
 * Makes the workspace belong to {@link COMMAND_USER}. A workspace that root-run commands
 * filled (a sandbox started by an earlier version) is handed over file by file, once.
 * `chown -R` does not follow symbolic links, and the workspace is its own filesystem (the
 * writable layer), so no hard link inside it reaches a host file.
 */
function giveWorkspaceToCommands(workspace: string): void {
  const { uid, gid } = COMMAND_USER;
  const owner = statSync(workspace);
  if (owner.uid === uid && owner.gid === gid) {
    return;
  }
  // A new workspace is empty, so it needs no `chown -R` process.
  if (readdirSync(workspace).length === 0) {
    chownSync(workspace, uid, gid);
    return;
  }
  execFileSync('chown', ['-R', '-P', `${uid}:${gid}`, workspace]);
}

/**
 * Makes the agent's two FIFOs (mode 0600) anew. New files cut off any process that still
 * has the old ones open, so it cannot read the new agent's replies.
 */
async function makeAgentFifos(paths: { requests: string; replies: string }): Promise<void> {
  rmSync(paths.requests, { force: true });
  rmSync(paths.replies, { force: true });
  await execFileAsync('mkfifo', ['-m', '600', paths.requests, paths.replies]);
}

/** Folder that runsc keeps a sandbox's container state in (its `--root`). */
function runscRootOf(stateDir: string): string {
  return join(stateDir, 'runsc');
}

/**
 * Kills and deletes a container, then kills what is left in its cgroups and removes them.
 * @returns the process ids that could not be killed (empty on success)
 */
async function removeContainer(
  runscPath: string,
  runscRoot: string,
  id: string,
): Promise<number[]> {
  if (existsSync(runscRoot)) {
    const run = (args: string[]): Promise<unknown> =>
      execFileAsync(runscPath, ['--root', runscRoot, ...args], {
        timeout: RUNSC_TIMEOUT_MS,
      }).catch(() => undefined);
    await run(['kill', '--all', id, 'KILL']);
    await run(['delete', '--force', id]);
    rmSync(runscRoot, { recursive: true, force: true });
  }
  return removeCgroups(id);
}

/**
 * Undoes what a failed create() made: the container and its cgroups, the egress proxy and
 * network namespace, the writable layer's mount and loop device, and the state folder.
 * Returns the error to throw (see {@link undoFailedCreate}).
 */
function undoCreate(
  runscPath: string,
  options: DriverCreateOptions,
  proxy: EgressProxy | undefined,
  error: unknown,
): Promise<unknown> {
  const { id, stateDir } = options;
  return undoFailedCreate(id, error, [
    async () =>
      rejectLeftProcesses(id, await removeContainer(runscPath, runscRootOf(stateDir), id)),
    () => stopEgress(id, proxy),
    () => removeStateDir(stateDir),
  ]);
}

function egressCheckpointError(sandboxId: string, action: string): SandstackError {
  return new SandstackError(
    'CHECKPOINT_UNSUPPORTED',
    `Cannot ${action} sandbox "${sandboxId}": its template allows egress, and gVisor cannot checkpoint a sandbox on the host network stack that egress uses; use a template with network.egress "none" for sandboxes you suspend or snapshot`,
    { details: { sandboxId, runtime: 'gvisor' } },
  );
}

/**
 * Runs `runsc run -detach` and waits for it to exit, calling `onSpawn` once it has started.
 * Its stderr goes to a file, because the detached sandbox inherits that descriptor and would
 * keep a pipe open for good.
 */
async function runDetached(
  program: string,
  args: string[],
  logPath: string,
  agent?: { requests: string; replies: string },
  onSpawn?: () => void,
): Promise<{ code: number | null; stderr: string }> {
  const log = openSync(logPath, 'w');
  // The container's stdin and stdout are the agent's FIFOs, opened read-write so that
  // opening does not wait for a peer and the pipes never see end-of-file. runsc gives the
  // files behind the container's stdio to its sandbox user (nobody) on the host, so without
  // the agent they are an empty file and the log in the sandbox's own state folder: Node's
  // 'ignore' would pass the host's /dev/null, which would then belong to nobody.
  const requests =
    agent === undefined
      ? openSync(join(dirname(logPath), 'stdin'), 'w+', 0o600)
      : openSync(agent.requests, 'r+');
  const replies = agent === undefined ? log : openSync(agent.replies, 'r+');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(program, args, { stdio: [requests, replies, log], env: hostToolEnv() });
      // This process holds both FIFOs open from here on, so a client can open them.
      onSpawn?.();
      const timer = setTimeout(() => child.kill('SIGKILL'), RUNSC_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    return { code, stderr: readFileSync(logPath, 'utf8') };
  } finally {
    for (const fd of new Set([log, requests, replies])) {
      closeSync(fd);
    }
  }
}

function unavailable(reason: string, fix: string, version?: string): RuntimeCheck {
  return {
    runtime: 'gvisor',
    available: false,
    reason,
    fix,
    ...(version === undefined ? {} : { version }),
  };
}

/** File beside a checkpoint image that names the container's init: the agent, its protocol and shim copy, or none. */
const CHECKPOINT_INIT_FILE = 'sandstack-init';
const AGENT_INIT = `agent ${AGENT_PROTOCOL}`;
/** Word after {@link AGENT_INIT} when the agent copied the statx shim into /dev. */
const SHIM_COPY_INIT = 'shim-copy';

/** The init process of a checkpoint image: the agent or none, and whether it copied the shim. */
interface CheckpointInit {
  agent: boolean;
  shimCopy: boolean;
}

/**
 * Returns what the init process of a checkpoint image is. The image restores the processes
 * as they were, so an agent that speaks another protocol than this host could not take a
 * command, and a restore would leave a sandbox that never replies. The image also keeps the
 * sandbox's /dev, so an agent that copied the shim before the checkpoint has it there again.
 * @throws SandstackError `CHECKPOINT_UNSUPPORTED` for an image an earlier version wrote
 */
function readCheckpointInit(imageDir: string, sandboxId: string): CheckpointInit {
  let init = '';
  try {
    init = readFileSync(join(imageDir, CHECKPOINT_INIT_FILE), 'utf8').trim();
  } catch {
    // Images written before the file existed ran an agent of an earlier protocol.
  }
  if (init === AGENT_INIT) {
    return { agent: true, shimCopy: false };
  }
  if (init === `${AGENT_INIT} ${SHIM_COPY_INIT}`) {
    return { agent: true, shimCopy: true };
  }
  if (init === 'none') {
    return { agent: false, shimCopy: false };
  }
  throw new SandstackError(
    'CHECKPOINT_UNSUPPORTED',
    `The checkpoint image for sandbox "${sandboxId}" was written by an earlier version of sandstack whose command agent this version cannot talk to (${init === '' ? 'no init recorded' : init}); release the suspended sandbox, or take the snapshot again, with this version`,
  );
}

/**
 * Checks that a template can restore a snapshot: the restored processes expect the same
 * root filesystem and working directory, so their mounts must be the same.
 */
function checkSnapshotFits(source: SandboxTemplate, target: SandboxTemplate, label: string): void {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  for (const field of ['rootfs', 'workdir'] as const) {
    if (!same(source[field], target[field])) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Template "${target.name}" has ${field} ${JSON.stringify(target[field])}, but ${label} was taken with ${JSON.stringify(source[field])}; use the snapshot's ${field} in the template`,
      );
    }
  }
}

/** Last line of a failed command's stderr, where runsc puts its error. */
function lastLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : String(error);
  return text.trim().split('\n').pop() ?? '';
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
