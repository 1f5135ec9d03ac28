/**
 * The long-lived side of a bubblewrap sandbox: one bwrap per sandbox, started when the
 * sandbox is made, whose program is the command agent of exec-agent.ts. A command then
 * costs a request over the agent's FIFOs instead of a new bwrap with its namespaces and
 * mounts.
 *
 * The agent must start each command as {@link AGENT_COMMAND_USER} with a supplementary tag
 * group, which needs CAP_SETUID and CAP_SETGID inside the sandbox's user namespace and a
 * gid map that contains the tag groups. bwrap writes a one-line map itself and denies
 * setgroups(), so the host writes the maps instead: bwrap waits on `--userns-block-fd`
 * until they are in place. Root on the host may write any map, which keeps setgroups()
 * allowed in the namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { SandstackError } from '../../core/errors.js';
import { cgroupDir } from '../cgroup.js';
import { hostToolEnv } from '../process.js';
import { TAG_GROUP_RANGE } from './shared.js';

/**
 * User and group that the agent starts commands as. In the agent's user namespace uid and
 * gid 65534 map to the host's 65534 (`nobody`), and 0 maps to the host's root, which runs
 * bwrap and the agent.
 */
export const AGENT_COMMAND_USER = { uid: 65534, gid: 65534 };

/**
 * Capabilities the agent keeps inside its user namespace: changing a command's user and
 * groups, and killing a command's processes. A command loses them when it changes to
 * {@link AGENT_COMMAND_USER}, and no-new-privileges (which bwrap always sets) keeps them from
 * coming back. They count only in the sandbox's own namespaces.
 */
const AGENT_CAPABILITIES = ['CAP_SETUID', 'CAP_SETGID', 'CAP_KILL'];

/** Time allowed for bwrap to report its child and for the agent's first reply. */
export const AGENT_START_TIMEOUT_MS = 30_000;

/**
 * Descriptors of the launch of the agent's bwrap. The launcher gets the report pipe from
 * the host and sets up the others for bwrap. They carry bwrap's options (`--args`), the
 * agent program that bwrap copies into the sandbox, bwrap's info output, and the gate where
 * bwrap's child waits for its user namespace maps.
 */
const REPORT_FD = 3;
const BWRAP_ARGS_FD = 4;
const AGENT_PROGRAM_FD = 5;
const INFO_FD = 6;
const USERNS_BLOCK_FD = 7;

/**
 * Descriptor of the seccomp filter that bwrap loads (`--seccomp`), on both the agent's
 * bwrap and a per-command bwrap. bwrap closes it after reading.
 */
export const SECCOMP_FD = 8;

/**
 * Builds a bash script fragment and the arguments it takes that exec bwrap with its options
 * read from a descriptor (`--args`) rather than its command line. bwrap's init is pid 1 in
 * the sandbox with bwrap's argv, so options on the command line would show the host paths
 * they name (the state folder, the checkout) in /proc/1/cmdline to every command. Put the
 * fragment last in a bash `-c` script, with the arguments after `$0`; bash runs it, because
 * dash has no arrays or process substitution.
 *
 * @param command.prefix program that runs bwrap, such as `ip netns exec <ns>`, or none
 * @param command.options bwrap's options, without bwrap itself or the program
 */
export function bwrapWithHiddenOptions(command: {
  prefix: readonly string[];
  bwrap: string;
  options: readonly string[];
  program: readonly string[];
  /** Files opened read-only at their descriptors for bwrap, such as the seccomp filter. */
  files?: ReadonlyMap<number, string>;
}): { script: string; args: string[] } {
  const files = [...(command.files ?? new Map<number, string>())];
  const script = [
    ...files.map(([fd]) => `exec ${fd}<"$1"; shift`),
    'count=$1',
    'shift',
    `exec ${BWRAP_ARGS_FD}< <(printf '%s\\0' "\${@:1:count}")`,
    'shift "$count"',
    'exec "$@"',
  ].join('; ');
  const args = [
    ...files.map(([, path]) => path),
    String(command.options.length),
    ...command.options,
    ...command.prefix,
    command.bwrap,
    '--args',
    String(BWRAP_ARGS_FD),
    ...command.program,
  ];
  return { script, args };
}

/** Files of one sandbox's agent channel, in its state folder (mode 0600, root's). */
export interface AgentChannelPaths {
  requests: string;
  replies: string;
  lock: string;
}

export function agentChannelPaths(stateDir: string): AgentChannelPaths {
  return {
    requests: join(stateDir, 'agent-requests.fifo'),
    replies: join(stateDir, 'agent-replies.fifo'),
    lock: join(stateDir, 'agent.lock'),
  };
}

/**
 * Returns whether some process has the requests FIFO open for reading, which the agent's
 * bwrap does for as long as the sandbox's processes run.
 */
export function agentChannelHasReader(paths: AgentChannelPaths): boolean {
  let fd: number;
  try {
    fd = openSync(paths.requests, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    // ENXIO: no reader. ENOENT: the sandbox was destroyed.
    return false;
  }
  closeSync(fd);
  return true;
}

/** How long {@link waitForAgentExit} waits for an ended agent's processes to close the FIFO. */
const AGENT_EXIT_WAIT_MS = 2_000;

/**
 * Waits until no process has the requests FIFO open for reading, for at most
 * {@link AGENT_EXIT_WAIT_MS}. The kernel releases an exiting process's files one by one, so
 * the replies FIFO can read end-of-file while the requests FIFO still has the dying agent
 * or its bwrap as reader. Without this wait a caller could take that reader for a live agent.
 * @returns whether the reader went away in time
 */
export async function waitForAgentExit(paths: AgentChannelPaths): Promise<boolean> {
  const deadline = Date.now() + AGENT_EXIT_WAIT_MS;
  while (agentChannelHasReader(paths)) {
    if (Date.now() >= deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/**
 * Removes the channel's lock file when the process it names has exited but is not yet
 * reaped. exec-agent.ts counts such a zombie as a live holder, and a process killed a moment
 * ago by its parent is one until the parent waits for it.
 */
export function removeLockOfZombie(paths: AgentChannelPaths): void {
  let status: string;
  try {
    const pid = Number(readFileSync(paths.lock, 'utf8'));
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return;
  }
  if (/^State:\s+Z/m.test(status)) {
    rmSync(paths.lock, { force: true });
  }
}

/** Settings of the bwrap that {@link spawnAgentBwrap} starts. */
export interface AgentLaunch {
  /** The launcher program built from native/bwrap-launch.c. */
  launcher: string;
  /** The bwrap program and its sandbox options, without user-namespace options or program. */
  bwrapArgs: string[];
  /** Program that runs bwrap in the sandbox's network namespace, when it has one. */
  netnsPrefix: string[];
  /** The agent program inside the sandbox (an absolute path) and its arguments. */
  agent: { program: string; args: string[] };
  /** Host file of the agent program, which bwrap copies to `agent.program`. */
  agentFile: string;
  /**
   * Host file of the seccomp filter that `bwrapArgs` loads from {@link SECCOMP_FD}, or
   * undefined when the sandbox runs without one.
   */
  seccompFilter: string | undefined;
  /** The `cgroup.procs` files that bwrap joins before it starts. */
  cgroupProcsFiles: string[];
  channel: AgentChannelPaths;
  /** File that receives bwrap's and the agent's stderr. */
  logPath: string;
  /** Niceness of bwrap, the agent and the commands it starts until reset. @default 0 */
  niceness?: number;
}

/** A started bwrap with the agent. */
export interface AgentBwrap {
  /**
   * Resolves to the host pid of the sandbox's init (pid 1 inside), whose death ends every
   * process of the sandbox, once its user namespace maps are written.
   * @throws SandstackError `SANDBOX_FAILED` when bwrap exits or reports nothing in time
   */
  initPid: Promise<number>;
}

/**
 * Returns bwrap and the options of the agent's bwrap that set up the sandbox: its
 * namespaces, mounts, user namespace and capabilities. The descriptors through which the
 * launcher writes the user namespace maps and gates the start are left out, and so is the
 * program. The options copy the agent, and load the seccomp filter, from the descriptors in
 * `files`.
 */
export function agentBwrapCommand(
  launch: Pick<AgentLaunch, 'bwrapArgs' | 'agent' | 'agentFile' | 'seccompFilter'>,
): {
  bwrap: string;
  options: string[];
  files: Map<number, string>;
} {
  const [bwrap = 'bwrap', ...sandboxOptions] = launch.bwrapArgs;
  // The agent is copied into a file of bwrap's own, so no mount inside shows where the
  // host keeps it.
  const options = [
    ...sandboxOptions,
    '--perms',
    '0555',
    '--ro-bind-data',
    String(AGENT_PROGRAM_FD),
    launch.agent.program,
    '--unshare-user',
    '--cap-drop',
    'ALL',
    ...AGENT_CAPABILITIES.flatMap((capability) => ['--cap-add', capability]),
  ];
  const files = new Map([[AGENT_PROGRAM_FD, launch.agentFile]]);
  if (launch.seccompFilter !== undefined) {
    files.set(SECCOMP_FD, launch.seccompFilter);
  }
  return { bwrap, options, files };
}

/**
 * Starts the sandbox's bwrap with the agent as its program, detached from this process so
 * that the sandbox outlives it. The launcher (native/bwrap-launch.c) joins the cgroups and
 * execs bwrap, and its helper writes the user namespace maps, so no round trip through this
 * process delays bwrap. On return the launcher holds the agent's FIFOs, so the caller may open
 * the channel and queue its first request while bwrap still sets up the sandbox.
 */
export function spawnAgentBwrap(launch: AgentLaunch): AgentBwrap {
  const { bwrap: bwrapPath, options: isolation, files } = agentBwrapCommand(launch);
  const options = [
    ...isolation,
    '--info-fd',
    String(INFO_FD),
    '--userns-block-fd',
    String(USERNS_BLOCK_FD),
  ];
  const { program, args } = launch.agent;
  const niceness = launch.niceness ?? 0;
  const launcherArgs = [
    ...launch.cgroupProcsFiles.flatMap((file) => ['--join', file]),
    ...(niceness === 0 ? [] : ['--niceness', String(niceness)]),
    '--keep-fd',
    String(REPORT_FD),
    ...[...files].flatMap(([fd, path]) => ['--file', `${fd}:${path}`]),
    '--args-fd',
    String(BWRAP_ARGS_FD),
    '--user-maps',
    String(INFO_FD),
    String(USERNS_BLOCK_FD),
    String(REPORT_FD),
    ...userNamespaceMaps(),
    '--',
    String(options.length),
    ...options,
    ...launch.netnsPrefix,
    bwrapPath,
    '--args',
    String(BWRAP_ARGS_FD),
    // bwrap runs the agent itself, so a root filesystem without /bin/sh works. bwrap leaves
    // the gate and the descriptors of its options and of the agent open, and the agent
    // closes every descriptor above stderr that it inherits.
    program,
    ...args,
  ];

  // The agent's stdin and stdout are its FIFOs, opened read-write so that opening does not
  // wait for a peer and the agent never reads end-of-file while the sandbox runs.
  const requests = openSync(launch.channel.requests, 'r+');
  const replies = openSync(launch.channel.replies, 'r+');
  const log = openSync(launch.logPath, 'w');
  let child: ChildProcess;
  try {
    child = spawn(launch.launcher, launcherArgs, {
      detached: true,
      stdio: [requests, replies, log, 'pipe'],
      env: hostToolEnv(),
    });
  } finally {
    closeSync(requests);
    closeSync(replies);
    closeSync(log);
  }
  child.unref();

  const initPid = readInitPid(child).catch((error: unknown) => {
    child.kill('SIGKILL');
    const log = lastLine(launch.logPath);
    throw new SandstackError(
      'SANDBOX_FAILED',
      `bwrap could not start the command agent: ${(error as Error).message}${log === '' ? '' : ` (${log})`}`,
      { retryable: true },
    );
  });
  // A caller that fails on the channel first may never await this.
  initPid.catch(() => undefined);
  return { initPid };
}

/**
 * Reads the launcher's report to its end: the sandbox's init pid on one line, once its
 * maps are written. The report is empty when bwrap ends before it forks, and then bwrap's
 * exit status gives the reason.
 */
function readInitPid(child: ChildProcess): Promise<number> {
  const report = child.stdio[REPORT_FD] as Readable | null;
  if (report === null) {
    return Promise.reject(new Error('the launcher could not be started'));
  }
  return new Promise<number>((resolve, reject) => {
    let text = '';
    let ended = false;
    let exitStatus: string | undefined;
    const settle = (error: Error | undefined, pid?: number): void => {
      clearTimeout(timer);
      report.removeAllListeners();
      report.on('error', () => undefined);
      report.destroy();
      child.removeListener('exit', onExit);
      child.removeListener('error', settle);
      if (error === undefined && pid !== undefined) {
        resolve(pid);
      } else {
        reject(error ?? new Error(`the launcher reported ${JSON.stringify(text)}`));
      }
    };
    // Decides once the report has ended: the pid, or bwrap's exit status when there is none.
    const decide = (): void => {
      const pid = /^(\d+)\n$/.exec(text)?.[1];
      if (ended && pid !== undefined) {
        settle(undefined, Number(pid));
      } else if (ended && text !== '') {
        settle(undefined);
      } else if (ended && exitStatus !== undefined) {
        settle(new Error(`bwrap exited with ${exitStatus} before it started`));
      }
    };
    const timer = setTimeout(() => {
      settle(new Error(`timed out after ${AGENT_START_TIMEOUT_MS}ms waiting for its child pid`));
    }, AGENT_START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null): void => {
      exitStatus = code === null ? `signal ${signal ?? 'unknown'}` : `code ${code}`;
      decide();
    };
    child.once('exit', onExit);
    child.once('error', settle);
    report.setEncoding('utf8');
    report.on('data', (chunk: string) => {
      text += chunk;
    });
    report.once('end', () => {
      ended = true;
      decide();
    });
    report.once('error', settle);
  });
}

/**
 * Returns the uid and gid maps of bwrap's new user namespace. Root and `nobody` map to
 * themselves, and so does the range of tag groups, so the host reads the same group ids in
 * /proc/<pid>/status that the agent gave.
 */
function userNamespaceMaps(): [uidMap: string, gidMap: string] {
  const { uid, gid } = AGENT_COMMAND_USER;
  const tags = `${TAG_GROUP_RANGE.min} ${TAG_GROUP_RANGE.min} ${TAG_GROUP_RANGE.max - TAG_GROUP_RANGE.min}`;
  return [`0 0 1\n${uid} ${uid} 1\n`, `0 0 1\n${gid} ${gid} 1\n${tags}\n`];
}

/** Last line of a log file, or '' when it is empty or missing. */
export function lastLine(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').pop() ?? '';
  } catch {
    return '';
  }
}

/**
 * Kills the processes in the sandbox's cgroup whose supplementary groups match, and waits
 * (bounded) until they have died. Each process is stopped first and killed after, so no
 * parent forks again while its children die, and the scan runs a few times for a fork
 * bomb's new children.
 * @returns how many processes got SIGKILL
 */
export async function killTaggedProcesses(
  sandboxId: string,
  matches: (groups: readonly number[]) => boolean,
): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 3; round += 1) {
    const pids = taggedProcesses(sandboxId, matches);
    if (pids.length === 0) {
      break;
    }
    for (const signal of ['SIGSTOP', 'SIGKILL'] as const) {
      for (const pid of pids) {
        try {
          process.kill(pid, signal);
        } catch {
          // Already gone.
        }
      }
    }
    killed += pids.length;
    await waitUntilDead(pids);
  }
  return killed;
}

/** Waits until each process is gone or a zombie, for at most about a second. */
async function waitUntilDead(pids: readonly number[]): Promise<void> {
  for (let poll = 0; poll < 200; poll += 1) {
    if (pids.every((pid) => !isLive(pid))) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function isLive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Returns whether `groups` has a group from the tag range: the process ran a command. */
export function hasTagGroup(groups: readonly number[]): boolean {
  return groups.some((group) => group >= TAG_GROUP_RANGE.min && group < TAG_GROUP_RANGE.max);
}

/** Live processes of the sandbox's pids cgroup whose groups match, from /proc/<pid>/status. */
function taggedProcesses(
  sandboxId: string,
  matches: (groups: readonly number[]) => boolean,
): number[] {
  let procs: string;
  try {
    procs = readFileSync(join(cgroupDir('pids', sandboxId), 'cgroup.procs'), 'utf8');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const line of procs.split('\n')) {
    if (line === '') {
      continue;
    }
    let status: string;
    try {
      status = readFileSync(`/proc/${line}/status`, 'utf8');
    } catch {
      continue;
    }
    if (/^State:\s+Z/m.test(status)) {
      continue;
    }
    const groups = (/^Groups:(.*)$/m.exec(status)?.[1] ?? '').trim().split(/\s+/).map(Number);
    if (matches(groups)) {
      pids.push(Number(line));
    }
  }
  return pids;
}

/**
 * Makes the workspace belong to {@link AGENT_COMMAND_USER}, whom the agent runs commands as.
 * A fresh workspace is one empty folder, so this is one chown.
 */
export function giveWorkspaceToCommands(workspace: string): void {
  if (existsSync(workspace)) {
    chownSync(workspace, AGENT_COMMAND_USER.uid, AGENT_COMMAND_USER.gid);
  }
}
