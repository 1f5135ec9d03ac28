import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { SandstackError } from '../../core/errors.js';
import {
  BACKGROUND_NICENESS,
  CGROUP_ROOT,
  cgroupPids,
  cgroupProcsFiles,
  createCgroups,
  hasCgroupV1,
  killCgroupProcesses,
  readCgroupUsage,
  readLimitHits,
  removeCgroups,
  restoreNormalPriority,
  startCgroupGracePeriod,
} from '../cgroup.js';
import type { ProcessResult } from '../process.js';
import type {
  DriverCreateOptions,
  RuntimeCheck,
  SandboxDriver,
  SandboxInstance,
  SandboxTemplate,
  SandboxUsage,
  SnapshotInfo,
} from '../types.js';
import { AGENT_PROTOCOL, ExecAgentClient, openAgentClient } from './exec-agent.js';
import {
  AGENT_ARGS,
  BWRAP_LAUNCH,
  EXEC_AGENT,
  NATIVE_DIR_IN_SANDBOX,
  SECCOMP_FILTER,
} from './native.js';
import {
  AGENT_COMMAND_USER,
  AGENT_START_TIMEOUT_MS,
  agentBwrapCommand,
  agentChannelHasReader,
  agentChannelPaths,
  bwrapWithHiddenOptions,
  giveWorkspaceToCommands,
  hasTagGroup,
  killTaggedProcesses,
  lastLine,
  removeLockOfZombie,
  SECCOMP_FD,
  spawnAgentBwrap,
  waitForAgentExit,
  type AgentChannelPaths,
  type AgentLaunch,
} from './bubblewrap-agent.js';
import { rootBindArgs } from './bubblewrap-root.js';
import {
  HOST_GRACE_MS,
  LocalSandbox,
  SANDBOX_PATH,
  checkpointUnsupported,
  hiddenPaths,
  createHidingMountSources,
  layoutOf,
  prepareLayout,
  takeSpareLayer,
  readMeta,
  killedResult,
  rejectLeftProcesses,
  undoFailedCreate,
  type ResolvedExec,
  type SandboxLayout,
} from './shared.js';
import type { EgressProxy } from '../network/egress-proxy.js';
import {
  egressLogLimit,
  hasEgress,
  proxyEnv,
  startEgress,
  stopEgress,
  type EgressSettings,
} from '../network/sandbox-egress.js';
import { markReleasing, removeStateDir } from '../writable-layer.js';

const execFileAsync = promisify(execFile);

/**
 * User and group that commands run as inside the user namespace of a sandbox without a
 * command agent: `nobody`, as on gVisor. bwrap maps this uid to the uid that runs bwrap
 * (root on a server), so on the host the command's files and permission checks stay that
 * user's, without any capability.
 *
 * NOTE: mapping uid 65534 to the host's uid 65534 would need bwrap to run as that user,
 * and then it could not reach state folders that only root may enter (such as mkdtemp's
 * 0700 folders). Sandboxes with an agent map it so (see bubblewrap-agent.ts), because the
 * host writes their maps.
 */
const COMMAND_USER = { uid: 65534, gid: 65534 };

/**
 * Shell lines that close every descriptor above 2 before bwrap starts. A process inherits
 * the descriptors its parent left open without close-on-exec, and Node passes those on to
 * children, so without this a sandbox could use descriptors of whatever started sandstack.
 * bash runs them, because dash cannot name descriptors above 9 in a redirection.
 */
const CLOSE_STRAY_FDS =
  'for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done';

/**
 * The default command agent: the static program built from native/exec-agent.c, the same as
 * gVisor's, run from the native build folder mounted read-only into the sandbox.
 */
const DEFAULT_AGENT = { program: EXEC_AGENT, args: AGENT_ARGS.slice(1) };

/** Options for {@link BubblewrapDriver}. */
export interface BubblewrapDriverOptions {
  /** The bwrap program. @default 'bwrap' */
  bwrapPath?: string;
  /** Host folders hidden in every sandbox, such as the controller's state folder. @default [] */
  hiddenDirs?: string[];
  /** Host files hidden in every sandbox, such as the state database. @default [] */
  hiddenFiles?: string[];
  /**
   * Settings of the egress proxy of templates with `network.egress: 'proxy'`: the resolver
   * and whether allowed names may resolve to private addresses (for tests against local
   * servers). @default the host's resolver, private addresses refused
   */
  egress?: EgressSettings;
  /**
   * The command agent run inside each sandbox, which speaks exec-agent.ts's protocol on its
   * stdin and stdout: a static program on the host, whose folder is mounted read-only into
   * the sandbox, and its arguments. When the program is missing (setup could not build it),
   * sandboxes start one bwrap per command instead.
   * @default the program built from native/exec-agent.c
   */
  agent?: { program: string; args: string[] };
  /**
   * The seccomp filter that bwrap loads into every sandbox (`--seccomp`), a BPF program
   * such as the one scripts/setup.sh writes with native/seccomp-filter.c. When the file is
   * missing, check() reports bubblewrap unavailable and sandboxes do not start. `null`
   * runs sandboxes without a filter, which leaves the whole kernel interface to commands:
   * new user namespaces and mounts in them, keyctl, bpf, io_uring and raw sockets.
   * @default the filter written by scripts/setup.sh
   */
  seccompFilter?: string | null;
}

/**
 * Runs sandboxes with bubblewrap: new mount, pid, network, ipc, uts, cgroup and user
 * namespaces, no new privileges, and cgroup v1 limits.
 *
 * When the agent program was built, one bwrap per sandbox runs a command agent
 * (exec-agent.ts) from the sandbox's creation on, and commands are requests to it over two
 * FIFOs in the state folder. The bwrap is detached, so the sandbox outlives the process that
 * made it, and a later process re-opens the FIFOs. Other sandboxes start one bwrap per
 * command over the sandbox's workspace with every capability dropped. Either way background
 * processes end with the command that started them.
 */
export class BubblewrapDriver implements SandboxDriver {
  readonly name = 'bubblewrap' as const;
  private readonly settings: Required<BubblewrapDriverOptions>;

  constructor(options: BubblewrapDriverOptions = {}) {
    this.settings = {
      egress: options.egress ?? {},
      bwrapPath: options.bwrapPath ?? 'bwrap',
      hiddenDirs: options.hiddenDirs ?? [],
      hiddenFiles: options.hiddenFiles ?? [],
      agent: options.agent ?? DEFAULT_AGENT,
      seccompFilter: options.seccompFilter === undefined ? SECCOMP_FILTER : options.seccompFilter,
    };
  }

  async check(): Promise<RuntimeCheck> {
    const { bwrapPath } = this.settings;
    const filterProblem = seccompFilterProblem(this.settings.seccompFilter);
    if (filterProblem !== undefined) {
      return {
        runtime: 'bubblewrap',
        available: false,
        reason: filterProblem,
        fix: SECCOMP_FILTER_FIX,
      };
    }
    let version: string;
    let probe: string[];
    try {
      const { stdout } = await execFileAsync(bwrapPath, ['--version']);
      version = stdout.trim().replace(/^bubblewrap /, '');
      // The probe's root leaves out the folders that sandboxes mount in, as theirs does, so
      // another sandbox's start or end cannot fail it. A controller keeps the first result.
      // The probe has no workdir, so it passes /tmp, which is left out anyway.
      const hidden = hiddenPaths(
        { kind: 'host' },
        { dirs: this.settings.hiddenDirs, files: this.settings.hiddenFiles, workdir: '/tmp' },
      );
      const root = rootBindArgs('/', {
        hiddenDirs: hidden.dirs,
        hiddenFiles: hidden.files,
        replaced: ['/dev', '/proc', '/tmp'],
      });
      probe = [...root, '--unshare-all', '--dev', '/dev', '--proc', '/proc'];
      await execFileAsync(bwrapPath, [...probe, 'true'], { timeout: 30_000 });
    } catch (error) {
      return {
        runtime: 'bubblewrap',
        available: false,
        reason: `"${bwrapPath}" failed: ${firstLine(error)}`,
        fix: 'Install bubblewrap (apt-get install bubblewrap) and run sandstack as root',
      };
    }
    const filterRejection = await this.probeSeccompFilter(probe);
    if (filterRejection !== undefined) {
      return {
        runtime: 'bubblewrap',
        available: false,
        version,
        reason: filterRejection,
        fix: SECCOMP_FILTER_FIX,
      };
    }
    if (!hasCgroupV1()) {
      return {
        runtime: 'bubblewrap',
        available: false,
        version,
        reason: 'The cgroup v1 controllers cpu, cpuacct, memory and pids are not mounted',
        fix: 'Boot with cgroup v1 or hybrid hierarchies (systemd.unified_cgroup_hierarchy=0)',
      };
    }
    return { runtime: 'bubblewrap', available: true, version };
  }

  /**
   * Runs bwrap with the probe's options, the seccomp filter and `true`, which shows that
   * bwrap and the kernel accept the filter. Returns why they did not, or undefined when they
   * did or no filter is set.
   */
  private async probeSeccompFilter(probe: readonly string[]): Promise<string | undefined> {
    const filter = this.settings.seccompFilter;
    if (filter === null) {
      return undefined;
    }
    // bash opens the filter at the descriptor that bwrap reads.
    const openFilter = `exec ${SECCOMP_FD}<"$1"; shift; exec "$@"`;
    const bwrap = [this.settings.bwrapPath, ...probe, '--seccomp', String(SECCOMP_FD), 'true'];
    const command = [openFilter, 'bash', filter, ...bwrap];
    try {
      await execFileAsync('/bin/bash', ['--norc', '--noprofile', '-c', ...command], {
        timeout: 30_000,
      });
      return undefined;
    } catch (error) {
      // bwrap 0.8 can print its message twice without a newline between.
      const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
      const message = /^bwrap: .*?(?=bwrap: |\n|$)/.exec(stderr)?.[0] ?? stderr.split('\n')[0];
      const detail = stderr === '' ? firstLine(error) : message;
      return `bwrap could not load the seccomp filter "${filter}": ${detail}`;
    }
  }

  /**
   * Creates a sandbox and starts its command agent. When a step fails, it removes what it
   * made before it throws: processes, cgroups, egress proxy and network namespace, the
   * writable layer's mount and loop device, and the state folder, which the driver owns.
   */
  async create(options: DriverCreateOptions): Promise<SandboxInstance> {
    const createdAt = Date.now();
    const meta = { id: options.id, runtime: this.name, template: options.template, createdAt };
    const reservedBytes = egressLogLimit(options.template, this.settings.egress);
    let proxy: EgressProxy | undefined;
    let sandbox: BubblewrapSandbox | undefined;
    const filterProblem = seccompFilterProblem(this.settings.seccompFilter);
    if (filterProblem !== undefined) {
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Bubblewrap sandbox "${options.id}" was not started: ${filterProblem}; ${SECCOMP_FILTER_FIX}`,
      );
    }
    try {
      // A spare state folder comes with its layer mounted and the agent's FIFOs made.
      const spare = takeSpareLayer(options, reservedBytes);
      const layout = await prepareLayout(options.stateDir, meta, reservedBytes);
      proxy = await startEgress(options.id, options.template, {
        stateDir: options.stateDir,
        settings: this.settings.egress,
      });
      sandbox = new BubblewrapSandbox({
        ...this.settings,
        ...meta,
        layout,
        stateDir: options.stateDir,
        proxy,
      });
      if (!sandbox.prepareAgentChannel(spare)) {
        createCgroups(options.id, options.template.resources);
      } else {
        // The agent's start makes the cgroups, as it does on every restart.
        const niceness = options.background === true ? BACKGROUND_NICENESS : 0;
        await sandbox.startAgent(niceness);
        if (niceness !== 0) {
          restoreNormalPriority(options.id);
        }
      }
      return sandbox;
    } catch (error) {
      const created = sandbox;
      const { id, stateDir } = options;
      throw await undoFailedCreate(
        id,
        error,
        created === undefined
          ? [
              async () => rejectLeftProcesses(id, await removeCgroups(id)),
              () => stopEgress(id, proxy),
              () => removeStateDir(stateDir),
            ]
          : [() => created.destroy()],
      );
    }
  }

  async attach(options: DriverCreateOptions): Promise<SandboxInstance | undefined> {
    const meta = readMeta(options.stateDir);
    if (meta === undefined) {
      return undefined;
    }
    createCgroups(options.id, meta.template.resources);
    const layout = layoutOf(options.stateDir);
    createHidingMountSources(layout);
    // The proxy lived in the process that created the sandbox, so start it again here.
    const proxy = await startEgress(options.id, meta.template, {
      stateDir: options.stateDir,
      settings: this.settings.egress,
    });
    const sandbox = new BubblewrapSandbox({
      ...this.settings,
      id: options.id,
      template: meta.template,
      createdAt: meta.createdAt,
      layout,
      stateDir: options.stateDir,
      proxy,
    });
    if (sandbox.hasAgentChannel()) {
      await sandbox.adoptAgent();
    }
    return sandbox;
  }
}

interface BubblewrapSandboxOptions extends Required<BubblewrapDriverOptions> {
  id: string;
  template: SandboxTemplate;
  layout: SandboxLayout;
  stateDir: string;
  createdAt: number;
  /** The egress proxy of a `proxy` template's sandbox, when this process runs it. */
  proxy: EgressProxy | undefined;
}

class BubblewrapSandbox extends LocalSandbox implements SandboxInstance {
  readonly id: string;
  readonly runtime = 'bubblewrap' as const;
  protected readonly template: SandboxTemplate;
  protected readonly createdAt: number;
  protected readonly stateDir: string;
  private readonly channel: AgentChannelPaths;
  private destroyed = false;
  /** This process's channel to the sandbox's command agent, while it is open. */
  private agent: ExecAgentClient | undefined;
  /** The agent start in progress, which concurrent commands wait for. */
  private starting: Promise<ExecAgentClient> | undefined;
  /** Results of commands that the agent's end cut short, which afterCommand turns into errors. */
  private readonly cutByAgentEnd = new WeakSet<ProcessResult>();

  constructor(private readonly options: BubblewrapSandboxOptions) {
    super();
    this.id = options.id;
    this.template = options.template;
    this.createdAt = options.createdAt;
    this.stateDir = options.stateDir;
    this.channel = agentChannelPaths(options.stateDir);
  }

  async usage(): Promise<SandboxUsage> {
    return { ...readCgroupUsage(this.id), wallSeconds: this.wallSeconds() };
  }

  async isAlive(): Promise<boolean> {
    if (this.destroyed || !existsSync(this.options.layout.workspace)) {
      return false;
    }
    if (!this.hasAgentChannel()) {
      // No process runs between commands, so the sandbox lives as long as its workspace.
      return true;
    }
    return (this.agent !== undefined && !this.agent.closed) || agentChannelHasReader(this.channel);
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    markReleasing(this.stateDir);
    this.agent?.close();
    this.agent = undefined;
    const left = await removeCgroups(this.id);
    await stopEgress(this.id, this.options.proxy);
    await removeStateDir(this.options.stateDir);
    if (left.length > 0) {
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Sandbox "${this.id}" still has processes ${left.join(', ')} after SIGKILL; kill them by hand`,
      );
    }
  }

  /** Always `Running`: bubblewrap cannot checkpoint. */
  readonly operatingMode = 'Running' as const;

  async suspend(): Promise<void> {
    throw checkpointUnsupported(this.runtime, this.id, 'suspend');
  }

  async resume(): Promise<void> {
    throw checkpointUnsupported(this.runtime, this.id, 'resume');
  }

  async snapshot(_dir: string): Promise<SnapshotInfo> {
    throw checkpointUnsupported(this.runtime, this.id, 'snapshot');
  }

  /** Process ids left in the sandbox's cgroups. */
  processes(): number[] {
    return cgroupPids(this.id);
  }

  /** Returns whether this sandbox runs commands through an agent: its FIFOs exist. */
  hasAgentChannel(): boolean {
    return existsSync(this.channel.requests);
  }

  /**
   * Creates the agent's FIFOs when the agent program and its launcher were built, unless
   * `fifosMade` is true because a spare state folder brought new ones, and gives the
   * workspace to the agent's command user. Returns false otherwise, and the sandbox then
   * starts one bwrap per command.
   *
   * NOTE: the agent's processes count against the template's memory and pids limits. At
   * rest a sandbox has 3 tasks (bwrap, its init inside the pid namespace, and the agent)
   * and each running command adds its own processes.
   */
  prepareAgentChannel(fifosMade = false): boolean {
    const { program } = this.options.agent;
    if (!isAbsolute(program) || !existsSync(program) || !existsSync(BWRAP_LAUNCH)) {
      // FIFOs from a spare would make hasAgentChannel() report an agent that never runs.
      rmSync(this.channel.requests, { force: true });
      rmSync(this.channel.replies, { force: true });
      return false;
    }
    giveWorkspaceToCommands(this.options.layout.workspace);
    if (!fifosMade) {
      rmSync(this.channel.requests, { force: true });
      rmSync(this.channel.replies, { force: true });
      execFileSync('mkfifo', ['-m', '600', this.channel.requests, this.channel.replies]);
    }
    return true;
  }

  /**
   * Starts the sandbox's bwrap with the agent, after killing whatever an earlier one left in
   * the cgroups, and waits until the agent can take a command. Concurrent callers share one
   * start. bwrap and the agent run at `niceness` (default 0).
   * @throws SandstackError `SANDBOX_FAILED` when the agent does not start
   */
  startAgent(niceness = 0): Promise<ExecAgentClient> {
    this.starting ??= this.launchAgent(niceness).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Takes over a sandbox that a process which has ended started: opens the channel and
   * kills the commands that process left, because a command retried after a crash must not
   * race its first attempt. Starts a new agent when the old one is gone.
   */
  async adoptAgent(): Promise<void> {
    if (!agentChannelHasReader(this.channel)) {
      await this.startAgent();
      return;
    }
    this.agent = this.openChannel();
    if (this.agent === undefined) {
      // Another live process runs commands here, so its commands are not orphans.
      return;
    }
    await killTaggedProcesses(this.id, hasTagGroup);
  }

  /**
   * Starts bwrap with the agent, once. A failed start is not retried: the root leaves out the
   * state folder and the hidden folders (see bubblewrap-root.ts), so bwrap does not copy the
   * writable layers that other sandboxes mount and unmount there.
   */
  private async launchAgent(niceness: number): Promise<ExecAgentClient> {
    const startedAt = Date.now();
    // The launcher joins the cgroups after this process spawns it, some milliseconds from now.
    startCgroupGracePeriod();
    this.agent?.close();
    this.agent = undefined;
    await killCgroupProcesses(this.id);
    createCgroups(this.id, this.template.resources);
    const launch = this.agentLaunch(this.channel, join(this.stateDir, 'agent.log'));
    const bwrap = spawnAgentBwrap({ ...launch, niceness });
    // The launcher has the FIFOs open from its spawn on, so the ping waits in the requests FIFO
    // while bwrap sets up the sandbox, and the agent replies as soon as it runs.
    const agent = this.openChannel();
    const ping = agent?.ping(AGENT_START_TIMEOUT_MS);
    try {
      await bwrap.initPid;
    } catch (error) {
      agent?.close();
      await killCgroupProcesses(this.id);
      throw error;
    }
    if (agent === undefined || ping === undefined) {
      await killCgroupProcesses(this.id);
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Another sandstack process took the agent channel of sandbox "${this.id}" while this one started its agent; retry the command`,
        { retryable: true },
      );
    }
    const pong = await ping;
    if (pong !== undefined && pong !== AGENT_PROTOCOL) {
      agent.close();
      await killCgroupProcesses(this.id);
      throw new SandstackError(
        'SANDBOX_FAILED',
        `The command agent of sandbox "${this.id}" speaks protocol ${pong}, and this sandstack speaks ${AGENT_PROTOCOL}; run scripts/setup.sh again to rebuild native/build/exec-agent`,
      );
    }
    if (pong === undefined) {
      agent.close();
      await killCgroupProcesses(this.id);
      const log = lastLine(join(this.stateDir, 'agent.log'));
      const waited = Date.now() - startedAt;
      const what =
        waited < AGENT_START_TIMEOUT_MS
          ? `ended after ${waited}ms before its command agent answered`
          : `did not start its command agent within ${AGENT_START_TIMEOUT_MS}ms`;
      throw new SandstackError(
        'SANDBOX_FAILED',
        `The bwrap of sandbox "${this.id}" ${what}${log === '' ? '' : `: ${log}`}`,
        { retryable: true },
      );
    }
    this.agent = agent;
    return agent;
  }

  /**
   * Opens this process's client of the agent's FIFOs. Returns undefined while another live
   * process has the channel open, because a FIFO with two readers would split the replies.
   */
  private openChannel(): ExecAgentClient | undefined {
    const agent = openAgentClient(this.channel);
    if (agent !== undefined) {
      return agent;
    }
    removeLockOfZombie(this.channel);
    return openAgentClient(this.channel);
  }

  /**
   * Returns an open channel to a running agent, starting the agent when it is gone, or
   * undefined while another live process has the channel open.
   */
  private async readyAgent(): Promise<ExecAgentClient | undefined> {
    this.checkNotDestroyed();
    if (this.agent !== undefined && !this.agent.closed) {
      return this.agent;
    }
    if (this.agent !== undefined) {
      // This process saw the agent end; let its last files close first.
      await waitForAgentExit(this.channel);
    }
    if (this.starting === undefined && agentChannelHasReader(this.channel)) {
      this.agent = this.openChannel();
      return this.agent;
    }
    return this.startAgent();
  }

  /**
   * Runs a command through the agent when the sandbox has one, else through its own bwrap.
   * The command's processes that are still running when it ends are killed, as the pid
   * namespace of a per-command bwrap would.
   */
  protected override async runCommand(resolved: ResolvedExec): Promise<ProcessResult> {
    if (!this.hasAgentChannel()) {
      return super.runCommand(resolved);
    }
    const exec = { ...resolved, env: { ...proxyEnv(this.template), ...resolved.env } };
    const agent = await this.readyAgent();
    if (agent === undefined) {
      return this.runInOwnAgent(exec);
    }
    const deadlineMs = exec.timeoutMs + HOST_GRACE_MS;
    const started = performance.now();
    let result: ProcessResult | undefined;
    try {
      result = await agent.exec(exec, { deadlineMs, user: AGENT_COMMAND_USER });
    } finally {
      await killTaggedProcesses(this.id, (groups) => groups.includes(exec.tagGroup));
    }
    if (result !== undefined) {
      return result;
    }
    if (!agent.closed) {
      // The agent is alive but silent, so it restarts with the next command.
      agent.close();
      await killCgroupProcesses(this.id);
      const note = `sandstack: the sandbox's command agent did not reply within ${deadlineMs}ms, so the command was killed and the agent restarts with the next command.\n`;
      return killedResult(note, { killed: true, durationMs: deadlineMs });
    }
    // The agent ended, and its processes may still be closing their files. Waiting keeps
    // isAlive and the next command from taking the dying agent for a live one.
    await waitForAgentExit(this.channel);
    const cut = killedResult('', { killed: false, durationMs: performance.now() - started });
    this.cutByAgentEnd.add(cut);
    return cut;
  }

  /**
   * Runs one command in a bwrap and agent of its own, over FIFOs of its own, because another
   * process has the sandbox's agent channel open. The command gets the sandbox's mounts,
   * cgroups and user mapping but fresh namespaces, as one bwrap per command did, and every
   * process of it ends with that bwrap. It pays for a bwrap and the agent's start.
   */
  private async runInOwnAgent(exec: ResolvedExec): Promise<ProcessResult> {
    const name = `agent-${randomUUID().slice(0, 8)}`;
    const channel = {
      requests: join(this.stateDir, `${name}-requests.fifo`),
      replies: join(this.stateDir, `${name}-replies.fifo`),
      lock: join(this.stateDir, `${name}.lock`),
    };
    execFileSync('mkfifo', ['-m', '600', channel.requests, channel.replies]);
    let initPid: number | undefined;
    let agent: ExecAgentClient | undefined;
    try {
      const bwrap = spawnAgentBwrap(this.agentLaunch(channel, join(this.stateDir, `${name}.log`)));
      agent = new ExecAgentClient(channel);
      const ping = agent.ping(AGENT_START_TIMEOUT_MS);
      initPid = await bwrap.initPid;
      if (!(await ping)) {
        throw new SandstackError(
          'SANDBOX_FAILED',
          `The command agent started for one command in sandbox "${this.id}" did not reply within ${AGENT_START_TIMEOUT_MS}ms`,
          { retryable: true },
        );
      }
      const deadlineMs = exec.timeoutMs + HOST_GRACE_MS;
      const result = await agent.exec(exec, { deadlineMs, user: AGENT_COMMAND_USER });
      const note = `sandstack: the command agent did not reply within ${deadlineMs}ms, so the command was killed.\n`;
      return result ?? killedResult(note, { killed: true, durationMs: deadlineMs });
    } finally {
      agent?.close();
      if (initPid !== undefined) {
        // The init's death ends its pid namespace, and with it every process of the command.
        killQuietly(initPid);
      }
      for (const path of [channel.requests, channel.replies, channel.lock]) {
        rmSync(path, { force: true });
      }
      rmSync(join(this.stateDir, `${name}.log`), { force: true });
    }
  }

  /**
   * Returns bwrap and the options that this sandbox's agent bwrap gets, without the
   * launcher's descriptors and the program, or undefined when the sandbox has no agent.
   * Benchmarks run them with `true` to split a cold start into bwrap's cost and sandstack's.
   */
  agentBwrapCommand(): ReturnType<typeof agentBwrapCommand> | undefined {
    if (!this.hasAgentChannel()) {
      return undefined;
    }
    return agentBwrapCommand(this.agentLaunch(this.channel, join(this.stateDir, 'agent.log')));
  }

  private agentLaunch(channel: AgentChannelPaths, logPath: string): AgentLaunch {
    const root = this.template.rootfs.kind === 'host' ? '/' : this.template.rootfs.path;
    const { program, args } = this.options.agent;
    // The program is copied into the sandbox's own /tmp, so the agent runs in any root
    // filesystem and the host root gets no mount point.
    return {
      launcher: BWRAP_LAUNCH,
      bwrapArgs: this.bwrapArgs({ cwd: '/', env: {} }, { root, perCommand: false }),
      netnsPrefix: hasEgress(this.template) ? ['ip', 'netns', 'exec', this.id] : [],
      agent: { program: posix.join(NATIVE_DIR_IN_SANDBOX, basename(program)), args },
      agentFile: program,
      seccompFilter: this.options.seccompFilter ?? undefined,
      cgroupProcsFiles: cgroupProcsFiles(this.id),
      channel,
      logPath,
    };
  }

  protected async hostArgv(exec: ResolvedExec): Promise<string[]> {
    this.checkNotDestroyed();
    // The shell joins the cgroups before it execs bwrap, so every process bwrap starts is
    // limited and metered from its first instruction.
    const joinCgroups = cgroupProcsFiles(this.id)
      .map((file) => `echo $$ > '${file}'`)
      .join('; ');
    // No GNU `timeout` inside: the host kills bwrap at the deadline (see killTree), and the
    // pid namespace ends every process of the command with it.
    const root = this.template.rootfs.kind === 'host' ? '/' : this.template.rootfs.path;
    const [bwrapPath = 'bwrap', ...options] = this.bwrapArgs(exec, { root, perCommand: true });
    const hidden = bwrapWithHiddenOptions({
      // A sandbox with egress runs in its own network namespace, where the proxy listens.
      prefix: hasEgress(this.template) ? ['ip', 'netns', 'exec', this.id] : [],
      bwrap: bwrapPath,
      options,
      program: ['/bin/sh', '-c', exec.command],
      files: this.seccompFiles(),
    });
    const script = `${joinCgroups}; ${CLOSE_STRAY_FDS}; ${hidden.script}`;
    // bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are, unless --norc.
    return ['/bin/bash', '--norc', '--noprofile', '-c', script, 'bash', ...hidden.args];
  }

  /**
   * Returns a deadline action with nothing to do inside the sandbox, so the host kills bwrap
   * at the command's timeout itself. bwrap's init inside the pid namespace dies with bwrap
   * (`--die-with-parent`), and the kernel then kills every process left in the namespace,
   * whatever session or process group it moved to.
   */
  protected override killTree(_exec: ResolvedExec): () => Promise<void> {
    return async () => undefined;
  }

  /**
   * Turns a command that the agent's end cut short into an error that reports whether a
   * limit ended the sandbox's processes while the command ran. The next command starts a new
   * agent over the same workspace.
   *
   * NOTE: the counters only tell that a limit was hit while the command ran. When a limit
   * killed one of the command's processes and something outside then killed the agent, the
   * error still names the limit.
   */
  protected async afterCommand(
    result: ProcessResult,
    hitsBefore: { memory: number; pids: number },
  ): Promise<void> {
    // A command that destroy cut short returns its result, not a crash error.
    if (!this.cutByAgentEnd.has(result) || this.destroyed) {
      return;
    }
    const hits = readLimitHits(this.id);
    const { resources } = this.template;
    const details = {
      sandboxId: this.id,
      pids: resources.pids,
      memoryBytes: resources.memoryBytes,
    };
    const restart = 'The next command starts a new agent over the same workspace';
    if (hits.memory > hitsBefore.memory) {
      throw new SandstackError(
        'SANDBOX_LIMIT',
        `Sandbox "${this.id}" stopped while running the command because it hit its memory limit of ${resources.memoryBytes} bytes and the kernel killed its command agent; raise the limit in the template. ${restart}`,
        { details },
      );
    }
    throw new SandstackError(
      'SANDBOX_FAILED',
      `Sandbox "${this.id}" stopped while running the command: its command agent ended without hitting a limit (killed from outside or crashed; see agent.log in its state folder). ${restart}`,
      { details },
    );
  }

  private checkNotDestroyed(): void {
    if (this.destroyed || !existsSync(this.options.layout.workspace)) {
      throw new SandstackError(
        'SANDBOX_NOT_FOUND',
        `Sandbox "${this.id}" was destroyed; claim a new one`,
      );
    }
  }

  /**
   * Returns bwrap and its options up to the program. A per-command bwrap maps the command's
   * user itself and drops every capability, and it dies with the host process that waits
   * for it. The agent's bwrap gets its user namespace and capabilities from
   * launchAgentBwrap and outlives the process that starts it.
   */
  private bwrapArgs(
    exec: Pick<ResolvedExec, 'cwd' | 'env'>,
    how: { root: string; perCommand: boolean },
  ): string[] {
    const { layout, bwrapPath, hiddenDirs, hiddenFiles } = this.options;
    const template = this.template;
    const hidden = hiddenPaths(template.rootfs, {
      dirs: hiddenDirs,
      files: hiddenFiles,
      workdir: template.workdir,
    });
    const root = rootBindArgs(how.root, {
      hiddenDirs: hidden.dirs,
      hiddenFiles: hidden.files,
      replaced: ['/dev', '/proc', '/tmp', template.workdir],
    });
    const args = [bwrapPath, ...root, '--dev', '/dev', '--proc', '/proc'];
    for (const dir of hidden.dirs) {
      args.push('--ro-bind', layout.emptyDir, dir);
    }
    for (const file of hidden.files) {
      args.push('--ro-bind', layout.emptyFile, file);
    }
    args.push('--bind', layout.tmp, '/tmp', '--bind', layout.workspace, template.workdir);
    args.push(...this.cgroupArgs(how.root));
    // bwrap's root is its own tmpfs, which stays writable unless remounted. Only that mount
    // becomes read-only, and the mounts on it keep their own modes.
    args.push('--remount-ro', '/');
    args.push(...this.unshareArgs(), '--new-session');
    if (this.options.seccompFilter !== null) {
      // The caller opens the filter at this descriptor (see seccompFiles and agentLaunch).
      args.push('--seccomp', String(SECCOMP_FD));
    }
    if (how.perCommand) {
      args.push('--die-with-parent', '--cap-drop', 'ALL', '--unshare-user');
      args.push('--uid', String(COMMAND_USER.uid), '--gid', String(COMMAND_USER.gid));
    }
    args.push('--hostname', 'sandbox', '--clearenv', '--chdir', exec.cwd);
    const env = how.perCommand
      ? { ...proxyEnv(this.template), ...exec.env }
      : { PATH: SANDBOX_PATH };
    for (const [name, value] of Object.entries(env)) {
      args.push('--setenv', name, value);
    }
    return args;
  }

  /**
   * Returns the options that cover /sys/fs/cgroup of a host root with an empty read-only
   * tmpfs, because the host's hierarchies there list every sandbox's cgroup by its id.
   * Binding the sandbox's own cgroup folders there instead, so programs could read their
   * limits, cost 1 to 6 ms more per start in a loaded benchmark, and no program in a
   * sandbox is known to need them.
   */
  private cgroupArgs(root: string): string[] {
    if (root !== '/' || !existsSync(CGROUP_ROOT)) {
      return [];
    }
    return ['--tmpfs', CGROUP_ROOT, '--remount-ro', CGROUP_ROOT];
  }

  /** Returns the seccomp filter at its descriptor, for a per-command bwrap. */
  private seccompFiles(): Map<number, string> {
    const filter = this.options.seccompFilter;
    return filter === null ? new Map() : new Map([[SECCOMP_FD, filter]]);
  }

  /** Returns the unshare flags: every namespace, except the network one of a sandbox with egress. */
  private unshareArgs(): string[] {
    if (!hasEgress(this.template)) {
      return ['--unshare-all'];
    }
    return ['--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'];
  }
}

/**
 * Returns the bwrap command of a bubblewrap sandbox's agent (see
 * BubblewrapSandbox.agentBwrapCommand), or undefined for any other sandbox.
 */
export function agentBwrapCommandOf(
  sandbox: SandboxInstance,
): ReturnType<typeof agentBwrapCommand> | undefined {
  return sandbox instanceof BubblewrapSandbox ? sandbox.agentBwrapCommand() : undefined;
}

/** Next step when the seccomp filter is missing or invalid. */
const SECCOMP_FILTER_FIX =
  'Install libseccomp-dev (apt-get install libseccomp-dev) and run scripts/setup.sh, which writes native/build/seccomp.bpf';

/**
 * Returns what is wrong with the seccomp filter file, or undefined when it looks like a
 * BPF program (a non-empty whole number of 8-byte instructions) or sandboxes run without
 * one (`null`). bwrap itself rejects a program the kernel does not accept.
 */
function seccompFilterProblem(filter: string | null): string | undefined {
  if (filter === null) {
    return undefined;
  }
  let size: number;
  try {
    size = statSync(filter).size;
  } catch {
    return `the seccomp filter "${filter}" was not found`;
  }
  if (size === 0 || size % 8 !== 0) {
    return `the seccomp filter "${filter}" is not a BPF program (${size} bytes, expected a non-zero multiple of 8)`;
  }
  return undefined;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
