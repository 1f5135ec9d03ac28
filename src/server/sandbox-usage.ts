/**
 * Metered usage of claimed sandboxes, in the shape the cost report prices. Shared by
 * `sandstack cost` and the server's cost route.
 */
import { readCgroupUsage } from '../sandbox/cgroup.js';
import type { SandboxController } from '../sandbox/controller.js';
import type { SandboxTemplate } from '../sandbox/types.js';
import type { SandboxUsageItem } from '../telemetry/cost.js';

/** Filter of {@link sandboxUsageItems}. */
export interface SandboxUsageFilter {
  tenant?: string;
  /** Workflow instance id. */
  run?: string;
}

/** Returns the usage of every sandbox that was ever claimed, matching the filter. */
export function sandboxUsageItems(
  controller: SandboxController,
  filter: SandboxUsageFilter = {},
): SandboxUsageItem[] {
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
    ...(filter.tenant === undefined ? {} : { tenant: filter.tenant }),
    ...(filter.run === undefined ? {} : { runId: filter.run }),
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
