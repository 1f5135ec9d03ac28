import { SandstackError } from '../../core/errors.js';
import type { ResourceRef } from './resources.js';

/** Description of a Kubernetes API call, for error messages. */
export interface ApiCallContext {
  /** Kubernetes verb: `create`, `get`, `list`, `watch` or `delete`. */
  verb: string;
  resource: ResourceRef;
  namespace: string;
  name?: string;
}

/** The parts of a Kubernetes `Status` object that error messages use. */
interface KubernetesStatus {
  message?: string;
  reason?: string;
  code?: number;
}

/** Reads the HTTP status code from an `ApiException` or a failed watch request. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const candidate = error as { code?: unknown; statusCode?: unknown };
  if (typeof candidate.code === 'number') {
    return candidate.code;
  }
  if (typeof candidate.statusCode === 'number') {
    return candidate.statusCode;
  }
  return undefined;
}

function statusOf(error: unknown): KubernetesStatus {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as KubernetesStatus;
    } catch {
      return { message: body };
    }
  }
  if (typeof body === 'object' && body !== null) {
    return body as KubernetesStatus;
  }
  return {};
}

/**
 * Converts a failed Kubernetes API call into a SandstackError whose message names the call,
 * quotes the API server's own message and gives the fix.
 */
export function toSandstackError(error: unknown, context: ApiCallContext): SandstackError {
  const code = statusCodeOf(error);
  const status = statusOf(error);
  const target = describeTarget(context);
  const serverMessage = status.message ?? (error instanceof Error ? error.message : String(error));
  const details = { status: code, reason: status.reason, verb: context.verb };

  if (code === 401) {
    return new SandstackError(
      'INVALID_CONFIG',
      `Kubernetes API rejected the credentials while trying to ${context.verb} ${target}: ${serverMessage}; refresh the kubeconfig token or the service account token`,
      { cause: error, details },
    );
  }
  if (code === 403) {
    return new SandstackError(
      'INVALID_CONFIG',
      `Kubernetes RBAC does not allow "${context.verb}" on ${context.resource.plural}.${context.resource.group} in namespace "${context.namespace}": ${serverMessage}; bind a Role granting it to the service account (see deploy/rbac.yaml)`,
      { cause: error, details },
    );
  }
  if (code === 404 && context.name === undefined) {
    return new SandstackError(
      'RUNTIME_UNAVAILABLE',
      `Kubernetes API has no ${context.resource.plural}.${context.resource.group}/${context.resource.version} in namespace "${context.namespace}": ${serverMessage}; install the agent-sandbox CRDs and controller`,
      { cause: error, details },
    );
  }
  if (code === 404) {
    return new SandstackError('SANDBOX_NOT_FOUND', `${target} not found: ${serverMessage}`, {
      cause: error,
      details,
    });
  }
  if (code === 409) {
    return new SandstackError('ALREADY_EXISTS', `${target} already exists: ${serverMessage}`, {
      cause: error,
      details,
    });
  }
  if (code === 422 || code === 400) {
    return new SandstackError(
      'INVALID_CONFIG',
      `Kubernetes API rejected ${target} as invalid: ${serverMessage}`,
      { cause: error, details },
    );
  }
  return new SandstackError(
    'SANDBOX_FAILED',
    `Kubernetes API call to ${context.verb} ${target} failed${code === undefined ? '' : ` with HTTP ${code}`}: ${serverMessage}`,
    { cause: error, details, retryable: code === undefined || code >= 500 || code === 429 },
  );
}

function describeTarget(context: ApiCallContext): string {
  const name = context.name === undefined ? '' : ` "${context.name}"`;
  return `${context.resource.kind}${name} in namespace "${context.namespace}"`;
}
