/**
 * Shapes of the API responses the dashboard reads, as `/openapi.json` describes them.
 */

export interface Instance {
  id: string;
  tenant: string;
  workflow: string;
  version: string;
  status: string;
  params: unknown;
  output: unknown;
  error: { code: string; message: string } | null;
  wakeAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface Step {
  key: string;
  kind: string;
  status: string;
  attempt: number;
  durationMs: number | null;
}

export interface InstanceDetail extends Instance {
  steps: Step[];
  traceId: string | null;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startMs: number;
  endMs: number;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string | null;
  attributes: Record<string, unknown>;
}

/** One sandbox action of a run and the guard decision on it. */
export interface Action {
  stepKey: string;
  callIndex: number;
  kind: string;
  tool: string;
  input: Record<string, unknown>;
  verdict: string;
  reason: string;
  category?: string;
  rule?: string;
  stage?: string;
  exitCode?: number;
  durationMs?: number;
  timeMs: number;
}

export interface Approval {
  id: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  tool: string;
  input: Record<string, unknown>;
  reason: string;
  category: string | null;
  rule: string | null;
  sessionId: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  note: string | null;
}

export interface Pool {
  name: string;
  template: string;
  replicas: number;
  ready: number;
  updateStrategy: string;
}

export interface Sandbox {
  tenant: string | null;
  id: string;
  template: string;
  runtime: string;
  pool: string | null;
  state: 'warm' | 'claimed' | 'released';
  runId: string | null;
  warm: boolean;
  claimLatencyMs: number | null;
  createdAt: number;
  claimedAt: number | null;
  releasedAt: number | null;
  usage: { cpuSeconds: number; memoryPeakBytes: number } | null;
}

export interface Tenant {
  id: string;
  displayName: string;
  createdAtMs: number;
}

export interface Usage {
  tenant: string;
  cpuSeconds: number;
  memoryPeakBytes: number;
  sandboxes: number;
  activeSandboxes: number;
  instances: Record<string, number>;
}

export interface PriceModel {
  name: string;
  description: string;
  source: string;
}

export interface CostLine {
  key: string;
  sandboxes: number;
  cpuSeconds: number;
  vcpuSeconds: number;
  gibSeconds: number;
  cost: Record<string, number>;
}

export interface CostReport {
  groupBy: 'tenant' | 'run' | 'sandbox';
  models: PriceModel[];
  lines: CostLine[];
}

/** The latest version of one deployed workflow. */
export interface WorkflowVersion {
  workflow: string;
  version: string;
  className: string;
  createdAtMs: number;
}
