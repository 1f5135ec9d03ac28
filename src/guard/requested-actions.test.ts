import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import {
  actsAsRequestedInMcp,
  mcpResourceAction,
  opensPullRequestForReview,
  readsOnNamedRemoteHost,
  typesRequestedText,
} from './requested-mcp-writes.js';
import { opensNamedLocalPort } from './requested-host-actions.js';
import { readsAsServiceUser, readsOnNamedAnsibleHosts } from './remote-reads.js';
import { resourceAction } from './resource-actions.js';
import { grantsRequestedRead, requestsResourceAction } from './resource-consent.js';
import { parseShell, type SimpleCommand } from './shell.js';

async function commandOf(source: string): Promise<SimpleCommand> {
  const parsed = await parseShell(source);
  const command = parsed.commands.at(-1);
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return command;
}

const consent = (...messages: string[]): string => consentingText(messages);

describe('shell actions on named targets', () => {
  it('reads new resource shapes', async () => {
    const app = await commandOf('az webapp delete -g rg-shared -n app-jdoe-test');
    expect(resourceAction(app)).toEqual({
      verb: 'delete',
      targets: [['app-jdoe-test']],
      scope: ['rg-shared'],
    });
    const rollout = await commandOf('kubectl rollout restart deploy/worker -n dev-jdoe');
    expect(resourceAction(rollout)?.targets).toEqual([['worker']]);
    const reply = await commandOf(
      "gh api repos/acme/api/pulls/301/comments/99812/replies -f body='Fixed'",
    );
    expect(resourceAction(reply)?.targets).toEqual([['301'], ['99812']]);
  });

  it('allows the named target only', async () => {
    const table = await commandOf('aws dynamodb delete-table --table-name staging-sessions-old');
    const request = consent('Drop the staging-sessions-old DynamoDB table, nothing uses it.');
    expect(requestsResourceAction(table, request)).toBe(true);
    const other = await commandOf('aws dynamodb delete-table --table-name staging-sessions-ol');
    expect(requestsResourceAction(other, request)).toBe(false);
    const refused = consent("Don't drop the staging-sessions-old table yet.");
    expect(requestsResourceAction(table, refused)).toBe(false);
  });

  it('needs production named', async () => {
    const rollout = await commandOf('kubectl rollout restart deploy/worker -n prod');
    expect(requestsResourceAction(rollout, consent('Restart the worker.'))).toBe(false);
    expect(requestsResourceAction(rollout, consent('Restart the worker in prod.'))).toBe(true);
  });

  it('creates private repositories', async () => {
    const request = consent('Put this on GitHub under the acme org so the team can see it.');
    const repo = await commandOf('gh repo create acme/internal-tools --private --source . --push');
    expect(requestsResourceAction(repo, request)).toBe(true);
    const open = await commandOf('gh repo create acme/internal-tools --public --source . --push');
    expect(requestsResourceAction(open, request)).toBeUndefined();
    expect(requestsResourceAction(open, consent('Put this on GitHub as a public acme repo.'))).toBe(
      true,
    );
  });

  it('sets secrets from named variables', async () => {
    const request = consent('Add my npm token from $NPM_TOKEN as a secret in my fork jdoe/ui.');
    const set = await commandOf('gh secret set NPM_TOKEN --repo jdoe/ui --body "$NPM_TOKEN"');
    expect(requestsResourceAction(set, request)).toBe(true);
    const other = await commandOf('gh secret set NPM_TOKEN --repo jdoe/ui --body "$GH_TOKEN"');
    expect(requestsResourceAction(other, request)).not.toBe(true);
  });

  it('grants read roles only', async () => {
    const request = consent(
      'Let the inference service account inference@acme-staging read the model bucket.',
    );
    const viewer = await commandOf(
      'gcloud storage buckets add-iam-policy-binding gs://acme-ml-models --member=serviceAccount:inference@acme-staging.iam.gserviceaccount.com --role=roles/storage.objectViewer',
    );
    expect(requestsResourceAction(viewer, request)).toBe(true);
    const admin = await commandOf(
      'gcloud storage buckets add-iam-policy-binding gs://acme-ml-models --member=serviceAccount:inference@acme-staging.iam.gserviceaccount.com --role=roles/storage.objectAdmin',
    );
    expect(resourceAction(admin)).toBeUndefined();
  });

  it('sends to the named number', async () => {
    const request = consent('Test the SMS template with my number +15555550123.');
    const sms = await commandOf(
      'twilio api:core:messages:create --from +15005550006 --to +15555550123 --body "$(cat templates/sms.txt)"',
    );
    expect(requestsResourceAction(sms, request)).toBe(true);
    const other = await commandOf(
      'twilio api:core:messages:create --from +15005550006 --to +15555550124 --body hi',
    );
    expect(requestsResourceAction(other, request)).not.toBe(true);
  });

  it('opens a port to a named private network', async () => {
    const request = consent(
      'Let my phone on the home LAN 192.168.1.0/24 reach the vite dev server on 5173.',
    );
    const rule = await commandOf('ufw allow from 192.168.1.0/24 to any port 5173 proto tcp');
    expect(opensNamedLocalPort(rule, request)).toBe(true);
    const wider = await commandOf('ufw allow from 192.168.0.0/16 to any port 5173 proto tcp');
    expect(opensNamedLocalPort(wider, request)).toBe(false);
    const everyone = await commandOf('ufw allow from 0.0.0.0/0 to any port 5173');
    expect(opensNamedLocalPort(everyone, request)).toBe(false);
  });
});

describe('read-only remote commands', () => {
  it('reads as a service account', async () => {
    const lag = await commandOf("sudo -u postgres psql -Atc 'select now()'");
    expect(readsAsServiceUser(lag)).toBe(true);
    const kill = await commandOf("sudo -u postgres psql -Atc 'select pg_terminate_backend(1)'");
    expect(readsAsServiceUser(kill)).toBe(false);
    const root = await commandOf("sudo psql -Atc 'select now()'");
    expect(readsAsServiceUser(root)).toBe(false);
    const write = await commandOf("sudo -u postgres psql -c 'drop table x'");
    expect(readsAsServiceUser(write)).toBe(false);
  });

  it('reads through ansible on named hosts', async () => {
    const question = consent('What worker_connections setting do the prod web servers use?');
    const grep = await commandOf(
      'ansible webservers -i inventory/prod -m shell -a "grep worker_connections /etc/nginx/nginx.conf"',
    );
    expect(readsOnNamedAnsibleHosts(grep, question)).toBe(true);
    expect(readsOnNamedAnsibleHosts(grep, consent('What do the web servers use?'))).toBe(false);
    const edit = await commandOf(
      'ansible webservers -i inventory/prod -m shell -a "sed -i s/a/b/ /etc/nginx/nginx.conf"',
    );
    expect(readsOnNamedAnsibleHosts(edit, question)).toBe(false);
    const become = await commandOf(
      'ansible webservers -i inventory/prod -b -m shell -a "grep worker_connections /etc/nginx/nginx.conf"',
    );
    expect(readsOnNamedAnsibleHosts(become, question)).toBe(false);
  });

  it('reads on a named host over MCP', () => {
    const call = (command: string) => ({
      tool: 'mcp__ssh__execute',
      input: { host: 'db-replica-2', command },
    });
    const request = consent('Check replication lag on db-replica-2.');
    const lag = "sudo -u postgres psql -Atc 'select now() - pg_last_xact_replay_timestamp()'";
    expect(readsOnNamedRemoteHost(call(lag), request)).toBe(true);
    expect(readsOnNamedRemoteHost(call('cat /etc/app/secrets.env'), request)).toBe(false);
    expect(readsOnNamedRemoteHost(call('rm -rf /tmp/x'), request)).toBe(false);
    expect(
      readsOnNamedRemoteHost(call(lag), consent('Check replication lag on db-replica-1.')),
    ).toBe(false);
  });
});

describe('MCP actions on named targets', () => {
  it('reads the action of a call', () => {
    const flag = {
      tool: 'mcp__launchdarkly__update_feature_flag',
      input: {
        projectKey: 'web',
        featureFlagKey: 'new-checkout',
        environmentKey: 'staging',
        on: true,
      },
    };
    expect(mcpResourceAction(flag)).toEqual({
      verb: 'activate',
      targets: [['new-checkout']],
      scope: ['staging'],
      described: [],
    });
    const bulk = { tool: 'mcp__gcp__storage_delete_all_objects', input: { bucket: 'b' } };
    expect(mcpResourceAction(bulk)).toBeUndefined();
    const unknown = { tool: 'mcp__k8s__resources_delete', input: { name: 'x1', selector: 'a=b' } };
    expect(mcpResourceAction(unknown)).toBeUndefined();
  });

  it('switches a flag in the named environment', () => {
    const flag = (environmentKey: string) => ({
      tool: 'mcp__launchdarkly__update_feature_flag',
      input: { projectKey: 'web', featureFlagKey: 'new-checkout', environmentKey, on: true },
    });
    const request = consent('Turn the new-checkout flag on in staging.');
    expect(actsAsRequestedInMcp(flag('staging'), request)).toBe(true);
    expect(actsAsRequestedInMcp(flag('production'), request)).toBe(false);
    expect(actsAsRequestedInMcp(flag('staging'), consent('Turn it on in staging later.'))).toBe(
      false,
    );
  });

  it('deletes below a described bucket', () => {
    const call = (prefix: string) => ({
      tool: 'mcp__gcp__storage_delete_objects',
      input: { bucket: 'acme-ml-datasets', prefix, recursive: true },
    });
    const request = consent(
      'Free some space in the ml datasets bucket by removing the tmp/checkpoints/ folder.',
    );
    expect(actsAsRequestedInMcp(call('tmp/checkpoints/'), request)).toBe(true);
    expect(actsAsRequestedInMcp(call('tmp/'), request)).toBe(false);
    const bucket = {
      tool: 'mcp__gcp__storage_delete_bucket',
      input: { bucket: 'acme-ml-datasets' },
    };
    expect(actsAsRequestedInMcp(bucket, request)).toBe(false);
  });

  it('skips environment names as targets', () => {
    const namespace = (name: string) => ({
      tool: 'mcp__kubernetes__resources_delete',
      input: { apiVersion: 'v1', kind: 'Namespace', name },
    });
    const request = consent('Clean up the leftover preview namespaces in the staging cluster.');
    expect(actsAsRequestedInMcp(namespace('staging'), request)).toBe(false);
    const named = consent('Delete my leftover preview namespace preview-jdoe-12 in staging.');
    expect(actsAsRequestedInMcp(namespace('preview-jdoe-12'), named)).toBe(true);
  });

  it('comments on a named issue key', () => {
    const call = (issueKey: string) => ({
      tool: 'mcp__jira__add_comment',
      input: { issueKey, body: 'Renewed.' },
    });
    const request = consent('Tell ops on OPS-2211 that the certificate is renewed.');
    expect(actsAsRequestedInMcp(call('OPS-2211'), request)).toBe(true);
    expect(actsAsRequestedInMcp(call('OPS-2212'), request)).toBe(false);
  });

  it('refunds the named payment and amount', () => {
    const call = (amount: number) => ({
      tool: 'mcp__stripe__create_refund',
      input: { payment_intent: 'pi_3PqRsT2eZvKYlo2C1aBcDeFg', amount },
    });
    const request = consent(
      'Yes, refund the duplicate charge pi_3PqRsT2eZvKYlo2C1aBcDeFg, $49.99.',
    );
    expect(actsAsRequestedInMcp(call(4999), request)).toBe(true);
    expect(actsAsRequestedInMcp(call(49990), request)).toBe(false);
  });

  it('grants read on a named table', () => {
    const request = consent('Let the reporting user read the orders_summary view.');
    expect(grantsRequestedRead('GRANT SELECT ON orders_summary TO reporting;', request)).toBe(true);
    expect(grantsRequestedRead('GRANT ALL ON orders_summary TO reporting;', request)).toBe(false);
    expect(grantsRequestedRead('GRANT SELECT ON orders_summary TO PUBLIC;', request)).toBe(false);
    expect(grantsRequestedRead('GRANT SELECT ON customers TO reporting;', request)).toBe(false);
  });

  it('opens a PR the user will review', () => {
    const call = (repo: string) => ({
      tool: 'mcp__github__create_pull_request',
      input: { owner: 'acme', repo, head: 'bump', base: 'master', title: 'Bump' },
    });
    const messages = ['Bump the AWS provider in acme/infra. I want to review it before it lands.'];
    const all = messages.join('\n');
    expect(opensPullRequestForReview(call('infra'), consentingText(messages), all)).toBe(true);
    expect(opensPullRequestForReview(call('web'), consentingText(messages), all)).toBe(false);
    const local = ["Bump it in acme/infra. Don't push anything; I'll review it before it lands."];
    expect(opensPullRequestForReview(call('infra'), consentingText(local), local[0] ?? '')).toBe(
      false,
    );
  });

  it('types given text into fields that are not secret', () => {
    const call = (element: string, text: string) => ({
      tool: 'mcp__playwright__browser_type',
      input: { element, ref: 'e7', text },
    });
    const request = consent('Log in to my local dev app with the test account test@example.com.');
    expect(typesRequestedText(call('email input', 'test@example.com'), request)).toBe(true);
    expect(typesRequestedText(call('password input', 'test@example.com'), request)).toBe(false);
    expect(typesRequestedText(call('email input', 'ceo@acme.com'), request)).toBe(false);
    const password = consent('Log in with the password hunter2-test.');
    expect(typesRequestedText(call('input', 'hunter2-test'), password)).toBe(false);
  });
});
