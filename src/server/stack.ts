/**
 * Assembles the embedded stack the CLI runs on: one SQLite file, the sandbox controller,
 * the workflow store, the guard and the span store. With a PostgreSQL store, the workflow
 * store and the shared state (`sql`: tenants, approvals, spans, `env.STATE`) live in
 * PostgreSQL, shared by several nodes; sandboxes and the action log stay in the SQLite file.
 */
import { join, resolve } from 'node:path';
import type { Logger } from '../core/logger.js';
import type { Policy } from '../guard/policy.js';
import { noopLogger } from '../core/logger.js';
import { SandstackError } from '../core/errors.js';
import { openPostgres } from '../core/postgres.js';
import { ensurePrivateDir } from '../core/private-files.js';
import { sqliteClient, type SqlDatabase } from '../core/sql.js';
import { openDatabase, type SqliteDatabase } from '../core/store.js';
import { SandboxController } from '../sandbox/controller.js';
import { BubblewrapDriver } from '../sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../sandbox/drivers/gvisor.js';
import { checkSpareCount } from '../sandbox/spare-layers.js';
import { kubernetesDriverOptionsFromEnv } from '../sandbox/kubernetes/env.js';
import type { RuntimeName, SandboxDriver, SandboxTemplate } from '../sandbox/types.js';
import { otlpExporterFromEnv } from '../telemetry/otlp.js';
import { SpanStore } from '../telemetry/span-store.js';
import { createTracing, type Tracing } from '../telemetry/tracing.js';
import { ActionLog } from '../workflows/bindings/action-log.js';
import { PostgresStateStore } from '../workflows/bindings/postgres-state-store.js';
import {
  SqliteStateStore,
  type StateLimits,
  type StateStore,
} from '../workflows/bindings/state-binding.js';
import { PostgresWorkflowStore, redactUrl } from '../workflows/stores/postgres.js';
import { SqliteWorkflowStore } from '../workflows/stores/sqlite.js';
import type { WorkflowStore } from '../workflows/stores/store.js';
import { SandboxDirectory } from './sandbox-directory.js';
import { SharedRunInputs } from './shared-run-inputs.js';
import { sandboxOwners } from './http/sandbox-owners.js';

/** The parts of a running embedded stack. */
export interface Stack {
  stateDir: string;
  db: SqliteDatabase;
  /** Workflow versions, instances, steps and events: SQLite on `db`, or PostgreSQL. */
  workflows: WorkflowStore;
  /**
   * Where state that every node must see is kept: `db` itself, or with a PostgreSQL
   * workflow store the same PostgreSQL database.
   */
  sql: SqlDatabase;
  /** Every tenant's `env.STATE`, in `sql`. */
  state: StateStore;
  /** Which node claimed each sandbox; only with a PostgreSQL store that nodes share. */
  sandboxDirectory: SandboxDirectory | undefined;
  /** Run input snapshots that every node can copy; only with a PostgreSQL store. */
  runInputs: SharedRunInputs | undefined;
  controller: SandboxController;
  actions: ActionLog;
  spans: SpanStore;
  tracing: Tracing;
  logger: Logger;
  /** Guard policy of every run on this stack; undefined means the default policy. */
  policy: Policy | undefined;
  close(): Promise<void>;
}

/** Options for {@link openStack}. */
export interface OpenStackOptions {
  /** Folder for the state database, sandboxes and run inputs. @default '.sandstack' */
  stateDir?: string;
  logger?: Logger;
  /** Guard policy of every run, such as {@link policyWithFile}'s. @default the default policy */
  policy?: Policy;
  /**
   * Workflow store: `sqlite` for the state database, or a `postgres://` or
   * `postgresql://` URL for a PostgreSQL database that several nodes share. @default 'sqlite'
   */
  store?: string;
  /** Size limits of `env.STATE`. @default DEFAULT_STATE_LIMITS */
  stateLimits?: Partial<StateLimits>;
  /**
   * Runtimes a tenant's template may use, checked each time a sandbox of a template that a
   * tenant owns and that names no runtime starts. @default no check
   */
  tenantRuntimes?: readonly RuntimeName[];
  /**
   * Spare writable layers kept per disk size for cold starts, 0 to 8 (see
   * `SandboxControllerOptions.spareLayers`). @default 2
   */
  spareLayers?: number;
}

/**
 * Opens the workflow store that `spec` names; see {@link OpenStackOptions.store}.
 *
 * @throws SandstackError `INVALID_CONFIG` for another kind of spec, `STORE_FAILED` when
 * PostgreSQL cannot be reached.
 */
export async function openWorkflowStore(
  spec: string | undefined,
  db: SqliteDatabase,
): Promise<WorkflowStore & { close?: () => Promise<void> }> {
  if (spec === undefined || spec === '' || spec === 'sqlite') {
    return new SqliteWorkflowStore(db);
  }
  if (isPostgresSpec(spec)) {
    return PostgresWorkflowStore.open(spec);
  }
  throw new SandstackError(
    'INVALID_CONFIG',
    `Invalid workflow store "${redactUrl(spec)}"; use "sqlite" or a postgres:// URL`,
  );
}

/** Checks whether a store spec is a PostgreSQL URL. */
export function isPostgresSpec(spec: string | undefined): spec is string {
  return spec !== undefined && /^postgres(ql)?:\/\//.test(spec);
}

/**
 * Returns the gVisor and bubblewrap drivers with the whole state folder hidden in every
 * sandbox: it holds every tenant's run inputs, sandboxes and the state database.
 */
export function localDrivers(stateDir: string): SandboxDriver[] {
  const hidden = { hiddenDirs: [resolve(stateDir)] };
  return [new GvisorDriver(hidden), new BubblewrapDriver(hidden)];
}

/**
 * Returns the local drivers plus, when `SANDSTACK_SANDBOX_ROUTER_URL` is set, the Kubernetes
 * driver configured from the `SANDSTACK_*` variables that `kubernetesDriverOptionsFromEnv`
 * reads. Templates with runtime `auto` then run on the cluster.
 *
 * @throws SandstackError `INVALID_CONFIG` naming the variable or kubeconfig that is wrong.
 */
export async function sandboxDrivers(
  stateDir: string,
  options: { env?: Record<string, string | undefined>; logger?: Logger } = {},
): Promise<SandboxDriver[]> {
  const drivers = localDrivers(stateDir);
  const env = options.env ?? process.env;
  const routerUrl = env.SANDSTACK_SANDBOX_ROUTER_URL;
  if (routerUrl !== undefined && routerUrl !== '') {
    const driverOptions = kubernetesDriverOptionsFromEnv(env);
    // Loaded only here: the Kubernetes client takes about a second to import.
    const { KubernetesDriver } = await import('../sandbox/kubernetes/driver.js');
    drivers.push(
      new KubernetesDriver({
        ...driverOptions,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      }),
    );
  }
  return drivers;
}

/**
 * Returns a check that rejects starting a sandbox of a tenant's template without a runtime
 * (`auto`) under a runtime the admin does not allow. Apply checks such a template against
 * the runtime it got then, but it gets bubblewrap once runsc stops working, so each start
 * is checked again. A runtime the template names was checked at apply, or chosen by the
 * admin, and is left alone.
 */
function tenantRuntimeCheck(
  db: SqliteDatabase,
  allowed: readonly RuntimeName[],
): (template: SandboxTemplate, runtime: RuntimeName) => void {
  return (template, runtime) => {
    if (template.runtime !== 'auto' || allowed.includes(runtime)) {
      return;
    }
    if (sandboxOwners(db).ownerOf('SandboxTemplate', template.name) === null) {
      return;
    }
    throw new SandstackError(
      'RUNTIME_UNAVAILABLE',
      `Template "${template.name}" would start its sandboxes under ${runtime} here, which the server's tenantTemplates.allowedRuntimes (${allowed.join(', ')}) does not allow for a tenant's template; set runtimeClassName to an allowed runtime, or ask the admin to make one work here (see "sandstack doctor")`,
    );
  };
}

/** Opens (and creates) the embedded stack under `stateDir`. */
export async function openStack(options: OpenStackOptions = {}): Promise<Stack> {
  const stateDir = resolve(options.stateDir ?? '.sandstack');
  const logger = options.logger ?? noopLogger;
  // Checked before anything is opened, because the controller is made last.
  if (options.spareLayers !== undefined) {
    checkSpareCount(options.spareLayers);
  }
  // Resolved first, so a wrong Kubernetes setting fails before any file is opened.
  const drivers = await sandboxDrivers(stateDir, { logger });
  ensurePrivateDir(stateDir, logger);
  const db = openDatabase(join(stateDir, 'state.db'), { logger });
  let workflows: Awaited<ReturnType<typeof openWorkflowStore>>;
  try {
    workflows = await openWorkflowStore(options.store, db);
  } catch (error) {
    db.close();
    throw error;
  }
  let sql: SqlDatabase;
  let spans: SpanStore;
  let state: StateStore;
  let sandboxDirectory: SandboxDirectory | undefined;
  let runInputs: SharedRunInputs | undefined;
  try {
    sql = isPostgresSpec(options.store) ? await openPostgres(options.store) : sqliteClient(db);
    spans = await SpanStore.open(sql);
    const limits = options.stateLimits ?? {};
    state =
      sql.dialect === 'postgres'
        ? await PostgresStateStore.open(sql, limits)
        : new SqliteStateStore(db, limits);
    sandboxDirectory =
      workflows.leases === undefined
        ? undefined
        : await SandboxDirectory.open(sql, workflows.leases.nodeId);
    runInputs = sql.dialect === 'postgres' ? await SharedRunInputs.open(sql) : undefined;
  } catch (error) {
    await workflows.close?.();
    db.close();
    throw error;
  }
  const { tenantRuntimes } = options;
  const controller = new SandboxController({
    db,
    stateDir: join(stateDir, 'sandboxes'),
    logger,
    drivers,
    ...(options.spareLayers === undefined ? {} : { spareLayers: options.spareLayers }),
    ...(tenantRuntimes === undefined
      ? {}
      : { checkRuntime: tenantRuntimeCheck(db, tenantRuntimes) }),
    ...(sandboxDirectory === undefined
      ? {}
      : {
          onClaim: (record) => sandboxDirectory.recordClaim(record),
          onRelease: (record) =>
            sandboxDirectory.recordRelease({
              id: record.id,
              cpuSeconds: record.usage?.cpuSeconds ?? 0,
              releasedAtMs: record.releasedAt,
            }),
        }),
  });
  const otlp = otlpExporterFromEnv(process.env, logger);
  const tracing = createTracing({
    exporters: [spans],
    ...(otlp === undefined ? {} : { batchExporters: [otlp] }),
  });

  return {
    stateDir,
    db,
    workflows,
    sql,
    state,
    sandboxDirectory,
    runInputs,
    controller,
    actions: new ActionLog(db),
    spans,
    tracing,
    logger,
    policy: options.policy,
    close: async () => {
      await controller.close();
      await tracing.shutdown();
      await workflows.close?.();
      await sql.close();
      db.close();
    },
  };
}
