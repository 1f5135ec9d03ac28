import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { RealPaths } from './symlinks.js';
import type { GuardContext, ToolCall } from './types.js';

let root: string;
let context: GuardContext;

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'guard-links-')));
  const project = path.join(root, 'project');
  const home = path.join(root, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
  fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'key\n');
  fs.mkdirSync(path.join(project, 'src'), { recursive: true });
  fs.symlinkSync('/', path.join(project, 'rootfs'));
  fs.symlinkSync(path.join(home, '.ssh'), path.join(project, 'k2'));
  fs.symlinkSync('src', path.join(project, 'code'));
  context = {
    cwd: project,
    projectDir: project,
    homeDir: home,
    userMessages: [],
    resolveSymlinks: true,
  };
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function verdict(call: ToolCall, resolveSymlinks = true): Promise<string> {
  const decision = await createGuard().decide(call, { ...context, resolveSymlinks });
  return decision.verdict;
}

function bash(command: string): ToolCall {
  return { tool: 'Bash', input: { command } };
}

describe('symbolic links', () => {
  it('denies delete through root link', async () => {
    expect(await verdict(bash('rm -rf rootfs/root/old'))).toBe('deny');
  });

  it('denies credential read through link', async () => {
    expect(await verdict(bash('cat rootfs/etc/shadow'))).toBe('deny');
    expect(await verdict(bash('cat k2/id_ed25519'))).toBe('deny');
    expect(await verdict(bash('head -5 < k2/id_ed25519'))).toBe('deny');
  });

  it('checks file tools through links', async () => {
    const write = { tool: 'Write', input: { file_path: 'rootfs/etc/cron.d/x', content: 'x' } };
    expect(await verdict(write)).not.toBe('allow');
    const edit = {
      tool: 'Edit',
      input: { file_path: 'k2/authorized_keys', old_string: 'a', new_string: 'b' },
    };
    expect(await verdict(edit)).not.toBe('allow');
    expect(await verdict({ tool: 'Grep', input: { pattern: 'BEGIN', path: 'k2' } })).toBe('deny');
  });

  it('judges folder delete by target', async () => {
    expect(await verdict(bash('rm -rf k2/'))).toBe('deny');
  });

  it('allows removing the link itself', async () => {
    expect(await verdict(bash('rm k2'))).toBe('allow');
  });

  it('allows links inside the project', async () => {
    expect(await verdict(bash('cat code/missing.ts'))).toBe('allow');
    expect(await verdict(bash('ln -s ../src/index.ts code/entry.ts'))).toBe('allow');
  });

  it('leaves paths as written when off', async () => {
    expect(await verdict(bash('cat rootfs/etc/hostname'), false)).toBe('allow');
    expect(await verdict(bash('rm -rf rootfs/root/old'), false)).toBe('allow');
  });

  it('asks for links leaving the project', async () => {
    expect(await verdict(bash('ln -s / rootfs2'))).toBe('ask');
    expect(await verdict(bash('ln -sfn /root k4'))).toBe('ask');
    expect(await verdict(bash('ln -s ../../../etc src/etc'))).toBe('ask');
  });

  it('denies links to credential folders', async () => {
    expect(await verdict(bash('ln -s ~/.ssh keys'))).toBe('deny');
    expect(await verdict(bash('ln -s ~/.aws/credentials creds'))).toBe('deny');
  });
});

describe('RealPaths', () => {
  it('keeps a missing tail', () => {
    const real = new RealPaths();
    expect(real.resolve(path.join(root, 'project/rootfs/no/such/file'))).toBe('/no/such/file');
  });

  it('resolves a relative link', () => {
    const real = new RealPaths();
    expect(real.resolve(path.join(root, 'project/code/a.ts'))).toBe(
      path.join(root, 'project/src/a.ts'),
    );
  });

  it('keeps a path with no existing part', () => {
    expect(new RealPaths().resolve('/nonexistent-guard-root/x')).toBe('/nonexistent-guard-root/x');
  });
});

describe('realShellPaths', () => {
  it('asks past the path limit', async () => {
    const words = Array.from({ length: 1100 }, (_, index) => `w${index}/x`).join(' ');
    expect(await verdict(bash(`echo ${words}`))).toBe('ask');
    expect(await verdict(bash(`echo ${words}`), false)).toBe('allow');
  });
});
