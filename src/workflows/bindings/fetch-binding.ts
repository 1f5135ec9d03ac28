/**
 * The `env.FETCH` binding: HTTP requests from workflow code, each one judged by the guard as
 * a `WebFetch` tool call before any connection is made.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  SpanKind,
  SpanStatusCode,
  isSpanContextValid,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { isPrivateAddress } from '../../core/addresses.js';
import { SandstackError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { noopLogger } from '../../core/logger.js';
import type { Decision } from '../../guard/types.js';
import type { BindingCallContext, HostBinding, JsonValue } from '../types.js';
import type { ActionLog, ActionRecord } from './action-log.js';
import { TOOL_SPAN_PREFIX, toolCallId, type GuardAccess } from './sandbox-binding.js';

/** Limits of the fetch binding. */
export interface FetchLimits {
  /** Time for the whole call, redirects included, in milliseconds. @default 30000 */
  timeoutMs: number;
  /** Largest request body, in bytes of UTF-8. @default 1048576 (1 MiB) */
  maxRequestBytes: number;
  /** Response body bytes returned; the rest is cut off and `truncated` is set. @default 1048576 (1 MiB) */
  maxResponseBytes: number;
  /** Redirects followed; each one is judged by the guard again. @default 5 */
  maxRedirects: number;
}

/** Default limits; see {@link FetchLimits}. */
export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 30_000,
  maxRequestBytes: 1024 * 1024,
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 5,
};

/** Options for {@link createFetchBinding}. */
export interface FetchBindingOptions {
  guard: GuardAccess;
  actions: ActionLog;
  logger?: Logger;
  /** Called after each call is recorded, for live progress. */
  onAction?: (action: ActionRecord) => void;
  limits?: Partial<FetchLimits>;
  /** Starts a span as a child of the step's span (or the run's outside steps). */
  startSpan?: (
    name: string,
    stepKey: string | undefined,
    attributes: Attributes,
    kind?: SpanKind,
  ) => Span;
}

/** What tenant code gets back from `FETCH.fetch`. */
interface FetchResult {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  /** Whether the body was cut at `maxResponseBytes`. */
  truncated: boolean;
  /** URL of the final response, after redirects. */
  url: string;
  redirected: boolean;
}

interface FetchRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin, as in the Fetch standard. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
/**
 * Target and framing headers, which the binding sets itself. A tenant's `Host` would reach
 * another virtual host than the one the guard judged, and its own `Content-Length` or
 * `Transfer-Encoding` could frame a second request that the guard never saw.
 */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'keep-alive',
  'te',
  'trailer',
  'expect',
  'http2-settings',
]);

/**
 * Creates the `env.FETCH` binding: `fetch(url, { method, headers, body })` returns
 * `{ status, statusText, headers, body, truncated, url, redirected }` with the body as text.
 * The guard judges every request, redirects included, as a `WebFetch` call, and a denied
 * request throws `GUARD_DENIED` (or `GUARD_HALTED`) with the guard's reason. A host that
 * resolves to a private or loopback address is rejected unless a policy allow rule names its
 * domain. Each call is recorded in the action log with secrets redacted from the URL and without
 * header values or bodies.
 */
export function createFetchBinding(options: FetchBindingOptions): HostBinding {
  const logger = options.logger ?? noopLogger;
  const limits = { ...DEFAULT_FETCH_LIMITS, ...options.limits };

  const record = (
    context: BindingCallContext,
    request: FetchRequest,
    decision: Decision,
    extra: { redirects: string[]; status?: number; durationMs?: number },
  ): void => {
    const action: ActionRecord = {
      tenant: context.tenant,
      instanceId: context.instanceId,
      stepKey: context.stepKey ?? '(outside steps)',
      callIndex: context.callIndex,
      timeMs: Date.now(),
      kind: 'tool',
      tool: 'WebFetch',
      input: {
        url: options.guard.redact(request.url.href),
        method: request.method,
        headers: Object.keys(request.headers),
        ...(extra.redirects.length === 0
          ? {}
          : { redirects: extra.redirects.map((url) => options.guard.redact(url)) }),
        ...(extra.status === undefined ? {} : { status: extra.status }),
      },
      verdict: decision.verdict,
      reason: decision.reason,
      category: decision.category,
      rule: decision.rule,
      stage: decision.stage,
      tier: decision.tier,
      durationMs: extra.durationMs,
    };
    options.actions.record(action);
    options.onAction?.(action);
  };

  return {
    fetch: async (context, rawUrl, rawInit) => {
      const request = readRequest(rawUrl, rawInit, limits);
      // NOTE: the GenAI conventions make an execute_tool span INTERNAL. This one is CLIENT
      // because it is also the HTTP call whose context the downstream service joins.
      const span = options.startSpan?.(
        `${TOOL_SPAN_PREFIX}WebFetch`,
        context.stepKey,
        fetchSpanAttributes(context, request, options.guard),
        SpanKind.CLIENT,
      );
      try {
        const result = await fetchGuarded(context, request, traceparentOf(span));
        span?.setAttributes({
          'http.response.status_code': result.status,
          'sandstack.fetch.redirects': result.redirects,
        });
        span?.setStatus({ code: SpanStatusCode.OK });
        return result.response;
      } catch (error) {
        span?.setAttribute('error.type', (error as { code?: string }).code ?? 'INTERNAL');
        span?.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span?.end();
      }
    },
  };

  async function fetchGuarded(
    context: BindingCallContext,
    first: FetchRequest,
    traceparent: string | undefined,
  ): Promise<{ response: JsonValue; status: number; redirects: number }> {
    let request = first;
    const signal = AbortSignal.timeout(limits.timeoutMs);
    const started = performance.now();
    const redirects: string[] = [];
    for (;;) {
      const decision = await options.guard.decide(
        { tool: 'WebFetch', input: { url: request.url.href, prompt: '' } },
        { cwd: '/workspace', projectDir: '/workspace', userMessages: [], homeDir: '/root' },
      );
      if (decision.verdict !== 'allow') {
        record(context, request, decision, { redirects });
        logger.info('Fetch blocked', {
          instanceId: context.instanceId,
          host: request.url.host,
          category: decision.category,
        });
        throw new SandstackError(
          (decision as { halted?: boolean }).halted === true ? 'GUARD_HALTED' : 'GUARD_DENIED',
          `FETCH of ${options.guard.redact(request.url.href)} was not allowed (${decision.verdict}): ${decision.reason}`,
        );
      }
      // Only a rule that names the domain opens private addresses, not a blanket `WebFetch`.
      const allowPrivate =
        decision.stage === 'policy' && decision.rule?.startsWith('allow WebFetch(domain:') === true;
      let response: FetchResult;
      try {
        response = await send(request, { signal, allowPrivate, limits, traceparent });
      } catch (error) {
        record(context, request, decision, {
          redirects,
          durationMs: performance.now() - started,
        });
        throw fetchError(error, request, limits, options.guard);
      }
      const location = response.headers['location'];
      if (REDIRECT_STATUSES.has(response.status) && location !== undefined) {
        if (redirects.length >= limits.maxRedirects) {
          record(context, request, decision, { redirects, status: response.status });
          throw new SandstackError(
            'STEP_FAILED',
            `FETCH stopped after ${limits.maxRedirects} redirects at ${options.guard.redact(request.url.href)}`,
          );
        }
        redirects.push(request.url.href);
        request = redirectRequest(request, response.status, location);
        continue;
      }
      record(context, request, decision, {
        redirects,
        status: response.status,
        durationMs: performance.now() - started,
      });
      return {
        response: { ...response, redirected: redirects.length > 0 } as unknown as JsonValue,
        status: response.status,
        redirects: redirects.length,
      };
    }
  }
}

/**
 * Attributes of a fetch span: OpenTelemetry's GenAI tool-call names, because the guard
 * judges each fetch as a `WebFetch` tool call, and its HTTP client names, with secrets
 * redacted from the URL.
 */
function fetchSpanAttributes(
  context: BindingCallContext,
  request: FetchRequest,
  guard: GuardAccess,
): Attributes {
  const port =
    request.url.port === ''
      ? request.url.protocol === 'https:'
        ? 443
        : 80
      : Number(request.url.port);
  return {
    'sandstack.tenant': context.tenant,
    'sandstack.tool': 'WebFetch',
    'sandstack.operation': 'fetch.request',
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'WebFetch',
    'gen_ai.tool.type': 'function',
    'gen_ai.tool.call.id': toolCallId(context),
    'http.request.method': request.method,
    'url.full': guard.redact(request.url.href),
    'server.address': request.url.hostname,
    'server.port': port,
  };
}

function readRequest(
  rawUrl: JsonValue | undefined,
  rawInit: JsonValue | undefined,
  limits: FetchLimits,
): FetchRequest {
  if (typeof rawUrl !== 'string') {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'FETCH.fetch(url, init) takes the URL as a string',
    );
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SandstackError('INVALID_ARGUMENT', `Invalid FETCH URL ${JSON.stringify(rawUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid FETCH URL scheme "${url.protocol}"; use http: or https:`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'FETCH URLs must not carry credentials; send them in an Authorization header',
    );
  }
  const init = rawInit ?? {};
  if (typeof init !== 'object' || Array.isArray(init) || init === null) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'FETCH.fetch(url, init) takes init as { method?, headers?, body? }',
    );
  }
  const method = (init.method ?? 'GET') as unknown;
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid FETCH method ${JSON.stringify(method)}; use one of ${[...METHODS].join(', ')}`,
    );
  }
  const headers: Record<string, string> = {};
  const rawHeaders = init.headers ?? {};
  if (typeof rawHeaders !== 'object' || Array.isArray(rawHeaders) || rawHeaders === null) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'FETCH headers must be an object of header names to string values',
    );
  }
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (typeof value !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid FETCH header ${JSON.stringify(name)}; use a token name and a string value`,
      );
    }
    const lowerName = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lowerName) || lowerName.startsWith('proxy-')) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `FETCH header "${name}" is not allowed: the binding sets the host and framing headers from the URL and body`,
      );
    }
    if (/[\r\n\0]/.test(value)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Invalid value of FETCH header "${name}"; it contains a line break or NUL`,
      );
    }
    headers[lowerName] = value;
  }
  const body = init.body ?? undefined;
  if (body !== undefined && typeof body !== 'string') {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      'FETCH body must be a string; use JSON.stringify for objects',
    );
  }
  const upper = method.toUpperCase();
  if (body !== undefined && (upper === 'GET' || upper === 'HEAD')) {
    throw new SandstackError('INVALID_ARGUMENT', `A FETCH ${upper} request cannot have a body`);
  }
  if (body !== undefined && Buffer.byteLength(body) > limits.maxRequestBytes) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `FETCH body is ${Buffer.byteLength(body)} bytes, over the ${limits.maxRequestBytes}-byte limit`,
    );
  }
  return { url, method: upper, headers, body };
}

/** Builds the next request of a redirect, as the Fetch standard's "follow" mode does. */
function redirectRequest(request: FetchRequest, status: number, location: string): FetchRequest {
  let url: URL;
  try {
    url = new URL(location, request.url);
  } catch {
    throw new SandstackError(
      'STEP_FAILED',
      `FETCH got a redirect to an invalid URL ${JSON.stringify(location)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SandstackError(
      'STEP_FAILED',
      `FETCH got a redirect to the unsupported scheme "${url.protocol}"`,
    );
  }
  const headers = { ...request.headers };
  if (url.origin !== request.url.origin) {
    for (const name of CREDENTIAL_HEADERS) {
      delete headers[name];
    }
  }
  const toGet =
    ((status === 301 || status === 302) && request.method === 'POST') ||
    (status === 303 && request.method !== 'GET' && request.method !== 'HEAD');
  if (toGet) {
    delete headers['content-type'];
    delete headers['content-length'];
    return { url, method: 'GET', headers, body: undefined };
  }
  return { ...request, url, headers };
}

/** Sends one request without following redirects and reads at most `maxResponseBytes`. */
/**
 * Formats a span's context as a W3C Trace Context `traceparent` header
 * (`00-<trace-id>-<parent-id>-<trace-flags>`), or undefined without a valid span.
 */
export function traceparentOf(span: Span | undefined): string | undefined {
  const spanContext = span?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) {
    return undefined;
  }
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

function send(
  request: FetchRequest,
  options: {
    signal: AbortSignal;
    allowPrivate: boolean;
    limits: FetchLimits;
    /** Sent as the `traceparent` header in place of one the workflow set. */
    traceparent: string | undefined;
  },
): Promise<FetchResult> {
  const client = request.url.protocol === 'https:' ? https : http;
  const host = request.url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    return Promise.reject(privateAddressError(request.url.hostname, host));
  }
  return new Promise((resolve, reject) => {
    const outgoing = client.request(
      request.url,
      {
        method: request.method,
        headers:
          options.traceparent === undefined
            ? request.headers
            : { ...request.headers, traceparent: options.traceparent },
        signal: options.signal,
        agent: false,
        lookup: options.allowPrivate ? undefined : publicOnlyLookup,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const finish = (): void => {
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: flattenHeaders(response.headers),
            body: Buffer.concat(chunks).toString('utf8'),
            truncated,
            url: request.url.href,
            redirected: false,
          });
        };
        response.on('data', (chunk: Buffer) => {
          const room = options.limits.maxResponseBytes - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size += room;
            truncated = true;
            response.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', finish);
        response.on('error', (error) => {
          if (!truncated) {
            reject(error);
          }
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

/** A `dns.lookup` that fails when the host resolves to any private or loopback address. */
function publicOnlyLookup(
  hostname: string,
  options: object,
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) {
      callback(error, []);
      return;
    }
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked !== undefined) {
      callback(privateAddressError(hostname, blocked.address), []);
      return;
    }
    if ((options as { all?: boolean }).all === true) {
      callback(null, addresses);
      return;
    }
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
}

function privateAddressError(hostname: string, address: string): SandstackError {
  return new SandstackError(
    'GUARD_DENIED',
    `FETCH of host "${hostname}" was not allowed: it resolves to the private or loopback address ${address}; to reach it, whoever runs sandstack adds the rule WebFetch(domain:${hostname}) to the allow list of the policy file given to sandstack run --policy or sandstack serve --policy (on a server, ask its operator)`,
  );
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) {
      flat[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return flat;
}

function fetchError(
  error: unknown,
  request: FetchRequest,
  limits: FetchLimits,
  guard: GuardAccess,
): SandstackError {
  if (error instanceof SandstackError) {
    return error;
  }
  const url = guard.redact(request.url.href);
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new SandstackError(
      'STEP_FAILED',
      `FETCH of ${url} timed out after ${limits.timeoutMs} ms`,
      { retryable: true },
    );
  }
  return new SandstackError(
    'STEP_FAILED',
    `FETCH of ${url} failed: ${guard.redact((error as Error).message)}`,
    { retryable: true },
  );
}
