import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { renderTraceTree } from '../../telemetry/trace-tree.js';
import { printJson, printLine } from '../output.js';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../core/store.js';
import { sqliteClient } from '../../core/sql.js';
import { runTraceKey, SpanStore, type StoredSpan } from '../../telemetry/span-store.js';
import { openRemote, rejectLocalOptions } from '../remote.js';
import { TOKEN_PICKS_TENANT } from './workflow.js';

/**
 * Finds the trace of an instance id (of one tenant, or of the only tenant that used it), or
 * takes `id` as a trace id.
 */
async function findTraceId(
  store: SpanStore,
  id: string,
  tenant: string | undefined,
): Promise<string> {
  if (tenant !== undefined) {
    return (await store.traceIdOf(runTraceKey(tenant, id))) ?? (await store.traceIdOf(id)) ?? id;
  }
  const found = await store.findRunTraces(id);
  if (found.length > 1) {
    const tenants = found.map((entry) => entry.key.split('/')[0]).join(', ');
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Instance id "${id}" was used by several tenants (${tenants}); pass --tenant`,
    );
  }
  return found[0]?.traceId ?? id;
}

/** Registers `sandstack trace`. */
export function register(program: Command): void {
  program
    .command('trace')
    .description(
      "Print a run's trace as a tree of spans (run → step → guard decision → sandbox exec)",
    )
    .argument('<id>', 'instance id or trace id')
    .option('--tenant <id>', 'tenant of the instance, when several tenants used the same id')
    .option('--json', 'print the spans as JSON')
    .action(async (id: string, options: { json?: boolean; tenant?: string }, command: Command) => {
      const { traceId, spans } = await readTrace(command, id, options.tenant);
      if (spans.length === 0) {
        throw new SandstackError(
          'NOT_FOUND',
          `No trace found for "${id}"; pass an instance id printed by \`sandstack run\` or a trace id`,
        );
      }
      if (options.json === true) {
        printJson({ traceId, spans });
        return;
      }
      printLine(`trace ${traceId}`);
      for (const line of renderTraceTree(spans)) {
        printLine(`  ${line}`);
      }
    });
}

/** Reads a trace from the state folder, or from the server by instance id when one is set. */
async function readTrace(
  command: Command,
  id: string,
  tenant: string | undefined,
): Promise<{ traceId: string; spans: StoredSpan[] }> {
  const remote = openRemote(command);
  if (remote !== undefined) {
    rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
    const trace = await remote.call((client) => client.instances.trace(id));
    const spans = trace.spans.map((span) => ({
      ...span,
      parentSpanId: span.parentSpanId ?? undefined,
      statusMessage: span.statusMessage ?? undefined,
    }));
    return { traceId: trace.traceId ?? id, spans };
  }
  const { stateDir } = command.optsWithGlobals<{ stateDir: string }>();
  const db = openDatabase(join(resolve(stateDir), 'state.db'));
  try {
    const store = await SpanStore.open(sqliteClient(db));
    const traceId = await findTraceId(store, id, tenant);
    return { traceId, spans: await store.getTrace(traceId) };
  } finally {
    db.close();
  }
}
