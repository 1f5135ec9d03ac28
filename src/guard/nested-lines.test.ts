import { describe, expect, it } from 'vitest';
import { bashVerdict } from '../../test/helpers/guard.js';
import { parseNestedLines, type NestedParse, type NestedParses } from './nested-lines.js';
import { parseShell, type ParsedShell } from './shell.js';

/** Parses `text` as a nested line and counts the parses in `counts`. */
function countingParse(counts: Map<string, number>): (text: string) => Promise<NestedParse> {
  return async (text) => {
    counts.set(text, (counts.get(text) ?? 0) + 1);
    return { shell: await parseShell(text) };
  };
}

/** Returns a parsed line that records `scripts` as its nested texts. */
async function withScripts(scripts: string[]): Promise<ParsedShell> {
  const parsed = await parseShell('true');
  parsed.nestedScripts = scripts;
  return parsed;
}

describe('parseNestedLines', () => {
  it('reuses a text parsed at another depth', async () => {
    const counts = new Map<string, number>();
    const parses: NestedParses = new Map();
    const outer = await withScripts(['ls -la']);
    const inner = await withScripts(['ls -la']);
    await parseNestedLines(outer, 0, parses, countingParse(counts));
    await parseNestedLines(inner, 1, parses, countingParse(counts));
    expect(counts.get('ls -la')).toBe(1);
    expect(inner.nestedLines?.[0]?.parsed).toBe(outer.nestedLines?.[0]?.parsed);
  });

  it('parses again a text with nested texts at another depth', async () => {
    const counts = new Map<string, number>();
    const parses: NestedParses = new Map();
    const text = `bash -c 'rm -rf build'`;
    await parseNestedLines(await withScripts([text]), 0, parses, countingParse(counts));
    await parseNestedLines(await withScripts([text]), 1, parses, countingParse(counts));
    expect(counts.get(text)).toBe(2);
  });

  it('stops at the maximum depth', async () => {
    const counts = new Map<string, number>();
    const line = await withScripts(['ls']);
    await parseNestedLines(line, 3, new Map(), countingParse(counts));
    expect(counts.size).toBe(0);
    expect(line.nestedLines).toBeUndefined();
  });
});

describe('nested lines shared between depths', () => {
  it('denies a delete nested at two depths', async () => {
    const command = `bash -c "timeout 10 python3 -c 'import os; os.system(\\"rm -rf ~\\")'"`;
    expect(await bashVerdict(command, 'Run the tests.')).toBe('deny');
  });

  it('allows a listing nested at two depths', async () => {
    const command = `bash -c "timeout 10 python3 -c 'import os; os.system(\\"ls\\")'"`;
    expect(await bashVerdict(command, 'Run the tests.')).toBe('allow');
  });
});
