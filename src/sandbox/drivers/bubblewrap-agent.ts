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
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { SandstackError } from '../../core/errors.js';
import { cgroupDir, niceArgv } from '../cgroup.js';
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

/** Descriptors of the bwrap that runs the agent: its info output and its user-namespace gate. */
const INFO_FD = 3;
const USERNS_BLOCK_FD = 4;

/** Descriptor from which bwrap reads its options (`--args`), in the host shell that runs it. */
const BWRAP_ARGS_FD = 5;

/** Descriptor from which bwrap copies the agent program into the sandbox. */
const AGENT_PROGRAM_FD = 6;

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
 * @param command.files host files opened for reading at descriptors, for bwrap options
 *   such as `--ro-bind-data`
 */
export function bwrapWithHiddenOptions(command: {
  prefix: readonly string[];
  bwrap: string;
  options: readonly string[];
  program: readonly string[];
  files?: ReadonlyMap<number, string>;
}): { script: string; args: string[] } {
  const files = [...(command.files ?? new Map<number, string>())];
  // Each file's path comes first in the arguments, then the options' count and options.
  const openFiles = files.map(([fd], index) => `exec ${fd}< "\${${index + 1}}"`).join('; ');
  const script = [
    ...(openFiles === '' ? [] : [openFiles]),
    `shift ${files.length}`,
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

/** Settings of the bwrap that {@link launchAgentBwrap} starts. */
export interface AgentLaunch {
  /** The bwrap program and its sandbox options, without user-namespace options or program. */
  bwrapArgs: string[];
  /** Program that runs bwrap in the sandbox's network namespace, when it has one. */
  netnsPrefix: string[];
  /** The agent program inside the sandbox (an absolute path) and its arguments. */
  agent: { program: string; args: string[] };
  /** Host file of the agent program, which bwrap copies to `agent.program`. */
  agentFile: string;
  /** The `cgroup.procs` files that bwrap joins before it starts. */
  cgroupProcsFiles: string[];
  channel: AgentChannelPaths;
  /** File that receives bwrap's and the agent's stderr. */
  logPath: string;
  /** Niceness of bwrap, the agent and the commands it starts until reset. @default 0 */
  niceness?: number;
}

/**
 * Starts the sandbox's bwrap with the agent as its program, detached from this process so
 * that the sandbox outlives it. Resolves once the user namespace maps are written. The
 * caller then waits for the agent's first reply over the channel.
 * @returns the host pid of the sandbox's init (pid 1 inside), whose death ends every process
 *   of the sandbox
 * @throws SandstackError `SANDBOX_FAILED` when bwrap exits or reports nothing in time
 */
export async function launchAgentBwrap(launch: AgentLaunch): Promise<number> {
  const joinCgroups = launch.cgroupProcsFiles.map((file) => `echo $$ > '${file}'`).join('; ');
  // Descriptors above USERNS_BLOCK_FD are closed, because Node passes on whatever its parent
  // left open without close-on-exec. bash runs this, because dash cannot name descriptors
  // above 9 in a redirection.
  const closeStray = `for fd in /proc/$$/fd/*; do n=\${fd##*/}; if [ "$n" -gt ${USERNS_BLOCK_FD} ]; then eval "exec $n>&-"; fi; done`;
  const [bwrapPath = 'bwrap', ...sandboxOptions] = launch.bwrapArgs;
  const { program, args } = launch.agent;
  // The agent is copied into a file of bwrap's own, so no mount inside shows where the
  // host keeps it.
  const options = [
    ...sandboxOptions,
    '--perms',
    '0555',
    '--ro-bind-data',
    String(AGENT_PROGRAM_FD),
    program,
    '--unshare-user',
    '--info-fd',
    String(INFO_FD),
    '--userns-block-fd',
    String(USERNS_BLOCK_FD),
    '--cap-drop',
    'ALL',
    ...AGENT_CAPABILITIES.flatMap((capability) => ['--cap-add', capability]),
  ];
  const hidden = bwrapWithHiddenOptions({
    prefix: launch.netnsPrefix,
    bwrap: bwrapPath,
    options,
    // bwrap runs the agent itself, so a root filesystem without /bin/sh works. bwrap leaves
    // the gate and the descriptors of its options and of the agent open, and the agent
    // closes every descriptor above stderr that it inherits.
    program: [program, ...args],
    files: new Map([[AGENT_PROGRAM_FD, launch.agentFile]]),
  });
  const script = `${joinCgroups}; ${closeStray}; ${hidden.script}`;

  // The agent's stdin and stdout are its FIFOs, opened read-write so that opening does not
  // wait for a peer and the agent never reads end-of-file while the sandbox runs.
  const requests = openSync(launch.channel.requests, 'r+');
  const replies = openSync(launch.channel.replies, 'r+');
  const log = openSync(launch.logPath, 'w');
  let child: ChildProcess;
  try {
    const shell = ['/bin/bash', '--norc', '--noprofile', '-c', script, 'bash', ...hidden.args];
    const niceness = launch.niceness ?? 0;
    // nice execs the shell, so the shell's $$ and the pid that bwrap reports stay the same.
    const [program = '/bin/bash', ...args] =
      niceness === 0 ? shell : [...niceArgv(niceness), ...shell];
    child = spawn(program, args, {
      detached: true,
      stdio: [requests, replies, log, 'pipe', 'pipe'],
      env: hostToolEnv(),
    });
  } finally {
    closeSync(requests);
    closeSync(replies);
    closeSync(log);
  }
  child.unref();

  const info = child.stdio[INFO_FD] as Readable;
  const gate = child.stdio[USERNS_BLOCK_FD] as Writable;
  // bwrap may be gone by the time the gate is written; the channel then reports that.
  gate.on('error', () => undefined);
  try {
    const childPid = await readChildPid(info, child);
    writeUserNamespaceMaps(childPid);
    gate.end('1');
    return childPid;
  } catch (error) {
    gate.destroy();
    child.kill('SIGKILL');
    const log = readFileSync(launch.logPath, 'utf8').trim().split('\n').pop() ?? '';
    throw new SandstackError(
      'SANDBOX_FAILED',
      `bwrap could not start the command agent: ${(error as Error).message}${log === '' ? '' : ` (${log})`}`,
      { retryable: true },
    );
  } finally {
    // Open stdio pipes would keep this process alive, and bwrap needs neither any more.
    info.destroy();
  }
}

/**
 * Reads bwrap's JSON on its info descriptor to its end and returns its `child-pid`. Reading
 * stops only at end-of-file, because bwrap writes the JSON in several pieces and dies of
 * SIGPIPE if the reader goes away in between.
 */
function readChildPid(info: Readable, child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const settle = (error: Error | undefined): void => {
      clearTimeout(timer);
      info.removeAllListeners();
      child.removeListener('exit', onExit);
      const pid = /"child-pid"\s*:\s*(\d+)/.exec(text)?.[1];
      if (error === undefined && pid !== undefined) {
        resolve(Number(pid));
      } else {
        reject(error ?? new Error(`bwrap reported no child-pid: ${JSON.stringify(text)}`));
      }
    };
    const timer = setTimeout(() => {
      settle(new Error(`timed out after ${AGENT_START_TIMEOUT_MS}ms waiting for its report`));
    }, AGENT_START_TIMEOUT_MS);
    const onExit = (code: number | null): void => {
      settle(new Error(`bwrap exited with code ${code ?? 'null'} before it started`));
    };
    child.once('exit', onExit);
    info.setEncoding('utf8');
    info.on('data', (chunk: string) => {
      text += chunk;
    });
    info.once('end', () => settle(undefined));
    info.once('error', settle);
  });
}

/**
 * Writes the uid and gid maps of bwrap's new user namespace. Root and `nobody` map to
 * themselves, and so does the range of tag groups, so the host reads the same group ids in
 * /proc/<pid>/status that the agent gave.
 */
function writeUserNamespaceMaps(childPid: number): void {
  const { uid, gid } = AGENT_COMMAND_USER;
  const tags = `${TAG_GROUP_RANGE.min} ${TAG_GROUP_RANGE.min} ${TAG_GROUP_RANGE.max - TAG_GROUP_RANGE.min}`;
  writeFileSync(`/proc/${childPid}/uid_map`, `0 0 1\n${uid} ${uid} 1\n`);
  writeFileSync(`/proc/${childPid}/gid_map`, `0 0 1\n${gid} ${gid} 1\n${tags}\n`);
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
