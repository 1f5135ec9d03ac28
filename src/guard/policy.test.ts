import { describe, expect, it } from 'vitest';
import { isSandstackError } from '../core/errors.js';
import {
  bashPatternMatches,
  createPolicy,
  evaluatePolicy,
  parsePolicy,
  parseRule,
  pathPatternMatches,
} from './policy.js';
import { parseShell } from './shell.js';
import type { GuardContext } from './types.js';

const context: GuardContext = {
  cwd: '/workspace/src',
  projectDir: '/workspace',
  homeDir: '/root',
  userMessages: [],
};

async function bashVerdict(
  rules: Parameters<typeof createPolicy>[0],
  command: string,
): Promise<string | undefined> {
  const shell = await parseShell(command, { homeDir: '/root', cwd: context.cwd });
  return evaluatePolicy(createPolicy(rules), { tool: 'Bash', input: { command } }, context, shell)
    ?.verdict;
}

describe('bashPatternMatches', () => {
  it.each([
    ['npm run test *', 'npm run test', true],
    ['npm run test *', 'npm run test --watch', true],
    ['npm run test *', 'npm run testx', false],
    ['npm run test:*', 'npm run test', true],
    ['npm run test:*', 'npm run test -- --watch', true],
    ['git * main', 'git push origin main', true],
    ['git status', 'git status --short', false],
  ])('%s against %s is %s', (specifier, command, expected) => {
    expect(bashPatternMatches(specifier, command)).toBe(expected);
  });
});

describe('pathPatternMatches', () => {
  it.each([
    ['//etc/**', '/etc/passwd', true],
    ['~/.ssh/**', '/root/.ssh/id_rsa', true],
    ['/secrets/**', '/workspace/secrets/a.txt', true],
    ['/secrets/**', '/secrets/a.txt', false],
    ['./fixtures/*.json', '/workspace/src/fixtures/a.json', true],
    ['./fixtures/*.json', '/workspace/fixtures/a.json', false],
    ['.env', '/workspace/deep/dir/.env', true],
    ['*.pem', '/workspace/certs/server.pem', true],
    ['src/**', '/workspace/src/x/y.ts', true],
  ])('%s against %s is %s', (specifier, target, expected) => {
    const anchoredContext = specifier === 'src/**' ? { ...context, cwd: '/workspace' } : context;
    expect(pathPatternMatches(specifier, target, anchoredContext)).toBe(expected);
  });
});

describe('evaluatePolicy', () => {
  it('lets deny beat ask and allow', async () => {
    const rules = {
      allow: ['Bash(git *)'],
      ask: ['Bash(git push *)'],
      deny: ['Bash(git push --force *)'],
    };
    expect(await bashVerdict(rules, 'git push --force origin x')).toBe('deny');
    expect(await bashVerdict(rules, 'git push origin x')).toBe('ask');
    expect(await bashVerdict(rules, 'git status')).toBe('allow');
  });

  it('matches deny rules inside a chain', async () => {
    const rules = { deny: ['Bash(git push -f *main*)', 'Bash(sudo rm *)'] };
    expect(await bashVerdict(rules, 'npm test && git push -f origin main')).toBe('deny');
    expect(await bashVerdict(rules, 'ls; sudo rm -r /srv/x')).toBe('deny');
    expect(await bashVerdict(rules, 'timeout 5 git push -f origin main')).toBe('deny');
    expect(await bashVerdict(rules, 'npm test && git push -f origin feature')).toBeUndefined();
    expect(await bashVerdict(rules, 'npm test && ls')).toBeUndefined();
  });

  it('allows a compound command only if every part is allowed', async () => {
    const rules = { allow: ['Bash(npm test *)', 'Bash(git status)'] };
    expect(await bashVerdict(rules, 'npm test && git status')).toBe('allow');
    expect(await bashVerdict(rules, 'npm test && curl https://x.example')).toBeUndefined();
  });

  it('denies a denied command hidden in bash -c', async () => {
    expect(await bashVerdict({ deny: ['Bash(rm -rf *)'] }, 'npm test; bash -c "rm -rf /"')).toBe(
      'deny',
    );
  });

  it('never allows an unparsable command by rule', async () => {
    expect(await bashVerdict({ allow: ['Bash'] }, 'eval "$X"')).toBeUndefined();
  });

  it('matches Read, Edit, WebFetch and MCP rules', () => {
    const policy = createPolicy({
      deny: ['Read(./secrets/**)', 'WebFetch(domain:evil.example)', 'mcp__shop'],
      allow: ['Edit(/src/**)', 'mcp__github__get_issue'],
    });
    const decide = (tool: string, input: Record<string, unknown>): string | undefined =>
      evaluatePolicy(policy, { tool, input }, context)?.verdict;
    expect(decide('Read', { file_path: '/workspace/src/secrets/k.txt' })).toBe('deny');
    expect(decide('WebFetch', { url: 'https://evil.example/x' })).toBe('deny');
    expect(decide('WebFetch', { url: 'https://docs.example/x' })).toBeUndefined();
    expect(decide('mcp__shop__place_order', {})).toBe('deny');
    expect(decide('Edit', { file_path: '/workspace/src/a.ts' })).toBe('allow');
    expect(decide('Edit', { file_path: '/workspace/test/a.ts' })).toBeUndefined();
    expect(decide('mcp__github__get_issue', {})).toBe('allow');
  });
});

describe('policy loading', () => {
  it('imports a Claude Code settings.json permissions block', () => {
    const settings = JSON.stringify({
      permissions: {
        allow: ['Bash(npm run lint)'],
        deny: ['Read(./.env)'],
        defaultMode: 'default',
      },
      hooks: {},
    });
    const policy = parsePolicy(settings);
    expect(policy.rules.map((rule) => `${rule.verdict} ${rule.source}`)).toEqual([
      'deny Read(./.env)',
      'allow Bash(npm run lint)',
    ]);
  });

  it('reads YAML with top-level lists', () => {
    const policy = parsePolicy('deny:\n  - Bash(curl *)\nask:\n  - WebFetch\n');
    expect(policy.rules).toHaveLength(2);
  });

  it.each([
    ['Bash(', 'Tool(specifier)'],
    ['Bash()', 'empty parentheses'],
    ['WebFetch(example.com)', 'domain:example.com'],
    ['Bash(npm:* run)', ':*'],
  ])('rejects %s naming the rule and the fix', (rule, fix) => {
    try {
      parseRule(rule, 'deny');
      expect.unreachable();
    } catch (error) {
      expect(isSandstackError(error, 'POLICY_INVALID')).toBe(true);
      expect((error as Error).message).toContain(rule);
      expect((error as Error).message).toContain(fix);
    }
  });

  it('rejects a rule list that is not an array of strings', () => {
    expect(() => parsePolicy('{"permissions": {"deny": "Bash(rm *)"}}')).toThrow(
      /permissions\.deny/,
    );
  });
});
