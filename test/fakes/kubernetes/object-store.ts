import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

import type { FieldCause, KindSchema } from './schema-validator.js';

/** A stored object: any Kubernetes object with metadata. */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    generation: number;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** One change, as a watch stream sends it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  plural: string;
  resourceVersion: number;
  object: StoredObject;
}

/** A failed request, carried as the Kubernetes `Status` the server sends back. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details === undefined ? {} : { details: this.details }),
      code: this.code,
    };
  }
}

/** DNS-1123 subdomain, the rule for names of custom resources. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * In-memory object store with the API server's rules that the driver depends on: schema
 * validation with pruning and defaults, resourceVersions, a replayable event log for watches,
 * and garbage collection of objects whose owner is deleted.
 */
export class ObjectStore {
  readonly events = new EventEmitter();
  readonly #objects = new Map<string, StoredObject>();
  readonly #log: WatchEvent[] = [];
  readonly #schemas: Map<string, KindSchema>;
  #resourceVersion = 100;
  #compactedThrough = 0;

  constructor(schemas: Map<string, KindSchema>) {
    this.#schemas = schemas;
    this.events.setMaxListeners(100);
  }

  /** Returns the schema of `group/version/plural`, or throws a 404 Status. */
  schemaFor(group: string, version: string, plural: string): KindSchema {
    const schema = this.#schemas.get(`${group}/${version}/${plural}`);
    if (schema === undefined) {
      throw new StatusError(
        404,
        'NotFound',
        `the server could not find the requested resource (${plural}.${group}/${version})`,
      );
    }
    return schema;
  }

  /** Every kind and version the store validates. */
  schemas(): KindSchema[] {
    return [...this.#schemas.values()];
  }

  get currentResourceVersion(): number {
    return this.#resourceVersion;
  }

  get(plural: string, namespace: string, name: string): StoredObject | undefined {
    const found = this.#objects.get(`${plural}/${namespace}/${name}`);
    return found === undefined ? undefined : clone(found);
  }

  list(plural: string, namespace: string): StoredObject[] {
    const prefix = `${plural}/${namespace}/`;
    return [...this.#objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, object]) => clone(object));
  }

  /** Events after `resourceVersion`, or undefined when the log no longer reaches back that far. */
  eventsSince(resourceVersion: number): WatchEvent[] | undefined {
    if (resourceVersion < this.#compactedThrough) {
      return undefined;
    }
    return this.#log.filter((event) => event.resourceVersion > resourceVersion);
  }

  /** Drops the event log, as etcd compaction does; older watches then get 410 Gone. */
  compact(): void {
    this.#compactedThrough = this.#resourceVersion;
    this.#log.length = 0;
  }

  /** Creates an object after validation; status is dropped, as with a status subresource. */
  create(schema: KindSchema, namespace: string, input: Record<string, unknown>): StoredObject {
    const object = clone(input) as unknown as StoredObject;
    const name = object.metadata?.name;
    if (typeof name !== 'string' || !DNS_SUBDOMAIN.test(name) || name.length > 253) {
      throw this.#invalid(schema, String(name), [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message: `Invalid value: "${String(name)}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
        },
      ]);
    }
    const key = `${schema.plural}/${namespace}/${name}`;
    if (this.#objects.has(key)) {
      throw new StatusError(
        409,
        'AlreadyExists',
        `${schema.plural}.${schema.group} "${name}" already exists`,
        { name, group: schema.group, kind: schema.plural },
      );
    }
    delete object.status;
    this.#check(schema, object, name);

    object.metadata = {
      ...object.metadata,
      name,
      namespace,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      resourceVersion: '',
    };
    return this.#commit('ADDED', schema.plural, key, object);
  }

  /** Replaces an object; `status: true` replaces only the status, like the `/status` subresource. */
  replace(
    schema: KindSchema,
    namespace: string,
    input: Record<string, unknown>,
    options: { status?: boolean } = {},
  ): StoredObject {
    const incoming = clone(input) as unknown as StoredObject;
    const name = incoming.metadata?.name;
    const key = `${schema.plural}/${namespace}/${name}`;
    const existing = this.#objects.get(key);
    if (existing === undefined) {
      throw new StatusError(
        404,
        'NotFound',
        `${schema.plural}.${schema.group} "${name}" not found`,
        { name, group: schema.group, kind: schema.plural },
      );
    }
    const expected = incoming.metadata.resourceVersion;
    if (
      expected !== undefined &&
      expected !== '' &&
      expected !== existing.metadata.resourceVersion
    ) {
      throw new StatusError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${schema.plural}.${schema.group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const next: StoredObject =
      options.status === true
        ? { ...clone(existing), status: incoming.status ?? {} }
        : {
            ...incoming,
            metadata: {
              ...existing.metadata,
              labels: incoming.metadata.labels,
              annotations: incoming.metadata.annotations,
              ownerReferences: incoming.metadata.ownerReferences,
            },
            status: existing.status,
          };
    if (options.status !== true && JSON.stringify(next.spec) !== JSON.stringify(existing.spec)) {
      next.metadata.generation += 1;
    }
    this.#check(schema, next, name);
    return this.#commit('MODIFIED', schema.plural, key, next);
  }

  /**
   * Applies a JSON merge patch (RFC 7386) to an object's metadata and spec, then replaces it
   * with the same checks as {@link replace}. Status changes go through the status subresource.
   */
  mergePatch(
    schema: KindSchema,
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
  ): StoredObject {
    const existing = this.get(schema.plural, namespace, name);
    if (existing === undefined) {
      throw new StatusError(
        404,
        'NotFound',
        `${schema.plural}.${schema.group} "${name}" not found`,
        { name, group: schema.group, kind: schema.plural },
      );
    }
    const { status: _ignored, ...rest } = patch;
    const merged = applyMergePatch(existing, rest) as Record<string, unknown>;
    return this.replace(schema, namespace, merged);
  }

  /** Deletes an object and, as the garbage collector does, every object it owns. */
  delete(plural: string, namespace: string, name: string): StoredObject {
    const key = `${plural}/${namespace}/${name}`;
    const existing = this.#objects.get(key);
    if (existing === undefined) {
      throw new StatusError(404, 'NotFound', `${plural} "${name}" not found`, {
        name,
        kind: plural,
      });
    }
    this.#objects.delete(key);
    const deleted = this.#record('DELETED', plural, existing);
    for (const [dependentKey, dependent] of [...this.#objects.entries()]) {
      if (
        dependent.metadata.ownerReferences?.some((owner) => owner.uid === existing.metadata.uid) ===
        true
      ) {
        const [dependentPlural, dependentNamespace, dependentName] = dependentKey.split('/');
        this.delete(dependentPlural ?? '', dependentNamespace ?? '', dependentName ?? '');
      }
    }
    return deleted;
  }

  #check(schema: KindSchema, object: StoredObject, name: string): void {
    const causes = schema.validate(object);
    if (causes.length > 0) {
      throw this.#invalid(schema, name, causes);
    }
  }

  #invalid(schema: KindSchema, name: string, causes: FieldCause[]): StatusError {
    const summary = causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
    return new StatusError(
      422,
      'Invalid',
      `${schema.kind}.${schema.group} "${name}" is invalid: ${summary}`,
      {
        name,
        group: schema.group,
        kind: schema.kind,
        causes,
      },
    );
  }

  #commit(
    type: 'ADDED' | 'MODIFIED',
    plural: string,
    key: string,
    object: StoredObject,
  ): StoredObject {
    this.#objects.set(key, object);
    return this.#record(type, plural, object);
  }

  #record(type: WatchEvent['type'], plural: string, object: StoredObject): StoredObject {
    this.#resourceVersion += 1;
    object.metadata.resourceVersion = String(this.#resourceVersion);
    const event: WatchEvent = {
      type,
      plural,
      resourceVersion: this.#resourceVersion,
      object: clone(object),
    };
    this.#log.push(event);
    this.events.emit('change', event);
    return clone(object);
  }
}

/** RFC 7386: objects merge key by key, `null` removes a key, anything else replaces. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return patch;
  }
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}
