/**
 * The storage interface of the workflow engine. Every method takes the tenant, and an
 * implementation must scope every read and write by it, so one tenant never reads another
 * tenant's rows even when it guesses their ids.
 */
import { SandstackError, type ErrorData } from '../../core/errors.js';
import type { WorkflowManifest } from '../inputs.js';
import type { InstanceStatus, JsonValue } from '../types.js';

/** One deployed version of a workflow. */
export interface VersionRecord {
  tenant: string;
  workflow: string;
  /** SHA-256 of the bundle. */
  hash: string;
  className: string;
  code: string;
  createdAtMs: number;
  /**
   * Params and run inputs the deployment declared (a workflow's `sandstack.json`), which
   * instance creation checks params against; undefined when it declared none.
   */
  manifest?: ParamsManifest;
}

/** The params and run inputs a workflow's `sandstack.json` declares. */
export type ParamsManifest = Pick<WorkflowManifest, 'params' | 'inputs'>;

/** One workflow instance. */
export interface InstanceRecord {
  tenant: string;
  id: string;
  workflow: string;
  /** Bundle hash the instance is pinned to. */
  version: string;
  params: JsonValue;
  status: InstanceStatus;
  /** Output of `run`; undefined until the instance completes (or when `run` returns nothing). */
  output: JsonValue | undefined;
  error: ErrorData | undefined;
  /** When a waiting instance can continue (end of a sleep, retry delay or event timeout). */
  wakeAtMs: number | undefined;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Kinds of step history entry. */
export type StepKind = 'do' | 'sleep' | 'event';

/**
 * Step states. Transitions: running → complete | errored | retrying; retrying → running;
 * sleeping → complete; waiting → complete | errored.
 */
export type StepStatus = 'running' | 'retrying' | 'sleeping' | 'waiting' | 'complete' | 'errored';

/** One entry of an instance's step history, keyed by `name#occurrence`. */
export interface StepRecord {
  key: string;
  kind: StepKind;
  /** Position in the history, from 0, in the order steps first started. */
  seq: number;
  status: StepStatus;
  attempt: number;
  /** JSON text of the result; undefined when the step returned nothing. */
  resultJson: string | undefined;
  error: ErrorData | undefined;
  wakeAtMs: number | undefined;
  startedAtMs: number;
  endedAtMs: number | undefined;
}

/** An event sent to an instance. */
export interface EventRecord {
  seq: number;
  type: string;
  payload: JsonValue;
  createdAtMs: number;
  /** Step key of the `waitForEvent` that received the event. */
  consumedBy: string | undefined;
}

/** Statuses in which no run may store a new step of the instance. */
export type StoppedStatus = Extract<InstanceStatus, 'paused' | 'terminated'>;

/** Per-instance bounds that `addEvent` checks, each counting the new event too. */
export interface EventBounds {
  /** Maximum number of events that no `step.waitForEvent` has received yet. */
  maxPendingEvents: number;
  /** Maximum bytes of JSON of those events' payloads. */
  maxPendingEventBytes: number;
  /** Maximum bytes of JSON of the stored step results plus those payloads. */
  maxStateBytes: number;
}

/** An instance's totals before a new event, as `addEvent` measured them. */
export interface EventTotals {
  pendingEvents: number;
  /** Bytes of JSON of the pending events' payloads. */
  pendingEventBytes: number;
  /** Bytes of JSON of the complete steps' results. */
  stepResultBytes: number;
}

/** Result of `addEvent`: stored, or rejected with the totals that a bound stopped. */
export type AddEventResult = { added: true } | { added: false; totals: EventTotals };

/** Error of a create that names the id of an instance that retention deleted. */
export function deletedIdError(id: string): SandstackError {
  return new SandstackError(
    'ALREADY_EXISTS',
    `Instance id "${id}" belonged to an instance that retention deleted, and the id stays reserved after that (retention.reserveDeletedIdsFor, default forever), so a retried create cannot run the work again; choose another id or omit it`,
  );
}

/** Checks whether an event of `payloadBytes` fits within `bounds` on top of `totals`. */
export function eventFits(totals: EventTotals, payloadBytes: number, bounds: EventBounds): boolean {
  const pendingBytes = totals.pendingEventBytes + payloadBytes;
  return (
    totals.pendingEvents + 1 <= bounds.maxPendingEvents &&
    pendingBytes <= bounds.maxPendingEventBytes &&
    totals.stepResultBytes + pendingBytes <= bounds.maxStateBytes
  );
}

/** Fields of an instance that the engine changes after creation. */
export type InstancePatch = Partial<
  Pick<InstanceRecord, 'status' | 'output' | 'error' | 'wakeAtMs'>
> & { updatedAtMs: number };

/** The key of one instance. */
export interface InstanceKey {
  tenant: string;
  id: string;
}

/** End states of an instance, from which no run moves it on. */
export type EndedStatus = Extract<InstanceStatus, 'complete' | 'errored' | 'terminated'>;

/** An ended instance as a retention sweep lists it; `updatedAtMs` is when it ended. */
export interface EndedInstance extends InstanceKey {
  workflow: string;
  status: EndedStatus;
  updatedAtMs: number;
}

/** Timing of a lease claim or renewal. */
export interface LeaseTiming {
  nowMs: number;
  /** How long a lease lasts past `nowMs` unless it is renewed. */
  leaseMs: number;
}

/**
 * Leases of a store that several engine processes share, so each instance runs on one node
 * at a time. A node holds the lease of every instance it runs and renews it while it runs.
 * Once a lease expires, because its node died or stalled, any node can claim the instance,
 * and the store then rejects step writes from the node that lost it.
 */
export interface LeaseStore {
  /** Id of this node, stored as the owner of the leases it takes. */
  readonly nodeId: string;
  /**
   * Leases up to `limit` instances that a run can move on, as `listRunnable` picks them,
   * plus running ones whose lease expired. Instances leased by a live node are skipped.
   */
  claimRunnable(options: LeaseTiming & { limit: number }): Promise<InstanceKey[]>;
  /** Leases one instance; returns false while another node holds an unexpired lease. */
  claimInstance(tenant: string, id: string, timing: LeaseTiming): Promise<boolean>;
  /** Extends this node's leases; returns the instances whose lease this node still holds. */
  renewLeases(instances: InstanceKey[], timing: LeaseTiming): Promise<InstanceKey[]>;
  /** Gives up this node's lease of an instance, so any node may run it next. */
  releaseLease(tenant: string, id: string): Promise<void>;
  /** Returns the node that holds an unexpired lease of the instance at `nowMs`, if any. */
  leaseOwner(tenant: string, id: string, nowMs: number): Promise<string | undefined>;
}

/**
 * Storage for workflow versions, instances, step history and events. Every method is
 * asynchronous, so a store can sit on a network database; a write's promise settles only
 * once the write is durable.
 */
export interface WorkflowStore {
  /**
   * Leases of a store shared by several engine processes; undefined for a store that one
   * process owns, such as SQLite.
   */
  readonly leases?: LeaseStore;

  /** Stores a version; returns false when the same hash was already stored for the workflow. */
  saveVersion(version: VersionRecord): Promise<boolean>;
  getVersion(tenant: string, workflow: string, hash: string): Promise<VersionRecord | undefined>;
  latestVersion(tenant: string, workflow: string): Promise<VersionRecord | undefined>;
  /** Lists the tenant's versions, newest first, optionally of one workflow. */
  listVersions(tenant: string, workflow?: string): Promise<Omit<VersionRecord, 'code'>[]>;

  /**
   * @throws SandstackError `ALREADY_EXISTS` when the tenant already has an instance with this
   * id, or had one that `deleteEndedInstances` deleted.
   */
  createInstance(instance: InstanceRecord): Promise<void>;

  /**
   * Sums the bytes of UTF-8 JSON of the tenant's complete step results, over every instance
   * still stored, ended ones included.
   */
  tenantStepResultBytes(tenant: string): Promise<number>;
  getInstance(tenant: string, id: string): Promise<InstanceRecord | undefined>;
  /** Lists the tenant's instances, newest first. */
  listInstances(
    tenant: string,
    filter?: { workflow?: string; status?: InstanceStatus },
  ): Promise<InstanceRecord[]>;
  updateInstance(tenant: string, id: string, patch: InstancePatch): Promise<void>;
  /**
   * Lists instances of every tenant that a run can move on: queued ones, waiting ones whose
   * wake time has passed or that have an undelivered event, and, with `includeRunning`,
   * running ones (left behind by a process that died). At most `limit`, in rounds: each
   * round has the oldest instance of every tenant left, so one tenant's flood cannot push
   * the others past the limit.
   */
  listRunnable(options: {
    nowMs: number;
    limit: number;
    includeRunning: boolean;
  }): Promise<{ tenant: string; id: string }[]>;

  /**
   * Lists ended instances (complete, errored, terminated) that ended before
   * `endedBeforeMs`, ordered by end time, tenant and id, and starting after `after` in that
   * order, so a sweep can page through them. At most `limit`.
   */
  listEndedInstances(options: {
    endedBeforeMs: number;
    limit: number;
    after?: Pick<EndedInstance, 'tenant' | 'id' | 'updatedAtMs'>;
    tenant?: string;
  }): Promise<EndedInstance[]>;
  /**
   * Deletes the given instances with their steps and events, in one transaction, but only
   * those still ended; returns the deleted ones. An instance that an upgrade queued again in
   * the meantime is kept. The ids of deleted instances stay reserved, with `deletedAtMs`
   * (default: now), until {@link releaseDeletedIds} releases them.
   */
  deleteEndedInstances(instances: InstanceKey[], deletedAtMs?: number): Promise<InstanceKey[]>;
  /**
   * Releases up to `limit` reserved ids of instances deleted before `deletedBeforeMs`,
   * optionally of one tenant, and returns how many. A new instance may then take them.
   */
  releaseDeletedIds(options: {
    deletedBeforeMs: number;
    limit: number;
    tenant?: string;
  }): Promise<number>;

  listSteps(tenant: string, instanceId: string): Promise<StepRecord[]>;
  /** Deletes an instance's step history and its events, and queues it again, in one transaction. */
  resetInstance(tenant: string, instanceId: string, updatedAtMs: number): Promise<void>;
  /**
   * Moves an instance to another version in one transaction: deletes its steps from
   * position `dropFromSeq` on, sets `version` and applies `patch`. It does so only while the
   * instance still has the `expected` status, version and update time, and returns false
   * otherwise, so a run that changed the instance in between makes the upgrade fail.
   */
  upgradeInstance(
    tenant: string,
    instanceId: string,
    change: {
      expected: Pick<InstanceRecord, 'status' | 'version' | 'updatedAtMs'>;
      version: string;
      dropFromSeq: number;
      patch: InstancePatch;
    },
  ): Promise<boolean>;
  /**
   * Inserts or replaces one step entry; resolves once it is durable. With `unlessStopped`,
   * the write stores nothing while the instance is paused or terminated and resolves to
   * that status, so a run checks for a pause and commits a step in one write. With
   * `allowPaused` as well, only a terminate stops the write: a step attempt that ends after
   * a pause still stores its outcome. With `deferrable`, the store may hold the write back for a few milliseconds to commit it
   * with a later one; the caller must not wait for it before issuing that later write.
   *
   * @throws SandstackError `LEASE_LOST` from a store with leases when another node now holds
   * the instance's lease.
   */
  putStep(
    tenant: string,
    instanceId: string,
    step: StepRecord,
    options?: { unlessStopped?: boolean; allowPaused?: boolean; deferrable?: boolean },
  ): Promise<StoppedStatus | undefined>;

  /**
   * Stores an event for the instance. With `bounds`, it first sums the instance's pending
   * events and stored step results in the same transaction, and stores nothing when the new
   * event would pass a bound, so concurrent sends cannot pass it together.
   */
  addEvent(
    tenant: string,
    instanceId: string,
    event: { type: string; payload: JsonValue; createdAtMs: number },
    bounds?: EventBounds,
  ): Promise<AddEventResult>;
  /** Returns the event already given to `stepKey`, else marks the oldest free one of `type` as its own. */
  claimEvent(
    tenant: string,
    instanceId: string,
    type: string,
    stepKey: string,
  ): Promise<EventRecord | undefined>;
}
