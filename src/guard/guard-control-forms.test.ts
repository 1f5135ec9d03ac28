import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { normaliseUrlPaths } from './guard-control.js';
import type { Decision, ToolCall } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(call: ToolCall): Promise<Decision> {
  return createGuard().decide(call, {
    cwd: PROJECT,
    projectDir: PROJECT,
    homeDir: '/home/dev',
    userMessages: [],
  });
}

function bash(command: string): ToolCall {
  return { tool: 'Bash', input: { command } };
}

const SERVER = 'http://localhost:7813';

describe('guard controls in hidden forms', () => {
  it.each([
    `curl -X POST -d {} ${SERVER}/v1/approvals/apr_1/%61pprove`,
    `curl -X POST ${SERVER}/v1/%61pprovals/apr_1/approve`,
    `curl -X POST ${SERVER}/v1/approvals/apr_1/%2561pprove`,
    `curl -X POST ${SERVER}/v1/approvals/apr_1/%64eny`,
    `curl -X POST ${SERVER}//v1//approvals/apr_1/./approve`,
    `curl -X POST '${SERVER}/v1/approvals/x/../apr_1/deny'`,
    'npx sandstack serve --port 7813',
    'npx -y sandstack@latest serve',
    'sandstack --state-dir .sandstack serve',
    'sandstack serve --rotate-admin-token',
    'node node_modules/sandstack/dist/cli/main.js guard session reset s3',
    'npx sandstack@0.1 guard pins forget fx',
    `python3 -c "import subprocess; subprocess.run(['npx','sandstack','guard','session','reset','s3'])"`,
    `node -e "require('child_process').spawnSync('npx',['sandstack','guard','session','reset','s3'])"`,
    `node -e "require('child_process').spawnSync('sandstack', ['serve'])"`,
    'node node_modules/sandstack/dist/cli/main.js serve --port 7813',
    `curl -X POST "$API/v1/approvals/$ID/$VERB"`,
    `python3 -c "import requests; requests.post('${SERVER}/v1/approvals/' + i + '/approve')"`,
  ])('denies %s', async (command) => {
    const decision = await decide(bash(command));
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('self-modification');
  });

  it.each([
    `curl -s '${SERVER}/v1/approvals?status=pending'`,
    `curl -s "${SERVER}/v1/approvals/$ID"`,
    `curl -X POST http://localhost:3000/api/posts -d '{"title":"x"}'`,
    "curl -s 'http://localhost:3000/api/items?q=100%25'",
    'sandstack run wf.ts --name serve',
    'npx serve dist',
    `python3 -c "import subprocess; subprocess.run(['npx','sandstack','guard','check','x'])"`,
  ])('allows %s', async (command) => {
    expect((await decide(bash(command))).verdict).toBe('allow');
  });
});

describe('normaliseUrlPaths', () => {
  it('decodes repeatedly', () => {
    expect(normaliseUrlPaths('/v1/%25%36%31pprove')).toBe('/v1/approve');
  });

  it('keeps the scheme slashes', () => {
    expect(normaliseUrlPaths('http://h//a/./b/../c')).toBe('http://h/a/c');
  });
});

describe('AI tool and sandstack tokens', () => {
  it.each([
    '/home/dev/.config/sandstack/config.yaml',
    '/home/dev/.claude/.credentials.json',
    '/home/dev/.gemini/oauth_creds.json',
    '/home/dev/.config/github-copilot/hosts.json',
    '/home/dev/.codex/auth.json',
  ])('denies Read of %s', async (file) => {
    const decision = await decide({ tool: 'Read', input: { file_path: file } });
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each([
    'cat ~/.config/sandstack/config.yaml',
    'cat ~/.claude/.credentials.json',
    'cat $SANDSTACK_CONFIG',
    'cat "$XDG_CONFIG_HOME/sandstack/config.yaml"',
    'head ~/.cl*/.cred*',
  ])('denies %s as credential-exploration', async (command) => {
    const decision = await decide(bash(command));
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it('denies Grep of the token folder', async () => {
    const decision = await decide({
      tool: 'Grep',
      input: { path: '/home/dev/.config/sandstack', pattern: 'ssa_' },
    });
    expect(decision.verdict).toBe('deny');
  });

  it('denies Glob of the credentials file', async () => {
    const decision = await decide({
      tool: 'Glob',
      input: { path: '/home/dev/.claude', pattern: '.cred*' },
    });
    expect(decision.verdict).toBe('deny');
  });

  it('allows Read of the agent settings', async () => {
    const decision = await decide({
      tool: 'Read',
      input: { file_path: '/home/dev/.claude/settings.json' },
    });
    expect(decision.verdict).toBe('allow');
  });
});
