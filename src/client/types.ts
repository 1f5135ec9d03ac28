/**
 * Request and response types of the HTTP API, derived from the server's route definitions
 * and zod schemas. Only types are imported, so the client loads no server code at runtime.
 */
import type { z } from 'zod';
import type {
  APPROVAL_SCHEMA,
  DECISION_BODY,
  STATUS as APPROVAL_STATUS,
} from '../guard/approvals-http.js';
import type { ErrorSchema } from '../server/http/errors.js';
import type {
  actionsRoute,
  createInstanceRoute,
  getInstanceRoute,
  listInstancesRoute,
  sendEventRoute,
  traceRoute,
} from '../server/http/routes/instances.js';
import type {
  claimRoute,
  execRoute,
  listRoute as listSandboxesRoute,
  snapshotRoute,
  writeFileRoute,
} from '../server/http/routes/sandboxes.js';
import type {
  createTenantRoute,
  createTokenRoute,
  listAuditRoute,
  listTokensRoute,
} from '../server/http/routes/tenants.js';
import type {
  deployRoute,
  listVersionsRoute,
  listWorkflowsRoute,
} from '../server/http/routes/workflows.js';
import type { getQuotaRoute, setQuotaRoute } from '../server/http/routes/quotas.js';
import type { applyRoute } from '../server/http/routes/apply.js';
import type { listFilesRoute } from '../server/http/routes/sandbox-files.js';
import type { getClaimRoute, getPoolRoute, getTemplateRoute } from '../server/http/routes/pools.js';
import type { costRoute } from '../server/http/routes/cost.js';
import type { TenantSchema, UsageSchema } from '../server/http/schemas.js';

/** The zod schema of a JSON request or response entry of a route. */
type JsonSchemaOf<Entry> = Entry extends {
  content: { 'application/json': { schema: infer Schema extends z.ZodType } };
}
  ? Schema
  : never;

/** JSON body a caller may send to a route, with defaulted fields optional. */
type RequestBody<Route> = Route extends { request: { body: infer Body } }
  ? z.input<JsonSchemaOf<Body>>
  : never;

/** Query a caller may send to a route. */
type RequestQuery<Route> = Route extends { request: { query: infer Query extends z.ZodType } }
  ? z.input<Query>
  : never;

/** A route's query after parsing, for query values the server coerces from strings. */
type ParsedQuery<Route> = Route extends { request: { query: infer Query extends z.ZodType } }
  ? z.output<Query>
  : never;

/** The JSON body a route returns with a status. */
type ResponseBody<Route, Status extends number> = Route extends { responses: infer Responses }
  ? Status extends keyof Responses
    ? z.output<JsonSchemaOf<Responses[Status]>>
    : never
  : never;

/** Body of every error response. */
export type ApiErrorBody = z.output<typeof ErrorSchema>;
/** One invalid field of a request, as the server names it (`body.id`, `query.status`). */
export type FieldIssue = NonNullable<ApiErrorBody['error']['issues']>[number];

export type Tenant = z.output<typeof TenantSchema>;
export type CreateTenantRequest = RequestBody<typeof createTenantRoute>;
export type CreateTokenRequest = NonNullable<RequestBody<typeof createTokenRoute>>;
export type NewToken = ResponseBody<typeof createTokenRoute, 201>;
export type Token = ResponseBody<typeof listTokensRoute, 200>['tokens'][number];
/** Audit log filters; `before` is a seq, for paging. */
export type AuditQuery = Partial<ParsedQuery<typeof listAuditRoute>>;
export type AuditEntry = ResponseBody<typeof listAuditRoute, 200>['entries'][number];
export type Usage = z.output<typeof UsageSchema>;
/** A tenant's CPU-seconds quota in force and the usage it counts. */
export type CpuQuota = ResponseBody<typeof getQuotaRoute, 200>;
export type SetCpuQuotaRequest = RequestBody<typeof setQuotaRoute>;
/** Filters and grouping of the cost report. */
export type CostQuery = RequestQuery<typeof costRoute>;
export type CostReport = ResponseBody<typeof costRoute, 200>;
/** The quota a 429 `QUOTA_EXCEEDED` names. */
export type QuotaDetail = NonNullable<ApiErrorBody['error']['quota']>;

export type DeployRequest = RequestBody<typeof deployRoute>;
export type DeployResult = ResponseBody<typeof deployRoute, 201>;
export type WorkflowVersion = ResponseBody<typeof listVersionsRoute, 200>['versions'][number];
export type WorkflowSummary = ResponseBody<typeof listWorkflowsRoute, 200>['workflows'][number];

export type CreateInstanceRequest = RequestBody<typeof createInstanceRoute>;
export type ListInstancesQuery = RequestQuery<typeof listInstancesRoute>;
export type Instance = ResponseBody<typeof createInstanceRoute, 202>;
export type InstanceStatus = Instance['status'];
/** An instance with its steps and trace id, as get and every lifecycle change return it. */
export type InstanceDetail = ResponseBody<typeof getInstanceRoute, 200>;
export type InstanceEvent = RequestBody<typeof sendEventRoute>;
export type Trace = ResponseBody<typeof traceRoute, 200>;
export type Span = Trace['spans'][number];
export type SandboxAction = ResponseBody<typeof actionsRoute, 200>['actions'][number];

export type ClaimRequest = NonNullable<RequestBody<typeof claimRoute>>;
export type Sandbox = ResponseBody<typeof claimRoute, 201>;
export type SandboxSnapshot = ResponseBody<typeof snapshotRoute, 201>;
export type ExecRequest = RequestBody<typeof execRoute>;
export type ExecResult = ResponseBody<typeof execRoute, 200>;
/** A piece of a streamed command's output, as UTF-8 text. */
export interface ExecOutput {
  stream: 'stdout' | 'stderr';
  data: string;
}
/** The final line of a streamed command: its result without the output. */
export type ExecEnd = Omit<ExecResult, 'stdout' | 'stderr'>;
export type WriteFileResult = ResponseBody<typeof writeFileRoute, 200>;
export type FileEntry = ResponseBody<typeof listFilesRoute, 200>['entries'][number];
export type ListSandboxesQuery = RequestQuery<typeof listSandboxesRoute>;

export type SandboxTemplate = ResponseBody<typeof getTemplateRoute, 200>;
export type WarmPool = ResponseBody<typeof getPoolRoute, 200>;
export type SandboxClaim = ResponseBody<typeof getClaimRoute, 200>;
/** What one object of an applied manifest became. */
export type AppliedObject = ResponseBody<typeof applyRoute, 200>['applied'][number];

export type ApprovalStatus = z.output<typeof APPROVAL_STATUS>;
export type ApprovalRequest = z.output<typeof APPROVAL_SCHEMA>;
export type ApprovalDecision = z.input<typeof DECISION_BODY>;

/** Body of `GET /healthz`. */
export interface Health {
  status: 'ok';
  running: number;
  queued: number;
}
