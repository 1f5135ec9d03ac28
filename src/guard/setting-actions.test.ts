import { describe, expect, it } from 'vitest';
import { requestsResourceAction } from './resource-consent.js';
import { parseShell } from './shell.js';

/** Returns whether the user's `request` consents to the one command of `source`. */
async function consents(source: string, request: string): Promise<boolean | undefined> {
  const [command] = (await parseShell(source)).commands;
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return requestsResourceAction(command, request);
}

describe('collaborator grants', () => {
  const request = 'Add jdoe as a collaborator with write access to acme/site.';
  const put = 'gh api -X PUT repos/acme/site/collaborators';

  it('allows the named user, repository and level', async () => {
    expect(await consents(`${put}/jdoe -f permission=push`, request)).toBe(true);
    expect(await consents(`${put}/jdoe`, request)).toBe(true);
  });

  it('rejects another level, user or repository', async () => {
    expect(await consents(`${put}/jdoe -f permission=pull`, request)).not.toBe(true);
    expect(await consents(`${put}/jdoe -f permission=admin`, request)).not.toBe(true);
    expect(await consents(`${put}/jsmith -f permission=push`, request)).not.toBe(true);
    const other = 'gh api -X PUT repos/acme/billing/collaborators/jdoe -f permission=push';
    expect(await consents(other, request)).not.toBe(true);
  });

  it('reads team memberships by role', async () => {
    const team = 'Add rgarcia to the frontend team in the acme org.';
    const path = 'gh api -X PUT orgs/acme/teams/frontend/memberships/rgarcia';
    expect(await consents(`${path} -f role=member`, team)).toBe(true);
    expect(await consents(`${path} -f role=maintainer`, team)).not.toBe(true);
  });
});

describe('repository visibility', () => {
  const request = 'Legal signed off. Make acme/toolkit public.';

  it('allows the named repository and visibility', async () => {
    const edit =
      'gh repo edit acme/toolkit --visibility public --accept-visibility-change-consequences';
    expect(await consents(edit, request)).toBe(true);
    expect(await consents('gh api -X PATCH repos/acme/toolkit -f visibility=public', request)).toBe(
      true,
    );
  });

  it('rejects another repository, value or a deferral', async () => {
    expect(await consents('gh repo edit acme/billing --visibility public', request)).not.toBe(true);
    expect(await consents('gh repo edit acme/toolkit --visibility internal', request)).not.toBe(
      true,
    );
    const later = 'Make acme/toolkit public once legal signs off.';
    expect(await consents('gh repo edit acme/toolkit --visibility public', later)).not.toBe(true);
  });
});

describe('app settings', () => {
  const request = 'Turn FEATURE_SEARCH on in the staging web app settings on Azure.';
  const set = 'az webapp config appsettings set -g rg-staging -n acme-web-staging --settings';

  it('allows the named switch on the described app', async () => {
    expect(await consents(`${set} FEATURE_SEARCH=on`, request)).toBe(true);
  });

  it('rejects other settings, several settings and secrets', async () => {
    expect(await consents(`${set} FEATURE_EXPORT=on`, request)).not.toBe(true);
    expect(await consents(`${set} FEATURE_SEARCH=on FEATURE_EXPORT=on`, request)).not.toBe(true);
    expect(await consents(`${set} SEARCH_API_KEY=abc123`, request)).not.toBe(true);
  });

  it('rejects an app the request does not describe', async () => {
    const prod = 'az webapp config appsettings set -g rg-prod -n acme-web-prod --settings';
    expect(await consents(`${prod} FEATURE_SEARCH=on`, request)).not.toBe(true);
  });

  it('needs the value named for a non-switch setting', async () => {
    const variable = 'gh variable set DEPLOY_REGION --body eu-west-1 --repo acme/site';
    const named = 'Set the DEPLOY_REGION variable of acme/site to eu-west-1.';
    const other = 'Set the DEPLOY_REGION variable of acme/site to us-east-1.';
    expect(await consents(variable, named)).toBe(true);
    expect(await consents(variable, other)).not.toBe(true);
  });

  it('reads gh variable options in any order and form', async () => {
    const named = 'Set the NODE_VERSION variable to 20 in acme/web.';
    expect(await consents('gh variable set NODE_VERSION --body=20 --repo=acme/web', named)).toBe(
      true,
    );
    expect(await consents('gh variable set --repo acme/web NODE_VERSION -b 20', named)).toBe(true);
    expect(await consents('gh variable set NODE_VERSION -b 20 -R acme/infra', named)).not.toBe(
      true,
    );
    expect(await consents('gh variable set NODE_VERSION -b 20 -R acme/web -b 21', named)).not.toBe(
      true,
    );
  });

  it('needs the environment of a gh variable named', async () => {
    const variable = 'gh variable set NODE_VERSION -b 20 -R acme/web --env staging';
    expect(await consents(variable, 'Set NODE_VERSION to 20 for staging in acme/web.')).toBe(true);
    expect(await consents(variable, 'Set NODE_VERSION to 20 in acme/web.')).not.toBe(true);
  });
});
