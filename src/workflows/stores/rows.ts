/**
 * Row shapes shared by the SQL workflow stores and their conversion to store records. Both
 * stores keep JSON as text, so a value reads back exactly as it was written.
 */
import type { ErrorData } from '../../core/errors.js';
import type { InstanceStatus, JsonValue } from '../types.js';
import type {
  EventRecord,
  InstanceRecord,
  ParamsManifest,
  StepRecord,
  VersionRecord,
} from './store.js';

export interface VersionRow {
  tenant: string;
  workflow: string;
  hash: string;
  class_name: string;
  code?: string;
  created_at_ms: number;
  manifest?: string | null;
}

export interface InstanceRow {
  tenant: string;
  id: string;
  workflow: string;
  version: string;
  params: string;
  status: string;
  output: string | null;
  error: string | null;
  wake_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface StepRow {
  step_key: string;
  kind: string;
  seq: number;
  status: string;
  attempt: number;
  result: string | null;
  error: string | null;
  wake_at_ms: number | null;
  started_at_ms: number;
  ended_at_ms: number | null;
}

export interface EventRow {
  seq: number;
  type: string;
  payload: string;
  created_at_ms: number;
  consumed_by: string | null;
}

/** Encodes a version's manifest for its column; null when it declared none. */
export function manifestJson(version: VersionRecord): string | null {
  return version.manifest === undefined ? null : JSON.stringify(version.manifest);
}

export function toVersion(row: VersionRow): VersionRecord {
  return {
    tenant: row.tenant,
    workflow: row.workflow,
    hash: row.hash,
    className: row.class_name,
    code: row.code ?? '',
    createdAtMs: row.created_at_ms,
    ...(row.manifest === undefined || row.manifest === null
      ? {}
      : { manifest: JSON.parse(row.manifest) as ParamsManifest }),
  };
}

export function parseOptional<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

export function toInstance(row: InstanceRow): InstanceRecord {
  return {
    tenant: row.tenant,
    id: row.id,
    workflow: row.workflow,
    version: row.version,
    params: JSON.parse(row.params) as JsonValue,
    status: row.status as InstanceStatus,
    output: parseOptional<JsonValue>(row.output),
    error: parseOptional<ErrorData>(row.error),
    wakeAtMs: row.wake_at_ms ?? undefined,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

export function toStep(row: StepRow): StepRecord {
  return {
    key: row.step_key,
    kind: row.kind as StepRecord['kind'],
    seq: row.seq,
    status: row.status as StepRecord['status'],
    attempt: row.attempt,
    resultJson: row.result ?? undefined,
    error: parseOptional<ErrorData>(row.error),
    wakeAtMs: row.wake_at_ms ?? undefined,
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms ?? undefined,
  };
}

export function toEvent(row: EventRow): EventRecord {
  return {
    seq: row.seq,
    type: row.type,
    payload: JSON.parse(row.payload) as JsonValue,
    createdAtMs: row.created_at_ms,
    consumedBy: row.consumed_by ?? undefined,
  };
}

export function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Column values of a step row, in the order tenant, instance_id, step_key … ended_at_ms. */
export function stepValues(tenant: string, instanceId: string, step: StepRecord): unknown[] {
  return [
    tenant,
    instanceId,
    step.key,
    step.kind,
    step.seq,
    step.status,
    step.attempt,
    step.resultJson ?? null,
    jsonOrNull(step.error),
    step.wakeAtMs ?? null,
    step.startedAtMs,
    step.endedAtMs ?? null,
  ];
}

/** Column values of an instance row, in the order tenant, id, workflow … updated_at_ms. */
export function instanceValues(instance: InstanceRecord): unknown[] {
  return [
    instance.tenant,
    instance.id,
    instance.workflow,
    instance.version,
    JSON.stringify(instance.params),
    instance.status,
    jsonOrNull(instance.output),
    jsonOrNull(instance.error),
    instance.wakeAtMs ?? null,
    instance.createdAtMs,
    instance.updatedAtMs,
  ];
}
