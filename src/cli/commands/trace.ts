import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { renderTraceTree } from '../../telemetry/trace-tree.js';
import { printJson, printLine } from '../output.js';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../core/store.js';
import { SqliteSpanStore } from '../../telemetry/span-store.js';

/** Registers `sandstack trace`. */
export function register(program: Command): void {
  program
    .command('trace')
    .description(
      "Print a run's trace as a tree of spans (run → step → guard decision → sandbox exec)",
    )
    .argument('<id>', 'instance id or trace id')
    .option('--json', 'print the spans as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { stateDir } = command.optsWithGlobals<{ stateDir: string }>();
      const db = openDatabase(join(resolve(stateDir), 'state.db'));
      try {
        const store = new SqliteSpanStore(db);
        const traceId = store.traceIdOf(id) ?? id;
        const spans = store.getTrace(traceId);
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
      } finally {
        db.close();
      }
    });
}
