/**
 * Errors of the HTTP client. Every non-2xx response becomes a {@link SandstackApiError}.
 */
import type { FieldIssue, QuotaDetail } from './types.js';

/** A non-2xx response of the server, with the code, message and field issues of its body. */
export class SandstackApiError extends Error {
  /** HTTP status, such as 400, 404 or 429. */
  readonly status: number;
  /** Error code from the body, such as `INVALID_ARGUMENT` or `NOT_FOUND`. */
  readonly code: string;
  /** Each invalid field of the request, for validation errors; empty otherwise. */
  readonly issues: FieldIssue[];
  /** Method and path of the failed request, such as `GET /v1/instances/run_1`. */
  readonly request: string;
  /** Seconds to wait before retrying, from the `Retry-After` header of a 429. */
  readonly retryAfterSeconds: number | undefined;
  /** The quota that was hit, for a 429 `QUOTA_EXCEEDED`. */
  readonly quota: QuotaDetail | undefined;
  /** The message naming sandstack CLI commands in place of routes, when the server sent one. */
  readonly cliMessage: string | undefined;

  constructor(options: {
    status: number;
    code: string;
    message: string;
    issues?: FieldIssue[];
    request: string;
    retryAfterSeconds?: number;
    quota?: QuotaDetail;
    cliMessage?: string;
  }) {
    super(options.message);
    this.name = 'SandstackApiError';
    this.status = options.status;
    this.code = options.code;
    this.issues = options.issues ?? [];
    this.request = options.request;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.quota = options.quota;
    this.cliMessage = options.cliMessage;
  }
}

/** A request that got no HTTP response: the server is down, unreachable or not HTTP. */
export class SandstackConnectionError extends Error {
  /** Always `UNREACHABLE`, so callers can check by code. */
  readonly code = 'UNREACHABLE';
  /** Server address the request was sent to. */
  readonly baseUrl: string;

  constructor(message: string, baseUrl: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SandstackConnectionError';
    this.baseUrl = baseUrl;
  }
}

/** Returns whether a value is a {@link SandstackApiError}, optionally with one status. */
export function isSandstackApiError(error: unknown, status?: number): error is SandstackApiError {
  return error instanceof SandstackApiError && (status === undefined || error.status === status);
}

/** Builds the error for a non-2xx response, reading the standard error body when present. */
export async function apiErrorFromResponse(
  response: Response,
  request: string,
): Promise<SandstackApiError> {
  const text = await response.text();
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  const common = {
    status: response.status,
    request,
    ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
  };
  const body = parseErrorBody(text);
  if (body !== undefined) {
    return new SandstackApiError({ ...common, ...body });
  }
  // Not the server's error body: a proxy in front of it, or a server of another kind.
  const snippet = text.trim().slice(0, 200);
  return new SandstackApiError({
    ...common,
    code: 'HTTP_ERROR',
    message: `${request} failed with HTTP ${response.status}${snippet === '' ? '' : `: ${snippet}`}`,
  });
}

function parseErrorBody(text: string):
  | {
      code: string;
      message: string;
      issues?: FieldIssue[];
      quota?: QuotaDetail;
      cliMessage?: string;
    }
  | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) {
    return undefined;
  }
  const error = parsed.error;
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const { code, message, issues, quota, cliMessage } = error as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') {
    return undefined;
  }
  return {
    code,
    message,
    ...(Array.isArray(issues) ? { issues: issues.filter(isFieldIssue) } : {}),
    ...(isQuotaDetail(quota) ? { quota } : {}),
    ...(typeof cliMessage === 'string' ? { cliMessage } : {}),
  };
}

function isQuotaDetail(value: unknown): value is QuotaDetail {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as QuotaDetail).name === 'string' &&
    typeof (value as QuotaDetail).limit === 'number' &&
    typeof (value as QuotaDetail).used === 'number'
  );
}

function isFieldIssue(value: unknown): value is FieldIssue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldIssue).field === 'string' &&
    typeof (value as FieldIssue).message === 'string'
  );
}
