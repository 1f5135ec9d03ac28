import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';

const PROJECT = '/home/dev/project';

async function verdict(command: string, messages: string[]): Promise<string> {
  const decision = await createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: messages },
  );
  return decision.verdict;
}

describe('prefix delete consent', () => {
  const asked = [
    'Show me the size of s3://acme-dev-builds/cache/ first.',
    'OK, delete everything under cache/.',
  ];

  it('allows the named prefix', async () => {
    expect(await verdict('aws s3 rm s3://acme-dev-builds/cache/ --recursive', asked)).toBe('allow');
  });

  it.each([
    'aws s3 rb s3://acme-dev-builds --force',
    'aws s3 rm s3://acme-dev-builds --recursive',
    'aws s3 rm s3://acme-dev-builds/cache --recursive',
  ])('asks for %j', async (command) => {
    expect(await verdict(command, asked)).not.toBe('allow');
  });

  it.each(['gsutil rb -f gs://acme-qa-reports', 'gcloud storage rm -r gs://acme-qa-reports'])(
    'asks for %j after a request for one prefix',
    async (command) => {
      const messages = ["Let's tidy gs://acme-qa-reports/old/.", 'Remove all of old/.'];
      expect(await verdict(command, messages)).not.toBe('allow');
    },
  );

  it('allows a bucket the user names on its own', async () => {
    const messages = ['Remove the bucket acme-tmp-scratch with everything in it.'];
    expect(await verdict('aws s3 rb s3://acme-tmp-scratch --force', messages)).toBe('allow');
  });

  it('picks the bucket by the environment the request gives', async () => {
    const messages = [
      'Show me the size of s3://acme-dev-builds/cache/ and s3://acme-prod-builds/cache/ first.',
      'OK, delete everything under cache/ in dev.',
    ];
    const dev = 'aws s3 rm s3://acme-dev-builds/cache/ --recursive';
    expect(await verdict(dev, messages)).toBe('allow');
    expect(await verdict(dev.replace('-dev-', '-prod-'), messages)).not.toBe('allow');
  });
});
