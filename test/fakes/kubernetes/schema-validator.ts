import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/** One field-level failure, in the shape of a Kubernetes `StatusCause`. */
export interface FieldCause {
  reason:
    'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid' | 'FieldValueInvalid';
  message: string;
  field: string;
}

/** A validator for one kind, built from the `openAPIV3Schema` of one CRD version. */
export interface KindSchema {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** Validates, prunes unknown fields and applies defaults in place; returns the failures. */
  validate(object: unknown): FieldCause[];
}

/** RFC 3339 date-time, the format Kubernetes uses for `metav1.Time`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Rewrites a structural schema so that Ajv prunes like the API server: objects that list
 * `properties` drop unknown fields unless marked `x-kubernetes-preserve-unknown-fields`.
 * `metadata` stays open because the API server validates it separately.
 */
function toPruningSchema(node: unknown, path: string): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => toPruningSchema(item, path));
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const source = node as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      const properties: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(value)) {
        properties[name] = toPruningSchema(schema, `${path}.${name}`);
      }
      result.properties = properties;
    } else {
      result[key] = toPruningSchema(value, path);
    }
  }
  const preserves = source['x-kubernetes-preserve-unknown-fields'] === true;
  if ('properties' in source && !('additionalProperties' in source) && !preserves) {
    result.additionalProperties = false;
  }
  return result;
}

function newAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    removeAdditional: true,
    useDefaults: true,
  });
  ajv.addFormat('date-time', DATE_TIME);
  ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  return ajv;
}

/** Converts Ajv's JSON pointer (`/spec/containers/0`) to a Kubernetes field path. */
function fieldPath(instancePath: string): string {
  let path = '';
  for (const encoded of instancePath.split('/').slice(1)) {
    const part = encoded.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) {
      path += `[${part}]`;
    } else {
      path += path === '' ? part : `.${part}`;
    }
  }
  return path;
}

function toCause(error: ErrorObject): FieldCause {
  const field = fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    const missing = String(params.missingProperty);
    return {
      reason: 'FieldValueRequired',
      message: 'Required value',
      field: field === '' ? missing : `${field}.${missing}`,
    };
  }
  if (error.keyword === 'enum') {
    const allowed = (params.allowedValues as unknown[])
      .map((value) => JSON.stringify(value))
      .join(', ');
    return {
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: supported values: ${allowed}`,
      field,
    };
  }
  if (error.keyword === 'type') {
    return {
      reason: 'FieldValueTypeInvalid',
      message: `Invalid value: must be of type ${String(params.type)}`,
      field,
    };
  }
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${error.message ?? error.keyword}`,
    field,
  };
}

/** Loads every CRD in `directory` and returns validators keyed by `group/version/plural`. */
export function loadCrdSchemas(directory: string): Map<string, KindSchema> {
  const ajv = newAjv();
  const schemas = new Map<string, KindSchema>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(directory, file), 'utf8')) as {
      spec: {
        group: string;
        names: { plural: string; kind: string };
        versions: { name: string; schema: { openAPIV3Schema: unknown } }[];
      };
    };
    for (const version of crd.spec.versions) {
      const compiled: ValidateFunction = ajv.compile(
        toPruningSchema(version.schema.openAPIV3Schema, '') as object,
      );
      const { group, names } = crd.spec;
      schemas.set(`${group}/${version.name}/${names.plural}`, {
        group,
        version: version.name,
        plural: names.plural,
        kind: names.kind,
        validate(object) {
          if (compiled(object)) {
            return [];
          }
          // anyOf branches repeat their parent's failure; keep the specific ones.
          const errors = (compiled.errors ?? []).filter((error) => error.keyword !== 'anyOf');
          return errors.map(toCause);
        },
      });
    }
  }
  return schemas;
}
