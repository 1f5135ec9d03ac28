import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { hasCgroupV1 } from './cgroup.js';
import { BubblewrapDriver } from './drivers/bubblewrap.js';
import { GvisorDriver } from './drivers/gvisor.js';
import type { SandboxDriver } from './types.js';

const execFileAsync = promisify(execFile);

/** One host check: whether it passed, and if not, why and how to fix it. */
export interface HostCheck {
  name: string;
  ok: boolean;
  detail?: string;
  reason?: string;
  fix?: string;
}

/** Options for {@link checkHost}. */
export interface CheckHostOptions {
  /** Drivers to check. @default gVisor and bubblewrap */
  drivers?: SandboxDriver[];
}

/**
 * Checks what the sandbox layer needs from this host: each runtime, cgroup v1 and v2, and
 * user namespaces.
 *
 * @example
 * for (const check of await checkHost()) console.log(check.name, check.ok, check.fix);
 */
export async function checkHost(options: CheckHostOptions = {}): Promise<HostCheck[]> {
  const drivers = options.drivers ?? [new GvisorDriver(), new BubblewrapDriver()];
  const runtimes = await Promise.all(drivers.map((driver) => driver.check()));
  const checks: HostCheck[] = runtimes.map((check) => ({
    name: `runtime ${check.runtime}`,
    ok: check.available,
    ...(check.version === undefined ? {} : { detail: `version ${check.version}` }),
    ...(check.reason === undefined ? {} : { reason: check.reason }),
    ...(check.fix === undefined ? {} : { fix: check.fix }),
  }));
  checks.push(cgroupV1Check(), cgroupV2Check(), await userNamespaceCheck());
  return checks;
}

function cgroupV1Check(): HostCheck {
  if (hasCgroupV1()) {
    return { name: 'cgroups v1', ok: true, detail: 'cpu, cpuacct, memory and pids mounted' };
  }
  return {
    name: 'cgroups v1',
    ok: false,
    reason:
      'Limits and metering use the cgroup v1 controllers cpu, cpuacct, memory and pids, which are not mounted',
    fix: 'Boot with systemd.unified_cgroup_hierarchy=0 (hybrid or v1 hierarchies)',
  };
}

function cgroupV2Check(): HostCheck {
  const unified = [
    '/sys/fs/cgroup/unified/cgroup.controllers',
    '/sys/fs/cgroup/cgroup.controllers',
  ].find((file) => existsSync(file));
  if (unified === undefined) {
    return { name: 'cgroups v2', ok: true, detail: 'not mounted; v1 only' };
  }
  const controllers = readFileSync(unified, 'utf8').trim();
  return {
    name: 'cgroups v2',
    ok: true,
    detail: `unified hierarchy at ${unified.replace('/cgroup.controllers', '')} (controllers: ${controllers || 'none'}); sandstack uses v1`,
  };
}

async function userNamespaceCheck(): Promise<HostCheck> {
  try {
    await execFileAsync('unshare', ['--user', '--map-root-user', 'true'], { timeout: 10_000 });
    return { name: 'user namespaces', ok: true, detail: 'unprivileged user namespaces work' };
  } catch (error) {
    return {
      name: 'user namespaces',
      ok: false,
      reason: `"unshare --user true" failed: ${(error as Error).message.split('\n')[0] ?? ''}`,
      fix: 'Set sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces>0, or run sandstack as root',
    };
  }
}
