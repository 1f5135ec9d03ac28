/**
 * Error responses of the control plane server. Every 4xx and 5xx body has the same shape,
 * `{ error: { code, message, issues? } }`, and validation failures list each bad field with
 * what to send instead.
 */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { httpMessageOf, isSandstackError, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/** One invalid field of a request. */
export interface FieldIssue {
  /** Location of the field: `body`, `query`, `path` or `header`, then its dotted path. */
  field: string;
  message: string;
}

/** The quota a 429 names: its limit, the usage that passed it and its window. */
export const QuotaDetailSchema = z
  .object({
    name: z.enum(['cpuSeconds', 'sandboxes', 'activeInstances']),
    limit: z.number(),
    used: z.number(),
    windowSeconds: z
      .number()
      .nullable()
      .openapi({ description: 'Sliding window of the usage; null when it counts in total' }),
  })
  .openapi('QuotaDetail');

/** The quota named by a 429 body. */
export type QuotaDetail = z.infer<typeof QuotaDetailSchema>;

/** Body of every error response. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'INVALID_ARGUMENT' }),
      message: z.string(),
      issues: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'Each invalid field of the request, for validation errors' }),
      quota: QuotaDetailSchema.optional().openapi({
        description: 'The quota that was hit, for a 429 `QUOTA_EXCEEDED`',
      }),
      cliMessage: z.string().optional().openapi({
        description:
          'The message as the sandstack CLI shows it, naming CLI commands where `message` names routes; only present when the two differ',
      }),
    }),
  })
  .openapi('Error');

/** Error response entries for the OpenAPI document. */
export const ERROR_RESPONSES = {
  400: {
    description: 'Invalid request; `issues` names each bad field',
    content: { 'application/json': { schema: ErrorSchema } },
  },
  401: {
    description: 'Missing, unknown or revoked token',
    content: { 'application/json': { schema: ErrorSchema } },
  },
  403: {
    description: 'The token has the wrong role for this route',
    content: { 'application/json': { schema: ErrorSchema } },
  },
  404: {
    description: 'Not found, or owned by another tenant',
    content: { 'application/json': { schema: ErrorSchema } },
  },
  409: {
    description: 'The id is in use, or was used before',
    content: { 'application/json': { schema: ErrorSchema } },
  },
  429: {
    description: "Over the tenant's quota or request rate",
    content: { 'application/json': { schema: ErrorSchema } },
  },
} as const;

/** The error responses every `/v1` route can give. */
export const CLIENT_ERRORS = {
  400: ERROR_RESPONSES[400],
  401: ERROR_RESPONSES[401],
  403: ERROR_RESPONSES[403],
  404: ERROR_RESPONSES[404],
};

const STATUS_BY_CODE: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  WORKFLOW_INVALID: 400,
  SANDBOX_PATH_INVALID: 400,
  POLICY_INVALID: 400,
  TEMPLATE_NOT_FOUND: 400,
  POOL_NOT_FOUND: 400,
  NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  SANDBOX_NOT_FOUND: 404,
  SNAPSHOT_NOT_FOUND: 404,
  SANDBOX_SUSPENDED: 409,
  CHECKPOINT_UNSUPPORTED: 409,
  CHECKPOINT_CORRUPT: 409,
  ALREADY_EXISTS: 409,
  SANDBOX_LIMIT: 429,
  EVENT_LIMIT: 429,
  SANDBOX_TIMEOUT: 504,
  RUNTIME_UNAVAILABLE: 503,
};

/** An HTTP-level failure with its own code, for cases the core error codes do not cover. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  /** The quota that was hit, sent in the body as `error.quota`. */
  readonly quota: QuotaDetail | undefined;
  /** Each invalid field, sent in the body as `error.issues`. */
  readonly issues: FieldIssue[] | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    quota?: QuotaDetail,
    issues?: FieldIssue[],
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.quota = quota;
    this.issues = issues;
  }
}

/** Builds an error response. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  issues?: FieldIssue[],
  quota?: QuotaDetail,
  extra: { cliMessage?: string } = {},
): Response {
  const cliMessage = extra.cliMessage === message ? undefined : extra.cliMessage;
  return c.json(
    {
      error: {
        code,
        message,
        ...(issues === undefined ? {} : { issues }),
        ...(quota === undefined ? {} : { quota }),
        ...(cliMessage === undefined ? {} : { cliMessage }),
      },
    },
    status,
  );
}

/** Turns zod issues into field names and messages a caller can act on. */
export function fieldIssues(target: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { field: path === '' ? target : `${target}.${path}`, message: issue.message };
  });
}

/** Names of Hono's validation targets as a caller knows them. */
const TARGET_NAMES: Record<string, string> = { json: 'body', param: 'path' };

/** Validation hook of every route: a 400 that lists each invalid field. */
export function validationHook(
  result: { target: string } & ({ success: true } | { success: false; error: z.ZodError }),
  c: Context,
): Response | undefined {
  if (result.success) {
    return undefined;
  }
  const issues = fieldIssues(TARGET_NAMES[result.target] ?? result.target, result.error);
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return errorResponse(c, 400, 'INVALID_ARGUMENT', `Invalid request: ${summary}`, issues);
}

/** Creates the app's error handler: known errors keep their code, anything else is a logged 500. */
export function createErrorHandler(logger: Logger): (error: Error, c: Context) => Response {
  return (error, c) => {
    if (error instanceof HttpError) {
      return errorResponse(c, error.status, error.code, error.message, error.issues, error.quota);
    }
    if (isSandstackError(error)) {
      const status = STATUS_BY_CODE[error.code] ?? (error.kind === 'user' ? 400 : 500);
      if (status >= 500) {
        logger.error('Request failed', {
          path: c.req.path,
          code: error.code,
          error: error.message,
        });
      }
      return errorResponse(c, status, error.code, httpMessageOf(error), undefined, undefined, {
        cliMessage: error.message,
      });
    }
    if (error instanceof HTTPException) {
      return httpExceptionResponse(c, error);
    }
    logger.error('Request failed', { path: c.req.path, error: String(error) });
    return errorResponse(c, 500, 'INTERNAL', 'Internal server error; see the server log');
  };
}

function httpExceptionResponse(c: Context, error: HTTPException): Response {
  const status = error.status as ContentfulStatusCode;
  if (status === 400) {
    return errorResponse(
      c,
      400,
      'INVALID_ARGUMENT',
      `${error.message}; send a JSON document with "Content-Type: application/json"`,
      [{ field: 'body', message: error.message }],
    );
  }
  if (status === 415) {
    return errorResponse(
      c,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Unsupported Content-Type "${c.req.header('content-type') ?? '(none)'}"; send the body as JSON with "Content-Type: application/json"`,
    );
  }
  return errorResponse(c, status, 'HTTP_ERROR', error.message);
}
