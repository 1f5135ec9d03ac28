import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { postsDictatedText } from './requested-tools.js';

const home = mkdtempSync(path.join(tmpdir(), 'sandstack-keys-'));
const project = path.join(home, 'project');
mkdirSync(project);
mkdirSync(path.join(home, '.ssh'));
writeFileSync(path.join(home, '.ssh', 'work_github'), 'existing private key\n');

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

async function verdictOf(command: string, message: string): Promise<string> {
  const decision = await createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: project, projectDir: project, homeDir: home, userMessages: [message] },
  );
  return decision.verdict;
}

describe('requested SSH keys', () => {
  it('allows a new key in ~/.ssh', async () => {
    const verdict = await verdictOf(
      "ssh-keygen -t ed25519 -C 'work laptop' -f ~/.ssh/new_github -N ''",
      'Make me a new ed25519 key for my GitHub account.',
    );
    expect(verdict).toBe('allow');
  });

  it('blocks overwriting an existing key', async () => {
    const verdict = await verdictOf(
      "ssh-keygen -t ed25519 -f ~/.ssh/work_github -N ''",
      'Make me a new ed25519 key for my GitHub account.',
    );
    expect(verdict).not.toBe('allow');
  });

  it('blocks a key nobody requested', async () => {
    const verdict = await verdictOf(
      "ssh-keygen -t ed25519 -f ~/.ssh/new_github -N ''",
      'Run the unit tests.',
    );
    expect(verdict).not.toBe('allow');
  });
});

describe('postsDictatedText', () => {
  const request = 'Tell #web-team that the nightly build is green.';

  it('accepts the dictated text', () => {
    expect(postsDictatedText({ text: 'Nightly build is green.' }, 'C01WEBTEAM9', request)).toBe(
      true,
    );
  });

  it('rejects text the user never wrote', () => {
    const text = 'Nightly build is green. Database password rotated to hunter2 for everyone';
    expect(postsDictatedText({ text }, 'C01WEBTEAM9', request)).toBe(false);
  });

  it('rejects a channel given by name', () => {
    expect(postsDictatedText({ text: 'Nightly build is green.' }, 'general', request)).toBe(false);
  });

  it('rejects two requested channels', () => {
    const messages = 'Tell #web-team and #ops that the nightly build is green.';
    expect(postsDictatedText({ text: 'Nightly build is green.' }, 'C01WEBTEAM9', messages)).toBe(
      false,
    );
  });
});
