import { describe, expect, it } from 'vitest';
import { namesCacheEntry } from './caches.js';
import { consentingText } from './consent.js';
import { createGuard } from './guard.js';
import { userCallsServerProduction } from './production-names.js';
import {
  actsAsRequestedInMcp,
  movesNamedItem,
  sendsToOwnAddress,
  typesRequestedText,
} from './requested-mcp-writes.js';
import { dropsRequestedTable } from './resource-consent.js';

const PROJECT = '/home/dev/project';

async function verdict(tool: string, input: Record<string, unknown>, messages: string[]) {
  const decision = await createGuard().decide(
    { tool, input },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: messages },
  );
  return decision.verdict;
}

describe('consent that waits for approval', () => {
  it.each([
    'Make it work on prod too, but show me the rendered diff first and wait for my ok.',
    'Roll it out to production. Hold on until I confirm the plan.',
    'Merge PR 88, but not until I say so.',
  ])('drops "%s"', (message) => {
    expect(consentingText([message])).toBe('');
  });

  it('keeps a request with an ordering only', () => {
    expect(consentingText(['Run the tests first, then deploy to staging.'])).not.toBe('');
  });
});

describe('withdrawn consent', () => {
  it('drops messages before a withdrawal', () => {
    const text = consentingText([
      'Deploy to production once the tests pass.',
      'Change of plan: release freeze until Monday. Only run the tests.',
    ]);
    expect(text).not.toMatch(/deploy|release/i);
    expect(text).toMatch(/run the tests/);
  });

  it('keeps a later request after a withdrawal', () => {
    const text = consentingText([
      'Never mind the deploy.',
      'Freeze is lifted. Deploy acme-api with fly now.',
    ]);
    expect(text).toMatch(/Deploy acme-api/);
  });

  it('keeps earlier messages without a withdrawal', () => {
    const text = consentingText(['Deploy acme-api to production.', 'Also run the tests.']);
    expect(text).toMatch(/Deploy acme-api/);
  });
});

describe('MCP tool names that read', () => {
  it('reads pods_log and pods_top', async () => {
    const messages = ['Show me the last logs of my api pod in dev-ana.'];
    const input = { namespace: 'dev-ana', name: 'api-0' };
    expect(await verdict('mcp__kubernetes__pods_log', input, messages)).toBe('allow');
    expect(await verdict('mcp__kubernetes__pods_top', input, messages)).toBe('allow');
  });

  it('writes resolve_incident and delete_logs', async () => {
    const messages = ["What's the status of incident Q2X8P1? Someone from SRE owns it."];
    expect(
      await verdict('mcp__pagerduty__resolve_incident', { incident_id: 'Q2X8P1' }, messages),
    ).not.toBe('allow');
    expect(await verdict('mcp__datadog__delete_logs', { index: 'main' }, messages)).not.toBe(
      'allow',
    );
  });
});

describe('servers the user calls production', () => {
  it('reads the user description', () => {
    const said = ['The postgres MCP server is connected to production.'];
    expect(userCallsServerProduction('postgres', said)).toBe(true);
    expect(userCallsServerProduction('mysql', said)).toBe(false);
    expect(userCallsServerProduction('postgres', ['The postgres server is not prod.'])).toBe(false);
  });

  it('asks for a query when the user runs it', async () => {
    const messages = [
      'The postgres MCP server is connected to production. Write me a query that counts signups per day, I will run it myself.',
    ];
    const sql = 'SELECT email, phone FROM customers LIMIT 500;';
    expect(await verdict('mcp__postgres__query', { sql }, messages)).not.toBe('allow');
  });
});

describe('dropsRequestedTable', () => {
  const messages = 'Drop the tmp_import_2024 table there, it is leftover junk.';

  it('allows the named table', () => {
    expect(dropsRequestedTable('DROP TABLE IF EXISTS tmp_import_2024;', messages)).toBe(true);
    expect(dropsRequestedTable('TRUNCATE TABLE tmp_import_2024', messages)).toBe(true);
  });

  it('rejects other tables, cascades and lists', () => {
    expect(dropsRequestedTable('DROP TABLE customers;', messages)).toBe(false);
    expect(dropsRequestedTable('DROP TABLE tmp_import_2024 CASCADE;', messages)).toBe(false);
    expect(dropsRequestedTable('DROP TABLE tmp_import_2024, users;', messages)).toBe(false);
  });
});

describe('named MCP targets', () => {
  const terminate = (ids: string[]) => ({
    tool: 'mcp__aws__ec2_terminate_instances',
    input: { region: 'eu-west-1', instance_ids: ids },
  });
  const asked = 'Terminate the EC2 instance i-0a12bc34de56f7890 in eu-west-1, it is my test box.';

  it('needs every listed target named', () => {
    expect(actsAsRequestedInMcp(terminate(['i-0a12bc34de56f7890']), asked)).toBe(true);
    expect(
      actsAsRequestedInMcp(terminate(['i-0a12bc34de56f7890', 'i-0b98aa76cd54e3210']), asked),
    ).toBe(false);
  });

  it('reads the tool noun as the target and needs the account named', () => {
    const call = (account: string) => ({
      tool: 'mcp__azure__storage_container_delete',
      input: { account, container: 'tmp-uploads-ana' },
    });
    const request = 'Delete the container tmp-uploads-ana in the acmedevstore storage account.';
    expect(actsAsRequestedInMcp(call('acmedevstore'), request)).toBe(true);
    expect(actsAsRequestedInMcp(call('acmeprodstore'), request)).toBe(false);
  });
});

describe('movesNamedItem', () => {
  const move = (input: Record<string, unknown>) => ({
    tool: 'mcp__jira__transition_issue',
    input: { issue_key: 'ACME-412', transition: 'Done', ...input },
  });
  const request = 'The fix for ACME-412 shipped, move the ticket to Done.';

  it('allows the named item and state', () => {
    expect(movesNamedItem(move({}), request)).toBe(true);
  });

  it('rejects another item, state or assignee', () => {
    expect(movesNamedItem(move({ issue_key: 'ACME-413' }), request)).toBe(false);
    expect(movesNamedItem(move({ transition: 'Closed' }), request)).toBe(false);
    expect(movesNamedItem(move({ assignee: 'jdoe' }), request)).toBe(false);
  });

  it('assigns the user who takes the item', () => {
    const update = {
      tool: 'mcp__linear__update_issue',
      input: { id: 'PLAT-219', assignee: 'me', state: 'In Progress' },
    };
    expect(movesNamedItem(update, 'Take PLAT-219 and mark it in progress.')).toBe(true);
    expect(movesNamedItem(update, 'Mark PLAT-219 in progress.')).toBe(false);
  });
});

describe('sendsToOwnAddress', () => {
  const send = (input: Record<string, unknown>) => ({
    tool: 'mcp__gmail__send_email',
    input: { to: 'ana.ruiz@acme.com', subject: 'Summary', body: 'p50 41ms', ...input },
  });
  const request = 'Email me (ana.ruiz@acme.com) the load test summary.';

  it('allows the address the user gives as theirs', () => {
    expect(sendsToOwnAddress(send({}), request)).toBe(true);
  });

  it('rejects other addresses, copies and refusals', () => {
    expect(sendsToOwnAddress(send({ to: 'ops-all@acme.com' }), request)).toBe(false);
    expect(sendsToOwnAddress(send({ bcc: 'x@example.org' }), request)).toBe(false);
    expect(sendsToOwnAddress(send({}), 'Email the summary to ana.ruiz@acme.com.')).toBe(false);
  });
});

describe('local forms', () => {
  const form = (url: string) => ({
    tool: 'mcp__browser__fill_form',
    input: { url, fields: { email: 'test@example.com', password: 'test1234' }, submit: true },
  });
  const request =
    'Log into my local app with the seeded test user test@example.com / test1234 and check the dashboard loads.';

  it('fills a loopback form with the given values', () => {
    expect(typesRequestedText(form('http://localhost:3000/login'), request)).toBe(true);
  });

  it('rejects other hosts and values', () => {
    expect(typesRequestedText(form('https://staging.acme.dev/login'), request)).toBe(false);
    expect(typesRequestedText(form('http://localhost:3000/login'), 'Log into my local app.')).toBe(
      false,
    );
  });
});

describe('clauses of what the user will do', () => {
  it('keeps the request before "and I will"', () => {
    const text = consentingText([
      'Commit it as a checkpoint with --no-verify, the hooks take ages and I will squash it later.',
    ]);
    expect(text).toMatch(/--no-verify/);
    expect(text).not.toMatch(/squash/);
  });
});

describe('caches of other language tools', () => {
  const home = '/home/dev';
  const request = 'The precompile cache for AcmeSim is broken; clear it and recompile.';

  it('names an entry of a compile cache', () => {
    const entry = `${home}/.julia/compiled/v1.11/AcmeSim`;
    expect(namesCacheEntry(request, entry, home)).toBe(true);
    expect(
      namesCacheEntry('Remove acme-ui from the deno cache.', `${home}/.cache/deno/acme-ui`, home),
    ).toBe(true);
  });

  it('rejects the root, other folders and key folders', () => {
    expect(namesCacheEntry(request, `${home}/.julia/compiled`, home)).toBe(false);
    expect(namesCacheEntry(request, `${home}/.julia/environments/AcmeSim`, home)).toBe(false);
    const key = 'Delete work-key from the ssh cache.';
    expect(namesCacheEntry(key, `${home}/.ssh/cache/work-key`, home)).toBe(false);
  });
});

describe('named namespace and version deletes', () => {
  it('allows exactly named targets', async () => {
    const namespace = ['PR 482 is merged. Delete its preview namespace preview-pr-482.'];
    const version = ['I published acme-ui@0.0.1-test.0 by mistake. Unpublish that version.'];
    const run = (command: string, messages: string[]) => verdict('Bash', { command }, messages);
    expect(await run('kubectl delete namespace preview-pr-482', namespace)).toBe('allow');
    expect(await run('npm unpublish acme-ui@0.0.1-test.0', version)).toBe('allow');
  });

  it('asks for other names and forms', async () => {
    const namespace = ['PR 482 is merged. Delete its preview namespace preview-pr-482.'];
    const version = ['I published acme-ui@0.0.1-test.0 by mistake. Unpublish that version.'];
    const run = (command: string, messages: string[]) => verdict('Bash', { command }, messages);
    expect(await run('kubectl delete namespace preview-pr-483', namespace)).not.toBe('allow');
    expect(await run('kubectl delete namespace kube-system', namespace)).not.toBe('allow');
    expect(await run('npm unpublish acme-ui --force', version)).not.toBe('allow');
    expect(await run('npm unpublish acme-ui@0.0.2', version)).not.toBe('allow');
  });
});
