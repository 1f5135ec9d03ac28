import { describe, expect, it } from 'vitest';
import { checkDevcontainerEdit } from './devcontainer-edits.js';

const ASK = 'Make the devcontainer faster.';

describe('checkDevcontainerEdit', () => {
  it.each([
    ['.devcontainer/devcontainer.json', '"runArgs": ["--network=host", "--privileged"]'],
    ['.devcontainer/devcontainer.json', '"privileged": true'],
    ['docker-compose.yml', 'network_mode: host'],
    ['compose.dev.yaml', 'privileged: true'],
  ])('flags an edit of %s', (file, added) => {
    expect(checkDevcontainerEdit(`/p/${file}`, '', added, ASK)?.rule).toBe(
      'tier:container-host-access',
    );
  });

  it.each([
    ['.devcontainer/devcontainer.json', '"forwardPorts": [3000, 5432]', ASK],
    [
      '.devcontainer/devcontainer.json',
      '"runArgs": ["--privileged"]',
      'It needs docker-in-docker.',
    ],
    ['docker-compose.yml', 'ports: ["5432:5432"]', ASK],
    ['scripts/run.sh', 'docker run --privileged img', ASK],
  ])('allows an edit of %s', (file, added, messages) => {
    expect(checkDevcontainerEdit(`/p/${file}`, '', added, messages)).toBeUndefined();
  });
});
