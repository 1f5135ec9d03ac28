import type { Command } from 'commander';
import { policyWithFile } from '../../guard/guard.js';
import { SandstackError } from '../../core/errors.js';
import { createJsonLogger, type LogLevel } from '../../core/logger.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../server/http/app.js';
import { DEFAULT_TENANT_LIMITS } from '../../server/http/limits.js';
import { DEFAULT_PORT, startServer } from '../../server/http/server.js';
import { DEFAULT_TENANT_TEMPLATE_POLICY } from '../../server/http/tenant-templates.js';
import { DEFAULT_SPARE_LAYERS, MAX_SPARE_LAYERS } from '../../sandbox/spare-layers.js';
import type { RuntimeName } from '../../sandbox/types.js';
import { DEFAULT_STATE_LIMITS } from '../../workflows/bindings/state-binding.js';
import { DEFAULT_ENGINE_LIMITS } from '../../workflows/engine.js';
import { parseDuration } from '../../workflows/step-config.js';
import { printLine, printWarning } from '../output.js';
import type { RetentionFlags } from './retention-options.js';
import { addRetentionFlags, retentionFromFlags } from './retention-options.js';

interface ServeOptions extends RetentionFlags {
  host: string;
  port: string;
  maxBodyBytes: string;
  maxConcurrentRuns: string;
  maxRunsPerTenant: string;
  maxSandboxesPerTenant: string;
  maxActiveInstancesPerTenant: string;
  rateLimit: string;
  maxCpuSecondsPerTenant: string;
  cpuSecondsWindow: string;
  rotateAdminToken?: boolean;
  logLevel: LogLevel;
  store?: string;
  retentionSweepInterval: string;
  maxInstanceStateBytes: string;
  maxStepResultBytesPerTenant: string;
  maxPendingEvents: string;
  maxPendingEventBytes: string;
  maxStateBytesPerTenant: string;
  tenantRuntimes: string;
  tenantEgressDomains: string;
  policy?: string;
  spareLayers: string;
}

const LOG_LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** Registers `sandstack serve`. */
export function register(program: Command): void {
  const serveCommand = program
    .command('serve')
    .description(
      'Serve the HTTP API (tenants, workflows, instances, sandboxes, traces) until SIGTERM or SIGINT',
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
    .option(
      '--max-body-bytes <bytes>',
      'largest request body accepted',
      String(DEFAULT_MAX_BODY_BYTES),
    )
    .option('--max-concurrent-runs <count>', 'workflow instances run at the same time', '4')
    .option('--max-runs-per-tenant <count>', "one tenant's instances run at the same time", '2')
    .option(
      '--max-sandboxes-per-tenant <count>',
      'claimed sandboxes a tenant may hold before direct claims get a 429',
      String(DEFAULT_TENANT_LIMITS.maxSandboxes),
    )
    .option(
      '--max-active-instances-per-tenant <count>',
      'unfinished instances a tenant may have before creates get a 429',
      String(DEFAULT_TENANT_LIMITS.maxActiveInstances),
    )
    .option(
      '--rate-limit <requests>',
      'requests per second per tenant, with bursts of twice that; 0 turns it off',
      String(DEFAULT_TENANT_LIMITS.requestsPerSecond),
    )
    .option(
      '--store <url>',
      'workflow store: "sqlite" (the state folder) or a postgres:// URL that several servers share (default: $SANDSTACK_STORE, else sqlite)',
    )
    .option(
      '--max-cpu-seconds-per-tenant <seconds>',
      "sandbox CPU-seconds a tenant may use before claims and execs get a 429, unless the admin set the tenant's own quota; 0 turns it off",
      String(DEFAULT_TENANT_LIMITS.maxCpuSeconds),
    )
    .option(
      '--cpu-seconds-window <seconds>',
      'sliding window of --max-cpu-seconds-per-tenant in seconds; 0 counts all usage',
      String(DEFAULT_TENANT_LIMITS.cpuWindowSeconds),
    )
    .option(
      '--policy <file>',
      "guard policy file (YAML or JSON) whose rules every run's guard adds to the default policy, such as an allow rule 'WebFetch(domain:api.internal)'",
    )
    .option(
      '--tenant-runtimes <list>',
      "comma-separated runtimes a tenant's template may use (gvisor, bubblewrap, kubernetes); shared templates are not limited",
      DEFAULT_TENANT_TEMPLATE_POLICY.allowedRuntimes.join(','),
    )
    .option(
      '--tenant-egress-domains <list>',
      'comma-separated domains a tenant\'s template may allow egress to, such as "pypi.org,*.pythonhosted.org"; "*" allows any, empty allows none',
      DEFAULT_TENANT_TEMPLATE_POLICY.allowedEgressDomains.join(','),
    )
    .option(
      '--spare-layers <count>',
      `empty writable layers kept mounted per disk size for cold starts of gVisor and bubblewrap sandboxes, 0 to ${MAX_SPARE_LAYERS}; 0 turns them off`,
      String(DEFAULT_SPARE_LAYERS),
    )
    .option('--rotate-admin-token', 'revoke the stored admin token and print a new one')
    .option(
      '--log-level <level>',
      `lowest log level written to stderr (${LOG_LEVELS.join(', ')})`,
      'info',
    )
    .option(
      '--max-instance-state-bytes <bytes>',
      "total bytes of one instance's stored step results; a step that passes it fails",
      String(DEFAULT_ENGINE_LIMITS.maxInstanceStateBytes),
    )
    .option(
      '--max-step-result-bytes-per-tenant <bytes>',
      "total bytes of one tenant's stored step results, ended instances kept by retention included; a step that passes it fails",
      String(DEFAULT_ENGINE_LIMITS.maxTenantStepResultBytes),
    )
    .option(
      '--max-pending-events <count>',
      'events one instance may hold before its step.waitForEvent receives them; a send past it gets a 429',
      String(DEFAULT_ENGINE_LIMITS.maxPendingEvents),
    )
    .option(
      '--max-pending-event-bytes <bytes>',
      "total bytes of one instance's events not yet received; a send past it gets a 429",
      String(DEFAULT_ENGINE_LIMITS.maxPendingEventBytes),
    )
    .option(
      '--max-state-bytes-per-tenant <bytes>',
      "total bytes of one tenant's env.STATE keys and values; a put that passes it fails",
      String(DEFAULT_STATE_LIMITS.maxTenantBytes),
    )
    .option(
      '--retention-sweep-interval <period>',
      'time between sweeps that delete ended instances past their retention, such as "10 minutes"',
      '1 hour',
    );
  addRetentionFlags(serveCommand).action(async (options: ServeOptions, command: Command) => {
    const { stateDir } = command.optsWithGlobals<{ stateDir: string }>();
    await serve(stateDir, options);
  });
}

async function serve(stateDir: string, options: ServeOptions): Promise<void> {
  if (!LOG_LEVELS.includes(options.logLevel)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `--log-level "${options.logLevel}" is invalid; use one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  const adminToken = process.env.SANDSTACK_ADMIN_TOKEN;
  const store = options.store ?? process.env.SANDSTACK_STORE;
  const server = await startServer({
    stateDir,
    ...(store === undefined || store === '' ? {} : { store }),
    host: options.host,
    port: parseInteger('--port', options.port, 0, 65_535),
    maxBodyBytes: parseInteger('--max-body-bytes', options.maxBodyBytes, 1024, 2 ** 31),
    maxConcurrentRuns: parseInteger('--max-concurrent-runs', options.maxConcurrentRuns, 1, 1000),
    maxRunsPerTenant: parseInteger('--max-runs-per-tenant', options.maxRunsPerTenant, 1, 1000),
    spareLayers: parseInteger('--spare-layers', options.spareLayers, 0, MAX_SPARE_LAYERS),
    limits: {
      maxSandboxes: parseInteger(
        '--max-sandboxes-per-tenant',
        options.maxSandboxesPerTenant,
        0,
        10_000,
      ),
      maxActiveInstances: parseInteger(
        '--max-active-instances-per-tenant',
        options.maxActiveInstancesPerTenant,
        0,
        10_000_000,
      ),
      requestsPerSecond: parseInteger('--rate-limit', options.rateLimit, 0, 1_000_000),
      maxCpuSeconds: parseInteger(
        '--max-cpu-seconds-per-tenant',
        options.maxCpuSecondsPerTenant,
        0,
        1_000_000_000,
      ),
      cpuWindowSeconds: parseInteger(
        '--cpu-seconds-window',
        options.cpuSecondsWindow,
        0,
        100_000_000,
      ),
    },
    ...(options.policy === undefined ? {} : { policy: policyWithFile(options.policy) }),
    tenantTemplates: {
      allowedRuntimes: splitList(options.tenantRuntimes) as RuntimeName[],
      allowedEgressDomains: splitList(options.tenantEgressDomains),
    },
    ...(adminToken === undefined || adminToken === '' ? {} : { adminToken }),
    rotateAdminToken: options.rotateAdminToken === true,
    retention: retentionFromFlags(options),
    engineLimits: {
      maxInstanceStateBytes: parseInteger(
        '--max-instance-state-bytes',
        options.maxInstanceStateBytes,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      maxTenantStepResultBytes: parseInteger(
        '--max-step-result-bytes-per-tenant',
        options.maxStepResultBytesPerTenant,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      maxPendingEvents: parseInteger(
        '--max-pending-events',
        options.maxPendingEvents,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      maxPendingEventBytes: parseInteger(
        '--max-pending-event-bytes',
        options.maxPendingEventBytes,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
    },
    stateLimits: {
      maxTenantBytes: parseInteger(
        '--max-state-bytes-per-tenant',
        options.maxStateBytesPerTenant,
        0,
        Number.MAX_SAFE_INTEGER,
      ),
    },
    retentionSweepIntervalMs: parseSweepInterval(options.retentionSweepInterval),
    logger: createJsonLogger((line) => process.stderr.write(line), { level: options.logLevel }),
  });

  if (adminToken !== undefined && adminToken !== '' && options.rotateAdminToken === true) {
    printWarning('--rotate-admin-token has no effect while SANDSTACK_ADMIN_TOKEN is set');
  }
  if (server.newAdminToken !== undefined) {
    printLine('New admin token (shown once; only its hash is stored):');
    printLine(`  ${server.newAdminToken}`);
    printLine('Keep it secret. Start with --rotate-admin-token to replace it.');
  }
  // Printed before the ready line, because scripts and tests stop reading at that line.
  if (store?.startsWith('postgres') === true) {
    // Tenants, tokens, approvals, traces and env.STATE are shared through PostgreSQL too.
    printWarning(
      "Sandboxes, pools, templates, their usage records and the action log stay in this server's SQLite file; each server that shares the PostgreSQL store keeps its own",
    );
  }
  printLine(
    `sandstack serve listening on ${server.url} (state in ${stateDir}${store?.startsWith('postgres') === true ? '; workflows in PostgreSQL' : ''})`,
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      printLine(`${signal} received; stopping`);
      void server.close().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  printLine('Stopped');
  // A command still running in a claimed sandbox at shutdown can leave pipes open, and
  // they would keep the process alive. The sandbox itself stays claimed.
  process.exit(0);
}

/** Splits a comma-separated flag value, dropping blanks; startServer validates the entries. */
function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function parseSweepInterval(raw: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : raw;
  const ms = parseDuration(value, '--retention-sweep-interval');
  if (ms < 1000) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `--retention-sweep-interval "${raw}" is too short; use at least 1 second`,
    );
  }
  return ms;
}

function parseInteger(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `${option} "${raw}" is invalid; use a whole number from ${min} to ${max}`,
    );
  }
  return value;
}
