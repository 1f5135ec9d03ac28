import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SandstackError, isSandstackError } from '../core/errors.js';
import { isValidName, newId } from '../core/ids.js';
import { noopLogger, type Logger } from '../core/logger.js';
import { ensurePrivateDir } from '../core/private-files.js';
import { openDatabase, type SqliteDatabase } from '../core/store.js';
import { removeCgroups, resetCgroupUsage } from './cgroup.js';
import { ClaimObjects } from './claim-objects.js';
import { BubblewrapDriver } from './drivers/bubblewrap.js';
import { readEarlierUsage } from './drivers/checkpoint-files.js';
import { GvisorDriver } from './drivers/gvisor.js';
import { ExpiryScheduler } from './controller-expiry.js';
import {
  WarmPools,
  isProcessAlive,
  type ApplyAction,
  type CreatePoolOptions,
  type PoolCondition,
} from './controller-pools.js';
import { SandboxCheckpoints } from './controller-snapshots.js';
import {
  SandboxStore,
  provisionedGibSeconds,
  type PoolRecord,
  type SandboxRecord,
  type SnapshotRecord,
} from './controller-store.js';
import { applyClaimEnv, endErrorFor } from './lifetime.js';
import {
  DEFAULT_TEMPLATE,
  resolveTemplate,
  templateHash,
  type TemplateInput,
} from './templates.js';
import type {
  LayerRecovery,
  RuntimeCheck,
  RuntimeName,
  SandboxDriver,
  SandboxInstance,
  SandboxTemplate,
} from './types.js';
import { readEgressLog, type EgressRecord } from './network/egress-proxy.js';
import { egressLogPath } from './network/sandbox-egress.js';
import { deleteNetns } from './network/netns.js';
import { markReleasing, removeStateDir } from './writable-layer.js';
import { checkRootfs } from './rootfs-check.js';
import { MemoryMeter } from './memory-meter.js';
import { DEFAULT_SPARE_LAYERS, SpareLayers, removeOrphanSpares } from './spare-layers.js';
import { WarmBindQueue } from './warm-binds.js';

export {
  MAX_POOL_REPLICAS,
  type ApplyAction,
  type CreatePoolOptions,
  type PoolCondition,
} from './controller-pools.js';
export type {
  PoolRecord,
  PoolUpdateStrategy,
  SandboxEndReason,
  SandboxRecord,
  SandboxState,
  SnapshotRecord,
} from './controller-store.js';

/** Options for {@link SandboxController}. */
export interface SandboxControllerOptions {
  /** Open state database (from `openDatabase`). */
  db: SqliteDatabase;
  /** Host folder that contains one state folder per sandbox. */
  stateDir: string;
  /** @default noopLogger */
  logger?: Logger;
  /** Runtimes to use. @default gVisor and bubblewrap, hiding `stateDir` and the database */
  drivers?: SandboxDriver[];
  /**
   * Sandboxes one pool starts at the same time while it fills. A start mostly waits on the
   * runtime's own processes, so a few in parallel refill faster than one at a time.
   * @default 4
   */
  fillConcurrency?: number;
  /**
   * Called with each claim's record before `claim` returns, such as to record which node
   * has the sandbox. A rejection is logged as a warning and the claim still succeeds.
   */
  onClaim?: (record: SandboxRecord) => Promise<void>;
  /**
   * Called with each released sandbox's record, its final usage stored, such as to publish
   * that usage to other nodes. A rejection is logged as a warning and the release still succeeds.
   */
  onRelease?: (record: SandboxRecord) => Promise<void>;
  /**
   * Milliseconds between samples of a claimed local sandbox's cgroup memory, from which its
   * measured GiB-seconds are integrated. @default 1000
   */
  memorySampleMs?: number;
  /**
   * Called with a template and the runtime its sandboxes get here before a sandbox of it
   * starts, cold or for a pool, such as to enforce a policy on tenants' templates. A throw
   * stops the start. @default none
   */
  checkRuntime?: (template: SandboxTemplate, runtime: RuntimeName) => void;
  /**
   * Spare writable layers kept ready per disk size for cold starts on gVisor and bubblewrap,
   * 0 to 8; 0 turns them off. Each is an empty, loop-mounted ext4 image under
   * `<stateDir>/.spare-layers`: about 0.6 MB of disk for a 1 GiB layer, plus one loop device.
   * At most 4 disk sizes have spares at a time. @default 2
   */
  spareLayers?: number;
}

/** Claim request: a template (a cold start unless a ready sandbox of it exists) or a pool. */
export interface ClaimOptions {
  /** Template name. @default 'default' when `pool` is not given */
  template?: string;
  /** Pool name; takes a ready sandbox from it, or starts one of its template. */
  pool?: string;
  tenant: string;
  runId?: string;
  /**
   * Environment variables added to the template's. A claim that sets any always starts a
   * new sandbox, and the template's `envVarsInjectionPolicy` must allow it. @default {}
   */
  env?: Record<string, string>;
  /** Time at which the controller destroys the sandbox, if before its lifetime ends. @default none */
  shutdownTime?: Date;
  /** Name of the SandboxClaim object this claim serves. @default none */
  claimName?: string;
}

/** A claimed sandbox and its stored record. */
export interface ClaimedSandbox {
  sandbox: SandboxInstance;
  record: SandboxRecord;
}

/** Summed usage of a tenant or run. */
export interface UsageTotals {
  cpuSeconds: number;
  /** Sum of each sandbox's peak memory. */
  memoryPeakBytes: number;
  /** Provisioned memory in GiB times seconds claimed, summed; live sandboxes count to now. */
  gibSeconds: number;
  sandboxes: number;
}

/**
 * Owns the sandboxes of one state folder: templates, warm pools, claims, re-attaching after
 * a restart, release with final usage, and cleanup of orphans.
 *
 * @example
 * const controller = new SandboxController({ db: openDatabase('.sandstack/state.db'), stateDir: '.sandstack/sandboxes' });
 * const { sandbox, record } = await controller.claim({ template: 'default', tenant: 'acme' });
 * await sandbox.exec({ command: 'git status' });
 * await controller.release(record.id);
 * await controller.close();
 */
export class SandboxController {
  private readonly store: SandboxStore;
  private readonly stateDir: string;
  private readonly logger: Logger;
  private readonly drivers: Map<RuntimeName, SandboxDriver>;
  private readonly checks = new Map<RuntimeName, Promise<RuntimeCheck>>();
  private readonly live = new Map<string, SandboxInstance>();
  private readonly pools: WarmPools;
  private readonly expiry: ExpiryScheduler;
  private readonly warmBinds: WarmBindQueue;
  private readonly checkpoints: SandboxCheckpoints;
  /** SandboxClaim objects applied from manifests. */
  readonly claimObjects: ClaimObjects;
  private readonly reconciled: Promise<void>;
  private closed = false;
  private readonly onClaim: SandboxControllerOptions['onClaim'];
  private readonly onRelease: SandboxControllerOptions['onRelease'];
  private readonly checkRuntime: SandboxControllerOptions['checkRuntime'];
  private readonly memoryMeter: MemoryMeter;
  /** Releases in progress, by sandbox id. */
  private readonly releasing = new Map<string, Promise<SandboxRecord>>();
  private readonly spares: SpareLayers;

  constructor(options: SandboxControllerOptions) {
    this.stateDir = resolve(options.stateDir);
    this.logger = options.logger ?? noopLogger;
    // Other sandboxes on the host see its root, so only root may enter the sandboxes' folders.
    ensurePrivateDir(this.stateDir, this.logger);
    this.onClaim = options.onClaim;
    this.onRelease = options.onRelease;
    this.checkRuntime = options.checkRuntime;
    this.memoryMeter = new MemoryMeter({ intervalMs: options.memorySampleMs ?? 1000 });
    this.store = new SandboxStore(openControllerConnection(options.db));
    this.warmBinds = new WarmBindQueue(this.store);
    this.claimObjects = new ClaimObjects(this.store, {
      claim: (claim) => this.claim(claim),
      reschedule: (id, shutdownTime) => this.expiry.reschedule(id, shutdownTime),
    });
    const dbFiles =
      options.db.name === ':memory:'
        ? []
        : ['', '-wal', '-shm'].map((end) => resolve(options.db.name + end));
    const hidden = { hiddenDirs: [this.stateDir], hiddenFiles: dbFiles };
    const drivers = options.drivers ?? [new GvisorDriver(hidden), new BubblewrapDriver(hidden)];
    this.drivers = new Map(drivers.map((driver) => [driver.name, driver]));
    this.expiry = new ExpiryScheduler({
      store: this.store,
      logger: this.logger,
      live: this.live,
      templateOf: (name) => this.templateOrDefault(name),
      release: (id) => this.release(id),
      reapClaims: (now) => this.claimObjects.reap(now),
    });
    this.reconciled = this.reconcile().then(
      () => undefined,
      (error: unknown) => {
        this.logger.warn('Sandbox reconcile failed', { error: String(error) });
      },
    );
    this.spares = new SpareLayers({
      root: this.stateDir,
      count: options.spareLayers ?? DEFAULT_SPARE_LAYERS,
      ready: this.reconciled,
      logger: this.logger,
    });
    this.checkpoints = new SandboxCheckpoints({
      store: this.store,
      logger: this.logger,
      snapshotRoot: join(this.stateDir, '.snapshots'),
      get: (id) => this.get(id),
      listTemplates: () => this.listTemplates(),
    });
    this.pools = new WarmPools({
      fillConcurrency: resolveFillConcurrency(options.fillConcurrency),
      store: this.store,
      logger: this.logger,
      ready: this.reconciled,
      live: this.live,
      isClosed: () => this.closed,
      getTemplate: (name) => this.getTemplate(name),
      runtimeFor: (template) => this.runtimeFor(template),
      sandboxDir: (id) => this.sandboxDir(id),
      createOptionsFor: (template) => this.checkpoints.createOptionsFor(template),
      attach: (record) => this.attachQuietly(record),
      destroy: (id, sandbox) => this.destroyQuietly(id, sandbox),
    });
  }

  /**
   * Stores a template; fields left out come from `default`.
   * @throws SandstackError `INVALID_CONFIG` for a bad field, `ALREADY_EXISTS` for a taken name
   */
  createTemplate(input: TemplateInput): SandboxTemplate {
    const template = resolveTemplate(input);
    checkRootfs(template, template.runtime);
    if (template.name === 'default' || this.store.getTemplate(template.name) !== undefined) {
      throw new SandstackError(
        'ALREADY_EXISTS',
        `Template "${template.name}" already exists; pick another name`,
      );
    }
    this.store.insertTemplate(template);
    return template;
  }

  /**
   * Creates a template or replaces a stored one, as `sandstack apply` does. Pools of a
   * changed template with the `Recreate` strategy replace their ready sandboxes at once;
   * `OnReplenish` pools keep them until claims take them.
   * @throws SandstackError `INVALID_CONFIG` for a bad field
   */
  async applyTemplate(
    input: TemplateInput,
  ): Promise<{ template: SandboxTemplate; action: ApplyAction }> {
    const template = resolveTemplate(input);
    checkRootfs(template, template.runtime);
    const stored = this.store.getTemplate(template.name);
    if (stored === undefined && template.name !== 'default') {
      this.store.insertTemplate(template);
      return { template, action: 'created' };
    }
    if (stored !== undefined && templateHash(stored) === templateHash(template)) {
      return { template, action: 'unchanged' };
    }
    if (stored === undefined) {
      this.store.insertTemplate(template);
    } else {
      this.store.updateTemplate(template);
    }
    await this.reconciled;
    for (const pool of this.store.listPools().filter((item) => item.template === template.name)) {
      await this.pools.replaceStale(pool);
    }
    return { template, action: 'configured' };
  }

  /**
   * Returns a template by name.
   * @throws SandstackError `TEMPLATE_NOT_FOUND` naming the known templates
   */
  getTemplate(name: string): SandboxTemplate {
    if (name === 'default') {
      return this.store.getTemplate(name) ?? DEFAULT_TEMPLATE;
    }
    const template = this.store.getTemplate(name);
    if (template === undefined) {
      const known = ['default', ...this.store.listTemplates().map((item) => item.name)];
      // The HTTP form lists no names, because the store holds every tenant's templates.
      throw new SandstackError('TEMPLATE_NOT_FOUND', `Template "${name}" not found`, {
        remedy: {
          cli: `known templates: ${known.join(', ')}; create one with "sandstack apply -f"`,
          http: 'list the templates you can use with GET /v1/templates',
        },
      });
    }
    return template;
  }

  /**
   * Deletes a stored template. Sandboxes started from it keep running.
   * @throws SandstackError `TEMPLATE_NOT_FOUND`, or `INVALID_ARGUMENT` while a pool uses it
   */
  deleteTemplate(name: string): void {
    const stored = this.getTemplate(name);
    const pools = this.store.listPools().filter((pool) => pool.template === stored.name);
    if (pools.length > 0) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Template "${name}" is in use by pool ${pools.map((pool) => `"${pool.name}"`).join(', ')}; delete those pools first`,
      );
    }
    this.store.deleteTemplate(name);
  }

  /** Lists the stored templates, `default` first. */
  listTemplates(): SandboxTemplate[] {
    return [
      this.getTemplate('default'),
      ...this.store.listTemplates().filter((item) => item.name !== 'default'),
    ];
  }

  /**
   * Returns which runtime a template's sandboxes use here, resolving `auto`.
   * @throws SandstackError `INVALID_CONFIG` when the template's directory rootfs cannot run commands
   */
  async runtimeFor(template: SandboxTemplate): Promise<SandboxDriver> {
    const driver = await this.resolveRuntime(template);
    this.checkRuntime?.(template, driver.name);
    // Each start checks again, because the folder may have changed since the template was
    // applied, and a template for "auto" gets the checks of the runtime it resolved to.
    checkRootfs(template, driver.name);
    return driver;
  }

  private async resolveRuntime(template: SandboxTemplate): Promise<SandboxDriver> {
    if (template.snapshot !== undefined) {
      // Only gVisor checkpoints, so only gVisor restores a snapshot.
      return this.availableDriver('gvisor');
    }
    if (template.runtime !== 'auto') {
      return this.availableDriver(template.runtime);
    }
    if (this.drivers.has('kubernetes') && template.network.egress !== 'proxy') {
      // A controller given a cluster runs sandboxes there, not in its own pod. The egress
      // proxy runs beside local sandboxes only, so those stay here.
      return this.availableDriver('kubernetes');
    }
    for (const name of ['gvisor', 'bubblewrap'] as const) {
      const driver = this.drivers.get(name);
      if (driver !== undefined && (await this.check(driver)).available) {
        return driver;
      }
    }
    throw new SandstackError(
      'RUNTIME_UNAVAILABLE',
      'Neither gVisor (runsc) nor bubblewrap works on this host; run "sandstack doctor" to see why',
    );
  }

  /** Checks every configured runtime (cached per controller). */
  async checkRuntimes(): Promise<RuntimeCheck[]> {
    return Promise.all([...this.drivers.values()].map((driver) => this.check(driver)));
  }

  /**
   * Creates a warm pool and starts filling it in the background.
   * @throws SandstackError `INVALID_ARGUMENT`, `ALREADY_EXISTS` or `TEMPLATE_NOT_FOUND`
   */
  createPool(options: CreatePoolOptions): void {
    this.pools.create(options);
  }

  /**
   * Creates a pool or updates a stored one, as `sandstack apply` does: scales it to
   * `replicas` (destroying surplus ready sandboxes, newest first) and, with the `Recreate`
   * strategy, replaces ready sandboxes of another template version.
   * @throws SandstackError `INVALID_ARGUMENT` or `TEMPLATE_NOT_FOUND`
   */
  applyPool(options: CreatePoolOptions): Promise<ApplyAction> {
    return this.pools.apply(options);
  }

  /**
   * Deletes a pool and destroys its ready sandboxes; sandboxes already claimed from it stay.
   * @throws SandstackError `POOL_NOT_FOUND`
   */
  deletePool(name: string): Promise<void> {
    return this.pools.delete(name);
  }

  /** Lists pools with their ready counts and Ready conditions. */
  listPools(): (PoolRecord & { ready: number; conditions: PoolCondition[] })[] {
    return this.pools.list();
  }

  /**
   * Waits until a pool has `replicas` ready sandboxes, starting fills as needed.
   * @throws SandstackError `POOL_NOT_FOUND`, or the error that stopped a fill
   */
  waitUntilReady(poolName: string): Promise<void> {
    return this.pools.waitUntilReady(poolName);
  }

  /**
   * Binds a sandbox to a tenant: a ready one from a pool when there is one (warm), else a
   * new one (cold). One claim never binds two sandboxes, and two claims never bind one.
   * @throws SandstackError `INVALID_ARGUMENT` for an invalid tenant name, `TEMPLATE_NOT_FOUND`,
   *   `POOL_NOT_FOUND` or `RUNTIME_UNAVAILABLE`
   */
  async claim(options: ClaimOptions): Promise<ClaimedSandbox> {
    if (!isValidName(options.tenant)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid tenant "${options.tenant}"; use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    await this.reconciled;
    const start = performance.now();
    const pool = options.pool === undefined ? undefined : this.pools.require(options.pool);
    const templateName = pool?.template ?? options.template ?? 'default';
    const template = this.getTemplate(templateName);
    const binding = { tenant: options.tenant, runId: options.runId ?? null };
    // A claim with its own environment needs a sandbox started with it, so it never takes a
    // ready one (as upstream's claim controller does).
    const startTemplate = applyClaimEnv(template, options.env ?? {});
    const claimName = options.claimName ?? null;

    // One claim time for the stored record and its expiry, so the lifetime is not read as
    // an earlier shutdownTime.
    const claimedAt = Date.now();
    const expiresAt = this.expiry.expiresAtFor({
      template,
      shutdownTime: options.shutdownTime,
      claimedAt,
    });
    const warmId =
      startTemplate === template
        ? await this.warmBinds.bind({
            pool: pool?.name,
            template: templateName,
            ...binding,
            processId: process.pid,
            claimedAt,
            expiresAt,
            claimName,
            startedAt: start,
          })
        : undefined;
    if (warmId !== undefined) {
      const sandbox = this.live.get(warmId) ?? (await this.attachOrDrop(warmId));
      if (sandbox !== undefined) {
        // Time spent idle in the pool is not the tenant's.
        resetCgroupUsage(warmId);
        const claimed = this.claimed(warmId, sandbox);
        // A claim by template may take a sandbox of any of its pools, so the record names it.
        this.pools.refillAfterClaim(claimed.record.pool ?? undefined, sandbox.commandEnded?.());
        this.expiry.track(warmId, expiresAt);
        await this.announceClaim(claimed.record);
        return claimed;
      }
    }

    const driver = await this.runtimeFor(template);
    const id = newId('sbx');
    this.store.insertSandbox({
      id,
      template: templateName,
      runtime: driver.name,
      pool: pool?.name ?? null,
      state: 'claimed',
      ...binding,
      warm: false,
      stateDir: this.sandboxDir(id),
      processId: process.pid,
      templateHash: templateHash(template),
      expiresAt: null,
      claimName,
    });
    try {
      const sandbox = await driver.create({
        id,
        template: startTemplate,
        stateDir: this.sandboxDir(id),
        ...this.checkpoints.createOptionsFor(template),
        spareLayers: this.spares,
      });
      this.live.set(id, sandbox);
      if (pool !== undefined) {
        this.pools.refill(pool.name);
      }
      // A cold sandbox's lifetime starts once its runtime runs, not when the claim began,
      // so a slow start does not eat into it.
      const startedAt = Date.now();
      const coldExpiresAt = this.expiry.expiresAtFor({
        template,
        shutdownTime: options.shutdownTime,
        claimedAt: startedAt,
      });
      this.store.setClaimFields(id, {
        claimedAt: startedAt,
        expiresAt: coldExpiresAt,
        claimName,
        latencyMs: Math.round((performance.now() - start) * 1000) / 1000,
      });
      this.expiry.track(id, coldExpiresAt);
      const claimed = this.claimed(id, sandbox);
      await this.announceClaim(claimed.record);
      return claimed;
    } catch (error) {
      this.store.markReleased(id, { cpuSeconds: 0, memoryPeakBytes: 0, memoryBytes: 0 });
      await this.destroyQuietly(id, undefined);
      throw error;
    }
  }

  /**
   * Returns a claimed sandbox by id, re-attaching to it (or restarting its runtime over the
   * same workspace) when this process did not create it. Returns undefined for an unknown,
   * released or vanished sandbox.
   */
  async get(id: string): Promise<ClaimedSandbox | undefined> {
    await this.reconciled;
    const record = this.store.get(id);
    if (record === undefined || record.state !== 'claimed') {
      return undefined;
    }
    const sandbox = this.live.get(id) ?? (await this.attachOrDrop(id));
    if (sandbox === undefined) {
      return undefined;
    }
    if (record.runtime !== 'kubernetes') {
      // A sandbox claimed by a process that died is measured from here on.
      this.memoryMeter.track(id);
    }
    if (sandbox.operatingMode !== record.operatingMode) {
      // A process killed between a checkpoint (or restore) and the store update left the
      // record behind; the runtime's state is the truth.
      this.store.setOperatingMode(id, sandbox.operatingMode);
    }
    return { sandbox, record: this.store.get(id) ?? record };
  }

  /**
   * Checkpoints a claimed sandbox's processes to disk and stops them (`operatingMode:
   * Suspended`): it uses no CPU and keeps no process memory until resumed. On Kubernetes
   * the pod is deleted instead, so its processes end.
   * @throws SandstackError `SANDBOX_NOT_FOUND`, or `CHECKPOINT_UNSUPPORTED` on bubblewrap
   */
  suspend(id: string): Promise<SandboxRecord> {
    return this.checkpoints.suspend(id);
  }

  /**
   * Restores a suspended sandbox; on gVisor its processes continue where they stopped.
   * @throws SandstackError `SANDBOX_NOT_FOUND`, or `CHECKPOINT_UNSUPPORTED` on bubblewrap
   */
  resume(id: string): Promise<SandboxRecord> {
    return this.checkpoints.resume(id);
  }

  /**
   * Takes a named snapshot (processes and files) of a claimed sandbox without ending it.
   * Templates that name the snapshot start their sandboxes from it. gVisor only. Names are
   * unique per tenant of the sandbox.
   * @throws SandstackError `INVALID_ARGUMENT`, `ALREADY_EXISTS`, `SANDBOX_NOT_FOUND` or
   *   `CHECKPOINT_UNSUPPORTED`
   */
  snapshot(id: string, name: string): Promise<SnapshotRecord> {
    return this.checkpoints.snapshot(id, name);
  }

  /**
   * Returns a stored snapshot by reference: `<tenant>/<name>`, or a bare name that only one
   * tenant's snapshot has.
   * @throws SandstackError `SNAPSHOT_NOT_FOUND`, or `INVALID_ARGUMENT` for an ambiguous name
   */
  getSnapshot(ref: string): SnapshotRecord {
    return this.checkpoints.getSnapshot(ref);
  }

  /** Lists snapshots, newest first, of one tenant when given. */
  listSnapshots(filter: { tenant?: string } = {}): SnapshotRecord[] {
    return this.store.listSnapshots(filter.tenant);
  }

  /**
   * Deletes a snapshot, named as {@link getSnapshot} takes it, and its files. With `force`,
   * templates that name it do not stop the delete, and their claims then fail.
   * @throws SandstackError `SNAPSHOT_NOT_FOUND`, or `INVALID_ARGUMENT` while a template names
   *   it (unless `force`) or for an ambiguous name
   */
  deleteSnapshot(ref: string, options: { force?: boolean } = {}): void {
    this.checkpoints.deleteSnapshot(ref, options);
  }

  /**
   * Returns the names of the templates that start their sandboxes from a snapshot, named as
   * {@link getSnapshot} takes it; none for an unknown snapshot.
   * @throws SandstackError `INVALID_ARGUMENT` for an ambiguous name
   */
  templatesNamingSnapshot(ref: string): string[] {
    return this.checkpoints.templatesNamingSnapshot(ref);
  }

  /**
   * Returns the error that explains why a sandbox ended, when a limit (its lifetime or its
   * claim's shutdownTime) ended it rather than a release call.
   */
  endError(id: string): SandstackError | undefined {
    const record = this.store.get(id);
    return record === undefined
      ? undefined
      : endErrorFor(record, this.templateOrDefault(record.template));
  }

  /**
   * Returns the connection attempts a sandbox's egress proxy allowed or refused, oldest
   * first; empty for sandboxes without egress. The log goes with the sandbox on release.
   */
  egressLog(id: string): EgressRecord[] {
    return readEgressLog(egressLogPath(this.sandboxDir(id)));
  }

  /** Returns the stored record of a sandbox, in any state. */
  record(id: string): SandboxRecord | undefined {
    return this.store.get(id);
  }

  /** Lists sandbox records, newest first. */
  list(
    filter: { tenant?: string; runId?: string; includeReleased?: boolean } = {},
  ): SandboxRecord[] {
    return this.store.list(filter);
  }

  /**
   * Destroys a sandbox and stores its final usage. Releasing twice is a no-op.
   * @throws SandstackError `SANDBOX_NOT_FOUND` for an unknown id
   */
  release(id: string): Promise<SandboxRecord> {
    // Concurrent releases in this process share one, so usage is read and stored once.
    const running = this.releasing.get(id);
    if (running !== undefined) {
      return running;
    }
    const release = this.releaseOnce(id).finally(() => this.releasing.delete(id));
    this.releasing.set(id, release);
    return release;
  }

  private async releaseOnce(id: string): Promise<SandboxRecord> {
    const record = this.store.get(id);
    if (record === undefined) {
      throw new SandstackError('SANDBOX_NOT_FOUND', `Sandbox "${id}" not found`, {
        remedy: {
          cli: 'list sandboxes with "sandstack sandbox list"',
          http: 'list sandboxes with GET /v1/sandboxes',
        },
      });
    }
    if (record.state === 'released') {
      return record;
    }
    this.expiry.clear(id);
    // Before attaching, because an attach kills the commands that it takes for orphans.
    markReleasing(this.sandboxDir(id));
    const sandbox = this.live.get(id) ?? (await this.attachQuietly(record));
    // A sandbox that cannot be attached, such as a suspended one whose image is corrupt,
    // still has the usage its runtimes recorded before they ended.
    const usage = sandbox === undefined ? this.recordedUsage(id) : await sandbox.usage();
    // The last sample comes before destroy removes the cgroup.
    const measuredGibSeconds = this.memoryMeter.stop(id);
    await this.destroyQuietly(id, sandbox);
    this.store.markReleased(id, {
      cpuSeconds: usage.cpuSeconds,
      memoryPeakBytes: usage.memoryPeakBytes,
      memoryBytes: this.memoryLimitOf(record.template),
      measuredGibSeconds,
    });
    // Claims with shutdownPolicy Delete or ttlSecondsAfterFinished 0 go as their sandbox does.
    this.claimObjects.reap(Date.now());
    this.logger.info('Sandbox released', {
      sandboxId: id,
      tenant: record.tenant,
      runId: record.runId,
    });
    const released = this.store.get(id) ?? record;
    await this.announceRelease(released);
    return released;
  }

  /** Returns the CPU-seconds each claimed sandbox of this controller has used so far. */
  async claimedUsage(): Promise<{ id: string; cpuSeconds: number }[]> {
    const usage: { id: string; cpuSeconds: number }[] = [];
    for (const record of this.store.list({})) {
      if (record.state !== 'claimed') {
        continue;
      }
      const live = await this.live.get(record.id)?.usage();
      usage.push({ id: record.id, cpuSeconds: live?.cpuSeconds ?? 0 });
    }
    return usage;
  }

  /**
   * Sums CPU-seconds and peak memory over released and live sandboxes of a tenant or run.
   * With `releasedSinceMs`, sandboxes released before that time are left out.
   */
  async usageFor(filter: {
    tenant?: string;
    runId?: string;
    releasedSinceMs?: number;
  }): Promise<UsageTotals> {
    const totals: UsageTotals = { cpuSeconds: 0, memoryPeakBytes: 0, gibSeconds: 0, sandboxes: 0 };
    const { releasedSinceMs, ...listFilter } = filter;
    for (const record of this.store.list({ ...listFilter, includeReleased: true })) {
      if (record.state === 'warm') {
        continue;
      }
      if (
        releasedSinceMs !== undefined &&
        record.releasedAt !== null &&
        record.releasedAt < releasedSinceMs
      ) {
        continue;
      }
      const usage =
        record.state === 'released' ? record.usage : await this.live.get(record.id)?.usage();
      totals.cpuSeconds += usage?.cpuSeconds ?? 0;
      totals.memoryPeakBytes += usage?.memoryPeakBytes ?? 0;
      totals.gibSeconds +=
        record.usage?.gibSeconds ??
        provisionedGibSeconds(this.memoryLimitOf(record.template), record.claimedAt, Date.now());
      totals.sandboxes += 1;
    }
    return totals;
  }

  /**
   * Destroys orphans (state folders and cgroups with no claimed or warm record, claimed
   * sandboxes past their template's lifetime, and spare writable layers of exited
   * processes) and adopts the warm sandboxes of processes that have exited. Suspended
   * sandboxes whose writable layer a host reboot unmounted get it mounted again, or are
   * released when they cannot be restored.
   * @returns the number of sandboxes destroyed or released
   */
  async reconcile(): Promise<number> {
    await removeOrphanSpares(this.stateDir, this.logger);
    let removed = 0;
    const keep = new Set<string>();
    for (const record of this.store.list({})) {
      const ownerDead =
        record.state === 'warm' &&
        record.processId !== process.pid &&
        !isProcessAlive(record.processId);
      if (ownerDead && this.store.adopt(record.id, record.processId, process.pid)) {
        // A pool filled by a process that has exited (such as `sandstack pool create`) stays
        // usable: this process takes its ready sandboxes over and attaches on claim.
        this.logger.info('Adopted warm sandbox', { sandboxId: record.id, pool: record.pool });
      }
      if (record.state === 'claimed' && this.expiry.isExpired(record)) {
        await this.expiry.end(record);
        removed += 1;
      } else if (this.isLostClaim(record)) {
        // A process killed during a cold start left the claim before the sandbox had any
        // files, so nothing can attach to it. Kept, it would count against the tenant's quota.
        this.logger.warn('Released a claim whose sandbox was never made', {
          sandboxId: record.id,
          tenant: record.tenant,
        });
        this.store.markReleased(record.id, {
          cpuSeconds: record.usage?.cpuSeconds ?? 0,
          memoryPeakBytes: record.usage?.memoryPeakBytes ?? 0,
          memoryBytes: this.memoryLimitOf(record.template),
        });
        removed += 1;
      } else if (!(await this.recoverSuspended(record))) {
        removed += 1;
      } else {
        keep.add(record.id);
      }
    }
    for (const entry of existsSync(this.stateDir) ? readdirSync(this.stateDir) : []) {
      if (entry.startsWith('sbx_') && !keep.has(entry)) {
        const sandbox = await this.attachQuietly({
          id: entry,
          runtime: this.store.get(entry)?.runtime ?? 'gvisor',
          template: 'default',
        });
        await this.destroyQuietly(entry, sandbox);
        removed += 1;
      }
    }
    return removed;
  }

  /**
   * Brings a claimed, suspended sandbox back after a host reboot or an unmount of its layer
   * (see SandboxDriver.recoverSuspended), so it stays suspended until resumed. A sandbox that
   * cannot be brought back is released, with the reason in the log, unless the driver's error
   * is retryable. That one is kept, and an error line names what the operator must do.
   * @returns false when the sandbox was released
   */
  private async recoverSuspended(record: SandboxRecord): Promise<boolean> {
    const driver = this.drivers.get(record.runtime);
    if (
      record.state !== 'claimed' ||
      record.operatingMode !== 'Suspended' ||
      driver?.recoverSuspended === undefined ||
      !existsSync(this.sandboxDir(record.id))
    ) {
      return true;
    }
    try {
      const recovery = await driver.recoverSuspended({
        id: record.id,
        template: this.templateOrDefault(record.template),
        stateDir: this.sandboxDir(record.id),
      });
      if (recovery !== undefined) {
        logLayerRecovery(this.logger, record.id, recovery);
      }
      return true;
    } catch (error) {
      if (isKeptSuspended(record, error)) {
        this.logger.error('Kept a suspended sandbox whose writable layer cannot be mounted yet', {
          sandboxId: record.id,
          tenant: record.tenant,
          reason: error instanceof Error ? error.message : String(error),
        });
        return true;
      }
      this.logger.warn('Releasing a suspended sandbox that cannot be restored', {
        sandboxId: record.id,
        tenant: record.tenant,
        reason: error instanceof Error ? error.message : String(error),
      });
      await this.release(record.id);
      return false;
    }
  }

  /**
   * Checks whether a claimed local sandbox's process has exited before it made the sandbox's
   * state folder, so that nothing of the sandbox exists.
   */
  private isLostClaim(record: SandboxRecord): boolean {
    return (
      record.state === 'claimed' &&
      record.runtime !== 'kubernetes' &&
      record.processId !== process.pid &&
      !isProcessAlive(record.processId) &&
      !existsSync(this.sandboxDir(record.id))
    );
  }

  /**
   * Waits until the spare writable layers that cold starts requested are made, or their
   * refill stopped at a failure (logged). Spares are made at niceness 19, so on a busy host
   * this takes long: 6-12 s per spare at load average 30 on a 2-core VM.
   */
  async waitForSpareLayers(): Promise<void> {
    await this.spares.whenIdle();
  }

  /**
   * Stops refills and destroys this process's unclaimed warm sandboxes and spare writable
   * layers; claimed sandboxes stay.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.expiry.close();
    this.memoryMeter.close();
    await this.pools.settle();
    await this.spares.close();
    for (const record of this.store.list({})) {
      if (record.state === 'warm' && record.processId === process.pid) {
        await this.destroyQuietly(record.id, this.live.get(record.id));
        this.store.delete(record.id);
      }
    }
    this.live.clear();
  }

  /**
   * Returns the memory limit of a template as it is now, or 0 when it was deleted.
   *
   * NOTE: a template changed since the claim meters the sandbox at its new limit.
   */
  private memoryLimitOf(templateName: string): number {
    try {
      return this.getTemplate(templateName).resources.memoryBytes;
    } catch {
      return 0;
    }
  }

  private async announceClaim(record: SandboxRecord): Promise<void> {
    try {
      await this.onClaim?.(record);
    } catch (error) {
      this.logger.warn('Claim hook failed', { sandboxId: record.id, error: String(error) });
    }
  }

  private async announceRelease(record: SandboxRecord): Promise<void> {
    try {
      await this.onRelease?.(record);
    } catch (error) {
      this.logger.warn('Release hook failed', { sandboxId: record.id, error: String(error) });
    }
  }

  private claimed(id: string, sandbox: SandboxInstance): ClaimedSandbox {
    const record = this.store.get(id);
    if (record === undefined) {
      throw new SandstackError(
        'INTERNAL',
        `Sandbox "${id}" vanished from the store while being claimed`,
      );
    }
    if (record.runtime !== 'kubernetes') {
      this.memoryMeter.track(id);
    }
    this.logger.info('Sandbox claimed', {
      sandboxId: id,
      warm: record.warm,
      tenant: record.tenant,
      runId: record.runId,
    });
    return { sandbox, record };
  }

  private async attachOrDrop(id: string): Promise<SandboxInstance | undefined> {
    const record = this.store.get(id);
    if (record === undefined) {
      return undefined;
    }
    let sandbox: SandboxInstance | undefined;
    try {
      sandbox = await this.attachOrThrow(record);
    } catch (error) {
      if (isKeptSuspended(record, error)) {
        // The operator can fix this one (see SandboxDriver.recoverSuspended), so keep it.
        throw error;
      }
      this.logger.warn('Sandbox re-attach failed', { sandboxId: id, error: String(error) });
    }
    if (sandbox === undefined) {
      this.logger.warn('Sandbox has nothing left to re-attach to', { sandboxId: id });
      const usage = this.recordedUsage(id);
      this.store.markReleased(id, {
        cpuSeconds: usage.cpuSeconds,
        memoryPeakBytes: usage.memoryPeakBytes,
        memoryBytes: this.memoryLimitOf(record.template),
      });
      // Processes, cgroups or a mounted layer may outlive the files a re-attach needs.
      await this.destroyQuietly(id, undefined);
      return undefined;
    }
    this.live.set(id, sandbox);
    return sandbox;
  }

  private async attachQuietly(record: {
    id: string;
    runtime: RuntimeName;
    template: string;
  }): Promise<SandboxInstance | undefined> {
    try {
      return await this.attachOrThrow(record);
    } catch (error) {
      this.logger.warn('Sandbox re-attach failed', { sandboxId: record.id, error: String(error) });
      return undefined;
    }
  }

  private async attachOrThrow(record: {
    id: string;
    runtime: RuntimeName;
    template: string;
  }): Promise<SandboxInstance | undefined> {
    const driver = this.drivers.get(record.runtime);
    if (driver === undefined) {
      return undefined;
    }
    return driver.attach({
      id: record.id,
      template: this.templateOrDefault(record.template),
      stateDir: this.sandboxDir(record.id),
    });
  }

  /**
   * Returns the CPU and peak memory that a sandbox's ended runtimes stored in its state folder
   * (at a suspend or a restart), or zeros when there is none.
   */
  private recordedUsage(id: string): { cpuSeconds: number; memoryPeakBytes: number } {
    return readEarlierUsage(this.sandboxDir(id));
  }

  private async destroyQuietly(id: string, sandbox: SandboxInstance | undefined): Promise<void> {
    this.live.delete(id);
    try {
      await sandbox?.destroy();
    } catch (error) {
      this.logger.error('Sandbox destroy left processes behind', {
        sandboxId: id,
        error: String(error),
      });
    }
    // Cgroups, folders and a network namespace of a sandbox that could not be attached still
    // need removing.
    await removeCgroups(id);
    await deleteNetns(id);
    await removeStateDir(this.sandboxDir(id)).catch((error: unknown) => {
      this.logger.error('Sandbox state folder could not be removed', {
        sandboxId: id,
        error: String(error),
      });
    });
  }

  private templateOrDefault(name: string): SandboxTemplate {
    try {
      return this.getTemplate(name);
    } catch {
      return DEFAULT_TEMPLATE;
    }
  }

  private sandboxDir(id: string): string {
    return join(this.stateDir, id);
  }

  private async availableDriver(name: RuntimeName): Promise<SandboxDriver> {
    const driver = this.drivers.get(name);
    if (driver === undefined) {
      const fix =
        name === 'kubernetes'
          ? 'set SANDSTACK_SANDBOX_ROUTER_URL (and SANDSTACK_KUBECONFIG, SANDSTACK_KUBERNETES_NAMESPACE) for "sandstack serve", or pass a KubernetesDriver in the controller\'s drivers option'
          : "pass its driver in the controller's drivers option";
      throw new SandstackError(
        'RUNTIME_UNAVAILABLE',
        `Runtime "${name}" is not configured; ${fix}`,
      );
    }
    const check = await this.check(driver);
    if (!check.available) {
      throw new SandstackError(
        'RUNTIME_UNAVAILABLE',
        `Runtime "${name}" is unavailable: ${check.reason ?? 'unknown reason'}; ${check.fix ?? 'run "sandstack doctor"'}`,
      );
    }
    return driver;
  }

  private check(driver: SandboxDriver): Promise<RuntimeCheck> {
    let check = this.checks.get(driver.name);
    if (check === undefined) {
      check = driver.check();
      this.checks.set(driver.name, check);
    }
    return check;
  }
}

/**
 * Opens the controller's own connection to the state database, with `synchronous = NORMAL`,
 * so that a claim's commit does not wait for an fsync (3.4 ms p50 in the run that
 * docs/benchmarks.md describes). In WAL
 * mode such a commit survives a killed process, which is what reconcile-on-start relies on,
 * but not a power loss. That is enough for sandbox records: a claim record only keeps two
 * claims from binding one sandbox, and a power loss ends every sandbox anyway, which the
 * next start reconciles. The workflow engine keeps its own `FULL` connection, because its
 * steps must survive a power loss once committed. An in-memory database cannot be shared
 * between connections, so it is used as it is.
 *
 * NOTE: the connection stays open for the life of the process. close() leaves it open
 * because callers may still read the store after closing the controller.
 */
function openControllerConnection(db: SqliteDatabase): SqliteDatabase {
  if (db.memory || db.name === ':memory:' || db.readonly) {
    return db;
  }
  return openDatabase(db.name, { synchronous: 'NORMAL' });
}

function resolveFillConcurrency(value: number | undefined): number {
  if (value === undefined) {
    return 4;
  }
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `fillConcurrency ${value} is invalid; use a whole number from 1 to 64`,
    );
  }
  return value;
}

/**
 * Checks whether a suspended sandbox's recovery failed in a way that the operator can fix
 * without losing it (a retryable error of the driver), so it must be kept claimed.
 */
function isKeptSuspended(record: SandboxRecord, error: unknown): boolean {
  return (
    record.operatingMode === 'Suspended' &&
    isSandstackError(error, 'SANDBOX_FAILED') &&
    error.retryable
  );
}

/** Logs how a suspended sandbox's writable layer was mounted again, one line per cause. */
function logLayerRecovery(logger: Logger, sandboxId: string, recovery: LayerRecovery): void {
  const meta = {
    sandboxId,
    ...(recovery.recordedBootId === undefined ? {} : { recordedBootId: recovery.recordedBootId }),
    ...(recovery.bootId === undefined ? {} : { bootId: recovery.bootId }),
  };
  if (recovery.cause === 'host-reboot') {
    logger.info(
      'Mounted the writable layer of a suspended sandbox again after a host reboot',
      meta,
    );
  } else if (recovery.cause === 'unmounted-while-up') {
    logger.warn(
      'Mounted the writable layer of a suspended sandbox again after it was unmounted while the host stayed up',
      meta,
    );
  } else {
    logger.info(
      'Mounted the writable layer of a suspended sandbox again; no boot id was recorded to tell whether the host rebooted',
      meta,
    );
  }
}
