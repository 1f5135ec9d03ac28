import { describe, expect, it } from 'vitest';
import { bashVerdict as verdictOf, simpleCommand } from '../../test/helpers/guard.js';
import { consentingText } from './consent.js';
import { describesBucketByEnvironment } from './environment-buckets.js';
import { skipsRequestedHooks } from './hook-skips.js';
import { withoutPathWords } from './path-words.js';
import { DANGER_RULES } from './rules.js';
import { readsNamedPlainField } from './secret-fields.js';
import { readsSecuritySettings } from './settings-reads.js';

/** The user's messages in both forms the guard reads them in. */
function requests(message: string): { messages: string; allMessages: string } {
  return { messages: consentingText([message]), allMessages: message };
}

const SECURITY_OFF = DANGER_RULES.find((rule) => rule.id === 'security-off')?.pattern ?? /$^/;

describe('readsSecuritySettings', () => {
  it.each([
    ['gh', 'api', 'repos/o/r/branches/main/protection'],
    ['gh', 'api', '-X', 'GET', 'repos/o/r/code-scanning/default-setup'],
    ['gh', 'api', '--method=get', 'repos/o/r/branches/main/protection', '-f', 'per_page=1'],
    ['curl', '-s', 'https://api.github.com/repos/o/r/branches/main/protection'],
  ])('reads %j', (...argv) => {
    expect(readsSecuritySettings(simpleCommand(...argv))).toBe(true);
  });

  it.each([
    ['gh', 'api', '-X', 'DELETE', 'repos/o/r/branches/main/protection'],
    ['gh', 'api', '-XPUT', 'repos/o/r/branches/main/protection'],
    ['gh', 'api', 'repos/o/r/branches/main/protection', '-X', 'GET', '-X', 'DELETE'],
    ['gh', 'api', 'repos/o/r/branches/main/protection', '-F', 'enforce_admins=false'],
    ['gh', 'api', 'repos/o/r/branches/main/protection', '--input', 'p.json'],
    ['gh', 'api', 'repos/o/r/secret-scanning/alerts'],
    ['curl', '-XDELETE', 'https://api.github.com/repos/o/r/branches/main/protection'],
    ['curl', '--data', '{}', 'https://api.github.com/repos/o/r/branches/main/protection'],
    ['gh', 'repo', 'view', 'o/r/protection'],
  ])('does not read only %j', (...argv) => {
    expect(readsSecuritySettings(simpleCommand(...argv))).toBe(false);
  });
});

describe('skipsRequestedHooks', () => {
  const commit = simpleCommand('git', 'commit', '--no-verify', '-m', 'wip');

  it.each([
    'Commit the wip with --no-verify.',
    'Skip the pre-commit hook and commit.',
    'Bypass the hooks for this commit.',
    'Commit the wip without running the pre-commit hook.',
  ])('is requested by %j', (message) => {
    expect(skipsRequestedHooks(commit, SECURITY_OFF, requests(message))).toBe(true);
  });

  it.each([
    'Commit the wip.',
    "Don't skip the hooks, commit the wip.",
    'Never use --no-verify.',
    'The hook is broken.',
    "Don't commit without the hooks.",
    'Never commit without running the hooks; commit the wip.',
    'Commit the wip without the hooks later.',
    'Should we commit without the hooks?',
  ])('is not requested by %j', (message) => {
    expect(skipsRequestedHooks(commit, SECURITY_OFF, requests(message))).toBe(false);
  });

  it('covers plain words for git only', () => {
    const publish = simpleCommand('cargo', 'publish', '--no-verify');
    expect(
      skipsRequestedHooks(publish, SECURITY_OFF, requests('Skip the hooks and publish.')),
    ).toBe(false);
    expect(skipsRequestedHooks(publish, SECURITY_OFF, requests('Publish with --no-verify.'))).toBe(
      true,
    );
  });

  it('does not cover another match of the rule', () => {
    const hooksPath = simpleCommand(
      'git',
      '-c',
      'core.hooksPath=/dev/null',
      'commit',
      '--no-verify',
    );
    expect(skipsRequestedHooks(hooksPath, SECURITY_OFF, requests('Commit with --no-verify.'))).toBe(
      false,
    );
  });
});

describe('consentingText', () => {
  it('keeps a request before what the user will do later', () => {
    const text = consentingText(["Commit it with --no-verify, I'll fix the hook later."]);
    expect(text).toContain('--no-verify');
    expect(text).not.toContain('later');
  });

  it('still drops a deferred request', () => {
    expect(consentingText(['Commit it with --no-verify later.'])).toBe('');
  });
});

describe('readsNamedPlainField', () => {
  const message = 'Read the api_url field from secret/dev/payments in vault.';

  it.each([
    ['vault', 'kv', 'get', '-field=api_url', 'secret/dev/payments'],
    ['vault', 'kv', 'get', '-field', 'api_url', 'secret/dev/payments'],
    ['vault', 'read', '-field=api_url', '-format=json', 'secret/dev/payments'],
  ])('allows %j', (...argv) => {
    expect(readsNamedPlainField(simpleCommand(...argv), message)).toBe(true);
  });

  it.each([
    ['vault', 'kv', 'get', 'secret/dev/payments'],
    ['vault', 'kv', 'get', '-field=password', 'secret/dev/payments'],
    ['vault', 'kv', 'get', '-field=api_key', 'secret/dev/payments'],
    ['vault', 'kv', 'get', '-field=api_url', 'secret/dev/pay'],
    ['vault', 'kv', 'get', '-field=api_url', 'secret/dev'],
    ['vault', 'kv', 'get', '-field=api_url', 'secret/dev/payments/admin'],
    ['vault', 'kv', 'put', '-field=api_url', 'secret/dev/payments'],
    ['vault', 'kv', 'get', '-field=api_url', 'secret/dev/payments', 'secret/dev/other'],
  ])('does not allow %j', (...argv) => {
    expect(readsNamedPlainField(simpleCommand(...argv), message)).toBe(false);
  });

  it('reads kubectl jsonpath and op references', () => {
    const kubectl = simpleCommand('kubectl', 'get', 'secret', 'web', '-o', 'jsonpath={.data.host}');
    expect(readsNamedPlainField(kubectl, 'Show the host key of the web secret.')).toBe(true);
    const whole = simpleCommand('kubectl', 'get', 'secret', 'web', '-o', 'jsonpath={.data}');
    expect(readsNamedPlainField(whole, 'Show the host key of the web secret.')).toBe(false);
    const op = simpleCommand('op', 'read', 'op://Dev/Sentry/hostname');
    expect(readsNamedPlainField(op, 'Read op://Dev/Sentry/hostname.')).toBe(true);
    const otp = simpleCommand('op', 'read', 'op://Dev/Sentry/one-time?attribute=otp');
    expect(readsNamedPlainField(otp, 'Read op://Dev/Sentry/one-time?attribute=otp.')).toBe(false);
  });
});

describe('describesBucketByEnvironment', () => {
  it.each([
    ['Upload it to the staging bucket.', 'acme-stg-uploads'],
    ['Put it in the dev artifacts bucket.', 'acme-dev-artifacts'],
    ['Copy it to our production reports bucket.', 'acme-prd-reports'],
    ['Upload it to the stage bucket.', 'stg-uploads'],
  ])('%j describes %s', (message, bucket) => {
    expect(describesBucketByEnvironment(message, bucket)).toBe(true);
  });

  it.each([
    ['Upload it to the staging bucket.', 'acme-prod-uploads'],
    ['Upload it to the staging bucket.', 'acme-stg-drop'],
    ['Upload it to the staging mirror bucket.', 'acme-stg-prod-mirror'],
    ['Upload it to the staging bucket.', 'acme-uploads'],
    ['Upload it to s3://acme-stg-other, the staging bucket.', 'acme-stg-uploads'],
    ['Upload it to staging.', 'acme-stg-uploads'],
  ])('%j does not describe %s', (message, bucket) => {
    expect(describesBucketByEnvironment(message, bucket)).toBe(false);
  });
});

describe('withoutPathWords', () => {
  it('replaces paths, files and hosts', () => {
    expect(withoutPathWords('Sync dist/ into ~/sites/preview, now.')).toBe(
      'Sync PATH into PATH, now.',
    );
    expect(withoutPathWords('Open preview.acme.dev and draft.md.')).toBe('Open PATH and PATH.');
  });

  it('keeps a preview request', () => {
    expect(withoutPathWords('Preview the change.')).toBe('Preview the change.');
  });
});

describe('verdicts', () => {
  it.each([
    [
      'git commit --no-verify -m wip',
      "The hook is broken; commit the wip with --no-verify, I'll fix it later.",
    ],
    ['gh api repos/acme/web/branches/main/protection', 'What does main protection require?'],
    ['vault kv get -field=api_url secret/dev/payments', 'Read api_url from secret/dev/payments.'],
    ['rsync -a --delete dist/ /home/dev/sites/preview/', 'Sync dist/ into ~/sites/preview.'],
    [
      'aws s3 cp reports/q4.pdf s3://acme-stg-uploads/reports/',
      'Upload reports/q4.pdf to the staging bucket.',
    ],
  ])('allows %s', async (command, message) => {
    expect(await verdictOf(command, message)).toBe('allow');
  });

  it.each([
    ['git commit --no-verify -m wip', 'Commit the wip.'],
    ['setenforce 0', 'Skip the checks and commit with --no-verify.'],
    ['gh api -X DELETE repos/acme/web/branches/main/protection', 'What does main require?'],
    ['vault kv get -field=password secret/dev/payments', 'Read password from secret/dev/payments.'],
    ['rsync -a --delete dist/ /home/dev/sites/preview/', 'Preview a sync of dist/ into ~/sites/x.'],
    [
      'aws s3 cp reports/q4.pdf s3://acme-prod-uploads/reports/',
      'Upload reports/q4.pdf to the staging bucket.',
    ],
  ])('does not allow %s', async (command, message) => {
    expect(await verdictOf(command, message)).not.toBe('allow');
  });
});
