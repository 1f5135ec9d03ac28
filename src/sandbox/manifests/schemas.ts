import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/** Folder of the vendored agent-sandbox CRDs, the same from `src/` and from `dist/`. */
const SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/agent-sandbox/', import.meta.url));

/** The API version sandstack reads; upstream stores v1beta1 and deprecates v1alpha1. */
export const MANIFEST_VERSION = 'v1beta1';

/** The kinds `sandstack apply` accepts, with their API group and CRD file. */
export const MANIFEST_KINDS = {
  SandboxTemplate: {
    group: 'extensions.agents.x-k8s.io',
    file: 'extensions.agents.x-k8s.io_sandboxtemplates.yaml',
  },
  SandboxWarmPool: {
    group: 'extensions.agents.x-k8s.io',
    file: 'extensions.agents.x-k8s.io_sandboxwarmpools.yaml',
  },
  SandboxClaim: {
    group: 'extensions.agents.x-k8s.io',
    file: 'extensions.agents.x-k8s.io_sandboxclaims.yaml',
  },
  /** Only to change `spec.operatingMode` of a sandbox that a claim made. */
  Sandbox: {
    group: 'agents.x-k8s.io',
    file: 'agents.x-k8s.io_sandboxes.yaml',
  },
} as const;

/** A kind `sandstack apply` accepts. */
export type ManifestKind = keyof typeof MANIFEST_KINDS;

/** One schema failure: the field path (`spec.replicas`) and what is wrong with it. */
export interface FieldProblem {
  path: string[];
  message: string;
}

/** RFC 3339 date-time, the format Kubernetes uses for `metav1.Time`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

let ajv: Ajv | undefined;
const validators = new Map<ManifestKind, ValidateFunction>();

/**
 * Validates an object of `kind` against its CRD's v1beta1 schema, in place: defaults from the
 * schema (such as `replicas: 1`) are filled in, as the API server does. Fields the schema does
 * not list are reported, as `kubectl apply` does with its default strict field validation.
 * Compiling a schema takes about a second (the SandboxTemplate one embeds the whole PodSpec),
 * so each is compiled on first use only.
 */
export function validateObject(kind: ManifestKind, object: unknown): FieldProblem[] {
  const validate = validatorFor(kind);
  if (validate(object)) {
    return [];
  }
  // anyOf branches (int-or-string fields) repeat the specific failure of their members.
  const errors = (validate.errors ?? []).filter((error) => error.keyword !== 'anyOf');
  return dedupe(errors.map(toProblem));
}

function validatorFor(kind: ManifestKind): ValidateFunction {
  let validate = validators.get(kind);
  if (validate === undefined) {
    const crd = parse(readFileSync(SCHEMA_DIR + MANIFEST_KINDS[kind].file, 'utf8')) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: unknown } }[] };
    };
    const version = crd.spec.versions.find((item) => item.name === MANIFEST_VERSION);
    if (version === undefined) {
      throw new Error(`The vendored ${kind} CRD has no ${MANIFEST_VERSION} version`);
    }
    validate = getAjv().compile(toStrictSchema(version.schema.openAPIV3Schema) as object);
    validators.set(kind, validate);
  }
  return validate;
}

function getAjv(): Ajv {
  if (ajv === undefined) {
    ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true, verbose: true });
    ajv.addFormat('date-time', DATE_TIME);
    ajv.addFormat('int32', { type: 'number', validate: (value: number) => isIntIn(value, 31) });
    ajv.addFormat('int64', { type: 'number', validate: (value: number) => isIntIn(value, 63) });
  }
  return ajv;
}

function isIntIn(value: number, bits: number): boolean {
  return Number.isInteger(value) && Math.abs(value) <= 2 ** bits;
}

/**
 * Rewrites a structural schema so that unknown fields fail: objects that list `properties`
 * reject other keys unless marked `x-kubernetes-preserve-unknown-fields`. `metadata` stays
 * open, because the API server validates it apart from the schema.
 */
function toStrictSchema(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(toStrictSchema);
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const source = node as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      result.properties = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, toStrictSchema(schema)]),
      );
    } else {
      result[key] = toStrictSchema(value);
    }
  }
  const preserves = source['x-kubernetes-preserve-unknown-fields'] === true;
  if ('properties' in source && !('additionalProperties' in source) && !preserves) {
    result.additionalProperties = false;
  }
  return result;
}

function toProblem(error: ErrorObject): FieldProblem {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  const got = typeof error.data === 'number' ? String(error.data) : JSON.stringify(error.data);
  const parent = path.at(-2);
  if (error.keyword === 'type' && (parent === 'limits' || parent === 'requests')) {
    // A quantity is an int-or-string, so one wrong value fails both branches of the schema.
    return {
      path,
      message: `invalid quantity ${got}; use a whole number or a quoted quantity such as "500m" or "512Mi"`,
    };
  }
  switch (error.keyword) {
    case 'required':
      return {
        path: [...path, String(params.missingProperty)],
        message: 'required field is missing',
      };
    case 'additionalProperties':
      return {
        path: [...path, String(params.additionalProperty)],
        message: 'unknown field; check its spelling and indentation against the v1beta1 schema',
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((value) => String(value)).join(', ');
      return { path, message: `unsupported value ${got}; use one of ${allowed}` };
    }
    case 'type':
      return { path, message: `must be of type ${String(params.type)}, got ${got}` };
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}, got ${got}` };
    case 'format':
      return { path, message: formatMessage(String(params.format), got) };
    case 'pattern':
      return { path, message: patternMessage(path, got) };
    default:
      return { path, message: `invalid value ${got}: ${error.message ?? error.keyword}` };
  }
}

function formatMessage(format: string, got: string): string {
  if (format === 'date-time') {
    return `invalid time ${got}; use RFC 3339, such as 2030-01-01T00:00:00Z`;
  }
  return `invalid value ${got}; must be ${format === 'int32' ? 'a 32-bit' : 'a 64-bit'} integer`;
}

function patternMessage(path: string[], got: string): string {
  const parent = path.at(-2);
  if (parent === 'limits' || parent === 'requests') {
    return `invalid quantity ${got}; use a number with an optional suffix, such as 500m, 2, 512Mi or 1Gi`;
  }
  return `invalid value ${got}; it does not match the format the schema requires`;
}

function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path.join('.')}\n${problem.message}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
