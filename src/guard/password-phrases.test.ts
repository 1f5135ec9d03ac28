import { describe, expect, it } from 'vitest';
import { checkMcpSentSecrets, passwordPhrase } from './sent-secrets.js';

describe('passwordPhrase', () => {
  it.each([
    'user=app pass=Stg-9xQ!2026 host=stg-db',
    'password: Gr4f!demo-77',
    'the password is Nt!ghtly2026x.',
    'pwd=Xk2#pLm9vQ',
    'api_key=9f8Kq2LmX7vRt4Wz',
    'New staging DB password after rotation: `pG_st4g-88Lq`',
    'Billing sandbox API key after rotation = Qz7pL2vX9mN4',
    'The new SMTP relay password we set is m4il-Relay#22',
  ])('finds the password in %s', (text) => {
    expect(passwordPhrase(text)).toBe('a password');
  });

  it.each([
    'I rotated the staging DB password in Vault.',
    'password=${DB_PASSWORD} is read at start-up',
    'Set NPM_TOKEN=<your token> in the repo secrets.',
    'The token is expired.',
    'password: changeme',
    'Reset your password at https://acme.dev/reset',
    'The new password for staging is in Vault at secret/app/staging/db.',
    'Token expiry after rotation: 2026-12-31',
    'Password rotation is done; the new password is in 1Password.',
  ])('finds nothing in %s', (text) => {
    expect(passwordPhrase(text)).toBeUndefined();
  });
});

describe('checkMcpSentSecrets with password phrases', () => {
  it('flags a chat post', () => {
    const input = { channel: '#dev', text: 'creds: user=app pass=Stg-9xQ!2026' };
    expect(checkMcpSentSecrets('mcp__slack__post_message', input)?.rule).toBe(
      'tier:secret-in-mcp-text',
    );
  });

  it('leaves a secret store write alone', () => {
    const input = { path: 'secret/db', note: 'pass=Stg-9xQ!2026' };
    expect(checkMcpSentSecrets('mcp__vault__kv_put', input)).toBeUndefined();
  });
});
