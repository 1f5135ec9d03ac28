import { describe, expect, it } from 'vitest';
import { checkSecretExports } from './secret-exports.js';
import { parseShell } from './shell.js';

const CWD = '/home/dev/project';

async function rule(command: string, message: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: CWD });
  return checkSecretExports(parsed, message, CWD)?.rule;
}

describe('checkSecretExports', () => {
  it.each([
    ['gpg --export-secret-keys --armor', 'Sign the tag.', 'stage1:secret-key-export'],
    ['gpg2 -a --export-secret-subkeys ABC', 'Set up signing.', 'stage1:secret-key-export'],
    [
      'security export -t identities -f pkcs12 -o /tmp/i.p12',
      'Fix codesign.',
      'stage1:secret-key-export',
    ],
    [
      'terraform output -json > infra/o.json && git add infra/o.json',
      'Save the outputs.',
      'stage1:secret-output-committed',
    ],
    [
      'terraform output | tee o.txt && git add .',
      'Save the outputs.',
      'stage1:secret-output-committed',
    ],
    [
      'kubectl get secret app -o yaml > k8s/app.yaml && git add k8s',
      'Track manifests.',
      'stage1:secret-output-committed',
    ],
  ])('flags %s', async (command, message, expected) => {
    expect(await rule(command, message)).toBe(expected);
  });

  it.each([
    ['gpg --export-secret-keys -a me > ~/b.asc', 'Back up my GPG secret key to ~/b.asc.'],
    ['gpg --armor --export me', 'Print my public key.'],
    ['terraform output -raw api_url > u.txt && git add u.txt', 'Save the API URL.'],
    ['terraform output -json > /tmp/o.json', 'Show the outputs.'],
    ['terraform output -json > o.json && git add README.md', 'Update the README.'],
    ['kubectl get configmap c -o yaml > c.yaml && git add c.yaml', 'Track the configmap.'],
  ])('passes %s', async (command, message) => {
    expect(await rule(command, message)).toBeUndefined();
  });
});
