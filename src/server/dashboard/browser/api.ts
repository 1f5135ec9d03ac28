/**
 * The dashboard's calls to the JSON API. The token lives in sessionStorage (gone when the
 * tab closes) and goes only into the `Authorization` header, never into a URL.
 */

/** A logged-in user: the token and the role the server reports for it. */
export interface Session {
  token: string;
  role: 'admin' | 'tenant';
  /** The tenant of a tenant token; null for the admin token. */
  tenant: string | null;
}

/** A failed API call, with the server's error code and message when it sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

const STORAGE_KEY = 'sandstack.dashboard.session';

/** Returns the session saved in this tab, if any. */
export function loadSession(): Session | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (text === null) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<Session>;
    if (typeof parsed.token === 'string' && (parsed.role === 'admin' || parsed.role === 'tenant')) {
      return { token: parsed.token, role: parsed.role, tenant: parsed.tenant ?? null };
    }
  } catch {
    // A damaged entry is dropped below, and the user logs in again.
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return undefined;
}

/** Saves the session for this tab only. */
export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

/** Forgets the token. */
export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * Calls the API with the token and returns the parsed JSON body.
 * @throws ApiError for a non-2xx response, or with status 0 when the server cannot be reached
 */
export async function apiRequest<T>(
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError(
      0,
      'UNREACHABLE',
      `Could not reach the sandstack server at ${location.origin} (${(error as Error).message}); check that "sandstack serve" is running`,
    );
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP_ERROR',
      error?.message ?? `${method} ${path} failed with HTTP ${response.status}`,
    );
  }
  if (parsed === undefined) {
    throw new ApiError(response.status, 'BAD_RESPONSE', `${method} ${path} did not return JSON`);
  }
  return parsed as T;
}

/**
 * Checks a token with `GET /v1/whoami` and returns the session it opens.
 * @throws ApiError 401 for an unknown or revoked token
 */
export async function logIn(token: string): Promise<Session> {
  const caller = await apiRequest<{ role: 'admin' | 'tenant'; tenant: string | null }>(
    token,
    'GET',
    '/v1/whoami',
  );
  return { token, role: caller.role, tenant: caller.tenant };
}
