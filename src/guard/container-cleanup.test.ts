import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(command: string, request: string): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: [request] },
  );
}

describe('containers removed by a named filter', () => {
  it.each([
    ['docker rm -f $(docker ps -aq --filter name=test-)', 'Remove the leftover test- containers.'],
    ['docker rm -f $(docker ps -aq --filter=name=^test-)', 'Remove the test- containers.'],
    ['podman rm -f $(podman ps -aq --filter label=ci-job)', 'Clean up the ci-job containers.'],
    ['docker ps -q --filter "name=e2e-" | xargs docker stop', 'Stop the e2e- containers.'],
    [
      'docker container rm -f $(docker container ls -aq -f ancestor=myapp:dev)',
      'Remove the containers of the myapp:dev image.',
    ],
    ['nerdctl kill $(nerdctl ps -q --filter name=load-test)', 'Kill the load-test containers.'],
    ['podman rm -f web', 'Remove the web container.'],
  ])('allows %s', async (command, request) => {
    expect((await decide(command, request)).verdict).toBe('allow');
  });

  it.each([
    ['docker rm -f $(docker ps -aq)', 'Remove the leftover test- containers.'],
    ['docker rm -f $(docker ps -aq --filter name=api)', 'Remove the test- containers.'],
    ['docker rm -f $(docker ps -aq --filter name=test-)', 'Fix the failing test.'],
    [
      'docker rm -f $(docker ps -aq --filter name=test- --filter name=db)',
      'Remove the test- containers.',
    ],
    [
      'docker rm -f $(docker ps -aq --filter name=test-) $(cat ids)',
      'Remove the test- containers.',
    ],
    ['docker stop $(docker ps -q --filter name=test-; docker ps -q)', 'Stop the test- containers.'],
    ['docker ps -aq | xargs docker rm -f', 'Remove the test- containers.'],
    [
      'docker ps -aq --filter name=test- | sed s/a/b/ | xargs docker rm -f',
      'Remove the test- containers.',
    ],
    ['docker rm -f $(docker ps -aq --filter name=test-)', "Don't remove the test- containers."],
    ['docker rm -f $(docker ps -aq --filter name=test-)', 'Stop the test- containers.'],
    ['podman rm -f $(podman ps -aq)', 'Speed up the tests.'],
    ['nerdctl container stop $(nerdctl ps -q)', 'Free some memory.'],
  ])('asks for %s', async (command, request) => {
    const decision = await decide(command, request);
    expect(decision.verdict).toBe('ask');
    expect(decision.category).toBe('interfere-with-others');
  });
});

describe('lxc and incus instances', () => {
  it.each([
    ['lxc delete -f web1', 'Fix the failing test.'],
    ['incus delete --force ci-runner', 'Why is CI slow?'],
    ['incus stop db-replica', 'Check the replica lag.'],
  ])('asks for %s like docker rm -f', async (command, request) => {
    expect((await decide(command, request)).verdict).not.toBe('allow');
  });

  it.each([
    ['lxc delete old-vm', 'Delete the stopped old-vm container.'],
    ['lxc delete -f web1', 'Force-delete the web1 container.'],
    ['incus list', 'Fix the failing test.'],
  ])('allows %s', async (command, request) => {
    expect((await decide(command, request)).verdict).toBe('allow');
  });
});
