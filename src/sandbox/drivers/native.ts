/**
 * Programs that scripts/setup.sh builds from native/ and that the local drivers mount
 * read-only into sandboxes.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_PROTOCOL } from './exec-agent.js';

/** Folder of the programs built from native/, mounted into sandboxes. */
export const NATIVE_BUILD_DIR = fileURLToPath(new URL('../../../native/build', import.meta.url));

/**
 * Library preloaded into commands of gVisor sandboxes with a glibc root, built from
 * native/gvisor-statx.c: it lets `ls -l` and `stat` work under runsc releases that reject
 * statx() with AT_NO_AUTOMOUNT. Absent when no C compiler was there at setup.
 */
export const STATX_SHIM = join(NATIVE_BUILD_DIR, 'gvisor-statx.so');

/**
 * The command agent, a static program built from native/exec-agent.c that runs in any root
 * filesystem. Absent when no C compiler or static C library was there at setup; gVisor
 * commands then use `runsc exec`, and bubblewrap commands one bwrap each.
 */
export const EXEC_AGENT = join(NATIVE_BUILD_DIR, 'exec-agent');

/**
 * Path of the native build folder inside a sandbox, mounted read-only. runsc creates a
 * missing mount point on the host, so the folder is in the sandbox's own /tmp rather than
 * anywhere in the host root.
 */
export const NATIVE_DIR_IN_SANDBOX = '/tmp/.sandstack';

/**
 * Arguments of the agent inside a sandbox. The agent ignores the protocol argument, which
 * marks a gVisor bundle so that a later host can tell which protocol its init speaks.
 */
export const AGENT_ARGS = [`${NATIVE_DIR_IN_SANDBOX}/exec-agent`, `--protocol=${AGENT_PROTOCOL}`];

/**
 * Path of the statx shim's copy inside a gVisor sandbox: the sandbox's own /dev, a tmpfs of
 * gVisor that only root can write. The agent copies the shim there at start, because
 * preloading it from the bind mount cost each dynamically linked program about 3.5 ms, against
 * 1.4 ms from a tmpfs (medians of 60 runs of `/bin/sh -c true` inside a sandbox, runsc
 * 0.0~20221219.0, ptrace platform).
 */
export const STATX_SHIM_COPY_IN_SANDBOX = '/dev/.sandstack/gvisor-statx.so';

/** Agent argument that makes the agent copy the statx shim before it reads requests. */
export const STATX_SHIM_COPY_ARG = `--copy-file=${NATIVE_DIR_IN_SANDBOX}/gvisor-statx.so:${STATX_SHIM_COPY_IN_SANDBOX}`;

/**
 * Launcher of the long-lived bwrap of a bubblewrap sandbox, a static program built from
 * native/bwrap-launch.c. It stays on the host. Absent when no C compiler or static C library
 * was there at setup; bubblewrap commands then start one bwrap each, as without the agent.
 */
export const BWRAP_LAUNCH = join(NATIVE_BUILD_DIR, 'bwrap-launch');

/**
 * The seccomp filter of bubblewrap sandboxes, a BPF program that scripts/setup.sh writes
 * with native/seccomp-filter.c and that bwrap loads with `--seccomp`. Absent when libseccomp
 * or a C compiler was missing at setup; bubblewrap sandboxes then do not start.
 */
export const SECCOMP_FILTER = join(NATIVE_BUILD_DIR, 'seccomp.bpf');
