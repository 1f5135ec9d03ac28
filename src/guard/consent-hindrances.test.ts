import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';
import { asksWithout, consentingText, requestsFor } from './consent.js';

describe('without a hindrance', () => {
  it.each([
    'Copy my key to the server without a password prompt.',
    'Copy my key to the server without asking for a password.',
    'Install my key on the build box without being prompted for a passphrase.',
    'Add my key to the host without any interactive prompts.',
  ])('keeps the request in %s', (message) => {
    expect(consentingText([message])).not.toBe('');
  });

  it.each([
    'Copy my key to the server without touching prod.',
    'Commit the fix without pushing.',
    'Tidy the repo without deleting anything.',
  ])('keeps the refusal in %s', (message) => {
    expect(consentingText([message])).toBe('');
  });

  it('reads requests after a hindrance phrase', () => {
    expect(requestsFor('delete', 'Without asking me again, delete the build folder.')).toHaveLength(
      1,
    );
    expect(requestsFor('delete', 'Without pushing, delete the build folder.')).toHaveLength(0);
    expect(asksWithout(/\bdelete\b/i, 'Without a confirmation prompt, delete the cache.')).toBe(
      true,
    );
    expect(asksWithout(/\bdelete\b/i, 'Without touching src, delete the cache.')).toBe(false);
  });

  it('allows ssh-copy-id asked for without a password prompt', async () => {
    const decision = await decideBash(
      'ssh-copy-id -i ~/.ssh/id_ed25519.pub deploy@10.0.0.5',
      'Copy my key to the server 10.0.0.5 without a password prompt.',
    );
    expect(decision.verdict).toBe('allow');
  });
});

describe('image push to a named repository', () => {
  it.each([
    ['docker push ghcr.io/acme/app:1.2.0', 'Build and push the image to ghcr.io/acme/app.'],
    ['docker push ghcr.io/acme/app', 'Push the image to ghcr.io/acme/app'],
    ['podman push quay.io/team/api:v3', 'Publish the api image to quay.io/team/api:v3.'],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });

  it.each([
    ['docker push ghcr.io/acme/app:1.2.0', 'Push ghcr.io/acme/app:1.1.0.'],
    ['docker push ghcr.io/acme/other:1.2.0', 'Push the image to ghcr.io/acme/app.'],
    ['docker push ghcr.io/acme/app/sub:1.2.0', 'Push the image to ghcr.io/acme/app.'],
    ['docker push ghcr.io/acme/app:1.2.0', "Don't push the image to ghcr.io/acme/app yet."],
    ['docker push ghcr.io/acme/app:1.2.0', 'Build the image for ghcr.io/acme/app.'],
  ])('asks about %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('ask');
  });
});
