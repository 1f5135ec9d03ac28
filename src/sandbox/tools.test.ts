import { describe, expect, it } from 'vitest';
import { numberLines, runTool } from './tools.js';
import type { SandboxInstance } from './types.js';

describe('numberLines', () => {
  it('numbers lines like cat -n', () => {
    expect(numberLines('a\nb\n', 1, 10)).toBe('     1\ta\n     2\tb');
  });

  it('starts at the offset and stops at the limit', () => {
    expect(numberLines('a\nb\nc\nd', 2, 2)).toBe('     2\tb\n     3\tc');
  });
});

describe('runTool input checks', () => {
  const sandbox = {} as SandboxInstance;

  it('rejects an unknown tool by name', async () => {
    const result = await runTool(sandbox, { tool: 'Fly', input: {} }, { workdir: '/workspace' });
    expect(result.ok).toBe(false);
    expect(result.error).toContain('"Fly"');
  });

  it('rejects a Read without file_path', async () => {
    const result = await runTool(sandbox, { tool: 'Read', input: {} }, { workdir: '/workspace' });
    expect(result.ok).toBe(false);
    expect(result.error).toContain('file_path');
  });
});
