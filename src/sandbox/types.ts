/**
 * Types of the sandbox layer: templates, the driver interface every runtime implements, and
 * the requests and results of commands run inside a sandbox.
 */

/** A runtime that can run sandboxes on this host. */
export type RuntimeName = 'gvisor' | 'bubblewrap' | 'kubernetes';

/** Hard limits applied to one sandbox. */
export interface ResourceLimits {
  /** CPU cores the sandbox may use (cgroup CPU quota); fractions allowed. */
  cpu: number;
  /** Memory limit in bytes, page cache included. */
  memoryBytes: number;
  /**
   * Maximum number of tasks (processes and threads) of the sandbox's code. On gVisor it is
   * counted in host tasks, and the runtime's own threads get a reserve above it.
   */
  pids: number;
  /** Size of the writable layer (workspace and scratch) in bytes. */
  diskBytes: number;
}

/** Root filesystem of a sandbox. */
export type RootfsSpec =
  /** The host's root, read-only, with home folders, `/root` and credentials hidden. */
  | { kind: 'host' }
  /** A directory on the host that holds a complete root filesystem, mounted read-only. */
  | { kind: 'directory'; path: string };

/** A resolved template: everything needed to start sandboxes of one kind. */
export interface SandboxTemplate {
  name: string;
  /** `auto` picks gVisor where runsc works and bubblewrap otherwise. */
  runtime: RuntimeName | 'auto';
  rootfs: RootfsSpec;
  resources: ResourceLimits;
  /** Network egress: none at all, or HTTP(S) through a proxy to listed domains only. */
  network: NetworkPolicy;
  /** Environment of every command. */
  env: Record<string, string>;
  /** Writable working directory inside the sandbox, kept for the sandbox's lifetime. */
  workdir: string;
  /** Wall-clock limit per command. */
  commandTimeoutMs: number;
  /**
   * Limit on each of stdout and stderr kept per command, unless `maxStdoutBytes` or
   * `maxStderrBytes` sets that stream apart; the rest is dropped.
   */
  maxOutputBytes: number;
  /** Limit on stdout kept per command. @default maxOutputBytes */
  maxStdoutBytes?: number;
  /** Limit on stderr kept per command. @default maxOutputBytes */
  maxStderrBytes?: number;
  /** Wall-clock limit for the whole sandbox, after which the controller destroys it. */
  lifetimeSeconds: number;
  /**
   * Whether a claim may add environment variables (`Allowed`) or also replace the
   * template's (`Overrides`), as in the upstream SandboxTemplate field of the same name.
   * @default 'Disallowed'
   */
  envVarsInjectionPolicy?: EnvVarsInjectionPolicy;
  /**
   * Name of a snapshot (from `SandboxController.snapshot`) that new sandboxes of this
   * template restore, processes and files, instead of starting cold. gVisor only. Upstream's
   * SandboxTemplate has no such field; manifests set it with the `sandstack.dev/snapshot`
   * annotation. @default none
   */
  snapshot?: string;
}

/**
 * Network egress of a template's sandboxes. `proxy` gives each sandbox its own network
 * namespace whose only reachable address is an HTTP proxy on `127.0.0.1:3128` (set in
 * `http_proxy` and `https_proxy`), which lets through the `allow`ed domain names (exact, or
 * `*.example.com` for subdomains) and refuses and records everything else. bubblewrap only.
 */
export type NetworkPolicy = { egress: 'none' } | { egress: 'proxy'; allow: string[] };

/** Whether claims may set environment variables of a template's sandboxes. */
export type EnvVarsInjectionPolicy = 'Disallowed' | 'Allowed' | 'Overrides';

/** One command to run inside a sandbox through `/bin/sh -c`. */
export interface ExecRequest {
  command: string;
  /** Working directory inside the sandbox. @default the template's workdir */
  cwd?: string;
  /** Extra environment variables. @default {} */
  env?: Record<string, string>;
  /** Bytes fed to the command's standard input. @default none */
  stdin?: string | Uint8Array;
  /** @default the template's commandTimeoutMs */
  timeoutMs?: number;
  /**
   * Limit on each of stdout and stderr, in bytes. It may lower the template's limits but not
   * raise them: a larger value is rejected with `INVALID_ARGUMENT`. The kept output is held
   * in memory. @default the template's maxOutputBytes
   */
  maxOutputBytes?: number;
  /** At most the template's stdout limit. @default maxOutputBytes, else the template's maxStdoutBytes or maxOutputBytes */
  maxStdoutBytes?: number;
  /** At most the template's stderr limit. @default maxOutputBytes, else the template's maxStderrBytes or maxOutputBytes */
  maxStderrBytes?: number;
  /**
   * Receives each piece of output as the command writes it, up to the stream's limit, in
   * order within each stream. The result still contains all of the kept output.
   * @default none
   */
  onOutput?: (chunk: OutputChunk) => void;
  /**
   * Aborting it kills every process of the command, and `exec` then rejects with the
   * signal's reason once they are gone. @default none
   */
  signal?: AbortSignal;
}

/** One piece of a command's output, as it was read from the command's pipe. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** Outcome of one command. A non-zero exit code is a result, not an error. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The command was killed because it ran past its time limit. */
  timedOut: boolean;
  /** Stdout or stderr went past its limit and was cut. */
  outputTruncated: boolean;
  /** Stdout went past its limit (`maxStdoutBytes`) and was cut. */
  stdoutTruncated: boolean;
  /** Stderr went past its limit (`maxStderrBytes`) and was cut. */
  stderrTruncated: boolean;
  durationMs: number;
}

/** Resources a sandbox has used so far, from cgroup accounting. */
export interface SandboxUsage {
  cpuSeconds: number;
  memoryPeakBytes: number;
  wallSeconds: number;
}

/** Whether a runtime works on this host, and if not, why and how to fix it. */
export interface RuntimeCheck {
  runtime: RuntimeName;
  available: boolean;
  version?: string;
  reason?: string;
  fix?: string;
}

/**
 * Whether a sandbox's processes run (`Running`) or are checkpointed to disk and stopped
 * (`Suspended`), as upstream's Sandbox `spec.operatingMode`. Running → Suspended by
 * `suspend()`, Suspended → Running by `resume()`; a destroy ends either.
 */
export type OperatingMode = 'Running' | 'Suspended';

/** Record of what `SandboxInstance.snapshot` stored. */
export interface SnapshotInfo {
  /** Bytes of the checkpoint image (memory and kernel state). */
  imageBytes: number;
  /** Bytes of the copied writable layer (workspace and `/tmp`). */
  filesBytes: number;
  /** Time the sandbox's processes were stopped for the checkpoint, in milliseconds. */
  pausedMs: number;
}

/** A running sandbox as a driver sees it. */
export interface SandboxInstance {
  readonly id: string;
  readonly runtime: RuntimeName;
  /** Timeout of a command that sets none: the template's `commandTimeoutMs`. */
  readonly commandTimeoutMs: number;
  /**
   * Bytes of stdout and stderr kept per command that sets no limit: the template's. A
   * command's `maxOutputBytes`, `maxStdoutBytes` or `maxStderrBytes` may only lower them.
   */
  readonly outputLimits: { stdout: number; stderr: number };
  exec(request: ExecRequest): Promise<ExecResult>;
  /**
   * Resolves once a command that runs now or starts later has ended, whatever its result.
   * Local runtimes only.
   */
  commandEnded?(): Promise<void>;
  /** Reads a file; relative paths resolve against the workdir. */
  readFile(path: string): Promise<Buffer>;
  /** Writes a file, creating parent folders; relative paths resolve against the workdir. */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  usage(): Promise<SandboxUsage>;
  /** Whether the sandbox's processes are still running. */
  isAlive(): Promise<boolean>;
  /** Stops every process and removes every file, mount and cgroup the sandbox made. */
  destroy(): Promise<void>;
  /** `Suspended` between `suspend()` and `resume()`. */
  readonly operatingMode: OperatingMode;
  /**
   * Checkpoints the processes (memory and kernel state) into the sandbox's state folder and
   * stops them, so the sandbox uses no CPU and holds no process memory. Commands fail with
   * `SANDBOX_SUSPENDED` until `resume()`. A no-op when already suspended.
   * @throws SandstackError `CHECKPOINT_UNSUPPORTED` on runtimes without checkpointing
   */
  suspend(): Promise<void>;
  /**
   * Restores the processes from the checkpoint taken by `suspend()`; they continue where
   * they stopped. A no-op when running.
   * @throws SandstackError `CHECKPOINT_UNSUPPORTED` on runtimes without checkpointing
   */
  resume(): Promise<void>;
  /**
   * Stores a checkpoint of the processes and a copy of the writable layer in `dir` (which
   * must not exist), from which `create({ snapshotDir })` starts new sandboxes. The sandbox
   * keeps running, after a pause of `pausedMs`.
   * @throws SandstackError `CHECKPOINT_UNSUPPORTED` on runtimes without checkpointing
   */
  snapshot(dir: string): Promise<SnapshotInfo>;
}

/** What a driver needs to create or re-attach one sandbox. */
export interface DriverCreateOptions {
  id: string;
  template: SandboxTemplate;
  /** Host directory the driver owns for this sandbox (bundle, workspace, state). */
  stateDir: string;
  /**
   * Folder written by `SandboxInstance.snapshot`: `create` restores its processes and files
   * instead of starting cold. Ignored by `attach`. @default none
   */
  snapshotDir?: string;
  /**
   * Starts the runtime's host processes at a lower CPU priority, for starts that no caller
   * waits on (pool refills), and sets them back to normal priority once the sandbox is
   * ready. Ignored on Kubernetes. @default false
   */
  background?: boolean;
  /**
   * Ready state folders with a mounted writable layer, which `create` moves into place
   * instead of mounting a layer. Ignored by `attach` and on Kubernetes. @default none
   */
  spareLayers?: SpareLayerSource;
}

/** Source of spare state folders for cold starts (see `SpareLayers`). */
export interface SpareLayerSource {
  /**
   * Moves a spare state folder whose writable layer has `diskBytes` to `stateDir`, which must
   * not exist yet. The folder contains the mounted layer and the command agent's FIFOs, both
   * unused. Returns false when none is ready.
   */
  take(stateDir: string, diskBytes: number): boolean;
}

/** The small interface every runtime implements. */
export interface SandboxDriver {
  readonly name: RuntimeName;
  check(): Promise<RuntimeCheck>;
  create(options: DriverCreateOptions): Promise<SandboxInstance>;
  /**
   * Re-attaches to a sandbox created earlier, possibly by a process that has since died.
   * Keeps its files; restarts its runtime when the old processes are gone. Returns
   * undefined when nothing of the sandbox is left.
   */
  attach(options: DriverCreateOptions): Promise<SandboxInstance | undefined>;
  /**
   * Brings back what a host reboot, or an unmount while the host stayed up, removed from a
   * suspended sandbox, so that a later resume restores its processes. Returns how it did,
   * or undefined when nothing was missing. Throws when the sandbox cannot be restored, and
   * leaves nothing half-made then. A retryable error means that it may be restored once the
   * operator acts, so the sandbox should be kept. Drivers that cannot suspend leave it out.
   */
  recoverSuspended?(options: DriverCreateOptions): Promise<LayerRecovery | undefined>;
}

/**
 * Cause of a suspended sandbox's writable layer being unmounted, from the host's boot id
 * recorded at suspend and the current one: `host-reboot` (they differ), `unmounted-while-up`
 * (they match, so something unmounted the layer), or `boot-unknown` (the image records none,
 * or the host has none).
 */
export type LayerLossCause = 'host-reboot' | 'unmounted-while-up' | 'boot-unknown';

/** Outcome of {@link SandboxDriver.recoverSuspended} when it mounted a layer again. */
export interface LayerRecovery {
  cause: LayerLossCause;
  /** Boot id recorded when the sandbox was suspended. */
  recordedBootId?: string;
  /** Boot id of the host now. */
  bootId?: string;
}
