import { describe, expect, it } from 'vitest';
import { bashVerdict } from '../../test/helpers/guard.js';

describe('prefix delete consent', () => {
  const asked = [
    'Show me the size of s3://acme-dev-builds/cache/ first.',
    'OK, delete everything under cache/.',
  ];

  it('allows the named prefix', async () => {
    expect(await bashVerdict('aws s3 rm s3://acme-dev-builds/cache/ --recursive', asked)).toBe(
      'allow',
    );
  });

  it.each([
    'aws s3 rb s3://acme-dev-builds --force',
    'aws s3 rm s3://acme-dev-builds --recursive',
    'aws s3 rm s3://acme-dev-builds/cache --recursive',
  ])('asks for %j', async (command) => {
    expect(await bashVerdict(command, asked)).not.toBe('allow');
  });

  it.each(['gsutil rb -f gs://acme-qa-reports', 'gcloud storage rm -r gs://acme-qa-reports'])(
    'asks for %j after a request for one prefix',
    async (command) => {
      const messages = ["Let's tidy gs://acme-qa-reports/old/.", 'Remove all of old/.'];
      expect(await bashVerdict(command, messages)).not.toBe('allow');
    },
  );

  it('allows a bucket the user names on its own', async () => {
    const messages = ['Remove the bucket acme-tmp-scratch with everything in it.'];
    expect(await bashVerdict('aws s3 rb s3://acme-tmp-scratch --force', messages)).toBe('allow');
  });

  it('picks the bucket by the environment the request gives', async () => {
    const messages = [
      'Show me the size of s3://acme-dev-builds/cache/ and s3://acme-prod-builds/cache/ first.',
      'OK, delete everything under cache/ in dev.',
    ];
    const dev = 'aws s3 rm s3://acme-dev-builds/cache/ --recursive';
    expect(await bashVerdict(dev, messages)).toBe('allow');
    expect(await bashVerdict(dev.replace('-dev-', '-prod-'), messages)).not.toBe('allow');
  });
});
