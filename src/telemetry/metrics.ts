/**
 * Prometheus metrics of one state database, computed from its tables at scrape time. No
 * process has to stay up to count events, so the same numbers come from `sandstack serve`,
 * from `sandstack metrics` (for a textfile collector) and after a restart.
 *
 * NOTE: the queries read the sandbox, workflow and action tables directly; a schema change
 * in those stores must update them (the metrics test covers every metric).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SqliteDatabase } from '../core/store.js';

/** Claim latency buckets in seconds: warm claims take milliseconds, cold gVisor starts ~0.3 s. */
const CLAIM_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Creates a registry whose metrics are read from `db` on every scrape. */
export function createMetricsRegistry(db: SqliteDatabase): Registry {
  const registry = new Registry();
  const has = (table: string): boolean =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !==
    undefined;
  const rows = <T>(table: string, sql: string): T[] =>
    has(table) ? (db.prepare(sql).all() as T[]) : [];

  new Gauge({
    name: 'sandstack_sandboxes',
    help: 'Sandboxes that exist now, by state (warm, claimed), template and runtime',
    labelNames: ['state', 'template', 'runtime'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = rows<{ state: string; template: string; runtime: string; n: number }>(
        'sandboxes',
        `SELECT state, template, runtime, COUNT(*) AS n FROM sandboxes
          WHERE state != 'released' GROUP BY state, template, runtime`,
      );
      for (const row of counts) {
        this.set({ state: row.state, template: row.template, runtime: row.runtime }, row.n);
      }
    },
  });

  new Gauge({
    name: 'sandstack_pool_ready_sandboxes',
    help: 'Ready (warm) sandboxes per pool',
    labelNames: ['pool'],
    registers: [registry],
    collect() {
      this.reset();
      const pools = rows<{ name: string; ready: number }>(
        'sandbox_pools',
        `SELECT p.name AS name,
                (SELECT COUNT(*) FROM sandboxes s WHERE s.pool = p.name AND s.state = 'warm') AS ready
           FROM sandbox_pools p`,
      );
      for (const pool of pools) {
        this.set({ pool: pool.name }, pool.ready);
      }
    },
  });

  new Gauge({
    name: 'sandstack_pool_replicas',
    help: 'Ready sandboxes each pool is configured to keep',
    labelNames: ['pool'],
    registers: [registry],
    collect() {
      this.reset();
      for (const pool of rows<{ name: string; replicas: number }>(
        'sandbox_pools',
        'SELECT name, replicas FROM sandbox_pools',
      )) {
        this.set({ pool: pool.name }, pool.replicas);
      }
    },
  });

  new Histogram({
    name: 'sandstack_sandbox_claim_seconds',
    help: 'Time from a claim request to a usable sandbox, by warm (from a pool) or cold start',
    labelNames: ['start', 'runtime'],
    buckets: CLAIM_BUCKETS,
    registers: [registry],
    collect() {
      this.reset();
      const claims = rows<{ warm: number; runtime: string; latency: number }>(
        'sandboxes',
        `SELECT warm, runtime, claim_latency_ms AS latency FROM sandboxes
          WHERE claim_latency_ms IS NOT NULL`,
      );
      for (const claim of claims) {
        const labels = { start: claim.warm === 1 ? 'warm' : 'cold', runtime: claim.runtime };
        this.observe(labels, claim.latency / 1000);
      }
    },
  });

  new Counter({
    name: 'sandstack_tenant_cpu_seconds_total',
    help: 'CPU-seconds used by the released sandboxes of each tenant (cgroup accounting)',
    labelNames: ['tenant'],
    registers: [registry],
    collect() {
      this.reset();
      const usage = rows<{ tenant: string; cpu: number }>(
        'sandboxes',
        `SELECT tenant, SUM(cpu_seconds) AS cpu FROM sandboxes
          WHERE tenant IS NOT NULL AND cpu_seconds IS NOT NULL GROUP BY tenant`,
      );
      for (const row of usage) {
        this.inc({ tenant: row.tenant }, row.cpu);
      }
    },
  });

  new Counter({
    name: 'sandstack_guard_decisions_total',
    help: 'Guard decisions on tool calls of workflow runs, by tenant and verdict',
    labelNames: ['tenant', 'verdict'],
    registers: [registry],
    collect() {
      this.reset();
      const decisions = rows<{ tenant: string; verdict: string; n: number }>(
        'actions',
        `SELECT tenant, verdict, COUNT(*) AS n FROM actions WHERE kind = 'tool'
          GROUP BY tenant, verdict`,
      );
      for (const row of decisions) {
        this.inc({ tenant: row.tenant, verdict: row.verdict }, row.n);
      }
    },
  });

  new Gauge({
    name: 'sandstack_workflow_instances',
    help: 'Workflow instances by tenant and status',
    labelNames: ['tenant', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      const instances = rows<{ tenant: string; status: string; n: number }>(
        'workflow_instances',
        'SELECT tenant, status, COUNT(*) AS n FROM workflow_instances GROUP BY tenant, status',
      );
      for (const row of instances) {
        this.set({ tenant: row.tenant, status: row.status }, row.n);
      }
    },
  });

  new Counter({
    name: 'sandstack_workflow_steps_total',
    help: 'Workflow steps stored, by tenant and status',
    labelNames: ['tenant', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      const steps = rows<{ tenant: string; status: string; n: number }>(
        'workflow_steps',
        'SELECT tenant, status, COUNT(*) AS n FROM workflow_steps GROUP BY tenant, status',
      );
      for (const row of steps) {
        this.inc({ tenant: row.tenant, status: row.status }, row.n);
      }
    },
  });

  return registry;
}
