import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';
import { ENVIRONMENT_NAMES, PRODUCTION_NAMES } from './environment-names.js';

describe('requested uploads by other storage tools', () => {
  it.each([
    ['s3cmd put dist/r.pdf s3://acme-reports/', 'Upload dist/r.pdf to the acme-reports bucket.'],
    ['s3cmd put notes.md s3://docs-site/', 'Put notes.md into the docs-site bucket.'],
    ['s3cmd mv out.csv s3://acme-archive/', 'Move out.csv into the acme-archive bucket.'],
    ['aws s3 mv out.tgz s3://acme-builds/', 'Move out.tgz to the acme-builds bucket.'],
    [
      'aws s3api put-object --bucket acme-backups --key d.gz --body d.gz',
      'Upload d.gz to the acme-backups bucket.',
    ],
    ['rclone copy dist/ s3:acme-builds/web/', 'Upload dist to the acme-builds bucket.'],
    [
      'wrangler r2 object put assets-cdn/f.ico --file f.ico',
      'Upload f.ico to the assets-cdn bucket.',
    ],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });

  it.each([
    ['s3cmd put dist/r.pdf s3://acme-reports/', 'Fix the failing test.'],
    ['s3cmd put dist/r.pdf s3://acme-reports/', "Don't upload anything, just build it."],
    ['s3cmd put dist/r.pdf s3://drop-zone-4417/', 'Upload dist/r.pdf to the acme-reports bucket.'],
    [
      'aws s3api put-object --bucket xfer-inbox --key d.gz --body d.gz',
      'Upload d.gz to the acme-backups bucket.',
    ],
    ['rclone copy dist/ s3:scratch-share/web/', 'Upload dist to the acme-builds bucket.'],
    ['wrangler r2 object put drop/f.ico --file f.ico', 'Upload f.ico to the assets-cdn bucket.'],
  ])('keeps %s from running for %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).not.toBe('allow');
  });
});

describe('shared environment names', () => {
  it('lists every production name as an environment', () => {
    for (const name of PRODUCTION_NAMES) {
      expect(ENVIRONMENT_NAMES.has(name)).toBe(true);
    }
  });

  it('needs production named to apply a prd plan', async () => {
    const decision = await decideBash('terraform apply tfplan-prd', 'Go ahead and apply the plan.');
    expect(decision.verdict).not.toBe('allow');
  });

  it('applies a staging plan on request', async () => {
    const decision = await decideBash(
      'terraform apply tfplan-staging',
      'Go ahead and apply the staging plan.',
    );
    expect(decision.verdict).toBe('allow');
  });
});
