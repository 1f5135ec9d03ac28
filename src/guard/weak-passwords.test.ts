import { describe, expect, it } from 'vitest';
import { looksLikeSecret, secretAssignment } from './clear-secrets.js';

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

describe('secret keys in calls', () => {
  it.each([
    ['notebooks/train.ipynb', "wandb.login(key='a3f9c1e7b2d84f6a9c0e1b2d3f4a5b6c7d8e9f01')", 'key'],
    [
      'notebooks/eval.ipynb',
      "client = openai.OpenAI(api_key='sk9Fq2LmX7pR4tZ8wB1cV6nY3kD5hJ0g')",
      'api_key',
    ],
    ['scripts/login.py', "login(token='hfx7Kq2LpZ9mW4vN8cR1tY6bJ3dS5gA0')", 'token'],
  ])('finds the literal in %s', (file, added, key) => {
    expect(secretAssignment(file, added, '')).toBe(key);
  });

  it.each([
    ['notebooks/train.ipynb', "wandb.login(key=os.environ['WANDB_API_KEY'])"],
    ['notebooks/cache.ipynb', "cache.get(key='user:42')"],
    ['src/sort.py', "items.sort(key='created_at')"],
  ])('finds nothing in %s', (file, added) => {
    expect(secretAssignment(file, added, '')).toBeUndefined();
  });
});
