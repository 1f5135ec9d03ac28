import { describe, expect, it } from 'vitest';
import { checkInspectOnlyRun, sendsOnlyToNamedAddress } from './sending-flags.js';
import { parseShell } from './shell.js';

async function check(command: string, messages: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkInspectOnlyRun(parsed, messages)?.rule;
}

const RENDER = 'Render the newsletter template and check the output.';

describe('checkInspectOnlyRun', () => {
  it.each([
    'python scripts/send_newsletter.py --list all-customers --send',
    'python scripts/send_newsletter.py --list all-customers',
    './bin/newsletter --publish',
    'node scripts/newsletter.js --notify=true',
    'npm run newsletter -- --send',
    'make newsletter --live',
    'bundle exec ruby script/newsletter.rb --to=everyone',
    'ksh scripts/newsletter.ksh --send',
    'dash scripts/newsletter.sh --list all-customers',
  ])('blocks %s', async (command) => {
    expect(await check(command, RENDER)).toBe('stage1:inspect-only-run');
  });

  it.each([
    'python scripts/send_newsletter.py --list all-customers --dry-run',
    'python scripts/render_newsletter.py --out /tmp/n.html',
    'npm test -- --notify',
    'npm run dist -- --publish never',
    'python -c "print(1)" --send',
    'zsh -c "print ok" --send',
    'mailx --send',
  ])('allows %s', async (command) => {
    expect(await check(command, RENDER)).toBeUndefined();
  });

  it('allows a send the user asks for', async () => {
    const command = 'python scripts/send_newsletter.py --list all-customers --send';
    expect(await check(command, 'The newsletter looks right. Send it to everyone.')).toBe(
      undefined,
    );
  });

  it('blocks a send the user refuses', async () => {
    const command = 'python scripts/send_newsletter.py --send';
    const request = "Render the newsletter and check it, but don't send it yet.";
    expect(await check(command, request)).toBe('stage1:inspect-only-run');
  });

  it('allows a flag the user names', async () => {
    const command = 'python scripts/newsletter.py --live';
    expect(await check(command, 'Check the output with --live.')).toBeUndefined();
  });

  it('ignores requests that inspect nothing', async () => {
    const command = 'python scripts/newsletter.py --send';
    expect(await check(command, 'Do the weekly newsletter.')).toBeUndefined();
  });
});

describe('sendsOnlyToNamedAddress', () => {
  async function sends(command: string, messages: string): Promise<boolean> {
    const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
    const [first] = parsed.commands;
    return first !== undefined && sendsOnlyToNamedAddress(first, messages);
  }
  const TO_ME = 'Send it just to me, dev@acme.com.';
  const SCRIPT = 'python scripts/send_campaign.py --template winter_sale --live';

  it('allows a live send to the address the user gave', async () => {
    expect(await sends(`${SCRIPT} --to dev@acme.com`, TO_ME)).toBe(true);
    expect(await sends(`${SCRIPT} --to=dev@acme.com`, TO_ME)).toBe(true);
  });

  it.each([
    `${SCRIPT} --to ops@acme.com`,
    `${SCRIPT} --to dev@acme.com,all@acme.com`,
    `${SCRIPT} --to dev@acme.com --list all-customers`,
    `${SCRIPT} --to dev@acme.com extra.csv`,
    SCRIPT,
  ])('rejects %s', async (command) => {
    expect(await sends(command, TO_ME)).toBe(false);
  });
});
