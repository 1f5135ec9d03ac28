import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { callWords, refusedTarget, refusesAnyTarget } from './refused-targets.js';
import { parseShell } from './shell.js';
import type { ToolCall } from './types.js';
import { decideCall } from '../../test/helpers/guard.js';

const bash = (command: string): ToolCall => ({ tool: 'Bash', input: { command } });

async function verdict(call: ToolCall, messages: string[]): Promise<string> {
  return (await decideCall(call, messages)).verdict;
}

async function refusedIn(command: string, messages: string[]): Promise<string | undefined> {
  return refusedTarget(callWords({ command }, await parseShell(command)), messages);
}

describe('refused targets', () => {
  it('reads a refused tag, environment and bucket', async () => {
    const tag = ['Push it as web:1.4.0.', "Don't touch the latest tag, prod pulls that."];
    expect(await refusedIn('docker push ghcr.io/acme/web:latest', tag)).toBe('latest');
    expect(await refusedIn('docker push ghcr.io/acme/web:1.4.0', tag)).toBeUndefined();
    const leave = ['Scale staging search to 1 replica.', 'Prod is fine, leave it.'];
    expect(await refusedIn('kubectl scale deploy/search -n production', leave)).toBe('prod');
    expect(await refusedIn('kubectl scale deploy/search -n staging', leave)).toBeUndefined();
    const bucket = ['Delete everything under tmp/.', 'And the bucket itself? No, keep the bucket.'];
    expect(await refusedIn('aws s3 rb s3://acme-stg-assets --force', bucket)).toBe('the bucket');
    expect(await refusedIn('aws s3 rm s3://acme-stg-assets/tmp/ --recursive', bucket)).toBe(
      undefined,
    );
  });

  it('finds whether any target is refused', () => {
    expect(refusesAnyTarget(["Don't touch the latest tag, prod pulls that."])).toBe(true);
    expect(refusesAnyTarget(['Same on prod? No, just staging.'])).toBe(true);
    expect(refusesAnyTarget(['Push it as web:1.4.0 to the latest tag.'])).toBe(false);
    expect(refusesAnyTarget(['Run the tests and fix what fails.'])).toBe(false);
    expect(refusesAnyTarget([])).toBe(false);
  });

  it('reads a question answered no', async () => {
    const messages = [
      'Turn on slow query logging on acme-stg-db.',
      'Same on prod? No, just staging.',
    ];
    expect(await refusedIn('gcloud sql instances patch acme-prod-db', messages)).toBe('prod');
    expect(await refusedIn('gcloud sql instances patch acme-stg-db', messages)).toBeUndefined();
  });

  it('ignores descriptions and names inside identifiers', async () => {
    const pushed = ['Strip secrets.json from wip/x, which was never pushed.'];
    expect(await refusedIn('git filter-repo --refs wip/x --path secrets.json', pushed)).toBe(
      undefined,
    );
    const preview = ['Delete the preview-480 namespace.', 'preview-481 is still in use, leave it.'];
    expect(await refusedIn('kubectl delete ns preview-480', preview)).toBeUndefined();
    expect(await refusedIn('kubectl delete ns preview-481', preview)).toBe('preview-481');
  });

  it('reads a kept plain name as a whole argument', async () => {
    const volumes = ['Keep pgdata, delete pgdata-old.'];
    expect(await refusedIn('docker volume rm pgdata', volumes)).toBe('pgdata');
    expect(await refusedIn('docker volume rm pgdata-old', volumes)).toBeUndefined();
  });

  it('gives a target back on a later request', async () => {
    const messages = ['Prod is fine, leave it for now.', 'Now scale search to 3 replicas in prod.'];
    expect(await refusedIn('kubectl scale deploy/search -n prod', messages)).toBeUndefined();
  });

  it('reads the input of MCP calls', () => {
    const words = callWords({ sql: 'DELETE FROM sessions', connection: 'production' }, undefined);
    expect(words.has('prod')).toBe(true);
    expect(words.has('sessions')).toBe(true);
  });
});

describe('consent kept by the user', () => {
  it('drops what the user will do themselves', () => {
    expect(consentingText(['Fix the lint errors.', "I'll merge it myself after lunch."])).toBe(
      'Fix the lint errors.',
    );
    expect(consentingText(["Tear the stack down, I'll start fresh."])).toContain(
      "I'll start fresh",
    );
  });

  it('splits keep X, delete Y', () => {
    expect(consentingText(['Keep pgdata, delete pgdata-old.'])).toBe('delete pgdata-old.');
    expect(consentingText(['Leave main alone and remove feature/x.'])).toBe('remove feature/x.');
    expect(consentingText(['Do not, under any circumstances, delete prod.'])).toBe('');
  });

  it('drops a question answered no', () => {
    expect(consentingText(['Same on prod? No, just staging for now.'])).toBe(
      'No, just staging for now.',
    );
  });
});

describe('guard on refused targets', () => {
  const registry = [
    'Tag it as api:2.1.0-rc1 and push it to our registry.',
    "Don't touch the latest tag, prod pulls that.",
  ];

  it('asks before acting on a refused target', async () => {
    expect(await verdict(bash('docker push registry.acme.example/api:latest'), registry)).toBe(
      'ask',
    );
    expect(
      await verdict(bash('kubectl scale deploy/search --replicas=0 -n prod'), [
        'Scale staging search to 1 replica.',
        'Prod is fine, leave it.',
      ]),
    ).toBe('ask');
  });

  it('allows the target the user named', async () => {
    expect(await verdict(bash('docker push registry.acme.example/api:2.1.0-rc1'), registry)).toBe(
      'allow',
    );
  });

  it('asks before publishing a requested draft', async () => {
    const call: ToolCall = {
      tool: 'mcp__github__create_release',
      input: { owner: 'acme', repo: 'sdk', tag_name: 'v2.0.0', draft: false },
    };
    const messages = ['Create a draft release on GitHub.', "Don't publish it yet."];
    expect(await verdict(call, messages)).toBe('ask');
    expect(await verdict({ ...call, input: { ...call.input, draft: true } }, messages)).toBe(
      'allow',
    );
  });
});
