/**
 * A typed client for the sandstack control plane HTTP API (`sandstack serve`). Request and
 * response types come from the server's own zod schemas.
 *
 * @example
 * import { SandstackClient } from 'sandstack/client';
 *
 * const client = new SandstackClient({ baseUrl: 'http://127.0.0.1:7420', token: process.env.SANDSTACK_TOKEN! });
 * const run = await client.instances.create({ workflow: 'build', params: { branch: 'main' } });
 * const done = await client.waitForInstance(run.id, { timeoutMs: 120_000 });
 */
import { HttpTransport, type FetchFunction } from './http.js';
import {
  ApprovalsApi,
  InstancesApi,
  SandboxObjectsApi,
  SandboxesApi,
  TenantsApi,
  WorkflowsApi,
} from './resources.js';
import type { CostQuery, CostReport, Health, InstanceDetail, Usage } from './types.js';
import type { WaitOptions } from './wait.js';

export { SandstackApiError, SandstackConnectionError, isSandstackApiError } from './errors.js';
export type { ExecStream } from './exec-stream.js';
export type { FetchFunction } from './http.js';
export type {
  ApprovalsApi,
  InstancesApi,
  SandboxObjectsApi,
  SandboxesApi,
  TenantsApi,
  WorkflowsApi,
} from './resources.js';
export type * from './types.js';
export { FINAL_STATUSES, type WaitOptions } from './wait.js';

/** Options of {@link SandstackClient}. */
export interface SandstackClientOptions {
  /** Server address, such as `http://127.0.0.1:7420`. */
  baseUrl: string;
  /** The admin token or a tenant token (`sst_…`), sent as `Authorization: Bearer`. */
  token: string;
  /** `fetch` to send requests with. @default globalThis.fetch */
  fetch?: FetchFunction;
}

/** Client of one server with one token. Admin routes need the admin token, the rest a tenant token. */
export class SandstackClient {
  /** Server address without a trailing slash. */
  readonly baseUrl: string;
  /** Tenants, tokens, their usage and the audit log (admin token). */
  readonly tenants: TenantsApi;
  /** Workflow deploys and versions (tenant token). */
  readonly workflows: WorkflowsApi;
  /** Workflow instances (tenant token). */
  readonly instances: InstancesApi;
  /** Directly claimed sandboxes (tenant token). */
  readonly sandboxes: SandboxesApi;
  /** The guard's approval queue (admin token). */
  readonly approvals: ApprovalsApi;
  /** Sandbox templates, warm pools and SandboxClaim objects, and `apply` (either token). */
  readonly objects: SandboxObjectsApi;
  readonly #http: HttpTransport;

  constructor(options: SandstackClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    if (typeof options.token !== 'string' || options.token.trim() === '') {
      throw new Error(
        'token is missing; pass the admin token or a tenant token (sst_…) that the admin created',
      );
    }
    const fetchFunction = options.fetch ?? globalThis.fetch;
    this.#http = new HttpTransport(this.baseUrl, options.token, fetchFunction);
    this.tenants = new TenantsApi(this.#http);
    this.workflows = new WorkflowsApi(this.#http);
    this.instances = new InstancesApi(this.#http);
    this.sandboxes = new SandboxesApi(this.#http);
    this.approvals = new ApprovalsApi(this.#http);
    this.objects = new SandboxObjectsApi(this.#http);
  }

  /** Returns the caller's usage (tenant token). */
  usage(): Promise<Usage> {
    return this.#http.json({ method: 'GET', path: '/v1/usage' });
  }

  /**
   * Returns metered sandbox usage priced under the server's list prices, one line per
   * group and then the total. A tenant token sees only its own usage; the admin token sees
   * every tenant's.
   */
  cost(query: CostQuery = {}): Promise<CostReport> {
    return this.#http.json({
      method: 'GET',
      path: '/v1/cost',
      query: { by: query.by, tenant: query.tenant, run: query.run },
    });
  }

  /** Returns the Prometheus metrics in the text exposition format (admin token). */
  metrics(): Promise<string> {
    return this.#http.text({ method: 'GET', path: '/v1/metrics' });
  }

  /** Returns the health check with the number of running and queued instances. */
  health(): Promise<Health> {
    return this.#http.json({ method: 'GET', path: '/healthz' });
  }

  /**
   * Polls an instance until it reaches one of `options.statuses` (by default complete,
   * errored or terminated) and returns it.
   *
   * @throws Error on timeout, or when the instance ends in a status that was not requested
   */
  waitForInstance(id: string, options: WaitOptions = {}): Promise<InstanceDetail> {
    return this.instances.wait(id, options);
  }
}

function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `Invalid baseUrl "${baseUrl}"; pass the server address, such as http://127.0.0.1:7420`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Invalid baseUrl "${baseUrl}"; use an http:// or https:// address`);
  }
  return url.href.replace(/\/+$/, '');
}
