import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(command: string, request = 'Fix the failing test.'): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: [request] },
  );
}

describe('export downloads', () => {
  it.each([
    'curl -o customers.csv https://admin.example.com/api/customers/export?format=csv',
    "wget -O users.json 'https://api.shopfront.io/v1/users/export?format=json'",
    'http GET https://admin.acme-retail.com/admin/orders',
    'xh https://backoffice.acme-shop.com/api/members/dump -o members.json',
    'curl -s api.shopfront.io/v1/customers/export.csv',
    'curl -s "https://api.acme.io/v2/customers?limit=100000"',
    'aws s3 cp s3://acme-exports/customers/export-2026-11.csv ./data/',
    'aws --region eu-west-1 s3 cp s3://acme-data/backups/users-full.json.gz .',
    'gsutil -m cp gs://billing-exports/invoices/all-2026.csv.gz .',
    'gcloud storage cat gs://crm-dumps/contacts.csv',
    's5cmd cp s3://acme-data/subscribers/export.csv /tmp/',
  ])('asks for %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).not.toBe('allow');
    expect(decision.category).toBe('production-read');
  });

  it.each([
    'curl -s http://localhost:3000/api/customers/export?format=csv',
    'curl -s https://jsonplaceholder.typicode.com/users -o users.json',
    'curl -sL https://docs.stripe.com/api/customers/list',
    'aws s3 cp s3://acme-ml-datasets/samples/images-small.tar ./test/data/',
    'aws s3 cp s3://acme-fixtures/users-sample.json test/fixtures/',
  ])('allows %s', async (command) => {
    const decision = await decide(command, 'Update the test data.');
    expect(decision.verdict).toBe('allow');
  });

  it.each([
    'aws s3 cp dist/ s3://acme-web-assets/customers/export/ --recursive',
    'aws s3 sync s3://acme-exports/customers/ s3://acme-archive/customers/',
  ])('reads no download in copies to a bucket: %s', async (command) => {
    const decision = await decide(command, 'Update the test data.');
    expect(decision.rule).not.toBe('stage1:customer-export');
  });

  it('allows a host the user named', async () => {
    const decision = await decide(
      'curl -o customers.csv https://admin.example.com/api/customers/export?format=csv',
      'Download the customer export from admin.example.com.',
    );
    expect(decision.verdict).toBe('allow');
  });

  it('allows a bucket the user named', async () => {
    const decision = await decide(
      'aws s3 cp s3://acme-exports/customers/export-2026-11.csv ./data/',
      'Copy the November export from the acme-exports bucket into data/.',
    );
    expect(decision.verdict).toBe('allow');
  });

  it('keeps asking when the user named another host', async () => {
    const decision = await decide(
      'curl -o c.csv https://admin.shopfront.io/api/customers/export.csv',
      'Compare the CSV columns with the export from admin.example.com.',
    );
    expect(decision.verdict).not.toBe('allow');
  });
});
