import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { GuardContext } from './types.js';

const context: GuardContext = {
  cwd: '/root/proj',
  projectDir: '/root/proj',
  homeDir: '/root',
  userMessages: [],
};

async function decide(command: string) {
  return createGuard().decide({ tool: 'Bash', input: { command } }, context);
}

// Each input would take minutes or exhaust the stack without its bound. The test's default
// timeout is the time limit.
describe('hostile input bounds', () => {
  it('asks about a brace bomb', async () => {
    const decision = await decide(`echo ${'{a,b}'.repeat(40)} >/dev/null`);
    expect(decision.verdict).toBe('ask');
    expect(decision.reason).toContain('brace expansion of more than 4096 words');
  });

  it('denies a read after a brace bomb', async () => {
    const decision = await decide(`echo ${'{a,b}'.repeat(40)} >/dev/null; cat ~/.ssh/id_rsa`);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it('asks about many large brace words', async () => {
    const word = `~/${'{a,b}'.repeat(12)}`;
    const decision = await decide(`cat ${Array.from({ length: 200 }, () => word).join(' ')}`);
    expect(decision.verdict).toBe('ask');
    expect(decision.reason).toContain('brace expansions of more than 16384 words in all');
  });

  it('asks about deeply nested substitutions', async () => {
    const decision = await decide(`echo ${'$(echo '.repeat(3000)}x${')'.repeat(3000)}`);
    expect(decision.verdict).toBe('ask');
    expect(decision.category).toBe('unparsed');
  });

  it('asks about a long alias chain', async () => {
    const aliases = Array.from({ length: 800 }, (_, i) => `alias a${i}=a${i + 1}\n`).join('');
    const decision = await decide(`${aliases}a0`);
    expect(decision.verdict).toBe('ask');
    expect(decision.reason).toContain('nesting deeper than');
  });

  it('asks about a doubling alias chain', async () => {
    const names = 'abcdefghijklmnopqrstuvwxyz';
    const aliases = [...names.slice(0, -1)]
      .map((name, i) => `alias ${name}="${names[i + 1]} ${names[i + 1]}"; `)
      .join('');
    const decision = await decide(`${aliases}a`);
    expect(decision.verdict).toBe('ask');
  });

  it('asks about deep eval nesting', async () => {
    const decision = await decide(`eval ${"'eval '".repeat(40)}x`);
    expect(decision.verdict).toBe('ask');
    expect(decision.reason).toContain('nesting deeper than');
  });

  it('asks about a huge heredoc', async () => {
    const body = `${'x'.repeat(100)}\n`.repeat(2500);
    const decision = await decide(`cat <<EOF\n${body}EOF`);
    expect(decision.verdict).toBe('ask');
    expect(decision.rule).toBe('stage1:too-long');
  });

  it('asks about very many commands', async () => {
    const decision = await decide('true; '.repeat(40_000));
    expect(decision.verdict).toBe('ask');
    expect(decision.category).toBe('unparsed');
  });
});
