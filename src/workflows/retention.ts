/**
 * Retention of ended instances: how long a complete, errored or terminated instance stays
 * in the store before a sweep deletes it with its steps and events. Periods are set for the
 * engine and can be overridden per tenant and per workflow.
 */
import { SandstackError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { parseDuration } from './step-config.js';
import type { EndedInstance, EndedStatus, InstanceKey, WorkflowStore } from './stores/store.js';

/**
 * How long an ended instance is kept: milliseconds, text such as `"7 days"`, or `"forever"`
 * to never delete it.
 */
export type RetentionPeriod = number | string;

/** Retention periods per end status; a missing field falls back to the wider scope. */
export interface RetentionPolicy {
  /** Kept time after an instance completed. */
  completeAfter?: RetentionPeriod;
  /** Kept time after an instance errored. */
  erroredAfter?: RetentionPeriod;
  /** Kept time after an instance was terminated. */
  terminatedAfter?: RetentionPeriod;
}

/**
 * Retention of ended instances. The most specific scope that sets a field wins: the
 * workflow's, then the tenant's, then the engine's.
 *
 * @example
 * { completeAfter: '7 days', erroredAfter: '30 days',
 *   tenants: { acme: { completeAfter: '1 day' } },
 *   workflows: { 'acme/audit': { completeAfter: 'forever' } } }
 */
export interface RetentionOptions extends RetentionPolicy {
  /** Overrides by tenant id. */
  tenants?: Record<string, RetentionPolicy>;
  /** Overrides by `"<tenant>/<workflow>"`. */
  workflows?: Record<string, RetentionPolicy>;
  /**
   * How long the id of a deleted instance stays reserved after the sweep that deleted it,
   * so a create with that id, such as a client's retry, is rejected with `ALREADY_EXISTS`
   * instead of running the work again. After that a new instance may take the id.
   * `"forever"` keeps every id reserved, and the table of reserved ids then grows by one
   * small row per deleted instance.
   * NOTE: retention keeps the deleted instance's trace, action log and sandbox records,
   * which name the id, so a new instance that takes a released id shows them as its own.
   * That is why the default never releases an id.
   * @default "forever"
   */
  reserveDeletedIdsFor?: RetentionPeriod;
}

/** Retention in milliseconds per end status; undefined keeps instances forever. */
export type ResolvedRetentionPolicy = Partial<Record<EndedStatus, number>>;

/** Retention options after parsing, built by {@link resolveRetention}. */
export interface ResolvedRetentionOptions {
  defaults: Required<Record<EndedStatus, number | undefined>>;
  /** Reservation of a deleted instance's id in milliseconds; infinity for `"forever"`. */
  reserveDeletedIdsMs: number;
  tenants: Map<string, ResolvedRetentionPolicy>;
  workflows: Map<string, ResolvedRetentionPolicy>;
}

/** Default retention: complete and terminated instances 7 days, errored ones 30 days. */
export const DEFAULT_RETENTION: Required<RetentionPolicy> = {
  completeAfter: '7 days',
  erroredAfter: '30 days',
  terminatedAfter: '7 days',
};

/** Default time the id of a deleted instance stays reserved. */
export const DEFAULT_RESERVE_DELETED_IDS_FOR = 'forever';

/** Default time between two retention sweeps of a server. */
export const DEFAULT_SWEEP_INTERVAL_MS = 3_600_000;

/** Instances deleted per store call, so one sweep never holds the store for long. */
const PRUNE_BATCH_SIZE = 500;

/** Statuses of ended instances, which retention applies to. */
export const ENDED_STATUSES: readonly EndedStatus[] = ['complete', 'errored', 'terminated'];

const FIELDS: Record<EndedStatus, keyof RetentionPolicy> = {
  complete: 'completeAfter',
  errored: 'erroredAfter',
  terminated: 'terminatedAfter',
};

/**
 * Parses retention options and applies the defaults.
 *
 * @throws SandstackError `INVALID_CONFIG` naming the field with a bad period.
 */
export function resolveRetention(options: RetentionOptions = {}): ResolvedRetentionOptions {
  const base = resolvePolicy({ ...DEFAULT_RETENTION, ...options }, 'retention');
  const defaults = {
    complete: base.complete,
    errored: base.errored,
    terminated: base.terminated,
  };
  const tenants = new Map<string, ResolvedRetentionPolicy>();
  for (const [tenant, policy] of Object.entries(options.tenants ?? {})) {
    tenants.set(tenant, resolvePolicy(policy, `retention.tenants.${tenant}`));
  }
  const workflows = new Map<string, ResolvedRetentionPolicy>();
  for (const [key, policy] of Object.entries(options.workflows ?? {})) {
    if (!/^[^/]+\/[^/]+$/.test(key)) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Invalid retention.workflows key ${JSON.stringify(key)}; use "<tenant>/<workflow>"`,
      );
    }
    workflows.set(key, resolvePolicy(policy, `retention.workflows.${key}`));
  }
  const reserveDeletedIdsMs = parsePeriod(
    options.reserveDeletedIdsFor ?? DEFAULT_RESERVE_DELETED_IDS_FOR,
    'retention.reserveDeletedIdsFor',
  );
  return { defaults, tenants, workflows, reserveDeletedIdsMs };
}

function resolvePolicy(policy: RetentionPolicy, label: string): ResolvedRetentionPolicy {
  const resolved: ResolvedRetentionPolicy = {};
  for (const status of ENDED_STATUSES) {
    const field = FIELDS[status];
    if (Object.hasOwn(policy, field) && policy[field] !== undefined) {
      resolved[status] = parsePeriod(policy[field], `${label}.${field}`);
    }
  }
  return resolved;
}

/** Returns a period in milliseconds, or infinity for `"forever"`. */
function parsePeriod(value: unknown, label: string): number {
  if (value === 'forever') {
    return Number.POSITIVE_INFINITY;
  }
  try {
    return parseDuration(value, label);
  } catch {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Invalid ${label} ${JSON.stringify(value) ?? String(value)}; use milliseconds, text such as "7 days", or "forever"`,
    );
  }
}

/** Returns how long an ended instance of `tenant`'s `workflow` is kept, in milliseconds. */
export function retentionMsFor(
  retention: ResolvedRetentionOptions,
  instance: Pick<EndedInstance, 'tenant' | 'workflow' | 'status'>,
): number {
  const { tenant, workflow, status } = instance;
  return (
    retention.workflows.get(`${tenant}/${workflow}`)?.[status] ??
    retention.tenants.get(tenant)?.[status] ??
    retention.defaults[status] ??
    Number.POSITIVE_INFINITY
  );
}

/** The shortest period of any scope, so one store query finds every candidate. */
function shortestRetentionMs(retention: ResolvedRetentionOptions): number {
  const periods = [
    ...Object.values(retention.defaults),
    ...[...retention.tenants.values(), ...retention.workflows.values()].flatMap((policy) =>
      Object.values(policy),
    ),
  ].filter((period): period is number => period !== undefined);
  return Math.min(Number.POSITIVE_INFINITY, ...periods);
}

/** Result of one prune: the deleted instances and their counts by end status. */
export interface PruneResult {
  deleted: Record<EndedStatus, number>;
  instances: (InstanceKey & { status: EndedStatus })[];
  /** Reserved ids of earlier deleted instances that were released; always 0 in a dry run. */
  releasedIds: number;
}

/** Options for {@link pruneEndedInstances}. */
export interface PruneOptions {
  nowMs: number;
  /** Only this tenant's instances. @default every tenant */
  tenant?: string;
  /** List what would be deleted without deleting it. @default false */
  dryRun?: boolean;
}

/**
 * Deletes ended instances older than their retention, with their steps and events, in
 * batches. Queued, running, waiting and paused instances are never deleted, also when one
 * changes status while the sweep runs, because the store deletes only rows still ended.
 * Then releases the reserved ids of instances deleted more than `reserveDeletedIdsMs` ago.
 */
export async function pruneEndedInstances(
  store: WorkflowStore,
  retention: ResolvedRetentionOptions,
  options: PruneOptions,
): Promise<PruneResult> {
  const result: PruneResult = {
    deleted: { complete: 0, errored: 0, terminated: 0 },
    instances: [],
    releasedIds: 0,
  };
  await deleteExpiredInstances(store, retention, options, result);
  if (options.dryRun !== true) {
    result.releasedIds = await releaseExpiredIds(store, retention, options);
  }
  return result;
}

async function deleteExpiredInstances(
  store: WorkflowStore,
  retention: ResolvedRetentionOptions,
  options: PruneOptions,
  result: PruneResult,
): Promise<void> {
  const shortest = shortestRetentionMs(retention);
  if (!Number.isFinite(shortest)) {
    return;
  }
  let after: EndedInstance | undefined;
  for (;;) {
    const page = await store.listEndedInstances({
      endedBeforeMs: options.nowMs - shortest,
      limit: PRUNE_BATCH_SIZE,
      ...(after === undefined ? {} : { after }),
      ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    });
    const expired = page.filter(
      (instance) => instance.updatedAtMs < options.nowMs - retentionMsFor(retention, instance),
    );
    const deleted =
      options.dryRun === true ? expired : await deleteExpired(store, expired, options.nowMs);
    for (const instance of deleted) {
      result.deleted[instance.status] += 1;
      result.instances.push({ tenant: instance.tenant, id: instance.id, status: instance.status });
    }
    if (page.length < PRUNE_BATCH_SIZE) {
      return;
    }
    after = page.at(-1);
  }
}

/** Releases reserved ids older than the reservation, in batches, and returns how many. */
async function releaseExpiredIds(
  store: WorkflowStore,
  retention: ResolvedRetentionOptions,
  options: PruneOptions,
): Promise<number> {
  if (!Number.isFinite(retention.reserveDeletedIdsMs)) {
    return 0;
  }
  let released = 0;
  for (;;) {
    const count = await store.releaseDeletedIds({
      deletedBeforeMs: options.nowMs - retention.reserveDeletedIdsMs,
      limit: PRUNE_BATCH_SIZE,
      ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    });
    released += count;
    if (count < PRUNE_BATCH_SIZE) {
      return released;
    }
  }
}

async function deleteExpired(
  store: WorkflowStore,
  expired: EndedInstance[],
  nowMs: number,
): Promise<EndedInstance[]> {
  if (expired.length === 0) {
    return [];
  }
  const deleted = await store.deleteEndedInstances(expired, nowMs);
  const keys = new Set(deleted.map((key) => `${key.tenant}/${key.id}`));
  return expired.filter((instance) => keys.has(`${instance.tenant}/${instance.id}`));
}

/** Options for {@link RetentionSweep}. */
export interface RetentionSweepOptions {
  /** Deletes what has expired now; usually `engine.prune`. */
  prune: () => Promise<PruneResult>;
  /** Called with the instances one sweep deleted, to delete data kept outside the store. */
  onDeleted?: (instances: PruneResult['instances']) => Promise<void>;
  /** Time between sweeps. @default 3600000 (one hour) */
  intervalMs?: number;
  logger: Logger;
}

/**
 * Runs a prune at start and then every `intervalMs`, one at a time. `prune` logs the counts
 * of each sweep, and the sweep logs failures. The timer does not keep the process alive.
 */
export class RetentionSweep {
  readonly #options: RetentionSweepOptions;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;

  constructor(options: RetentionSweepOptions) {
    const intervalMs = options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (!Number.isFinite(intervalMs) || intervalMs < 1000) {
      throw new SandstackError(
        'INVALID_CONFIG',
        `Invalid retention sweep interval ${String(intervalMs)} ms; use at least 1000`,
      );
    }
    this.#options = { ...options, intervalMs };
  }

  /** Starts sweeping: one sweep now, then one per interval. */
  start(): void {
    if (this.#timer !== undefined) {
      return;
    }
    void this.sweep();
    this.#timer = setInterval(() => void this.sweep(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#current;
  }

  /** Runs one sweep unless one is in progress; never rejects, because it logs failures. */
  async sweep(): Promise<void> {
    this.#current ??= this.#sweepOnce().finally(() => {
      this.#current = undefined;
    });
    await this.#current;
  }

  async #sweepOnce(): Promise<void> {
    try {
      const result = await this.#options.prune();
      await this.#options.onDeleted?.(result.instances);
    } catch (error) {
      // The next sweep tries again; instances past their retention only wait longer.
      this.#options.logger.error('Retention sweep failed', { error: String(error) });
    }
  }
}
