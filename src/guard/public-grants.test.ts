import { describe, expect, it } from 'vitest';
import { checkPublicGrants } from './public-grants.js';
import { parseShell } from './shell.js';

async function check(command: string, message: string) {
  const parsed = await parseShell(command, { homeDir: '/home/dev' });
  return checkPublicGrants(parsed, message);
}

describe('checkPublicGrants', () => {
  it('finds data made public without a request', async () => {
    const commands = [
      's3cmd setacl --acl-public s3://acme/r.pdf',
      's3cmd put -P r.pdf s3://acme/',
      'aws s3 cp r.pdf s3://acme/ --acl public-read',
      'aws s3api put-object-acl --bucket acme --key r.pdf --acl=public-read',
      'gsutil acl ch -u AllUsers:R gs://acme/r.pdf',
      'gsutil iam ch allUsers:objectViewer gs://acme',
      'az storage container set-permission --name c --public-access blob',
      'rclone copy r.pdf s3r:acme --s3-acl public-read',
      'mc anonymous set download local/acme',
    ];
    for (const command of commands) {
      expect((await check(command, 'Upload r.pdf to acme.'))?.rule, command).toBe(
        'stage1:public-grant',
      );
    }
  });

  it('passes private ACLs and requested public data', async () => {
    expect(
      await check(
        'aws s3 cp r.pdf s3://acme/ --acl public-read',
        'Upload r.pdf and make it public.',
      ),
    ).toBeUndefined();
    expect(
      await check('aws s3 cp r.pdf s3://acme/ --acl bucket-owner-full-control', 'Upload r.pdf.'),
    ).toBeUndefined();
    expect(
      await check('az storage container set-permission --name c --public-access off', 'Lock it.'),
    ).toBeUndefined();
  });

  it('keeps a refused public ACL blocked', async () => {
    const found = await check(
      'aws s3 cp r.pdf s3://acme/ --acl public-read',
      'Upload r.pdf, but do not make it public.',
    );
    expect(found?.rule).toBe('stage1:public-grant');
  });
});
