import { describe, expect, it } from 'vitest';
import { looksLikeSecret } from './clear-secrets.js';

describe('weak passwords in settings', () => {
  it.each(['hunter2hunter', 'summer2024', 'qwerty!!', 'letmein1', 'HUNTER22'])(
    '%s is a secret',
    (value) => {
      expect(looksLikeSecret(value)).toBe(true);
    },
  );

  it.each([
    'changeme',
    '<password>',
    '${DB_PASSWORD}',
    'xxx',
    'xxxxxxxx',
    'password1',
    'admin123',
    'test1234',
    'db-credentials',
    'app_secret',
    'HunterHunter',
    '12345678',
    'keyboard cat',
  ])('%s is no secret', (value) => {
    expect(looksLikeSecret(value)).toBe(false);
  });
});
