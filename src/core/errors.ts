/**
 * Error codes, grouped by who has to act: `user` codes mean bad input or config that the
 * caller can fix; `system` codes mean a fault in sandstack or on the host.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: 'user',
  INVALID_CONFIG: 'user',
  NOT_FOUND: 'user',
  ALREADY_EXISTS: 'user',
  FILE_NOT_FOUND: 'user',
  WORKFLOW_INVALID: 'user',
  WORKFLOW_FAILED: 'user',
  WORKFLOW_CPU_LIMIT: 'user',
  WORKFLOW_MEMORY_LIMIT: 'user',
  WORKFLOW_NONDETERMINISM: 'user',
  STEP_FAILED: 'user',
  STEP_TIMEOUT: 'user',
  STEP_RESULT_INVALID: 'user',
  WORKFLOW_STATE_LIMIT: 'user',
  EVENT_LIMIT: 'user',
  SESSION_INVALID: 'user',
  TEMPLATE_NOT_FOUND: 'user',
  POOL_NOT_FOUND: 'user',
  SANDBOX_NOT_FOUND: 'user',
  SANDBOX_TIMEOUT: 'user',
  SANDBOX_LIMIT: 'user',
  SANDBOX_PATH_INVALID: 'user',
  SANDBOX_SUSPENDED: 'user',
  SNAPSHOT_NOT_FOUND: 'user',
  CHECKPOINT_UNSUPPORTED: 'user',
  GUARD_DENIED: 'user',
  GUARD_HALTED: 'user',
  POLICY_INVALID: 'user',
  RUNTIME_UNAVAILABLE: 'system',
  SANDBOX_FAILED: 'system',
  CHECKPOINT_CORRUPT: 'system',
  STORE_FAILED: 'system',
  LEASE_LOST: 'system',
  INTERNAL: 'system',
} as const;

/** Stable string identifying one kind of failure. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Who has to act on an error: the caller (`user`) or the operator (`system`). */
export type ErrorKind = 'user' | 'system';

/** Plain-data form of an error, for workflow history and the wire. */
export interface ErrorData {
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/**
 * The next step of an error as each surface names it, for errors whose fix is to run a
 * command or call a route, such as `list instances with "sandstack instance list"` and `list
 * instances with GET /v1/instances`.
 */
export interface ErrorRemedy {
  cli: string;
  http: string;
}

/** Options for {@link SandstackError}. */
export interface SandstackErrorOptions {
  cause?: unknown;
  /** The next step per surface; the message ends with its CLI form. */
  remedy?: ErrorRemedy;
  /** Whether retrying the same operation may succeed. @default false */
  retryable?: boolean;
  details?: Record<string, unknown>;
}

/**
 * Base class of every error sandstack throws on purpose.
 *
 * @example
 * throw new SandstackError('TEMPLATE_NOT_FOUND', 'Template "py" not found; create it first');
 */
export class SandstackError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  /** What failed, without the next step of {@link remedy}. */
  readonly summary: string;
  readonly remedy: ErrorRemedy | undefined;

  constructor(code: ErrorCode, message: string, options: SandstackErrorOptions = {}) {
    const full = options.remedy === undefined ? message : `${message}; ${options.remedy.cli}`;
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SandstackError';
    this.code = code;
    this.kind = ERROR_CODES[code];
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    this.summary = message;
    this.remedy = options.remedy;
  }

  /** Converts the error to plain data that survives JSON. */
  toData(): ErrorData {
    const data: ErrorData = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.details !== undefined) {
      data.details = this.details;
    }
    return data;
  }
}

/**
 * Checks whether `error` is a sandstack error, optionally of one code. Checks by `code`, not
 * by `instanceof` alone, because this module can be loaded twice across bundle boundaries.
 */
export function isSandstackError(error: unknown, code?: ErrorCode): error is SandstackError {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const candidate = error as { code?: unknown; kind?: unknown };
  if (typeof candidate.code !== 'string' || !(candidate.code in ERROR_CODES)) {
    return false;
  }
  return code === undefined || candidate.code === code;
}

/**
 * Returns the message of an error as an HTTP caller needs it: its next step names a route,
 * not a CLI command.
 */
export function httpMessageOf(error: SandstackError): string {
  const { remedy, summary } = error as Partial<SandstackError>;
  return remedy === undefined || summary === undefined
    ? error.message
    : `${summary}; ${remedy.http}`;
}

/** Converts any thrown value to plain error data. */
export function toErrorData(error: unknown): ErrorData {
  if (isSandstackError(error)) {
    return error.toData();
  }
  if (error instanceof Error) {
    return { code: 'INTERNAL', message: error.message, retryable: true };
  }
  return { code: 'INTERNAL', message: String(error), retryable: true };
}

/** Rebuilds an in-process error from plain error data. */
export function fromErrorData(data: ErrorData): SandstackError {
  const code = (data.code in ERROR_CODES ? data.code : 'INTERNAL') as ErrorCode;
  return new SandstackError(code, data.message, {
    retryable: data.retryable,
    ...(data.details === undefined ? {} : { details: data.details }),
  });
}
