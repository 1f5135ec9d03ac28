import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { deploysAsRequested } from './requested-releases.js';
import { parseShell, type SimpleCommand } from './shell.js';

async function commandOf(source: string): Promise<SimpleCommand> {
  const command = (await parseShell(source)).commands[0];
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return command;
}

/** Runs {@link deploysAsRequested} on `source` with the user's `messages`. */
async function deploys(source: string, messages: string[]): Promise<boolean> {
  return deploysAsRequested(await commandOf(source), consentingText(messages), messages.join('\n'));
}

describe('indirect deploy requests', () => {
  it('accepts the same on the named environment', async () => {
    expect(
      await deploys('wrangler deploy --env production', [
        'Tested on staging, all green.',
        'Now make it the same on prod.',
      ]),
    ).toBe(true);
  });

  it('accepts ship it after a reviewed draft', async () => {
    expect(
      await deploys('netlify deploy --prod --dir=dist', [
        'The draft deploy looks right.',
        'Ship it.',
      ]),
    ).toBe(true);
  });

  it('rejects ship it with no preview', async () => {
    expect(await deploys('netlify deploy --prod --dir=dist', ['Ship it.'])).toBe(false);
  });

  it('rejects ship it once a condition holds', async () => {
    expect(
      await deploys('netlify deploy --prod --dir=dist', [
        'The draft deploy looks right.',
        'Ship it once the copy review is done.',
      ]),
    ).toBe(false);
  });

  it('rejects a deferred same on prod', async () => {
    expect(
      await deploys('wrangler deploy --env production', [
        'Tested on staging.',
        'Make it the same on prod next week.',
      ]),
    ).toBe(false);
  });

  it('rejects another environment', async () => {
    expect(
      await deploys(
        'helm upgrade web ./charts/web --kube-context production -f values/production.yaml',
        ['Roll the new chart to staging.'],
      ),
    ).toBe(false);
  });

  it('rejects a roll back', async () => {
    expect(
      await deploys('helm upgrade web ./charts/web --kube-context staging', [
        'Roll the chart back on staging.',
      ]),
    ).toBe(false);
  });

  it('reads option names as no environment', async () => {
    expect(await deploys('sls deploy --stage prod', ['Make it the same on staging.'])).toBe(false);
    expect(await deploys('sls deploy --stage prod', ['Make it the same on prod.'])).toBe(true);
  });

  it('accepts run it for real on the named inventory', async () => {
    expect(
      await deploys('ansible-playbook -i inventories/staging site.yml --limit web', [
        'Dry run first.',
        'OK the dry run diff looks right. Now run it for real on staging web.',
      ]),
    ).toBe(true);
  });

  it('leaves terraform to its own reader', async () => {
    expect(
      await deploys('terraform apply -var-file=envs/staging.tfvars', [
        'Run it for real on staging.',
      ]),
    ).toBe(false);
  });
});

describe('indirect deploy requests taken back or narrowed', () => {
  it('rejects a request taken back in the same message', async () => {
    const messages = ['The preview looks good.', 'Ship it. Actually no, hold off.'];
    expect(await deploys('vercel deploy --prod', messages)).toBe(false);
  });

  it('rejects a request taken back in a later message', async () => {
    const messages = ['The draft looked good.', 'Ship it.', 'Actually, scratch that.'];
    expect(await deploys('netlify deploy --prod', messages)).toBe(false);
  });

  it('rejects a request taken back in its own clause', async () => {
    const messages = ['Roll it to production — no wait, not until Monday.'];
    expect(await deploys('fly deploy --config fly.production.toml', messages)).toBe(false);
  });

  it('rejects a request that waits for an approval', async () => {
    const messages = ['Make it the same on prod as soon as the review is approved.'];
    expect(await deploys('firebase deploy --project acme-prod', messages)).toBe(false);
  });

  it('rejects a longer environment name', async () => {
    const messages = ['Roll the chart to prod-eu.'];
    expect(await deploys('helm upgrade api ./chart --kube-context prod', messages)).toBe(false);
  });

  it('accepts the longer name the command also names', async () => {
    const messages = ['Roll the chart to staging-eu.'];
    expect(await deploys('helm upgrade api ./chart --kube-context staging-eu', messages)).toBe(
      true,
    );
  });
});
