import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { GuardContext, ToolCall } from './types.js';

const context: GuardContext = {
  cwd: '/home/dev/project',
  projectDir: '/home/dev/project',
  homeDir: '/home/dev',
  userMessages: ['Find where the config is loaded.'],
};

async function decide(tool: string, input: Record<string, unknown>) {
  const call: ToolCall = { tool, input };
  return createGuard().decide(call, context);
}

describe('Grep and Glob over credentials', () => {
  it.each([
    { pattern: '.', path: '/home/dev/.aws' },
    { pattern: '.', path: '/home/dev/.config/gh' },
    { pattern: '.', path: '/home/dev/.kube' },
    { pattern: '.', path: '/home/dev/.docker' },
    { pattern: '.', path: '/home/dev/.ssh' },
    { pattern: 'token', path: '/home/dev/.config/gcloud' },
    { pattern: 'BEGIN', path: '/home/dev', glob: 'id_*' },
    { pattern: 'BEGIN', path: '/home/dev', glob: '{id_rsa,id_ed25519}' },
    { pattern: 'aws', path: '/home/dev', glob: '**/credentials' },
    { pattern: 'KEY', glob: '.env' },
    { pattern: 'KEY', path: '/home/dev/project', glob: '**/.env*' },
  ])('denies Grep %j', async (input) => {
    const decision = await decide('Grep', input);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each([
    { pattern: 'TODO', path: '/home/dev/project/src', glob: '*.ts' },
    { pattern: 'dotenv', glob: '*.js' },
    { pattern: 'PORT', glob: '.env.example' },
    { pattern: 'import', path: '/home/dev/project' },
  ])('allows Grep %j', async (input) => {
    expect((await decide('Grep', input)).verdict).toBe('allow');
  });

  it('allows Grep of .env when asked', async () => {
    const call: ToolCall = { tool: 'Grep', input: { pattern: 'PORT', glob: '.env' } };
    const decision = await createGuard().decide(call, {
      ...context,
      userMessages: ['Which PORT does the .env file set?'],
    });
    expect(decision.verdict).toBe('allow');
  });

  it('names the credential path in Glob denials', async () => {
    const decision = await decide('Glob', { pattern: '/home/dev/.ssh/*' });
    expect(decision.verdict).toBe('deny');
    expect(decision.reason).toContain('/home/dev/.ssh/*');
    expect(decision.reason).not.toContain('/home/dev/project');
  });

  it('names the credential folder in Grep denials', async () => {
    const decision = await decide('Grep', { pattern: '.', path: '/home/dev/.aws' });
    expect(decision.reason).toContain('/home/dev/.aws');
  });
});
