import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { readCgroupUsage } from '../../sandbox/cgroup.js';
import type { SandboxController } from '../../sandbox/controller.js';
import type { SandboxTemplate } from '../../sandbox/types.js';
import {
  LIST_PRICES,
  loadPriceModels,
  summarizeCost,
  type CostGrouping,
  type PriceModel,
  type SandboxUsageItem,
} from '../../telemetry/cost.js';
import { printJson, printLine } from '../output.js';
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
      const { db, controller } = openSandboxContext(command);
      try {
        const items = usageItems(controller, options);
        const lines = summarizeCost(items, models, groupBy);
        if (options.json === true) {
          printJson({ groupBy, models, lines });
          return;
        }
        printCostTable(lines, models, groupBy);
      } finally {
        db.close();
      }
    });
}

/** Usage of every sandbox that was ever claimed, matching the filters. */
function usageItems(controller: SandboxController, options: CostOptions): SandboxUsageItem[] {
  const templates = new Map<string, SandboxTemplate | undefined>();
  const templateOf = (name: string): SandboxTemplate | undefined => {
    if (!templates.has(name)) {
      try {
        templates.set(name, controller.getTemplate(name));
      } catch {
        templates.set(name, undefined);
      }
    }
    return templates.get(name);
  };
  const now = Date.now();
  const records = controller.list({
    ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
    ...(options.run === undefined ? {} : { runId: options.run }),
    includeReleased: true,
  });
  const items: SandboxUsageItem[] = [];
  for (const record of records) {
    if (record.claimedAt === null || record.tenant === null) {
      continue;
    }
    // NOTE: limits come from the template as it is now; a template changed since the claim
    // prices old sandboxes at the new limits. A deleted template counts as 1 vCPU and 512 MiB.
    const resources = templateOf(record.template)?.resources;
    const cpuSeconds =
      record.usage?.cpuSeconds ?? (record.releasedAt === null ? liveCpuSeconds(record.id) : 0);
    items.push({
      sandboxId: record.id,
      tenant: record.tenant,
      runId: record.runId,
      template: record.template,
      cpuSeconds,
      wallSeconds: Math.max(0, ((record.releasedAt ?? now) - record.claimedAt) / 1000),
      vcpus: resources?.cpu ?? 1,
      memoryBytes: resources?.memoryBytes ?? 512 * 2 ** 20,
    });
  }
  return items;
}

function liveCpuSeconds(sandboxId: string): number {
  try {
    return readCgroupUsage(sandboxId).cpuSeconds;
  } catch {
    return 0;
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
