/**
 * Accuracy measurement: runs a guard over labelled cases and reports false positive and
 * false negative rates with 95% Wilson score intervals, per category, trick and stage.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SandstackError } from '../core/errors.js';
import type { Decision, Guard } from './types.js';

/** One labelled case, in the eval set's JSON Lines format. */
export interface GuardCase {
  id: string;
  tool: string;
  input: Record<string, unknown>;
  cwd: string;
  project_dir: string;
  user_messages: string[];
  label: 'allow' | 'block';
  category: string;
  trick?: string;
}

/** A rate with its count and 95% Wilson interval. */
export interface Rate {
  errors: number;
  total: number;
  rate: number;
  low: number;
  high: number;
}

/** Result of {@link evaluateGuard}. */
export interface EvalReport {
  benign: number;
  dangerous: number;
  fpr: Rate;
  fnr: Rate;
  /** FNR per danger category. */
  byCategory: Record<string, Rate>;
  /** FNR per trick tag. */
  byTrick: Record<string, Rate>;
  /** Decisions and errors per deciding stage: how many calls each stage decided, and how many wrongly. */
  byStage: Record<string, { decided: number; falsePositives: number; falseNegatives: number }>;
  /** Rows are labels, columns are verdicts. */
  confusion: Record<'allow' | 'block', Record<'allow' | 'deny' | 'ask' | 'error', number>>;
  /** Ids of the cases the guard got wrong. */
  wrong: string[];
}

const caseSchema = z.object({
  id: z.string(),
  tool: z.string(),
  input: z.record(z.string(), z.unknown()),
  cwd: z.string(),
  project_dir: z.string(),
  user_messages: z.array(z.string()),
  label: z.enum(['allow', 'block']),
  category: z.string(),
  trick: z.string().optional(),
});

/**
 * Reads a JSON Lines file of labelled cases.
 *
 * @throws SandstackError `FILE_NOT_FOUND` when unreadable, `INVALID_ARGUMENT` naming the bad line.
 */
export function loadCases(file: string): GuardCase[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Eval file "${file}" could not be read; check the path`,
      { cause: error },
    );
  }
  return text
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, index }) => {
      const parsed = caseSchema.safeParse(safeJson(line));
      if (!parsed.success) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Invalid case on line ${index + 1} of "${file}": ${parsed.error.issues[0]?.message ?? 'bad shape'}`,
        );
      }
      return parsed.data as GuardCase;
    });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** Returns the 95% Wilson score interval for `errors` out of `total`. */
export function wilson(errors: number, total: number): Rate {
  if (total === 0) {
    return { errors, total, rate: 0, low: 0, high: 0 };
  }
  const z95 = 1.959964;
  const p = errors / total;
  const denominator = 1 + (z95 * z95) / total;
  const centre = (p + (z95 * z95) / (2 * total)) / denominator;
  const margin =
    (z95 * Math.sqrt((p * (1 - p)) / total + (z95 * z95) / (4 * total * total))) / denominator;
  return {
    errors,
    total,
    rate: p,
    low: Math.max(0, centre - margin),
    high: Math.min(1, centre + margin),
  };
}

/**
 * Runs `guard` once per case and scores it. Only `allow` counts as allowed; deny, ask and
 * a thrown error count as not allowed.
 *
 * @example
 * const report = await evaluateGuard(loadCases('dev.jsonl'), createGuard());
 * report.fnr.rate;
 */
export async function evaluateGuard(
  cases: readonly GuardCase[],
  guard: Guard | (() => Guard),
): Promise<EvalReport> {
  const report: EvalReport = {
    benign: 0,
    dangerous: 0,
    fpr: wilson(0, 0),
    fnr: wilson(0, 0),
    byCategory: {},
    byTrick: {},
    byStage: {},
    confusion: {
      allow: { allow: 0, deny: 0, ask: 0, error: 0 },
      block: { allow: 0, deny: 0, ask: 0, error: 0 },
    },
    wrong: [],
  };
  const categoryCounts: Record<string, [number, number]> = {};
  const trickCounts: Record<string, [number, number]> = {};
  let falsePositives = 0;
  let falseNegatives = 0;

  for (const item of cases) {
    // A fresh guard per case keeps the backstop from carrying denials between unrelated cases.
    const instance = typeof guard === 'function' ? guard() : guard;
    const decision = await decideSafely(instance, item);
    const verdict = decision?.verdict ?? 'error';
    const allowed = verdict === 'allow';
    const wrong = item.label === 'allow' ? !allowed : allowed;
    report.confusion[item.label][verdict] += 1;

    const stage = decision?.stage ?? 'error';
    const stageRow = (report.byStage[stage] ??= {
      decided: 0,
      falsePositives: 0,
      falseNegatives: 0,
    });
    stageRow.decided += 1;

    if (item.label === 'allow') {
      report.benign += 1;
      falsePositives += wrong ? 1 : 0;
      stageRow.falsePositives += wrong ? 1 : 0;
    } else {
      report.dangerous += 1;
      falseNegatives += wrong ? 1 : 0;
      stageRow.falseNegatives += wrong ? 1 : 0;
      count(categoryCounts, item.category, wrong);
      if (item.trick !== undefined) {
        count(trickCounts, item.trick, wrong);
      }
    }
    if (wrong) {
      report.wrong.push(item.id);
    }
  }
  report.fpr = wilson(falsePositives, report.benign);
  report.fnr = wilson(falseNegatives, report.dangerous);
  report.byCategory = toRates(categoryCounts);
  report.byTrick = toRates(trickCounts);
  return report;
}

async function decideSafely(guard: Guard, item: GuardCase): Promise<Decision | undefined> {
  try {
    return await guard.decide(
      { tool: item.tool, input: item.input },
      {
        cwd: item.cwd,
        projectDir: item.project_dir,
        userMessages: item.user_messages,
        homeDir: homeOf(item.project_dir),
      },
    );
  } catch {
    return undefined;
  }
}

/** The eval set puts the project at `<home>/project`; the home is its parent. */
function homeOf(projectDir: string): string {
  const parent = projectDir.replace(/\/[^/]+\/?$/, '');
  return parent === '' ? '/root' : parent;
}

function count(table: Record<string, [number, number]>, key: string, wrong: boolean): void {
  const row = (table[key] ??= [0, 0]);
  row[0] += wrong ? 1 : 0;
  row[1] += 1;
}

function toRates(table: Record<string, [number, number]>): Record<string, Rate> {
  return Object.fromEntries(
    Object.entries(table).map(([key, [errors, total]]) => [key, wilson(errors, total)]),
  );
}
