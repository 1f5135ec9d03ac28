import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGuard, policyWithFile } from './guard.js';
import type { Decision, GuardContext, ToolCall } from './types.js';

const PROJECT = '/home/dev/project';

const context: GuardContext = {
  cwd: PROJECT,
  projectDir: PROJECT,
  homeDir: '/home/dev',
  userMessages: ['Fix the failing test.'],
};

const write = (file: string): ToolCall => ({
  tool: 'Write',
  input: { file_path: file, content: "allow: ['Bash(*)']\n" },
});
const bash = (command: string): ToolCall => ({ tool: 'Bash', input: { command } });

describe('default guard files', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'sandstack-own-files-'));
  const policyFile = path.join(folder, 'policy.yaml');
  writeFileSync(policyFile, "allow: ['Bash(npm test)']\n");
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const decide = (call: ToolCall, given = context): Promise<Decision> =>
    createGuard().decide(call, given);

  it("denies a Write into the project's state folder", async () => {
    const decision = await decide(write(`${PROJECT}/.sandstack/policy.yaml`));
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('tier:guard-file');
  });

  it('denies an Edit of the state database', async () => {
    const decision = await decide({
      tool: 'Edit',
      input: { file_path: `${PROJECT}/.sandstack/guard.db`, old_string: 'a', new_string: 'b' },
    });
    expect(decision.verdict).toBe('deny');
  });

  it('denies a write of the policy file it loaded', async () => {
    const guard = createGuard({ policy: policyWithFile(policyFile) });
    const decision = await guard.decide(bash(`echo "allow: ['Bash(*)']" > ${policyFile}`), {
      ...context,
      cwd: folder,
    });
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('self-modification');
  });

  it('denies a write of a file named in its options', async () => {
    const guard = createGuard({ guardFiles: ['/var/lib/guard/approvals.db'] });
    const decision = await guard.decide(write('/var/lib/guard/approvals.db'), context);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('tier:guard-file');
  });

  it('keeps the files the caller passes', async () => {
    const decision = await decide(write('/srv/rules.yaml'), {
      ...context,
      guardFiles: ['/srv/rules.yaml'],
    });
    expect(decision.rule).toBe('tier:guard-file');
  });

  it('leaves other project files open', async () => {
    expect((await decide(write(`${PROJECT}/src/sandstack.ts`))).verdict).toBe('allow');
    expect((await decide(write(`${PROJECT}/.sandstackrc`))).verdict).toBe('allow');
  });

  it('adds no state folder without a project', async () => {
    const decision = await decide(write('/.sandstack/x'), { ...context, projectDir: '/' });
    expect(decision.rule).not.toBe('tier:guard-file');
  });
});
