import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMcpSessionId } from './mcp-session.js';

describe('defaultMcpSessionId', () => {
  let base: string;

  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'sandstack-mcp-session-'));
    mkdirSync(path.join(base, 'project'));
    mkdirSync(path.join(base, 'other'));
    symlinkSync(path.join(base, 'project'), path.join(base, 'link'));
  });

  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('repeats for one server and project', () => {
    const first = defaultMcpSessionId('fs', path.join(base, 'project'));
    expect(first).toMatch(/^mcp-fs-[0-9a-f]{12}$/);
    expect(defaultMcpSessionId('fs', path.join(base, 'project'))).toBe(first);
  });

  it('resolves a linked project folder', () => {
    expect(defaultMcpSessionId('fs', path.join(base, 'link'))).toBe(
      defaultMcpSessionId('fs', path.join(base, 'project')),
    );
  });

  it('differs by project and by server', () => {
    const id = defaultMcpSessionId('fs', path.join(base, 'project'));
    expect(defaultMcpSessionId('fs', path.join(base, 'other'))).not.toBe(id);
    expect(defaultMcpSessionId('github', path.join(base, 'project'))).not.toBe(id);
  });

  it('keeps the id free of shell characters', () => {
    const id = defaultMcpSessionId('my server; rm -rf /', path.join(base, 'project'));
    expect(id).toMatch(/^mcp-my-server--rm--rf---[0-9a-f]{12}$/);
  });
});
