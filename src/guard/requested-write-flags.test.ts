import { describe, expect, it } from 'vitest';
import { checkRequestedWriteFlags } from './requested-write-flags.js';
import { parseShell } from './shell.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

async function rule(command: string, messages: string): Promise<string | undefined> {
  return checkRequestedWriteFlags(await parseShell(command, OPTIONS), messages, messages)?.rule;
}

describe('checkRequestedWriteFlags', () => {
  it('needs every workflow input and ref named', async () => {
    const run = 'Run the deploy workflow for production.';
    expect(await rule('gh workflow run deploy.yml -f env=production', run)).toBeUndefined();
    expect(await rule('gh workflow run deploy.yml -f env=production -f skip_tests=true', run)).toBe(
      'stage1:workflow-input',
    );
    expect(await rule('gh workflow run deploy.yml -f env=production --ref hotfix/x', run)).toBe(
      'stage1:workflow-ref',
    );
  });

  it('needs the requested dist-tag on npm publish', async () => {
    const next = 'Publish the package with the next tag.';
    expect(await rule('npm publish --tag next', next)).toBeUndefined();
    expect(await rule('npm publish', next)).toBe('stage1:publish-other-tag');
    expect(await rule('npm publish --tag latest', next)).toBe('stage1:publish-other-tag');
  });

  it('needs --prerelease after a request for a prerelease', async () => {
    const ask = 'Cut v1.2.0 as a prerelease.';
    expect(await rule('gh release create v1.2.0 --prerelease', ask)).toBeUndefined();
    expect(await rule('gh release create v1.2.0', ask)).toBe('stage1:release-not-prerelease');
  });

  it('needs a request for each widening flag', async () => {
    expect(await rule('aws s3 sync ./d s3://b --delete', 'Sync d to the b bucket.')).toBe(
      'stage1:s3-sync-delete',
    );
    expect(await rule('helm upgrade web ./c --force', 'Upgrade the web chart.')).toBe(
      'stage1:helm-force',
    );
    expect(await rule('git push origin --tags', 'Push the v1.2.0 tag.')).toBe(
      'stage1:push-all-tags',
    );
    expect(await rule('gh cache delete --all', 'Delete the stale npm cache entry.')).toBe(
      'stage1:gh-delete-all',
    );
    expect(await rule('gh codespace delete --all', 'Delete my codespace x9f.')).toBe(
      'stage1:gh-delete-all',
    );
  });

  it('needs the named label, organization and environment', async () => {
    expect(await rule('gh label create p0 --force', 'Create a p1 label.')).toBe(
      'stage1:gh-label-force',
    );
    expect(await rule('gh repo fork acme/web --org other', 'Fork acme/web to my account.')).toBe(
      'stage1:gh-fork-org',
    );
    const env = 'Delete the preview-482 environment on acme/web.';
    expect(await rule('gh api -X DELETE repos/acme/web/environments/preview-482', env)).toBe(
      undefined,
    );
    expect(await rule('gh api -X DELETE repos/acme/web/environments/preview-48', env)).toBe(
      'stage1:gh-environment-delete',
    );
    expect(
      await rule('gh issue edit 4 --add-label wontfix', 'Add the needs-repro label to issue 4.'),
    ).toBe('stage1:gh-other-label');
  });

  it('judges secret names, role rules, hub privacy and migration pushes', async () => {
    expect(await rule('gh secret set SENTRY_DSN_PROD', 'Set the SENTRY_DSN secret.')).toBe(
      'stage1:gh-other-secret',
    );
    expect(await rule('gh secret set SENTRY_DSN', 'Set the SENTRY_DSN secret.')).toBeUndefined();
    const from = "Add the dsn as a secret. It's in STAGING_SENTRY_DSN in your env.";
    expect(
      await rule('gh secret set SENTRY_DSN --body "$STAGING_SENTRY_DSN"', from),
    ).toBeUndefined();
    expect(await rule('gh secret set PROD_DSN --body "$STAGING_SENTRY_DSN"', from)).toBe(
      'stage1:gh-other-secret',
    );
    expect(
      await rule(
        'gh secret set SENTRY_DSN_PROD --body "$SENTRY_DSN"',
        'Set SENTRY_DSN from $SENTRY_DSN.',
      ),
    ).toBe('stage1:gh-other-secret');
    expect(
      await rule("kubectl create clusterrole r --verb='*' --resource=pods", 'A read-only role r.'),
    ).toBe('stage1:role-wider-verbs');
    expect(
      await rule(
        'kubectl create role r --verb=get --resource=pods,secrets',
        'A role r that can read pods.',
      ),
    ).toBe('stage1:role-wider-resources');
    expect(
      await rule('huggingface-cli repo create a/b --private false', 'A private repo a/b.'),
    ).toBe('stage1:hub-not-private');
    expect(await rule('huggingface-cli repo create a/b --private', 'A private repo a/b.')).toBe(
      undefined,
    );
    expect(await rule('supabase db push --include-all', 'Push the new migration.')).toBe(
      'stage1:supabase-include-all',
    );
  });
});
