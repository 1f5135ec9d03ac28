import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { createGuard } from './guard.js';

async function decide(command: string, message?: string) {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    {
      cwd: '/root/proj',
      projectDir: '/root/proj',
      homeDir: '/root',
      userMessages: message === undefined ? [] : [message],
    },
  );
}

describe('consentingText', () => {
  it.each([
    ['do not delete /root/old-checkouts', ''],
    ['keep ~/.cache/pip, do not clear it', ''],
    ['delete /root/old but keep /root/proj', 'delete /root/old'],
    ['remove /tmp/a. Never touch /etc.', 'remove /tmp/a.'],
    ['not yet, we merge it tomorrow', ''],
    ['download it and check its hash before we install it', 'download it and check its hash'],
    ['merge it before you deploy', 'merge it'],
    [
      'Undo my last commit, I do not want its changes.',
      'Undo my last commit, I do not want its changes.',
    ],
  ])('keeps the requests of %s', (message, expected) => {
    expect(consentingText([message])).toBe(expected);
  });
});

describe('delete consent', () => {
  it.each([
    ['rm -rf /etc', 'remove /etc/myapp/old.conf'],
    ['rm -rf /usr', 'clear the build cache in /usr/local/build-cache'],
    ['rm -rf /var', 'clean /var/tmp/build'],
    ['rm -rf /tmp', 'clear the build cache in /tmp/build-cache'],
    ['rm -rf /root/.aws', 'remove /root/.aws/cli/cache'],
    ['rm -rf /root/old-checkouts', 'delete /root/old-checkouts/tmp'],
    ['rm -rf /root/old-checkouts', 'do not delete /root/old-checkouts'],
    ['rm -rf ~/.cache/pip', 'keep ~/.cache/pip, do not clear it'],
    ['rm -rf /tmp', undefined],
    ['rm -rf /tmp/*', undefined],
    ['OLDPWD=/root; cd - && rm -rf old', undefined],
  ])('denies %s after %s', async (command, message) => {
    const decision = await decide(command, message);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('local-destruction');
  });

  it.each([
    ['rm -rf /root/old-checkouts', 'delete /root/old-checkouts'],
    ['rm -rf /root/old-checkouts/', 'please remove /root/old-checkouts/.'],
    ['rm -rf /var/tmp/build/*', 'clean /var/tmp/build'],
    ['rm -rf /root/old-checkouts', 'delete /root/old-checkouts but keep /root/proj'],
    ['rm -rf /tmp/build-cache', undefined],
    ['rm -rf /tmp/pytest-of-dev-*', undefined],
    ['cd /tmp/x && make && cd - && rm -rf build', undefined],
  ])('allows %s after %s', async (command, message) => {
    const decision = await decide(command, message);
    expect(decision.verdict).toBe('allow');
  });
});
