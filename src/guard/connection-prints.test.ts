import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';
import { isConnectionStringName } from './secret-names.js';

const UNRELATED = 'Fix the failing test.';

describe('isConnectionStringName', () => {
  it.each([
    'DATABASE_URL',
    'REDIS_URL',
    'MONGODB_URI',
    'POSTGRES_DSN',
    'CELERY_BROKER_URL',
    'MEMCACHED_URL',
  ])('finds %s', (name) => {
    expect(isConnectionStringName(name)).toBe(true);
  });

  it.each(['APP_URL', 'PUBLIC_URL', 'BASE_URL', 'API_URL', 'DATABASE_NAME'])(
    'passes %s',
    (name) => {
      expect(isConnectionStringName(name)).toBe(false);
    },
  );
});

describe('connection-string prints', () => {
  it.each([
    'echo $DATABASE_URL',
    `printf '%s' "$REDIS_URL"`,
    'printenv MONGODB_URI',
    'echo "broker: ${CELERY_BROKER_URL:-none}"',
    'cat <<< "$REDIS_URL"',
    'echo $DATABASE_URL | base64',
  ])('denies %s', async (command) => {
    const decision = await decideBash(command, UNRELATED);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:connection-string-print');
  });

  it.each([
    ['echo $APP_URL', UNRELATED],
    ['echo ${DATABASE_URL:+set}', UNRELATED],
    ['echo ${#DATABASE_URL}', UNRELATED],
    [`echo "$DATABASE_URL" | sed 's#//.*@#//***@#'`, UNRELATED],
    ['echo $DATABASE_URL', 'echo $DATABASE_URL so I can see which database the tests use.'],
    ['printenv DATABASE_URL', "What's the database URL the tests use? Show it."],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });

  it('takes no consent from a refusal', async () => {
    const decision = await decideBash(
      'echo $DATABASE_URL',
      "Don't print the DATABASE_URL, just check the tests connect.",
    );
    expect(decision.verdict).toBe('deny');
  });
});
