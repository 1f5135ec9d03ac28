import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { sandboxUsageItems } from '../../server/sandbox-usage.js';
import {
  LIST_PRICES,
  loadPriceModels,
  priceUsage,
  summarizeCost,
  type CostGrouping,
  type CostLine,
  type PriceModel,
} from '../../telemetry/cost.js';
import { printJson, printLine } from '../output.js';
import { openRemote } from '../remote.js';
import { openSandboxContext } from './sandbox-context.js';

interface CostOptions {
  tenant?: string;
  run?: string;
  by: string;
  prices?: string;
  json?: boolean;
}

const GROUPINGS: readonly CostGrouping[] = ['tenant', 'run', 'sandbox'];

/** Registers `sandstack cost`. */
export function register(program: Command): void {
  program
    .command('cost')
    .description(
      'Show metered sandbox usage (CPU-seconds, vCPU-seconds, GiB-seconds) and what it costs under each price model',
    )
    .option('--tenant <id>', 'only this tenant')
    .option('--run <id>', 'only this run (workflow instance id)')
    .option('--by <group>', `group lines by ${GROUPINGS.join(', ')}`, 'tenant')
    .option(
      '--prices <file>',
      'YAML or JSON price models to use instead of the built-in list prices',
    )
    .option('--json', 'print the lines and price models as JSON')
    .action(async (options: CostOptions, command: Command) => {
      const groupBy = options.by as CostGrouping;
      if (!GROUPINGS.includes(groupBy)) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `--by "${options.by}" is not a grouping; use one of ${GROUPINGS.join(', ')}`,
        );
      }
      const models =
        options.prices === undefined ? [...LIST_PRICES] : loadPriceModels(options.prices);
      const lines = await costLines(command, options, groupBy, models);
      if (options.json === true) {
        printJson({ groupBy, models, lines });
        return;
      }
      printCostTable(lines, models, groupBy);
    });
}

/**
 * Sums and prices usage from the state folder, or requests the server's report and prices
 * its usage again under `models`. A tenant token gets only its own tenant's lines.
 */
async function costLines(
  command: Command,
  options: CostOptions,
  groupBy: CostGrouping,
  models: readonly PriceModel[],
): Promise<CostLine[]> {
  const filter = {
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    ...(options.run === undefined ? {} : { run: options.run }),
  };
  const remote = openRemote(command);
  if (remote !== undefined) {
    const report = await remote.call((client) => client.cost({ by: groupBy, ...filter }));
    return report.lines.map((line) => ({ ...line, cost: priceUsage(line, models) }));
  }
  const { db, controller } = openSandboxContext(command);
  try {
    return summarizeCost(sandboxUsageItems(controller, filter), models, groupBy);
  } finally {
    db.close();
  }
}

function printCostTable(
  lines: ReturnType<typeof summarizeCost>,
  models: readonly PriceModel[],
  groupBy: CostGrouping,
): void {
  if (lines.length === 1) {
    printLine('No claimed sandboxes match; run `sandstack run` first or change --tenant / --run');
    return;
  }
  const header = [
    groupBy.padEnd(28),
    'sandboxes'.padStart(9),
    'CPU-s'.padStart(10),
    'vCPU-s'.padStart(10),
    'GiB-s'.padStart(10),
    ...models.map((model) => `$ ${model.name}`.padStart(16)),
  ];
  printLine(header.join('  '));
  for (const line of lines) {
    printLine(
      [
        line.key.padEnd(28),
        String(line.sandboxes).padStart(9),
        line.cpuSeconds.toFixed(2).padStart(10),
        line.vcpuSeconds.toFixed(1).padStart(10),
        line.gibSeconds.toFixed(1).padStart(10),
        ...models.map((model) => (line.cost[model.name] ?? 0).toFixed(6).padStart(16)),
      ].join('  '),
    );
  }
  printLine('');
  for (const model of models) {
    printLine(`${model.name}: ${model.description} (${model.source})`);
  }
}
