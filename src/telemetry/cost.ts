/**
 * Cost of metered sandbox usage under price models. Usage comes from cgroup accounting
 * (CPU-seconds) and from each sandbox's claim time and template limits (provisioned vCPU-
 * and GiB-seconds), so one workload can be priced as each kind of provider would bill it.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SandstackError } from '../core/errors.js';

/** Metered usage of one sandbox, from claim to release (or to now while it runs). */
export interface SandboxUsageItem {
  sandboxId: string;
  tenant: string;
  runId: string | null;
  template: string;
  /** CPU time the sandbox's processes used, from cgroup accounting. */
  cpuSeconds: number;
  /** Time from claim to release. */
  wallSeconds: number;
  /** CPU cores the template allows. */
  vcpus: number;
  /** Memory limit of the template, in bytes. */
  memoryBytes: number;
}

/**
 * Prices of one billing model, in US dollars. A provider bills some of the three quantities;
 * the others are 0.
 */
export interface PriceModel {
  name: string;
  description: string;
  /** Source of the prices (a URL or file), so readers can check them. */
  source: string;
  /** Per second of CPU time actually used ("active CPU"). */
  perCpuSecond: number;
  /** Per second of each allocated vCPU while the sandbox exists. */
  perVcpuSecond: number;
  /** Per second of each allocated GiB of memory while the sandbox exists. */
  perGibSecond: number;
}

const GIB = 2 ** 30;
const GB_PER_GIB = GIB / 1e9;

/**
 * Public list prices, as published on the pages named in `source` (read December 2026).
 * Providers change prices; pass a prices file to `sandstack cost` for current or negotiated
 * ones.
 */
export const LIST_PRICES: readonly PriceModel[] = [
  {
    name: 'active-cpu',
    description: 'active CPU time plus provisioned memory (Vercel Sandbox, Pro plan)',
    source: 'https://vercel.com/docs/vercel-sandbox/pricing',
    // $0.128 per active CPU-hour and $0.0106 per provisioned GB-hour.
    perCpuSecond: 0.128 / 3600,
    perVcpuSecond: 0,
    perGibSecond: (0.0106 * GB_PER_GIB) / 3600,
  },
  {
    name: 'session',
    description: 'allocated vCPU and memory per second while running (E2B, usage-based)',
    source: 'https://e2b.dev/docs/faq/calculate-sandbox-price',
    // $0.000014 per vCPU-second and $0.0000045 per GiB-second.
    perCpuSecond: 0,
    perVcpuSecond: 0.000014,
    perGibSecond: 0.0000045,
  },
];

const priceFileSchema = z
  .object({
    models: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and -'),
            description: z.string().default(''),
            source: z.string().default('prices file'),
            perCpuSecond: z.number().nonnegative().default(0),
            perVcpuSecond: z.number().nonnegative().default(0),
            perGibSecond: z.number().nonnegative().default(0),
          })
          .strict(),
      )
      .min(1, 'list at least one model'),
  })
  .strict();

/**
 * Reads price models from a YAML or JSON file of the form
 * `models: [{name, perCpuSecond, perVcpuSecond, perGibSecond}]`.
 * @throws SandstackError `INVALID_CONFIG` naming the file and the field
 */
export function loadPriceModels(path: string): PriceModel[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new SandstackError('FILE_NOT_FOUND', `Prices file "${path}" not found; check the path`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Prices file "${path}" is not valid YAML or JSON: ${(error as Error).message}`,
    );
  }
  const parsed = priceFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`,
    );
    throw new SandstackError(
      'INVALID_CONFIG',
      `Prices file "${path}" is invalid: ${issues.join('; ')}. Expected models: [{name, perCpuSecond, perVcpuSecond, perGibSecond}] in US dollars`,
    );
  }
  return parsed.data.models;
}

/** Usage summed over a group of sandboxes, with its price under each model. */
export interface CostLine {
  /** The tenant, run or sandbox id the line sums, or "total". */
  key: string;
  sandboxes: number;
  cpuSeconds: number;
  vcpuSeconds: number;
  gibSeconds: number;
  /** Price in US dollars, by model name. */
  cost: Record<string, number>;
}

/** Grouping of sandboxes into lines of {@link summarizeCost}. */
export type CostGrouping = 'tenant' | 'run' | 'sandbox';

/** Sums usage per group and prices each group under every model; the last line is the total. */
export function summarizeCost(
  items: readonly SandboxUsageItem[],
  models: readonly PriceModel[],
  groupBy: CostGrouping,
): CostLine[] {
  const groups = new Map<string, SandboxUsageItem[]>();
  for (const item of items) {
    const key =
      groupBy === 'tenant'
        ? item.tenant
        : groupBy === 'run'
          ? (item.runId ?? `(no run) ${item.sandboxId}`)
          : item.sandboxId;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const lines = [...groups.entries()].map(([key, group]) => priceGroup(key, group, models));
  lines.sort((a, b) => a.key.localeCompare(b.key));
  lines.push(priceGroup('total', items, models));
  return lines;
}

function priceGroup(
  key: string,
  items: readonly SandboxUsageItem[],
  models: readonly PriceModel[],
): CostLine {
  let cpuSeconds = 0;
  let vcpuSeconds = 0;
  let gibSeconds = 0;
  for (const item of items) {
    cpuSeconds += item.cpuSeconds;
    vcpuSeconds += item.vcpus * item.wallSeconds;
    gibSeconds += (item.memoryBytes / GIB) * item.wallSeconds;
  }
  const totals = { cpuSeconds, vcpuSeconds, gibSeconds };
  return { key, sandboxes: items.length, ...totals, cost: priceUsage(totals, models) };
}

/** Prices summed usage under each model; returns US dollars by model name. */
export function priceUsage(
  usage: Pick<CostLine, 'cpuSeconds' | 'vcpuSeconds' | 'gibSeconds'>,
  models: readonly PriceModel[],
): Record<string, number> {
  const cost: Record<string, number> = {};
  for (const model of models) {
    cost[model.name] =
      usage.cpuSeconds * model.perCpuSecond +
      usage.vcpuSeconds * model.perVcpuSecond +
      usage.gibSeconds * model.perGibSecond;
  }
  return cost;
}
