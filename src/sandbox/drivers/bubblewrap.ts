import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { SandstackError } from '../../core/errors.js';
import {
  cgroupPids,
  cgroupProcsFiles,
  createCgroups,
  hasCgroupV1,
  readCgroupUsage,
  removeCgroups,
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
import {
  LocalSandbox,
  checkpointUnsupported,
  hiddenPaths,
  layoutOf,
  prepareLayout,
  readMeta,
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
import { removeStateDir } from '../writable-layer.js';

const execFileAsync = promisify(execFile);

/**
 * User and group that commands run as inside the sandbox's user namespace: `nobody`, as on
 * gVisor. bwrap maps this uid to the uid that runs bwrap (root on a server), so on the host
 * the command's files and permission checks stay that user's, without any capability.
 *
 * NOTE: mapping uid 65534 to the host's uid 65534 would need bwrap to run as that user,
 * and then it could not reach state folders that only root may enter (such as mkdtemp's
 * 0700 folders).
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
}

/**
 * Runs sandboxes with bubblewrap: new mount, pid, network, ipc, uts and cgroup namespaces,
 * every capability dropped, no new privileges, and cgroup v1 limits.
 *
 * Each command starts its own bwrap process (a few milliseconds) over the sandbox's
 * workspace, so no process stays alive between commands and re-attaching only needs the
 * workspace folder. Background processes end with the command that started them.
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
    };
  }

  async check(): Promise<RuntimeCheck> {
    const { bwrapPath } = this.settings;
    let version: string;
    try {
      const { stdout } = await execFileAsync(bwrapPath, ['--version']);
      version = stdout.trim().replace(/^bubblewrap /, '');
      const probe = ['--ro-bind', '/', '/', '--unshare-all', '--dev', '/dev', '--proc', '/proc'];
      await execFileAsync(bwrapPath, [...probe, 'true'], { timeout: 30_000 });
    } catch (error) {
      return {
        runtime: 'bubblewrap',
        available: false,
        reason: `"${bwrapPath}" failed: ${firstLine(error)}`,
        fix: 'Install bubblewrap (apt-get install bubblewrap) and run sandstack as root',
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

  async create(options: DriverCreateOptions): Promise<SandboxInstance> {
    const createdAt = Date.now();
    const meta = { id: options.id, runtime: this.name, template: options.template, createdAt };
    const layout = await prepareLayout(
      options.stateDir,
      meta,
      egressLogLimit(options.template, this.settings.egress),
    );
    createCgroups(options.id, options.template.resources);
    const proxy = await startEgress(options.id, options.template, {
      stateDir: options.stateDir,
      settings: this.settings.egress,
    });
    return new BubblewrapSandbox({
      ...this.settings,
      ...meta,
      layout,
      stateDir: options.stateDir,
      proxy,
    });
  }

  async attach(options: DriverCreateOptions): Promise<SandboxInstance | undefined> {
    const meta = readMeta(options.stateDir);
    if (meta === undefined) {
      return undefined;
    }
    createCgroups(options.id, meta.template.resources);
    const layout = layoutOf(options.stateDir);
    // The proxy lived in the process that created the sandbox, so start it again here.
    const proxy = await startEgress(options.id, meta.template, {
      stateDir: options.stateDir,
      settings: this.settings.egress,
    });
    return new BubblewrapSandbox({
      ...this.settings,
      id: options.id,
      template: meta.template,
      createdAt: meta.createdAt,
      layout,
      stateDir: options.stateDir,
      proxy,
    });
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
  private destroyed = false;

  constructor(private readonly options: BubblewrapSandboxOptions) {
    super();
    this.id = options.id;
    this.template = options.template;
    this.createdAt = options.createdAt;
    this.stateDir = options.stateDir;
  }

  async usage(): Promise<SandboxUsage> {
    return { ...readCgroupUsage(this.id), wallSeconds: this.wallSeconds() };
  }

  async isAlive(): Promise<boolean> {
    // No process runs between commands, so the sandbox lives as long as its workspace.
    return !this.destroyed && existsSync(this.options.layout.workspace);
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
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

  protected async hostArgv(exec: ResolvedExec): Promise<string[]> {
    if (this.destroyed || !existsSync(this.options.layout.workspace)) {
      throw new SandstackError(
        'SANDBOX_NOT_FOUND',
        `Sandbox "${this.id}" was destroyed; claim a new one`,
      );
    }
    // The shell joins the cgroups before it execs bwrap, so every process bwrap starts is
    // limited and metered from its first instruction.
    const joinCgroups = cgroupProcsFiles(this.id)
      .map((file) => `echo $$ > '${file}'`)
      .join('; ');
    const script = `${joinCgroups}; ${CLOSE_STRAY_FDS}; exec "$@"`;
    // A sandbox with egress runs in its own network namespace, where the proxy listens.
    const netns = hasEgress(this.template) ? ['ip', 'netns', 'exec', this.id] : [];
    // No GNU `timeout` inside: the host kills bwrap at the deadline (see killTree), and the
    // pid namespace ends every process of the command with it.
    const argv = [...netns, ...this.bwrapArgs(exec), '/bin/sh', '-c', exec.command];
    // bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are, unless --norc.
    return ['/bin/bash', '--norc', '--noprofile', '-c', script, 'bash', ...argv];
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

  protected async afterCommand(_result: ProcessResult): Promise<void> {
    // A bubblewrap sandbox has no long-lived runtime that a command could crash.
  }

  private bwrapArgs(exec: ResolvedExec): string[] {
    const { layout, bwrapPath, hiddenDirs, hiddenFiles } = this.options;
    const template = this.template;
    const root = template.rootfs.kind === 'host' ? '/' : template.rootfs.path;
    const hidden = hiddenPaths(template.rootfs, {
      dirs: hiddenDirs,
      files: hiddenFiles,
      workdir: template.workdir,
    });
    const args = [bwrapPath, '--ro-bind', root, '/', '--dev', '/dev', '--proc', '/proc'];
    for (const dir of hidden.dirs) {
      args.push('--ro-bind', layout.emptyDir, dir);
    }
    for (const file of hidden.files) {
      args.push('--ro-bind', layout.emptyFile, file);
    }
    args.push('--bind', layout.tmp, '/tmp', '--bind', layout.workspace, template.workdir);
    args.push(...this.unshareArgs(), '--die-with-parent', '--new-session', '--cap-drop', 'ALL');
    args.push(
      '--unshare-user',
      '--uid',
      String(COMMAND_USER.uid),
      '--gid',
      String(COMMAND_USER.gid),
    );
    args.push('--hostname', 'sandbox', '--clearenv', '--chdir', exec.cwd);
    for (const [name, value] of Object.entries({ ...proxyEnv(this.template), ...exec.env })) {
      args.push('--setenv', name, value);
    }
    return args;
  }

  /** Returns the unshare flags: every namespace, except the network one of a sandbox with egress. */
  private unshareArgs(): string[] {
    if (!hasEgress(this.template)) {
      return ['--unshare-all'];
    }
    return ['--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try'];
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
