/**
 * The API's route groups as client methods. Each method sends one request and returns the
 * response body typed from the server's schemas.
 */
import { ExecStream } from './exec-stream.js';
import { apiPath, type HttpTransport } from './http.js';
import type {
  ApprovalDecision,
  ApprovalRequest,
  ApprovalStatus,
  AuditEntry,
  AppliedObject,
  AuditQuery,
  ClaimRequest,
  CreateInstanceRequest,
  CreateTenantRequest,
  CpuQuota,
  CreateTokenRequest,
  DeployRequest,
  DeployResult,
  ExecRequest,
  ExecResult,
  Instance,
  InstanceDetail,
  InstanceEvent,
  ListInstancesQuery,
  NewToken,
  Sandbox,
  SandboxAction,
  SandboxClaim,
  SandboxTemplate,
  SandboxSnapshot,
  SetCpuQuotaRequest,
  Tenant,
  Token,
  Trace,
  Usage,
  WorkflowSummary,
  WarmPool,
  WorkflowVersion,
  WriteFileResult,
  FileEntry,
} from './types.js';
import { waitForInstance, type WaitOptions } from './wait.js';

/** Tenants, their tokens and usage, for the admin token. */
export class TenantsApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  create(request: CreateTenantRequest): Promise<Tenant> {
    return this.#http.json({ method: 'POST', path: '/v1/tenants', body: request });
  }

  async list(): Promise<Tenant[]> {
    const body = await this.#http.json<{ tenants: Tenant[] }>({
      method: 'GET',
      path: '/v1/tenants',
    });
    return body.tenants;
  }

  get(tenant: string): Promise<Tenant> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/tenants/${tenant}` });
  }

  /** Deletes a tenant: revokes its tokens, terminates its instances, releases its sandboxes. */
  delete(tenant: string): Promise<Tenant> {
    return this.#http.json({ method: 'DELETE', path: apiPath`/v1/tenants/${tenant}` });
  }

  /** Creates a tenant token. The secret is in the result only; the server keeps its hash. */
  createToken(tenant: string, request: CreateTokenRequest = {}): Promise<NewToken> {
    return this.#http.json({
      method: 'POST',
      path: apiPath`/v1/tenants/${tenant}/tokens`,
      body: request,
    });
  }

  /** Lists a tenant's tokens, revoked ones included. */
  async listTokens(tenant: string): Promise<Token[]> {
    const body = await this.#http.json<{ tokens: Token[] }>({
      method: 'GET',
      path: apiPath`/v1/tenants/${tenant}/tokens`,
    });
    return body.tokens;
  }

  /** Revokes a token and returns a new one with the same label. */
  rotateToken(tenant: string, tokenId: string): Promise<NewToken> {
    return this.#http.json({
      method: 'POST',
      path: apiPath`/v1/tenants/${tenant}/tokens/${tokenId}/rotate`,
    });
  }

  revokeToken(tenant: string, tokenId: string): Promise<Token> {
    return this.#http.json({
      method: 'DELETE',
      path: apiPath`/v1/tenants/${tenant}/tokens/${tokenId}`,
    });
  }

  usage(tenant: string): Promise<Usage> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/tenants/${tenant}/usage` });
  }

  /** Returns the tenant's CPU-seconds quota in force and the usage it counts now. */
  quota(tenant: string): Promise<CpuQuota> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/tenants/${tenant}/quota` });
  }

  /** Sets the tenant's own CPU-seconds quota; `cpuSeconds: 0` means no quota. */
  setQuota(tenant: string, request: SetCpuQuotaRequest): Promise<CpuQuota> {
    return this.#http.json({
      method: 'PUT',
      path: apiPath`/v1/tenants/${tenant}/quota`,
      body: request,
    });
  }

  /** Drops the tenant's own quota, so the server's default applies again. */
  resetQuota(tenant: string): Promise<CpuQuota> {
    return this.#http.json({ method: 'DELETE', path: apiPath`/v1/tenants/${tenant}/quota` });
  }

  /** Lists audit entries, newest first; pass `before` (a seq) to page. */
  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const body = await this.#http.json<{ entries: AuditEntry[] }>({
      method: 'GET',
      path: '/v1/audit',
      query: { tenant: query.tenant, before: query.before, limit: query.limit },
    });
    return body.entries;
  }
}

/** Workflow deploys and versions, for a tenant token. */
export class WorkflowsApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** Uploads workflow code; the server bundles it. The same code twice keeps one version. */
  deploy(request: DeployRequest): Promise<DeployResult> {
    return this.#http.json({ method: 'POST', path: '/v1/workflows', body: request });
  }

  /** Lists workflows with their latest version. */
  async list(): Promise<WorkflowSummary[]> {
    const body = await this.#http.json<{ workflows: WorkflowSummary[] }>({
      method: 'GET',
      path: '/v1/workflows',
    });
    return body.workflows;
  }

  /** Lists a workflow's versions, newest first. */
  async versions(name: string): Promise<WorkflowVersion[]> {
    const body = await this.#http.json<{ versions: WorkflowVersion[] }>({
      method: 'GET',
      path: apiPath`/v1/workflows/${name}/versions`,
    });
    return body.versions;
  }
}

/** Workflow instances, for a tenant token. */
export class InstancesApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** Creates an instance; it runs in the background, so the result is usually `queued`. */
  create(request: CreateInstanceRequest): Promise<Instance> {
    return this.#http.json({ method: 'POST', path: '/v1/instances', body: request });
  }

  get(id: string, signal?: AbortSignal): Promise<InstanceDetail> {
    return this.#http.json({
      method: 'GET',
      path: apiPath`/v1/instances/${id}`,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Lists instances, newest first. */
  async list(query: ListInstancesQuery = {}): Promise<Instance[]> {
    const body = await this.#http.json<{ instances: Instance[] }>({
      method: 'GET',
      path: '/v1/instances',
      query: { workflow: query.workflow, status: query.status },
    });
    return body.instances;
  }

  /** Ends an instance for good. */
  terminate(id: string): Promise<InstanceDetail> {
    return this.#lifecycle(id, 'terminate');
  }

  pause(id: string): Promise<InstanceDetail> {
    return this.#lifecycle(id, 'pause');
  }

  resume(id: string): Promise<InstanceDetail> {
    return this.#lifecycle(id, 'resume');
  }

  /** Starts an instance over on its version. The server rejects this while it is running. */
  restart(id: string): Promise<InstanceDetail> {
    return this.#lifecycle(id, 'restart');
  }

  /** Sends an event to the instance's `step.waitForEvent`; the server stores it until then. */
  sendEvent(id: string, event: InstanceEvent): Promise<InstanceDetail> {
    return this.#http.json({
      method: 'POST',
      path: apiPath`/v1/instances/${id}/events`,
      body: event,
    });
  }

  /** Returns the run's spans, oldest first; empty until the run starts. */
  trace(id: string): Promise<Trace> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/instances/${id}/trace` });
  }

  /** Returns each sandbox action of the run with the guard decision on it. */
  async actions(id: string): Promise<SandboxAction[]> {
    const body = await this.#http.json<{ actions: SandboxAction[] }>({
      method: 'GET',
      path: apiPath`/v1/instances/${id}/actions`,
    });
    return body.actions;
  }

  /** Polls the instance until it reaches one of `options.statuses`; see {@link waitForInstance}. */
  wait(id: string, options: WaitOptions = {}): Promise<InstanceDetail> {
    return waitForInstance(id, (instanceId, signal) => this.get(instanceId, signal), options);
  }

  #lifecycle(
    id: string,
    action: 'terminate' | 'pause' | 'resume' | 'restart',
  ): Promise<InstanceDetail> {
    return this.#http.json({ method: 'POST', path: apiPath`/v1/instances/${id}/${action}` });
  }
}

/** Sandboxes claimed directly, for a tenant token. */
export class SandboxesApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** Claims a sandbox of a template (`default` when none is given) or from a pool. */
  claim(request: ClaimRequest = {}): Promise<Sandbox> {
    return this.#http.json({ method: 'POST', path: '/v1/sandboxes', body: request });
  }

  /**
   * Lists the tenant's claimed sandboxes, and released ones too with `includeReleased`. The
   * admin token lists every tenant's, or one tenant's with `tenant`.
   */
  async list(options: { includeReleased?: boolean; tenant?: string } = {}): Promise<Sandbox[]> {
    const body = await this.#http.json<{ sandboxes: Sandbox[] }>({
      method: 'GET',
      path: '/v1/sandboxes',
      query: { all: options.includeReleased, tenant: options.tenant },
    });
    return body.sandboxes;
  }

  get(id: string): Promise<Sandbox> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/sandboxes/${id}` });
  }

  /**
   * Runs a shell command through `/bin/sh -c` and returns its output once it exits. A
   * non-zero exit code is a result, not an error.
   */
  exec(id: string, request: ExecRequest | string): Promise<ExecResult> {
    return this.#http.json({
      method: 'POST',
      path: apiPath`/v1/sandboxes/${id}/exec`,
      body: typeof request === 'string' ? { command: request } : request,
    });
  }

  /**
   * Runs a shell command and streams its output as it is written; see {@link ExecStream}.
   * Aborting `options.signal` or calling `cancel()` closes the connection, and the server
   * then kills the command.
   */
  execStream(
    id: string,
    request: ExecRequest | string,
    options: { signal?: AbortSignal } = {},
  ): ExecStream {
    const path = apiPath`/v1/sandboxes/${id}/exec/stream`;
    return new ExecStream({
      label: `POST ${path}`,
      send: (signal) =>
        this.#http.send({
          method: 'POST',
          path,
          body: typeof request === 'string' ? { command: request } : request,
          signal,
        }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  /** Reads a file, relative to the template's workdir or absolute. */
  readFile(id: string, path: string): Promise<Uint8Array> {
    return this.#http.bytes({
      method: 'GET',
      path: apiPath`/v1/sandboxes/${id}/files`,
      query: { path },
    });
  }

  /** Reads a file as UTF-8 text. */
  readTextFile(id: string, path: string): Promise<string> {
    return this.#http.text({
      method: 'GET',
      path: apiPath`/v1/sandboxes/${id}/files`,
      query: { path },
    });
  }

  /** Writes a file, creating its parent folders; strings are written as UTF-8. */
  writeFile(id: string, path: string, data: Uint8Array | string): Promise<WriteFileResult> {
    return this.#http.json({
      method: 'PUT',
      path: apiPath`/v1/sandboxes/${id}/files`,
      query: { path },
      body: data,
      raw: true,
    });
  }

  /** Lists a folder's entries, sorted by name; symlinks are listed, not followed. */
  async listFiles(id: string, path: string): Promise<FileEntry[]> {
    const body = await this.#http.json<{ entries: FileEntry[] }>({
      method: 'GET',
      path: apiPath`/v1/sandboxes/${id}/files/list`,
      query: { path },
    });
    return body.entries;
  }

  /** Returns whether a path exists in the sandbox (a dangling symlink counts). */
  async fileExists(id: string, path: string): Promise<boolean> {
    const body = await this.#http.json<{ exists: boolean }>({
      method: 'GET',
      path: apiPath`/v1/sandboxes/${id}/files/exists`,
      query: { path },
    });
    return body.exists;
  }

  /** Deletes a file or symlink, or with `recursive` a folder and everything in it. */
  async deleteFile(id: string, path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.#http.json({
      method: 'DELETE',
      path: apiPath`/v1/sandboxes/${id}/files`,
      query: { path, ...(options.recursive === true ? { recursive: 'true' } : {}) },
    });
  }

  /** Downloads a folder as a tar archive whose member names are relative to the folder. */
  downloadArchive(id: string, path: string): Promise<Uint8Array> {
    return this.#http.bytes({
      method: 'GET',
      path: apiPath`/v1/sandboxes/${id}/archive`,
      query: { path },
    });
  }

  /** Unpacks a tar archive into a folder of the sandbox, creating the folder. */
  uploadArchive(id: string, path: string, archive: Uint8Array): Promise<WriteFileResult> {
    return this.#http.json({
      method: 'PUT',
      path: apiPath`/v1/sandboxes/${id}/archive`,
      query: { path },
      body: archive,
      raw: true,
      contentType: 'application/x-tar',
    });
  }

  /** Checkpoints the sandbox's processes to disk and stops them (gVisor only). */
  suspend(id: string): Promise<Sandbox> {
    return this.#http.json({ method: 'POST', path: apiPath`/v1/sandboxes/${id}/suspend` });
  }

  /** Restores a suspended sandbox; its processes continue where they stopped. */
  resume(id: string): Promise<Sandbox> {
    return this.#http.json({ method: 'POST', path: apiPath`/v1/sandboxes/${id}/resume` });
  }

  /** Stores the sandbox's processes and files as snapshot `name`, without ending it. */
  snapshot(id: string, name: string): Promise<SandboxSnapshot> {
    return this.#http.json({
      method: 'POST',
      path: apiPath`/v1/sandboxes/${id}/snapshot`,
      body: { name },
    });
  }

  /**
   * Lists the tenant's snapshots, newest first; with `template`, only those taken from
   * sandboxes of that template.
   */
  async listSnapshots(options: { template?: string } = {}): Promise<SandboxSnapshot[]> {
    const body = await this.#http.json<{ snapshots: SandboxSnapshot[] }>({
      method: 'GET',
      path: '/v1/sandboxes/snapshots',
      query: { template: options.template },
    });
    return body.snapshots;
  }

  /**
   * Returns one of the tenant's snapshots.
   * @throws SandstackApiError `SNAPSHOT_NOT_FOUND` (404) for a missing or another tenant's one
   */
  getSnapshot(name: string): Promise<SandboxSnapshot> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/sandboxes/snapshots/${name}` });
  }

  /**
   * Deletes one of the tenant's snapshots with its files and returns its record. Sandboxes
   * started from it keep running.
   * @throws SandstackApiError `SNAPSHOT_NOT_FOUND` (404) for a missing or another tenant's
   *   one, `SNAPSHOT_IN_USE` (409) while one of the tenant's templates names it
   */
  deleteSnapshot(name: string): Promise<SandboxSnapshot> {
    return this.#http.json({ method: 'DELETE', path: apiPath`/v1/sandboxes/snapshots/${name}` });
  }

  /** Destroys the sandbox and returns its record with its final usage. */
  release(id: string): Promise<Sandbox> {
    return this.#http.json({ method: 'DELETE', path: apiPath`/v1/sandboxes/${id}` });
  }
}

/**
 * The guard's approval queue: every request for the admin token, and only the requests of
 * its own runs for a tenant token.
 */
export class ApprovalsApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /** Lists approval requests, newest first. */
  list(options: { status?: ApprovalStatus } = {}): Promise<ApprovalRequest[]> {
    return this.#http.json({
      method: 'GET',
      path: '/v1/approvals',
      query: { status: options.status },
    });
  }

  get(id: string): Promise<ApprovalRequest> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/approvals/${id}` });
  }

  approve(id: string, decision: ApprovalDecision = {}): Promise<ApprovalRequest> {
    return this.#http.json({
      method: 'POST',
      path: apiPath`/v1/approvals/${id}/approve`,
      body: decision,
    });
  }

  deny(id: string, decision: ApprovalDecision = {}): Promise<ApprovalRequest> {
    return this.#http.json({
      method: 'POST',
      path: apiPath`/v1/approvals/${id}/deny`,
      body: decision,
    });
  }
}

/**
 * Sandbox templates, warm pools and SandboxClaim objects. A tenant token reaches its own and
 * the shared ones; the admin token reaches all.
 */
export class SandboxObjectsApi {
  readonly #http: HttpTransport;

  constructor(http: HttpTransport) {
    this.#http = http;
  }

  /**
   * Creates or updates objects from agent-sandbox YAML or JSON, as `sandstack apply -f`
   * does; `filename` names the manifest in error messages.
   */
  async apply(manifest: string, options: { filename?: string } = {}): Promise<AppliedObject[]> {
    const body = await this.#http.json<{ applied: AppliedObject[] }>({
      method: 'POST',
      path: '/v1/apply',
      query: { filename: options.filename },
      body: manifest,
      raw: true,
      contentType: 'application/yaml',
    });
    return body.applied;
  }

  async listTemplates(): Promise<SandboxTemplate[]> {
    const body = await this.#http.json<{ templates: SandboxTemplate[] }>({
      method: 'GET',
      path: '/v1/templates',
    });
    return body.templates;
  }

  getTemplate(name: string): Promise<SandboxTemplate> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/templates/${name}` });
  }

  deleteTemplate(name: string): Promise<SandboxTemplate> {
    return this.#http.json({ method: 'DELETE', path: apiPath`/v1/templates/${name}` });
  }

  async listPools(): Promise<WarmPool[]> {
    const body = await this.#http.json<{ pools: WarmPool[] }>({ method: 'GET', path: '/v1/pools' });
    return body.pools;
  }

  getPool(name: string): Promise<WarmPool> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/pools/${name}` });
  }

  /** Deletes a pool and destroys its ready sandboxes; claimed ones stay. */
  deletePool(name: string): Promise<WarmPool> {
    return this.#http.json({ method: 'DELETE', path: apiPath`/v1/pools/${name}` });
  }

  async listClaims(): Promise<SandboxClaim[]> {
    const body = await this.#http.json<{ claims: SandboxClaim[] }>({
      method: 'GET',
      path: '/v1/claims',
    });
    return body.claims;
  }

  getClaim(name: string): Promise<SandboxClaim> {
    return this.#http.json({ method: 'GET', path: apiPath`/v1/claims/${name}` });
  }
}
