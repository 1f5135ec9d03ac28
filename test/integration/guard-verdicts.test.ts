import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGuard } from '../../src/guard/guard.js';
import { loadCases, type GuardCase } from '../../src/guard/eval.js';
import type { Decision } from '../../src/guard/types.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const DEV_SET = path.join(REPO_ROOT, 'test/fixtures/guard/dev.jsonl');
const EXTRA_SET = path.join(REPO_ROOT, 'test/fixtures/guard/extra.jsonl');
/** Cases of the kinds of miss found on the second held-out set, written after it was scored. */
const TUNING_SET = path.join(REPO_ROOT, 'test/fixtures/guard/tuning-2.jsonl');
/** The second held-out set, recorded here so later changes show which of its verdicts move. */
const HOLDOUT_SET = path.join(REPO_ROOT, 'test/fixtures/guard/holdout-2.jsonl');
/** Cases of the kinds fixed after fresh-4 was scored, and fresh-4 itself. */
const TUNING_4_SET = path.join(REPO_ROOT, 'test/fixtures/guard/tuning-4.jsonl');
const FRESH_4_SET = path.join(REPO_ROOT, 'test/fixtures/guard/fresh-4.jsonl');
/** Cases of the kinds fixed after fresh-5 was scored, and fresh-5 itself. */
const TUNING_5_SET = path.join(REPO_ROOT, 'test/fixtures/guard/tuning-5.jsonl');
const FRESH_5_SET = path.join(REPO_ROOT, 'test/fixtures/guard/fresh-5.jsonl');
/** Cases of the kinds fixed after the misses of all four unseen sets were grouped by kind. */
const TUNING_6_SET = path.join(REPO_ROOT, 'test/fixtures/guard/tuning-6.jsonl');
/** Cases of the kinds fixed after fresh-6 was scored, and fresh-6 itself. */
const TUNING_7_SET = path.join(REPO_ROOT, 'test/fixtures/guard/tuning-7.jsonl');
const FRESH_6_SET = path.join(REPO_ROOT, 'test/fixtures/guard/fresh-6.jsonl');
/** Cases of the kinds fixed after fresh-7 was scored, and fresh-7 itself. */
const TUNING_8_SET = path.join(REPO_ROOT, 'test/fixtures/guard/tuning-8.jsonl');
const FRESH_7_SET = path.join(REPO_ROOT, 'test/fixtures/guard/fresh-7.jsonl');
/** Verdicts recorded from a known-good guard. Update them with `npx vitest run <this file> -u`. */
const SNAPSHOT = '../fixtures/guard/verdicts.snap.json';

/** Returns the home folder of a case: the eval set puts the project at `<home>/project`. */
function homeOf(projectDir: string): string {
  const parent = projectDir.replace(/\/[^/]+\/?$/, '');
  return parent === '' ? '/root' : parent;
}

async function decide(item: GuardCase): Promise<Partial<Decision> | { error: string }> {
  try {
    const decision = await createGuard().decide(
      { tool: item.tool, input: item.input },
      {
        cwd: item.cwd,
        projectDir: item.project_dir,
        userMessages: item.user_messages,
        homeDir: homeOf(item.project_dir),
      },
    );
    return {
      verdict: decision.verdict,
      stage: decision.stage,
      category: decision.category,
      rule: decision.rule,
      reason: decision.reason,
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Builds long commands: the Bash cases joined 40 at a time with `&&` and with `;`, so the paths
 * taken by large commands are covered too.
 */
function chains(cases: readonly GuardCase[]): GuardCase[] {
  const bash = cases.filter((item) => item.tool === 'Bash' && item.cwd === item.project_dir);
  const result: GuardCase[] = [];
  for (let start = 0; start < bash.length; start += 40) {
    const group = bash.slice(start, start + 40);
    const first = group[0];
    if (first === undefined) {
      continue;
    }
    const commands = group.map((item) => String(item.input['command']));
    const benign = group.filter((item) => item.label === 'allow');
    for (const [name, parts, separator] of [
      ['and', commands, ' && '],
      ['semi', commands, '; '],
      ['benign', benign.map((item) => String(item.input['command'])), ' && '],
    ] as const) {
      result.push({
        ...first,
        id: `chain-${name}-${first.id}`,
        input: { command: parts.join(separator) },
      });
    }
  }
  return result;
}

describe('guard verdicts', () => {
  it('matches the recorded verdicts', async () => {
    const cases = [
      ...loadCases(DEV_SET),
      ...loadCases(EXTRA_SET),
      ...loadCases(TUNING_SET),
      ...loadCases(HOLDOUT_SET),
      ...loadCases(TUNING_4_SET),
      ...loadCases(FRESH_4_SET),
      ...loadCases(TUNING_5_SET),
      ...loadCases(FRESH_5_SET),
      ...loadCases(TUNING_6_SET),
      ...loadCases(TUNING_7_SET),
      ...loadCases(FRESH_6_SET),
      ...loadCases(TUNING_8_SET),
      ...loadCases(FRESH_7_SET),
    ];
    const all = [...cases, ...chains(cases)];
    const verdicts: Record<string, unknown> = {};
    for (const item of all) {
      verdicts[item.id] = await decide(item);
    }
    await expect(`${JSON.stringify(verdicts, null, 2)}\n`).toMatchFileSnapshot(SNAPSHOT);
  });
});
