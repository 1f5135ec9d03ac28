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

  it('decodes percent-encoded URIs fully', () => {
    expect(readCall('docs', 'repo://%252Fhome%252Fdev%2F.ssh%2Fid_rsa')).toEqual({
      tool: 'mcp__docs__read_resource',
      input: { uri: 'repo:///home/dev/.ssh/id_rsa' },
    });
    expect(readCall('docs', 'file:///home/dev/%252essh/id_rsa')).toEqual({
      tool: 'Read',
      input: { file_path: '/home/dev/.ssh/id_rsa' },
    });
  });

  it.each(['demo://%zz', 'demo://a%25', 'file:///home/%E0%A4%A'])(
    'rejects invalid encoding %s',
    (uri) => {
      expect(() => readCall('docs', uri)).toThrow(/invalid percent-encoding/);
    },
  );

  it.each([
    ['repo://%2Fhome%2Fdev%2F.ssh%2Fid_rsa', 'deny'],
    ['blob:%2Fhome%2Fdev%2F.aws%2Fcredentials', 'deny'],
    ['file:///home/dev/.ssh/id_rsa', 'deny'],
    ['file:///home/dev/.aws/credentials', 'deny'],
    ['file:///home/dev/project/README.md', 'allow'],
    ['demo://notes', 'allow'],
  ])('decides %s as %s', async (uri, verdict) => {
    const decision = await createGuard().decide(readCall('docs', uri), CONTEXT);
    expect(decision.verdict).toBe(verdict);
  });
});

describe('MCP tool arguments', () => {
  it('decodes a percent-encoded uri argument', async () => {
    const call = {
      tool: 'mcp__docs__get_document',
      input: { uri: 'repo://%2Fhome%2Fdev%2F.ssh%2Fid_rsa' },
    };
    const decision = await createGuard().decide(call, CONTEXT);
    expect(decision.verdict).toBe('deny');
  });
});
