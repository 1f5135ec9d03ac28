import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../../core/store.js';
import { createMetricsRegistry } from '../../telemetry/metrics.js';
import { printLine } from '../output.js';
import { openRemote } from '../remote.js';

/** Registers `sandstack metrics`. */
export function register(program: Command): void {
  program
    .command('metrics')
    .description(
      'Print Prometheus metrics of the state folder (pools, claims, guard decisions, instances, usage), for example for a node_exporter textfile collector; with a server, its metrics (admin token)',
    )
    .action(async (_options: unknown, command: Command) => {
      const remote = openRemote(command);
      if (remote !== undefined) {
        printLine((await remote.call((client) => client.metrics())).trimEnd());
        return;
      }
      const { stateDir } = command.optsWithGlobals<{ stateDir: string }>();
      const db = openDatabase(join(resolve(stateDir), 'state.db'));
      try {
        printLine((await createMetricsRegistry(db).metrics()).trimEnd());
      } finally {
        db.close();
      }
    });
}
