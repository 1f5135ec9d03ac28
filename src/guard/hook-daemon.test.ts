import { describe, expect, it } from 'vitest';
import { differentSettings } from './hook-daemon.js';
import type { HookSettings } from './hook.js';

const daemon: HookSettings = {
  statePath: '/p/.sandstack/guard.db',
  projectDir: '/p',
  homeDir: '/home/u',
  approvals: { path: '/p/.sandstack/approvals.db', timeoutMs: 45_000 },
};

describe('differentSettings', () => {
  it('accepts equal settings in any key order', () => {
    const client = {
      approvals: { timeoutMs: 45_000, path: '/p/.sandstack/approvals.db' },
      homeDir: '/home/u',
      projectDir: '/p',
      statePath: '/p/.sandstack/guard.db',
      policyPath: undefined,
    };
    expect(differentSettings(client, daemon)).toEqual([]);
  });

  it('names each differing setting', () => {
    const client = {
      ...daemon,
      statePath: '/other/guard.db',
      policyPath: '/tmp/open.yaml',
      approvals: { path: '/p/.sandstack/approvals.db', timeoutMs: 1 },
    };
    expect(differentSettings(client, daemon)).toEqual(['statePath', 'policyPath', 'approvals']);
  });

  it('names a setting the client leaves out', () => {
    const { projectDir: _projectDir, ...client } = daemon;
    expect(differentSettings(client, daemon)).toEqual(['projectDir']);
  });

  it('names settings the daemon does not know', () => {
    expect(differentSettings({ ...daemon, extra: 1 }, daemon)).toEqual(['extra']);
  });

  it('treats a non-object as no settings', () => {
    expect(differentSettings('x', daemon)).toEqual([
      'statePath',
      'projectDir',
      'homeDir',
      'approvals',
    ]);
  });
});
