import { posix } from 'node:path';

import { SandstackError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type {
  ExecRequest,
  ExecResult,
  OperatingMode,
  SandboxInstance,
  SandboxTemplate,
  SandboxUsage,
  SnapshotInfo,
} from '../types.js';
import {
  checkRequestedLimits,
  outputLimits,
  templateOutputLimits,
  type OutputLimits,
} from '../process.js';
import { MAX_COMMAND_TIMEOUT_MS } from '../timers.js';
import { checkpointUnsupported } from '../drivers/shared.js';
import { TIMEOUT_EXIT_CODE, buildExecLine, shellQuote } from './exec-script.js';
import type { RouterClient } from './router-client.js';

/** Extra time the HTTP request to `/execute` gets beyond the command's own limit. */
const EXEC_GRACE_MS = 10_000;

/** Time limit of one file upload or download through the router. */
const FILE_TIMEOUT_MS = 60_000;

/** The calls into the Kubernetes API that an instance needs, supplied by the driver. */
export interface ClusterCalls {
  /** Returns whether the bound Sandbox still exists and is Ready, or is suspended on purpose. */
  isSandboxAlive(sandboxName: string): Promise<boolean>;
  /** Sets the Sandbox's `spec.operatingMode` and waits until the controller has applied it. */
  setOperatingMode(sandboxName: string, mode: OperatingMode): Promise<void>;
  /** Deletes the claim; the controller and garbage collector remove the Sandbox and pod. */
  deleteClaim(claimName: string): Promise<void>;
}

/** Everything a {@link KubernetesSandbox} is built from. */
export interface KubernetesSandboxOptions {
  id: string;
  claimName: string;
  sandboxName: string;
  /** `warm` when adopted from a pool, `cold` when started for this claim, else `unknown`. */
  launchType: 'warm' | 'cold' | 'unknown';
  template: SandboxTemplate;
  /** Working directory of the runtime in the pod; upload and download paths are relative to it. */
  podWorkdir: string;
  router: RouterClient;
  cluster: ClusterCalls;
  createdAtMs: number;
  /** The bound Sandbox's `spec.operatingMode` when the instance is made. @default 'Running' */
  operatingMode?: OperatingMode;
  logger: Logger;
}

/**
 * One sandbox pod reached through the agent-sandbox router. Commands and files travel over
 * HTTP, and the pod's lifetime belongs to its SandboxClaim.
 *
 * NOTE: of the sandstack template, only `env`, `commandTimeoutMs`, `maxOutputBytes` and
 * `lifetimeSeconds` apply here. The cluster's SandboxTemplate sets image, resources and
 * network, and commands start in `podWorkdir`, not in the template's `workdir`.
 *
 * Suspend sets the Sandbox's `operatingMode` to `Suspended`, on which the agent-sandbox
 * controller deletes the pod and keeps the Sandbox, its Service and its volume claims.
 * Resume starts a new pod: files on volumes from `volumeClaimTemplates` survive, but
 * processes and every other file do not, unlike a gVisor checkpoint.
 */
export class KubernetesSandbox implements SandboxInstance {
  readonly id: string;
  readonly runtime = 'kubernetes' as const;
  readonly claimName: string;
  readonly sandboxName: string;
  readonly launchType: 'warm' | 'cold' | 'unknown';
  readonly #options: KubernetesSandboxOptions;
  #operatingMode: OperatingMode;

  constructor(options: KubernetesSandboxOptions) {
    this.id = options.id;
    this.claimName = options.claimName;
    this.sandboxName = options.sandboxName;
    this.launchType = options.launchType;
    this.#options = options;
    this.#operatingMode = options.operatingMode ?? 'Running';
  }

  get commandTimeoutMs(): number {
    return this.#options.template.commandTimeoutMs;
  }

  get outputLimits(): OutputLimits {
    return templateOutputLimits(this.#options.template);
  }

  get operatingMode(): OperatingMode {
    return this.#operatingMode;
  }

  async exec(request: ExecRequest): Promise<ExecResult> {
    this.#rejectIfSuspended();
    const { template, router } = this.#options;
    const timeoutMs = request.timeoutMs ?? template.commandTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_COMMAND_TIMEOUT_MS) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid timeoutMs ${JSON.stringify(timeoutMs)}; use a whole number from 1 to ${MAX_COMMAND_TIMEOUT_MS}`,
      );
    }
    checkRequestedLimits(request, this.outputLimits);
    const limits = outputLimits(request, template);
    const line = buildExecLine({
      command: request.command,
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
      env: { ...template.env, ...request.env },
      ...(request.stdin === undefined ? {} : { stdin: request.stdin }),
      timeoutMs,
    });

    const startedMs = Date.now();
    const reply = await router.execute(line, timeoutMs + EXEC_GRACE_MS);
    const durationMs = Date.now() - startedMs;
    request.signal?.throwIfAborted();

    const stdout = truncateUtf8(reply.stdout, limits.stdout);
    const stderr = truncateUtf8(reply.stderr, limits.stderr);
    // NOTE: the router returns output only once the command ends, so `onOutput` gets it
    // all at that point rather than as it is written. For the same reason an aborted
    // `signal` rejects only afterwards and does not stop the command in the pod.
    for (const [stream, text] of [
      ['stdout', stdout.text],
      ['stderr', stderr.text],
    ] as const) {
      if (text !== '') {
        request.onOutput?.({ stream, data: Buffer.from(text) });
      }
    }
    return {
      exitCode: reply.exit_code,
      stdout: stdout.text,
      stderr: stderr.text,
      // NOTE: exit code 124 is also what `timeout` returns, so a command that exits 124 on
      // its own after running past its limit is reported as timed out.
      timedOut: reply.exit_code === TIMEOUT_EXIT_CODE && durationMs >= timeoutMs,
      outputTruncated: stdout.truncated || stderr.truncated,
      stdoutTruncated: stdout.truncated,
      stderrTruncated: stderr.truncated,
      durationMs,
    };
  }

  async readFile(path: string): Promise<Buffer> {
    this.#rejectIfSuspended();
    const relative = this.#relativePath(path);
    const data = await this.#options.router.download(relative, FILE_TIMEOUT_MS);
    if (data === undefined) {
      throw new SandstackError(
        'FILE_NOT_FOUND',
        `File "${path}" not found in sandbox "${this.id}" (pod path ${posix.join(this.#options.podWorkdir, relative)})`,
      );
    }
    return data;
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.#rejectIfSuspended();
    const relative = this.#relativePath(path);
    const parent = posix.dirname(relative);
    if (parent !== '.') {
      // The runtime's /upload opens the target without creating folders.
      const result = await this.exec({ command: `mkdir -p -- ${shellQuote(parent)}` });
      if (result.exitCode !== 0) {
        throw new SandstackError(
          'SANDBOX_FAILED',
          `Cannot create folder "${parent}" in sandbox "${this.id}": ${result.stderr.trim()}`,
        );
      }
    }
    await this.#options.router.upload(relative, Buffer.from(data), FILE_TIMEOUT_MS);
  }

  async usage(): Promise<SandboxUsage> {
    const wallSeconds = (Date.now() - this.#options.createdAtMs) / 1000;
    if (this.#operatingMode === 'Suspended') {
      // No pod runs, so there are no cgroup counters to read.
      // NOTE: CPU-seconds of the pods before a suspend are not carried over.
      return { cpuSeconds: 0, memoryPeakBytes: 0, wallSeconds };
    }
    // The pod's own cgroup v2 files. When they are missing, the counters stay at 0.
    const result = await this.exec({
      command:
        'cat /sys/fs/cgroup/cpu.stat 2>/dev/null; echo; cat /sys/fs/cgroup/memory.peak 2>/dev/null',
      timeoutMs: 10_000,
    });
    const usageUsec = /usage_usec (\d+)/.exec(result.stdout)?.[1];
    const lines = result.stdout.trim().split('\n');
    const peak = Number(lines[lines.length - 1]);
    return {
      cpuSeconds: usageUsec === undefined ? 0 : Number(usageUsec) / 1e6,
      memoryPeakBytes: Number.isFinite(peak) ? peak : 0,
      wallSeconds,
    };
  }

  isAlive(): Promise<boolean> {
    return this.#options.cluster.isSandboxAlive(this.sandboxName);
  }

  async suspend(): Promise<void> {
    if (this.#operatingMode === 'Suspended') {
      return;
    }
    await this.#options.cluster.setOperatingMode(this.sandboxName, 'Suspended');
    this.#operatingMode = 'Suspended';
  }

  async resume(): Promise<void> {
    if (this.#operatingMode === 'Running') {
      return;
    }
    await this.#options.cluster.setOperatingMode(this.sandboxName, 'Running');
    this.#operatingMode = 'Running';
  }

  async snapshot(_dir: string): Promise<SnapshotInfo> {
    throw checkpointUnsupported(this.runtime, this.id, 'snapshot');
  }

  async destroy(): Promise<void> {
    this.#options.logger.info('Deleting sandbox claim', {
      sandboxId: this.id,
      claim: this.claimName,
    });
    await this.#options.cluster.deleteClaim(this.claimName);
  }

  #rejectIfSuspended(): void {
    if (this.#operatingMode === 'Suspended') {
      throw new SandstackError(
        'SANDBOX_SUSPENDED',
        `Sandbox "${this.id}" cannot run commands or reach files because it is suspended (Sandbox "${this.sandboxName}" has no pod)`,
        {
          details: { sandboxId: this.id },
          remedy: {
            cli: `resume it first with "sandstack sandbox resume ${this.id}"`,
            http: `resume it first with POST /v1/sandboxes/${this.id}/resume`,
          },
        },
      );
    }
  }

  /** Maps a sandbox path to a path relative to the runtime's working directory. */
  #relativePath(path: string): string {
    const { podWorkdir } = this.#options;
    const absolute = posix.resolve(podWorkdir, path);
    const relative = posix.relative(podWorkdir, absolute);
    if (relative === '' || relative.startsWith('..') || path.includes('\0')) {
      throw new SandstackError(
        'SANDBOX_PATH_INVALID',
        `Path "${path}" is outside ${podWorkdir}, the only folder the sandbox runtime serves files from; use a path under ${podWorkdir} or a relative path`,
      );
    }
    return relative;
  }
}

function truncateUtf8(
  text: string,
  maxBytes: number,
): { text: string; bytes: number; truncated: boolean } {
  const buffer = Buffer.from(text);
  if (buffer.length <= maxBytes) {
    return { text, bytes: buffer.length, truncated: false };
  }
  const cut = buffer
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { text: cut, bytes: Buffer.byteLength(cut), truncated: true };
}
