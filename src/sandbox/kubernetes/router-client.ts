import { SandstackError } from '../../core/errors.js';
import { timerDelay } from '../timers.js';

/** Address of one sandbox behind the agent-sandbox router. */
export interface RouterTarget {
  /** Base URL of the router, e.g. `http://sandbox-router-svc.agent-sandbox-system:8080`. */
  routerUrl: string;
  /** Name of the Sandbox object; the router proxies to `<name>.<namespace>.svc.cluster.local`. */
  sandboxName: string;
  namespace: string;
  /** Port the runtime server in the sandbox pod listens on. */
  serverPort: number;
}

/** Reply of the runtime's `POST /execute`, as upstream's example runtime defines it. */
export interface RouterExecReply {
  stdout: string;
  stderr: string;
  exit_code: number;
}

/**
 * HTTP client for the sandbox runtime API behind the agent-sandbox router. The router picks
 * the sandbox from the `X-Sandbox-ID`, `X-Sandbox-Namespace` and `X-Sandbox-Port` headers,
 * and upstream's Python client also sends `X-Sandbox-Timeout` in seconds. The runtime serves
 * `POST /execute` (JSON `{command}`, split with `shlex.split` and run in `/app`),
 * `POST /upload` (multipart field `file`, its filename taken as a path under `/app`) and
 * `GET /download/<path>`.
 */
export class RouterClient {
  readonly #target: RouterTarget;

  constructor(target: RouterTarget) {
    this.#target = target;
  }

  /** Runs `command` (an argv line in shell quoting) and returns the runtime's reply. */
  async execute(command: string, timeoutMs: number): Promise<RouterExecReply> {
    const response = await this.#send('execute', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command }),
      timeoutMs,
    });
    const reply = (await response.json()) as Partial<RouterExecReply>;
    if (typeof reply.exit_code !== 'number' || typeof reply.stdout !== 'string') {
      throw new SandstackError(
        'SANDBOX_FAILED',
        `Sandbox "${this.#target.sandboxName}" returned an invalid /execute reply: ${JSON.stringify(reply).slice(0, 200)}`,
      );
    }
    return { stdout: reply.stdout, stderr: reply.stderr ?? '', exit_code: reply.exit_code };
  }

  /** Uploads `data` to `relativePath` under the runtime's working directory. */
  async upload(relativePath: string, data: Uint8Array, timeoutMs: number): Promise<void> {
    const form = new FormData();
    form.append('file', new Blob([data]), relativePath);
    await this.#send('upload', { method: 'POST', body: form, timeoutMs });
  }

  /** Downloads `relativePath`; returns undefined when the runtime reports 404. */
  async download(relativePath: string, timeoutMs: number): Promise<Buffer | undefined> {
    const response = await this.#send(`download/${encodeURIComponent(relativePath)}`, {
      method: 'GET',
      timeoutMs,
      allowNotFound: true,
    });
    if (response.status === 404) {
      return undefined;
    }
    return Buffer.from(await response.arrayBuffer());
  }

  async #send(
    endpoint: string,
    init: {
      method: string;
      headers?: Record<string, string>;
      body?: string | FormData;
      timeoutMs: number;
      allowNotFound?: boolean;
    },
  ): Promise<Response> {
    const { routerUrl, sandboxName, namespace, serverPort } = this.#target;
    const url = `${routerUrl.replace(/\/+$/, '')}/${endpoint}`;
    const headers = {
      ...init.headers,
      'X-Sandbox-ID': sandboxName,
      'X-Sandbox-Namespace': namespace,
      'X-Sandbox-Port': String(serverPort),
      'X-Sandbox-Timeout': String(Math.ceil(init.timeoutMs / 1000)),
    };

    let response: Response;
    try {
      // Redirects are refused, as upstream's client does, so a compromised runtime cannot
      // point the next request at another host.
      response = await fetch(url, {
        method: init.method,
        headers,
        body: init.body ?? null,
        redirect: 'manual',
        signal: AbortSignal.timeout(timerDelay(init.timeoutMs)),
      });
    } catch (error) {
      throw this.#transportError(error, url, init.timeoutMs);
    }

    if (response.ok || (init.allowNotFound === true && response.status === 404)) {
      return response;
    }
    const text = (await response.text()).slice(0, 500);
    throw new SandstackError(
      'SANDBOX_FAILED',
      `Sandbox router returned HTTP ${response.status} for ${init.method} /${endpoint} on sandbox "${sandboxName}": ${text}`,
      { retryable: response.status >= 500, details: { status: response.status } },
    );
  }

  #transportError(error: unknown, url: string, timeoutMs: number): SandstackError {
    const name = (error as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new SandstackError(
        'SANDBOX_TIMEOUT',
        `Request to sandbox "${this.#target.sandboxName}" through ${url} timed out after ${timeoutMs}ms; raise the command timeout or check the router`,
        { cause: error, retryable: true },
      );
    }
    return new SandstackError(
      'SANDBOX_FAILED',
      `Cannot reach the sandbox router at ${url}: ${error instanceof Error ? error.message : String(error)}; check routerUrl and that the router Service is up`,
      { cause: error, retryable: true },
    );
  }
}
