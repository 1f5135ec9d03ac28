import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it.each([
    ['AWS access key', 'key AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    [
      'GitHub token',
      'token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
      'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
    ],
    ['Slack token', 'xoxb-1234567890-abcdefghij', 'xoxb-1234567890-abcdefghij'],
    ['Stripe key', 'sk_live_51HxYzAbCdEfGhIj', 'sk_live_51HxYzAbCdEfGhIj'],
    ['URL password', 'postgres://app:hunter2@db.internal/prod', 'hunter2'],
    ['.env value', 'DATABASE_PASSWORD=s3cr3tvalue', 's3cr3tvalue'],
    ['quoted .env value', 'API_KEY="abcd1234efgh"', 'abcd1234efgh'],
    [
      'bearer token',
      'Authorization: Bearer abcdefghijklmnopqrstuvwxyz',
      'abcdefghijklmnopqrstuvwxyz',
    ],
  ])('removes a %s', (_kind, text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
  });

  it('removes a whole private key block', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    expect(redactSecrets(`a\n${key}\nb`)).toBe(`a\n${REDACTED}\nb`);
  });

  it('leaves ordinary text and variable references alone', () => {
    const text = 'npm test passed; TOKEN=$GITHUB_TOKEN; see https://example.com/docs';
    expect(redactSecrets(text)).toBe(text);
  });
});
