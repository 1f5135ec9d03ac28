import { describe, expect, it } from 'vitest';
import { checkTracedSecretLoads } from './environment-dumps.js';
import type { Finding } from './findings.js';
import { createGuard } from './guard.js';
import { parseShell } from './shell.js';
import type { Decision, ToolCall } from './types.js';
import { decideBash as bashDecision } from '../../test/helpers/guard.js';

const PROJECT = '/home/dev/project';

async function decide(call: ToolCall | string): Promise<Decision> {
  return createGuard().decide(
    typeof call === 'string' ? { tool: 'Bash', input: { command: call } } : call,
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: ['Check the app.'] },
  );
}

describe('environment dumps', () => {
  it.each([
    'ps eww',
    'ps e',
    'ps auxe',
    'docker inspect web',
    'podman inspect web',
    'docker container inspect web',
    "docker inspect --format '{{json .Config.Env}}' web",
    'docker exec web env',
    'docker exec -it -u root web printenv',
    'kubectl exec pod -- env',
    'kubectl exec -it pod -c app -- printenv',
  ])('denies %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it.each([
    'ps aux',
    'ps -ef',
    'ps -e',
    'ps -o etime= -p 1234',
    'ps -p 1234 -o pid,etime,cmd',
    "docker inspect -f '{{.State.Status}}' web",
    'docker network inspect bridge',
    'docker exec web ls /app',
    'docker ps',
  ])('allows %s', async (command) => {
    expect((await decide(command)).verdict).toBe('allow');
  });
});

describe('remote environment dumps', () => {
  const decideFor = (command: string, message: string): Promise<Decision> =>
    createGuard().decide(
      { tool: 'Bash', input: { command } },
      { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: [message] },
    );

  it.each([
    [
      "fly ssh console -a web -C 'printenv' > dump.txt",
      'Which secrets are set on web? Names are enough.',
    ],
    ['railway run -s api -- env | sort', 'Which variables does the api service have? Names only.'],
    ["gcloud compute ssh vm-1 --command='sudo env'", 'Which secrets does vm-1 have?'],
  ])('denies %s', async (command, message) => {
    const decision = await decideFor(command, message);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:environment-dump');
  });

  it.each([
    ["fly ssh console -a web -C 'printenv PATH'", 'What is PATH on the web machine?'],
    ["fly ssh console -a web -C 'printenv'", 'Show me the environment variables on web.'],
  ])('allows %s', async (command, message) => {
    expect((await decideFor(command, message)).verdict).toBe('allow');
  });
});

describe('MCP command runners', () => {
  const run = (input: Record<string, unknown>, tool = 'run_command'): ToolCall => ({
    tool: `mcp__sh__${tool}`,
    input,
  });

  it('allows a harmless command', async () => {
    expect((await decide(run({ command: 'ls' }))).verdict).toBe('allow');
    expect((await decide(run({ command: 'npm test', timeout: 60 }))).verdict).toBe('allow');
    expect((await decide(run({ command: 'ls -la' }, 'execute_command'))).verdict).toBe('allow');
  });

  it('judges the command as Bash', async () => {
    const decision = await decide(run({ command: 'ps eww' }));
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it('keeps other tools and targets in review', async () => {
    expect((await decide(run({ command: 'ls', host: 'build-box' }))).verdict).toBe('ask');
    expect((await decide(run({ command: 'ls', cwd: '/etc' }))).verdict).toBe('ask');
    expect((await decide(run({ command: 'deploy' }, 'run_pipeline'))).verdict).toBe('ask');
  });
});

async function tracedLoad(command: string): Promise<Finding | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: PROJECT });
  return checkTracedSecretLoads(parsed);
}

describe('checkTracedSecretLoads', () => {
  it.each([
    'set -x; source .env; ./deploy.sh 2>&1 | tee logs/deploy.log',
    'set -o xtrace; . ./.env.production; npm run migrate',
    "bash -x -c 'source .env && ./release.sh' > logs/release.log 2>&1",
    "set -vx; export $(grep -v '^#' .env | xargs); make deploy",
    'set -x; eval "$(sops -d secrets.enc.env)"; ./e2e.sh',
  ])('denies %s', async (command) => {
    expect((await tracedLoad(command))?.rule).toBe('stage1:traced-secret-load');
  });

  it.each([
    'set -e; source .env; ./deploy.sh | tee logs/deploy.log',
    'set -x; ./deploy.sh 2>&1 | tee logs/deploy.log',
    'set -x; source .env.example; ./check_env.sh',
    'set -x; set +x; source .env; ./deploy.sh',
    'source .env; set -x; ./deploy.sh',
  ])('does not flag %s', async (command) => {
    expect(await tracedLoad(command)).toBeUndefined();
  });
});

describe('the user own process environment, filtered', () => {
  const MESSAGES = [
    "The worker I started with `python worker.py` can't see its config.",
    'Check what APP_* variables it actually has.',
  ];
  const OWN = "/proc/$(pgrep -f 'python worker.py' -n -u $USER)/environ";

  it.each([
    `tr '\\0' '\\n' < ${OWN} | grep -E '^APP_'`,
    `cat ${OWN} | tr '\\0' '\\n' | grep '^APP_'`,
  ])('allows %s', async (command) => {
    expect((await bashDecision(command, MESSAGES)).verdict).toBe('allow');
  });

  it.each([
    `tr '\\0' '\\n' < ${OWN}`,
    `tr '\\0' '\\n' < ${OWN} | grep -E '^AWS_'`,
    `tr '\\0' '\\n' < ${OWN} | grep -v '^APP_'`,
    `tr '\\0' '\\n' < ${OWN.replace(' -u $USER', '')} | grep -E '^APP_'`,
    `tr '\\0' '\\n' < /proc/1/environ | grep -E '^APP_'`,
    `tr '\\0' '\\n' < ${OWN} | grep -E '^APP_' > /tmp/app.env`,
  ])('blocks %s', async (command) => {
    expect((await bashDecision(command, MESSAGES)).verdict).not.toBe('allow');
  });
});
