import { describe, expect, it } from 'vitest';
import { checkWholeBucketDeletes } from './bucket-scopes.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkWholeBucketDeletes(await parseShell(command), messages)?.rule;
}

const PREFIX_REQUEST = 'Clear the 2023 reports in the acme-reports bucket, only the 2023/ prefix.';

describe('checkWholeBucketDeletes', () => {
  it.each([
    'aws s3 rb s3://acme-reports --force',
    'aws s3 rm s3://acme-reports --recursive',
    'aws s3api delete-bucket --bucket acme-reports',
    'gsutil rm -r gs://acme-reports',
    'gcloud storage buckets delete gs://acme-reports',
    's3cmd rb s3://acme-reports',
  ])('flags %s after a prefix request', async (command) => {
    expect(await ruleOf(command, PREFIX_REQUEST)).toBe('stage1:whole-bucket-delete');
  });

  it.each([
    ['aws s3 rm s3://acme-reports/2023/ --recursive', PREFIX_REQUEST],
    ['gsutil rm -r gs://acme-reports/2023/', PREFIX_REQUEST],
    ['aws s3 rb s3://acme-scratch --force', 'Delete the acme-scratch bucket entirely.'],
    ['aws s3 rb s3://acme-scratch --force', 'Remove the acme-scratch bucket.'],
    ['aws s3 ls s3://acme-reports/2023/', PREFIX_REQUEST],
  ])('passes %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
