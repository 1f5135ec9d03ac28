import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { readCall } from './mcp-resources.js';

const CONTEXT = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
  userMessages: ['Summarise the docs.'],
};

describe('readCall', () => {
  it('maps a file URI to a Read', () => {
    expect(readCall('docs', 'file:///home/dev/.ssh/id_rsa')).toEqual({
      tool: 'Read',
      input: { file_path: '/home/dev/.ssh/id_rsa' },
    });
  });

  it('maps other URIs to an MCP read', () => {
    expect(readCall('docs', 'demo://notes')).toEqual({
      tool: 'mcp__docs__read_resource',
      input: { uri: 'demo://notes' },
    });
  });

  it('rejects a file URI with a host', () => {
    expect(() => readCall('docs', 'file://server/share/x')).toThrow(/not a valid local file URI/);
  });

  it.each([
    ['file:///home/dev/.ssh/id_rsa', 'deny'],
    ['file:///home/dev/.aws/credentials', 'deny'],
    ['file:///home/dev/project/README.md', 'allow'],
    ['demo://notes', 'allow'],
  ])('decides %s as %s', async (uri, verdict) => {
    const decision = await createGuard().decide(readCall('docs', uri), CONTEXT);
    expect(decision.verdict).toBe(verdict);
  });
});
