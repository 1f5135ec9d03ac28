/**
 * The client's HTTP transport: bearer auth, JSON bodies, query strings and error bodies.
 */
import { SandstackConnectionError, apiErrorFromResponse } from './errors.js';

/** A `fetch` implementation; the global one of Node 20 by default. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** Query values; `undefined` ones are left out. */
export type QueryValues = Record<string, string | number | boolean | undefined>;

/** One request to the API. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: QueryValues;
  /** Sent as JSON unless it is a `Uint8Array` or a string, which are sent as raw bytes. */
  body?: unknown;
  /** Send `body` as raw bytes (`application/octet-stream` unless `contentType` is set) rather than JSON. */
  raw?: boolean;
  /** Content type of a raw body. @default 'application/octet-stream' */
  contentType?: string;
  signal?: AbortSignal;
}

/** Sends requests to one server with one token. */
export class HttpTransport {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #fetch: FetchFunction;

  constructor(baseUrl: string, token: string, fetchFunction: FetchFunction) {
    this.baseUrl = baseUrl;
    this.#token = token;
    this.#fetch = fetchFunction;
  }

  /** Sends a request and returns the parsed JSON body. @throws SandstackApiError on non-2xx */
  async json<T>(request: ApiRequest): Promise<T> {
    const response = await this.send(request);
    return (await response.json()) as T;
  }

  /** Sends a request and returns the body as text. @throws SandstackApiError on non-2xx */
  async text(request: ApiRequest): Promise<string> {
    return (await this.send(request)).text();
  }

  /** Sends a request and returns the body as bytes. @throws SandstackApiError on non-2xx */
  async bytes(request: ApiRequest): Promise<Uint8Array> {
    return new Uint8Array(await (await this.send(request)).arrayBuffer());
  }

  /** Sends a request and returns the response if it is a 2xx. @throws SandstackApiError */
  async send(request: ApiRequest): Promise<Response> {
    const url = this.#url(request.path, request.query);
    const label = `${request.method} ${request.path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    const init: RequestInit = { method: request.method, headers };
    if (request.signal !== undefined) {
      init.signal = request.signal;
    }
    if (request.body !== undefined) {
      if (request.raw === true) {
        headers['content-type'] = request.contentType ?? 'application/octet-stream';
        init.body = request.body as Uint8Array | string;
      } else {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(request.body);
      }
    }
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (error) {
      if (request.signal?.aborted === true) {
        throw error;
      }
      throw new SandstackConnectionError(
        `${label} to ${this.baseUrl} failed: ${errorMessage(error)}; ${connectionHint(error, init.body)}`,
        this.baseUrl,
        { cause: error },
      );
    }
    if (!response.ok) {
      throw await apiErrorFromResponse(response, label);
    }
    return response;
  }

  #url(path: string, query: QueryValues | undefined): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) {
        params.set(key, String(value));
      }
    }
    const search = params.size === 0 ? '' : `?${params.toString()}`;
    return `${this.baseUrl}${path}${search}`;
  }
}

/** Builds a path from fixed parts and ids, encoding each id. */
export function apiPath(strings: TemplateStringsArray, ...ids: string[]): string {
  return strings.reduce(
    (path, part, index) =>
      path + part + (index < ids.length ? encodeURIComponent(ids[index] as string) : ''),
    '',
  );
}

/** Bodies from this size up are likely to be cut off by a server's body limit mid-upload. */
const LARGE_BODY_BYTES = 1024 * 1024;

/**
 * Says what to check after a failed request. A server that rejects a large body for its
 * size answers 413 and closes the connection, and a client still sending then sees EPIPE
 * or ECONNRESET instead of the answer.
 */
function connectionHint(error: unknown, body: RequestInit['body']): string {
  const size =
    typeof body === 'string'
      ? Buffer.byteLength(body)
      : body instanceof Uint8Array
        ? body.byteLength
        : 0;
  if (size >= LARGE_BODY_BYTES && /EPIPE|ECONNRESET|other side closed/.test(errorMessage(error))) {
    return `the server closed the connection while the ${size}-byte request body was sent, most likely because it is over the server's body limit (sandstack serve --max-body-bytes, 8 MiB by default); send less data or raise the limit`;
  }
  return 'check that the server is running and the address is right';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
