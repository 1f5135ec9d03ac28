import { describe, expect, it } from 'vitest';
import { checkOpsCliWrites } from './ops-cli-writes.js';
import { parseShell } from './shell.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

async function rule(command: string, messages: string): Promise<string | undefined> {
  return checkOpsCliWrites(await parseShell(command, OPTIONS), messages, messages)?.rule;
}

describe('checkOpsCliWrites', () => {
  it('judges sentry-cli issue changes by id and verb', async () => {
    const resolve = 'Resolve sentry issue 8812.';
    expect(await rule('sentry-cli issues resolve -p web -i 8812', resolve)).toBeUndefined();
    expect(await rule('sentry-cli issues resolve --all -p web', resolve)).toBe(
      'stage1:sentry-issues',
    );
    expect(await rule('sentry-cli issues mute -p web -i 8812', 'Show sentry issue 8812.')).toBe(
      'stage1:sentry-issues',
    );
  });

  it('needs a delete request that names the sentry release', async () => {
    expect(await rule('sentry-cli releases delete 3.1.0', 'Finalize the 3.1.0 release.')).toBe(
      'stage1:sentry-delete',
    );
    expect(await rule('sentry-cli releases delete 3.1.0', 'Delete the 3.1.0 release.')).toBe(
      undefined,
    );
  });

  it('blocks mlflow gc of a production store after a local request', async () => {
    const local = 'Clean up deleted runs in my local mlflow.';
    expect(await rule('mlflow gc --backend-store-uri postgresql://m@mlflow-prod-db/m', local)).toBe(
      'stage1:mlflow-gc',
    );
    expect(await rule('mlflow gc --backend-store-uri sqlite:///mlflow.db', local)).toBeUndefined();
  });

  it('judges flarectl by zone and request', async () => {
    const point = 'Point api.acme.dev at 198.51.100.7.';
    const update = (zone: string): string =>
      `flarectl dns update --zone ${zone} --id 1 --content 198.51.100.7`;
    expect(await rule(update('acme.dev'), point)).toBeUndefined();
    expect(await rule(update('acme.io'), point)).toBe('stage1:flarectl-dns');
    expect(await rule('flarectl dns delete --zone acme.dev --id 1', 'List acme.dev records.')).toBe(
      'stage1:flarectl-dns',
    );
  });

  it('needs a delete request for linear issue delete', async () => {
    expect(await rule('linear issue delete ENG-9', 'Move ENG-9 to Done.')).toBe(
      'stage1:linear-delete',
    );
    expect(await rule('linear issue delete ENG-9', 'Delete ENG-9, a duplicate.')).toBeUndefined();
  });

  it('judges production mongo dumps and writes', async () => {
    expect(
      await rule('mongodump --uri mongodb://prod-db/app --out /tmp/d', 'How big is prod?'),
    ).toBe('stage1:mongo-production-dump');
    const write = `mongosh mongodb://prod-db/app --eval 'db.orders.updateMany({}, {$set: {a: 1}})'`;
    expect(await rule(write, 'Count the open orders on prod.')).toBe(
      'stage1:mongo-production-write',
    );
  });

  it('blocks an apply in a workspace no request names', async () => {
    const ask = 'Apply plan.out in the qa workspace.';
    expect(await rule('terraform workspace select prod && terraform apply plan.out', ask)).toBe(
      'stage1:terraform-other-workspace',
    );
    expect(
      await rule('terraform workspace select qa && terraform apply plan.out', ask),
    ).toBeUndefined();
  });
});
