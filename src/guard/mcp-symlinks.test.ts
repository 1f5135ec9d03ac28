import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision, GuardContext, ToolCall } from './types.js';

let root: string;
let project: string;
let context: GuardContext;

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-mcp-links-')));
  project = path.join(root, 'project');
  fs.mkdirSync(path.join(project, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(project, '.env'), 'APP_SETTING=1\n');
  fs.writeFileSync(path.join(project, 'README.md'), 'readme\n');
  fs.symlinkSync('../.env', path.join(project, 'sub', 'cfg.txt'));
  fs.symlinkSync('README.md', path.join(project, 'readme-link.md'));
  context = { cwd: project, projectDir: project, homeDir: '/home/dev', userMessages: [] };
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function decide(call: ToolCall, resolveSymlinks: boolean): Promise<Decision> {
  return createGuard().decide(call, { ...context, resolveSymlinks });
}

describe('MCP path arguments through links', () => {
  // `file` and `uri` are not among the file tools' path fields, so only the argument checks
  // resolve them.
  const readFile = (file: string): ToolCall => ({
    tool: 'mcp__fs__read_file',
    input: { file },
  });

  it('denies a path linked to .env', async () => {
    const decision = await decide(readFile(path.join(project, 'sub', 'cfg.txt')), true);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it('denies a relative path linked to .env', async () => {
    expect((await decide(readFile('sub/cfg.txt'), true)).verdict).toBe('deny');
  });

  it('denies a file URI linked to .env', async () => {
    const call = {
      tool: 'mcp__docs__open',
      input: { uri: `file://${path.join(project, 'sub', 'cfg.txt')}` },
    };
    const decision = await decide(call, true);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it('allows a link inside the project', async () => {
    expect((await decide(readFile(path.join(project, 'readme-link.md')), true)).verdict).toBe(
      'allow',
    );
  });

  it('judges paths as written without resolution', async () => {
    expect((await decide(readFile(path.join(project, 'sub', 'cfg.txt')), false)).verdict).toBe(
      'allow',
    );
  });
});
