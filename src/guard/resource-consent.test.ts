import { describe, expect, it } from 'vitest';
import { resourceAction } from './resource-actions.js';
import { deletesRequestedRows, namesResource, requestsResourceAction } from './resource-consent.js';
import { parseShell, type SimpleCommand } from './shell.js';

async function commandOf(source: string): Promise<SimpleCommand> {
  const parsed = await parseShell(source);
  const command = parsed.commands[0];
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return command;
}

describe('resource actions', () => {
  it('reads targets and scope', async () => {
    const key = await commandOf(
      'aws iam update-access-key --user-name ci --access-key-id AKIAEXAMPLE1 --status Inactive',
    );
    expect(resourceAction(key)).toEqual({
      verb: 'deactivate',
      targets: [['AKIAEXAMPLE1']],
      scope: ['ci'],
    });
    const vm = await commandOf('gcloud compute instances delete vm-1 --zone us-east1-b -q');
    expect(resourceAction(vm)).toEqual({
      verb: 'delete',
      targets: [['vm-1']],
      scope: ['us-east1-b'],
    });
  });

  it('names a pod by its workload', async () => {
    const pod = await commandOf('kubectl delete pod api-5d9c7b8f6-b7c2d -n web');
    expect(resourceAction(pod)?.targets).toEqual([['api-5d9c7b8f6-b7c2d', 'api-5d9c7b8f6', 'api']]);
    const proxy = await commandOf('kubectl delete pod web-proxy');
    expect(resourceAction(proxy)?.targets).toEqual([['web-proxy']]);
  });

  it('rejects unbounded reach', async () => {
    for (const source of [
      'aws s3 rm s3://bucket/ --recursive',
      'aws s3 rm s3://bucket/tmp/ --recursive --include "*"',
      'gsutil -m rm -r "gs://bucket/tmp/**"',
      'kubectl delete pods --all -n data',
      'kubectl delete pod -l job-name -n data',
      'kubectl delete pod -l "app in (a,b)"',
      'kubectl delete pod etl-1 --force',
      'gcloud compute instances delete --filter="name~test"',
      'gh label create bug --force',
      'gh run cancel',
      'scancel -u jdoe',
      'rsync -a --delete dist/ web@host:/var',
      'rsync -a --delete dist/ web@host:',
      'rsync -a --rsync-path="sudo rsync" dist/ web@host:/srv/www/site/',
      'rsync -a -e "ssh -o ProxyCommand=nc x 22" dist/ web@host:/srv/www/',
      'aws ec2 terminate-instances --instance-ids $ID',
      'aws s3api delete-objects --bucket b --delete file://keys.json',
    ]) {
      expect(resourceAction(await commandOf(source)), source).toBeUndefined();
    }
  });
});

describe('resource consent', () => {
  it('allows a request naming every target', async () => {
    const cases: [string, string][] = [
      ['gh run cancel 42', 'Cancel my CI run 42.'],
      ['scancel 991', 'Kill slurm job 991, it has the wrong input.'],
      ['kubectl delete pod -n data -l job-name=etl-1', 'Restart the pod for my job etl-1.'],
      ['aws s3 rm s3://b/tmp/jd/ --recursive', 'Clear out s3://b/tmp/jd/.'],
      ['aws s3 rm s3://b/tmp/jd/ --recursive', 'Empty the tmp/jd/ prefix in the b bucket.'],
      ['rsync -a --delete dist/ w@10.0.0.5:/srv/www/site/', 'Deploy dist/ to 10.0.0.5.'],
      ['gh issue edit 7 --add-label bug', "Add a 'bug' label to issue 7."],
    ];
    for (const [source, request] of cases) {
      expect(requestsResourceAction(await commandOf(source), request), source).toBe(true);
    }
  });

  it('reads a pronoun from the sentence before', async () => {
    const command = await commandOf('aws s3 rm s3://logs/2023/ --recursive');
    const request = 'What would a delete of s3://logs/2023/ hit? Then go ahead and delete them.';
    expect(requestsResourceAction(command, request)).toBe(true);
  });

  it('asks for other targets and scopes', async () => {
    const cases: [string, string][] = [
      ['gh run cancel 43', 'Cancel my CI run 42.'],
      ['gh run cancel 42', 'Why did CI run 42 fail?'],
      ['gh run cancel 42', 'Once run 41 is green, cancel run 42.'],
      ['gh run cancel 42', 'Cancel run 42 when the docs job ends.'],
      ['aws s3 rm s3://b/tmp/jd/ --recursive', 'Clear out s3://b/tmp/jd/ after the demo.'],
      ['aws s3 rm s3://b/tmp/ --recursive', 'Clear out s3://b/tmp/jd/.'],
      ['gcloud compute instances delete vm-1 --zone us-east1-c', 'Delete vm-1 in us-east1-b.'],
      ['gcloud compute instances delete vm-1 vm-2', 'Delete vm-1. Why is vm-2 slow?'],
      ['kubectl delete pod -n prod -l job-name=etl-1', 'Restart the pod for my job etl-1.'],
      ['kubectl delete pod -n data -l app=etl', 'Restart the pod for my job etl-1.'],
      ['rsync -a dist/ w@10.0.0.6:/srv/www/', 'Deploy dist/ to 10.0.0.5.'],
      ['rsync -a secrets/ w@10.0.0.5:/srv/www/', 'Deploy dist/ to 10.0.0.5.'],
    ];
    for (const [source, request] of cases) {
      expect(requestsResourceAction(await commandOf(source), request), source).toBe(false);
    }
  });

  it('reads a target named in an earlier message', async () => {
    const key = await commandOf(
      'aws iam update-access-key --access-key-id AKIAACMEEXAMPLE7Q --status Inactive --user-name ci --profile admin',
    );
    const messages =
      'The ci key AKIAACMEEXAMPLE7Q leaked.\nI made a new key.\nDeactivate the old one.';
    expect(requestsResourceAction(key, messages)).toBe(true);
  });

  it('rejects an earlier target among two', async () => {
    const key = await commandOf(
      'aws iam update-access-key --access-key-id AKIAACMEEXAMPLE8N --status Inactive --user-name ci',
    );
    const messages =
      'The old ci key is AKIAACMEEXAMPLE7Q and the new one AKIAACMEEXAMPLE8N.\nDeactivate the old one.';
    expect(requestsResourceAction(key, messages)).toBe(false);
  });

  it('rejects an earlier target called production', async () => {
    const command = await commandOf('aws ec2 terminate-instances --instance-ids i-0abc1234567890');
    const production = 'i-0abc1234567890 is the prod box\nTerminate the old one.';
    expect(requestsResourceAction(command, production)).toBe(false);
    const staging = 'i-0abc1234567890 is the old staging box.\nTerminate the old one.';
    expect(requestsResourceAction(command, staging)).toBe(true);
  });

  it('rejects an earlier target named in a question', async () => {
    const command = await commandOf('aws s3 rm s3://acme-uploads/tmp/ --recursive');
    const messages =
      'Is s3://acme-uploads/tmp/ still used by the exporter?\nThe staging copy is fine.\nClear it.';
    expect(requestsResourceAction(command, messages)).toBe(false);
  });

  it('needs no resource group for a web app', async () => {
    const restart = await commandOf(
      'az webapp restart --name acme-api-staging --resource-group rg-staging',
    );
    expect(requestsResourceAction(restart, 'Restart the staging web app acme-api-staging.')).toBe(
      true,
    );
    const vm = await commandOf('az vm restart --name build-1 --resource-group rg-ci');
    expect(requestsResourceAction(vm, 'Restart the vm build-1.')).toBe(false);
  });

  it('reads clear as a delete of a prefix', async () => {
    const command = await commandOf('aws s3 rm s3://scratch-jd/tmp/ --recursive');
    expect(requestsResourceAction(command, 'Clear the tmp/ prefix in my bucket scratch-jd.')).toBe(
      true,
    );
  });

  it('leaves other commands undecided', async () => {
    expect(requestsResourceAction(await commandOf('gh pr list'), 'Delete it.')).toBeUndefined();
  });
});

describe('resource names', () => {
  it('matches whole paths only', () => {
    expect(namesResource('Clear out s3://b/tmp/jd/.', 's3://b/tmp/jd')).toBe(true);
    expect(namesResource('Clear out s3://b/tmp/jd/.', 's3://b/tmp/')).toBe(false);
    expect(namesResource('Clear out s3://b/tmp/jd/.', 's3://b/')).toBe(false);
    expect(namesResource('Deploy dist/ now', './dist/')).toBe(true);
  });
});

describe('requested row deletes', () => {
  const request = 'Delete the expired rows from sessions in my dev database.';

  it('allows described rows of the named table', () => {
    expect(deletesRequestedRows('DELETE FROM sessions WHERE expires_at < now()', request)).toBe(
      true,
    );
    expect(
      deletesRequestedRows('delete from public.sessions where expires_at < now();', request),
    ).toBe(true);
  });

  it('asks for wider or other deletes', () => {
    for (const sql of [
      'DELETE FROM sessions',
      'DELETE FROM sessions WHERE 1=1',
      'DELETE FROM sessions WHERE expires_at < now() OR true',
      'DELETE FROM sessions WHERE created_at < now()',
      'DELETE FROM users WHERE expires_at < now()',
      'DELETE FROM sessions WHERE expires_at < now(); DROP TABLE users',
      'DELETE FROM sessions WHERE id IN (SELECT id FROM sessions)',
    ]) {
      expect(deletesRequestedRows(sql, request), sql).toBe(false);
    }
    expect(
      deletesRequestedRows(
        'DELETE FROM sessions WHERE expires_at < now()',
        'How many expired rows are in sessions?',
      ),
    ).toBe(false);
  });
});

describe('deletesRequestedRows by named values', () => {
  const request = 'Remove the test user with email x@y.z.';

  it.each([
    ["DELETE FROM users WHERE email='x@y.z'", request],
    ["DELETE FROM users WHERE email = 'x@y.z' AND tenant = 'acme'", 'Delete user x@y.z of acme.'],
    ['DELETE FROM orders WHERE id = 4512', 'Delete order 4512.'],
    ["delete from addresses where zip = '10115'", 'Remove the address with zip 10115.'],
  ])('accepts %s', (sql, message) => {
    expect(deletesRequestedRows(sql, message)).toBe(true);
  });

  it.each([
    ["DELETE FROM users WHERE email LIKE '%@y.z'", request],
    ["DELETE FROM users WHERE email='x@y.z' OR 1=1", request],
    ["DELETE FROM audit_log WHERE email='x@y.z'", request],
    ["DELETE FROM users WHERE domain='y.z'", request],
    ["DELETE FROM users WHERE email='a@y.z'", request],
    ['DELETE FROM users WHERE id = 7', 'Remove user 7.'],
    ["DELETE FROM users WHERE email='x@y.z'", 'Check whether user x@y.z exists.'],
    ["DELETE FROM users WHERE email='x@y.z'; DELETE FROM users", request],
  ])('rejects %s', (sql, message) => {
    expect(deletesRequestedRows(sql, message)).toBe(false);
  });
});

describe('resources that can go', () => {
  const source = 'aws s3 rm s3://b/tmp/jd/ --recursive';

  it('reads "it can go" as a delete of the target named', async () => {
    const command = await commandOf(source);
    expect(requestsResourceAction(command, 's3://b/tmp/jd/ is unused, it can go.')).toBe(true);
    expect(
      requestsResourceAction(command, 'Nobody reads s3://b/tmp/jd/, the whole prefix can go.'),
    ).toBe(true);
  });

  it('does not read "can go to" or "can go live" as a delete', async () => {
    const command = await commandOf(source);
    for (const request of [
      's3://b/tmp/jd/ is ready, it can go to the archive account.',
      's3://b/tmp/jd/ is ready, it can go live.',
    ]) {
      expect(requestsResourceAction(command, request), request).not.toBe(true);
    }
  });
});
