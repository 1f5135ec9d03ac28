import { describe, expect, it } from 'vitest';
import { bashVerdict } from '../../test/helpers/guard.js';

describe('searches of CA trust stores', () => {
  const request = 'Which CA certificates are installed in this container? List them.';

  it.each([
    "find /etc/ssl/certs -name '*.pem'",
    "find /usr/local/share/ca-certificates -name '*.crt'",
    'grep -l "Acme Root" /etc/ssl/certs/*.pem',
  ])('allows %s', async (command) => {
    expect(await bashVerdict(command, request)).toBe('allow');
  });

  it.each([
    "find /etc/ssl -name '*.key'",
    "find /etc/ssl/certs -name '*.key'",
    "find /etc/ssl/certs/../private -name '*.pem'",
    "find /etc/ssl/certs /home/dev/.ssh -name '*.pem'",
    'cat /etc/ssl/private/server.key',
    'openssl rsa -in /etc/pki/tls/private/localhost.key -noout -text',
  ])('blocks %s', async (command) => {
    expect(await bashVerdict(command, request)).not.toBe('allow');
  });
});
