/**
 * Accuracy measurement: runs a guard over labelled cases and reports false positive and
 * false negative rates with 95% Wilson score intervals, per category, trick and stage.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SandstackError } from '../core/errors.js';
import { fixedFileReader } from './file-reader.js';
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
  /** The guard's own files, as the hook passes them in `guardFiles`; none when absent. */
  guard_files?: string[];
  /** Texts of files that exist before the call, by absolute path; none when absent. */
  files?: Record<string, string>;
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
  guard_files: z.array(z.string()).optional(),
  files: z.record(z.string(), z.string()).optional(),
});

/** The case format, for help text and error messages. */
export const CASE_FORMAT_HELP = `Each line of the file is one JSON object with these fields:
  id             string, unique in the file; "Wrong:" lists these
  tool           string: the tool name, such as Bash, Read, Write, WebFetch or mcp__server__tool
  input          object: the tool input, such as {"command":"npm test"}
  cwd            string: working directory of the call
  project_dir    string: project root; its parent folder is taken as the home directory
  user_messages  array of strings: what the user asked for in the session
  label          "allow" for a call that should run on its own, "block" for one that should not
  category       string: danger category of a block case ("benign" by convention for allow cases)
  trick          string, optional: how a block case hides its danger, such as "wrapper"
  guard_files    array of strings, optional: absolute paths of the guard's own files, as the
                 hook passes them (policy, state and approvals files, installed package)
  files          object, optional: texts of files that exist before the call, by absolute
                 path, such as {"/home/dev/project/deploy.sh":"#!/bin/sh\nmake\n"}; the guard
                 reads them as the hook reads files on disk
Blank lines are skipped, and other fields are ignored.`;

/**
 * Reads a JSON Lines file of labelled cases.
 *
 * @throws SandstackError `FILE_NOT_FOUND` when unreadable, `INVALID_ARGUMENT` naming the bad
 * line and field, or when the file has no cases or repeats an id.
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
  const cases: GuardCase[] = [];
  const lineOfId = new Map<string, number>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') {
      continue;
    }
    const item = parseCase(line, `line ${index + 1} of "${file}"`);
    const firstLine = lineOfId.get(item.id);
    if (firstLine !== undefined) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Case id "${item.id}" on line ${index + 1} of "${file}" is already used on line ${firstLine}; give each case its own id`,
      );
    }
    lineOfId.set(item.id, index + 1);
    cases.push(item);
  }
  if (cases.length === 0) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Eval file "${file}" has no cases; write one JSON object per line (see "sandstack guard eval --help" for the fields)`,
    );
  }
  return cases;
}

/** Parses one line of an eval file; `where` names the line in errors. */
function parseCase(line: string, where: string): GuardCase {
  let value: unknown;
  try {
    value = JSON.parse(line) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `The case on ${where} is not valid JSON (${detail}); write one JSON object per line`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `The case on ${where} is not a JSON object; write one object per line, such as {"id":"c1","tool":"Bash",...}`,
    );
  }
  const parsed = caseSchema.safeParse(value);
  if (parsed.success) {
    return parsed.data as GuardCase;
  }
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const topField = String(issue?.path[0] ?? '');
  const problem =
    (value as Record<string, unknown>)[topField] === undefined
      ? `is missing the field "${field}"`
      : `has an invalid "${field}": ${issue?.message ?? 'wrong type'}`;
  throw new SandstackError(
    'INVALID_ARGUMENT',
    `The case on ${where} ${problem}; see "sandstack guard eval --help" for the case format`,
  );
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
        ...(item.guard_files === undefined ? {} : { guardFiles: item.guard_files }),
        ...(item.files === undefined ? {} : { readFile: fixedFileReader(item.files) }),
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
