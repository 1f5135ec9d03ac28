import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommands, CONTEXT } from '../../bench/guard.js';
import { setGateAudit } from '../../src/guard/check-gates.js';
import { loadCases, type GuardCase } from '../../src/guard/eval.js';
import { createGuard } from '../../src/guard/guard.js';
import type { GuardContext } from '../../src/guard/types.js';

const FIXTURE_DIR = path.resolve(import.meta.dirname, '../fixtures/guard');
const LABELLED_SETS = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith('.jsonl'))
  .sort();

/** A gated check that its gate skipped, yet that finds something when run. */
interface WrongSkip {
  id: string;
  check: string;
  rule: string;
}

/** Audited skips of the current decision, and how many skips each check had over the file. */
let current: { id: string; wrong: WrongSkip[] } = { id: '', wrong: [] };
const skipsByCheck = new Map<string, number>();

/** Returns the home folder of a case: the eval set puts the project at `<home>/project`. */
function homeOf(projectDir: string): string {
  const parent = projectDir.replace(/\/[^/]+\/?$/, '');
  return parent === '' ? '/root' : parent;
}

function contextOf(item: GuardCase): GuardContext {
  return {
    cwd: item.cwd,
    projectDir: item.project_dir,
    userMessages: item.user_messages,
    homeDir: homeOf(item.project_dir),
    ...(item.guard_files === undefined ? {} : { guardFiles: item.guard_files }),
  };
}

/** Decides every call with the audit on and returns the skips whose check found something. */
async function wrongSkips(
  calls: readonly { id: string; tool: string; input: Record<string, unknown> }[],
  contextFor: (index: number) => GuardContext,
): Promise<WrongSkip[]> {
  const wrong: WrongSkip[] = [];
  for (const [index, call] of calls.entries()) {
    current = { id: call.id, wrong };
    // A guard per call, so no backstop state carries over between unrelated calls.
    await createGuard().decide({ tool: call.tool, input: call.input }, contextFor(index));
  }
  return wrong;
}

describe('stage-1 check gates', () => {
  beforeAll(() => {
    setGateAudit((check, finding) => {
      skipsByCheck.set(check, (skipsByCheck.get(check) ?? 0) + 1);
      if (finding !== undefined) {
        current.wrong.push({ id: current.id, check, rule: finding.rule });
      }
    });
  });
  afterAll(() => {
    setGateAudit(undefined);
  });

  it.each(LABELLED_SETS)('skip nothing a check finds in %s', { timeout: 120_000 }, async (file) => {
    const cases = loadCases(path.join(FIXTURE_DIR, file));
    const wrong = await wrongSkips(cases, (index) => contextOf(cases[index] as GuardCase));
    expect(wrong).toEqual([]);
  });

  it('skip nothing a check finds in benchmark commands', { timeout: 120_000 }, async () => {
    const calls = buildCommands(4096).map((command, index) => ({
      id: `bench-${index}`,
      tool: 'Bash',
      input: { command },
    }));
    const wrong = await wrongSkips(calls, () => CONTEXT);
    expect(wrong).toEqual([]);
  });

  it('audit ran gated checks', () => {
    // Each check the audit ran was skipped on many lines, so the sets above exercised its gate.
    expect([...skipsByCheck.values()].every((count) => count > 100)).toBe(true);
    expect(skipsByCheck.size).toBeGreaterThan(0);
  });
});
