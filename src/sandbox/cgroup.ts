import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';
import { join } from 'node:path';
import type { ResourceLimits } from './types.js';

/** Root of the cgroup v1 hierarchies (one folder per controller). */
export const CGROUP_ROOT = '/sys/fs/cgroup';

/** Controllers that sandstack limits or meters. */
const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'] as const;

/** CFS period for the CPU quota, in microseconds. */
const CPU_PERIOD_US = 100_000;

/** Relative cgroup path of one sandbox, the same under every controller. */
export function cgroupPathFor(sandboxId: string): string {
  return `/sandstack/${sandboxId}`;
}

/** Absolute folder of one controller's cgroup for a sandbox. */
export function cgroupDir(controller: string, sandboxId: string): string {
  return join(CGROUP_ROOT, controller, cgroupPathFor(sandboxId));
}

/** Whether the host has the cgroup v1 controllers sandstack needs. */
export function hasCgroupV1(): boolean {
  return CONTROLLERS.every((controller) => existsSync(join(CGROUP_ROOT, controller, 'tasks')));
}

/**
 * Creates the cgroup v1 folders of a sandbox and writes its limits. Used by drivers whose
 * runtime does not create cgroups itself (bubblewrap).
 */
export function createCgroups(sandboxId: string, limits: ResourceLimits): void {
  for (const controller of CONTROLLERS) {
    mkdirSync(cgroupDir(controller, sandboxId), { recursive: true });
  }
  const quotaUs = Math.max(1000, Math.round(limits.cpu * CPU_PERIOD_US));
  writeControl('cpu', sandboxId, 'cpu.cfs_period_us', String(CPU_PERIOD_US));
  writeControl('cpu', sandboxId, 'cpu.cfs_quota_us', String(quotaUs));
  writeControl('memory', sandboxId, 'memory.limit_in_bytes', String(limits.memoryBytes));
  writeControl('pids', sandboxId, 'pids.max', String(limits.pids));
}

/**
 * Starts, in a worker thread, a write of this process's pid to the `cgroup.procs` file of
 * its own pids cgroup, which moves nothing. In cgroup v1 the first write to any
 * `cgroup.procs` file waits for an RCU grace period (the kernel's cgroup_threadgroup_rwsem),
 * which took 2 to 16 ms on a loaded 2-core VM with Linux 6.18. A write that comes while
 * that wait runs, or soon after it ended, waits only for the rest. Calling this a few
 * milliseconds before a process joins a sandbox's cgroups takes that much off the join.
 * Errors are ignored, because the join works without it.
 *
 * NOTE: the saving follows from how the kernel's rcu_sync works; cold starts on a 2-core VM
 * at load average 14 to 65 were too noisy to show it.
 */
export function startCgroupGracePeriod(): void {
  let own: string | undefined;
  try {
    own = /^\d+:pids:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  } catch {
    return;
  }
  if (own === undefined) {
    return;
  }
  const file = join(CGROUP_ROOT, 'pids', own, 'cgroup.procs');
  writeFile(file, String(process.pid)).catch(() => undefined);
}

/** The `cgroup.procs` files a process must join to be limited and metered. */
export function cgroupProcsFiles(sandboxId: string): string[] {
  return CONTROLLERS.map((controller) => join(cgroupDir(controller, sandboxId), 'cgroup.procs'));
}

/** CPU time and peak memory of a sandbox's cgroup; zero when the cgroup is gone. */
export function readCgroupUsage(sandboxId: string): {
  cpuSeconds: number;
  memoryPeakBytes: number;
} {
  const cpuNs = readNumber(join(cgroupDir('cpuacct', sandboxId), 'cpuacct.usage'));
  const peak = readNumber(join(cgroupDir('memory', sandboxId), 'memory.max_usage_in_bytes'));
  return { cpuSeconds: cpuNs / 1e9, memoryPeakBytes: peak };
}

/**
 * Restarts a sandbox's CPU and peak-memory counters from now (cgroup v1 resets both when 0 is
 * written), so a warm sandbox's claim is metered from the claim, not from its start in the
 * pool. Does nothing when the cgroup is gone or not local.
 */
export function resetCgroupUsage(sandboxId: string): void {
  for (const [controller, file] of [
    ['cpuacct', 'cpuacct.usage'],
    ['memory', 'memory.max_usage_in_bytes'],
  ] as const) {
    try {
      writeFileSync(join(cgroupDir(controller, sandboxId), file), '0');
    } catch {
      // A Kubernetes sandbox has no local cgroup, and a dead one has none left.
    }
  }
}

/**
 * Memory that a sandbox's cgroup uses now (memory.usage_in_bytes, page cache included);
 * zero when the cgroup is gone.
 */
export function readCgroupMemoryBytes(sandboxId: string): number {
  return readNumber(join(cgroupDir('memory', sandboxId), 'memory.usage_in_bytes'));
}

/** Counters that tell which limit a sandbox hit: OOM kills and refused forks (pids.max). */
export function readLimitHits(sandboxId: string): { memory: number; pids: number } {
  const oomControl = readText(join(cgroupDir('memory', sandboxId), 'memory.oom_control'));
  const memory = Number(/oom_kill (\d+)/.exec(oomControl)?.[1] ?? 0);
  const events = readText(join(cgroupDir('pids', sandboxId), 'pids.events'));
  const pids = Number(/max (\d+)/.exec(events)?.[1] ?? 0);
  return { memory, pids };
}

/**
 * Niceness at which a background start (a pool refill) runs the runtime's host processes,
 * so that they yield the CPU to commands in claimed sandboxes. 10 is the default of
 * `nice(1)`: at the kernel's CFS weights a nice-10 thread gets about a tenth of the CPU
 * time of a nice-0 thread that competes with it.
 */
export const BACKGROUND_NICENESS = 10;

/** Prefix of an argv that runs its program, and every process it starts, at a niceness. */
export function niceArgv(niceness: number): string[] {
  return ['nice', '-n', String(niceness)];
}

/**
 * Sets every thread in a sandbox's cpu cgroup back to niceness 0, once a background start
 * is ready. Niceness is per thread on Linux and a new thread inherits its creator's, so
 * the pass repeats while it still finds threads to change, at most 5 times.
 * @returns the number of threads changed
 */
export function restoreNormalPriority(sandboxId: string): number {
  let changed = 0;
  for (let pass = 0; pass < 5; pass += 1) {
    let changedInPass = 0;
    for (const tid of cgroupThreadIds(sandboxId)) {
      try {
        if (getPriority(tid) !== 0) {
          setPriority(tid, 0);
          changedInPass += 1;
        }
      } catch {
        // The thread has exited.
      }
    }
    changed += changedInPass;
    if (changedInPass === 0) {
      break;
    }
  }
  return changed;
}

/** Thread ids in a sandbox's cpu cgroup (its `tasks` file). */
export function cgroupThreadIds(sandboxId: string): number[] {
  return readText(join(cgroupDir('cpu', sandboxId), 'tasks'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

/** Process ids still in any of the sandbox's cgroups. */
export function cgroupPids(sandboxId: string): number[] {
  const pids = new Set<number>();
  for (const file of cgroupProcsFiles(sandboxId)) {
    for (const line of readText(file).split('\n')) {
      if (line.trim() !== '') {
        pids.add(Number(line));
      }
    }
  }
  return [...pids];
}

/**
 * Kills every process left in the sandbox's cgroups and removes the cgroup folders. Bounded:
 * gives up after a few rounds and reports what is left.
 * @returns the process ids that could not be removed (empty on success)
 */
export async function removeCgroups(sandboxId: string): Promise<number[]> {
  const left = await killCgroupProcesses(sandboxId);
  for (const controller of CONTROLLERS) {
    const dir = cgroupDir(controller, sandboxId);
    try {
      if (existsSync(dir)) {
        rmdirSync(dir);
      }
    } catch {
      // Busy: reported through the pids that are left.
    }
  }
  return left;
}

/**
 * Kills every process in the sandbox's cgroups and keeps the cgroups, so their usage counters
 * go on. Bounded: gives up after a few rounds and reports what is left.
 * @returns the process ids that could not be killed (empty on success)
 */
export async function killCgroupProcesses(sandboxId: string): Promise<number[]> {
  for (let round = 0; round < 50; round += 1) {
    const pids = cgroupPids(sandboxId);
    if (pids.length === 0) {
      break;
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return cgroupPids(sandboxId);
}

function writeControl(controller: string, sandboxId: string, file: string, value: string): void {
  writeFileSync(join(cgroupDir(controller, sandboxId), file), value);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readNumber(file: string): number {
  const value = Number(readText(file).trim());
  return Number.isFinite(value) ? value : 0;
}
