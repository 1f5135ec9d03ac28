import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { isConditionalRequest, requestStands, standingRequests } from './standing-requests.js';

/** Returns whether the first sentence of `messages` still stands as a request. */
function stands(...messages: string[]): boolean {
  const request = (messages[0] ?? '').split(/(?<=[.!?])\s+/)[0] ?? '';
  return requestStands(request, messages.join('\n'));
}

describe('conditional requests', () => {
  it('reads conditions and suppositions', () => {
    expect(isConditionalRequest('Ship it to production once CI is green.')).toBe(true);
    expect(isConditionalRequest("Ship it to production is what I'd say if tests passed.")).toBe(
      true,
    );
    expect(isConditionalRequest('In theory we would deploy it to prod today.')).toBe(true);
    expect(isConditionalRequest('Release it with the next release.')).toBe(true);
  });

  it('reads reported speech', () => {
    expect(isConditionalRequest('The PM said ship it to production.')).toBe(true);
    expect(isConditionalRequest('Dana wants it deployed to production.')).toBe(true);
    expect(isConditionalRequest("'Deploy to prod', Sam wrote.")).toBe(true);
    expect(isConditionalRequest('According to the runbook, release it.')).toBe(true);
  });

  it('keeps polite and plain requests', () => {
    expect(isConditionalRequest('Ship it to production.')).toBe(false);
    expect(isConditionalRequest('Please deploy it to staging.')).toBe(false);
    expect(isConditionalRequest("I'd like you to deploy it to staging.")).toBe(false);
    expect(isConditionalRequest('Like I said, deploy it to production.')).toBe(false);
    expect(isConditionalRequest('Check what the next release would contain, dry run.')).toBe(false);
  });
});

describe('requests taken back', () => {
  it('withdraws on a later wait that negates, defers or questions', () => {
    expect(stands("Roll it to production. Hmm, wait, the migration isn't done.")).toBe(false);
    expect(stands('Deploy to production.', 'Wait, is the migration done?')).toBe(false);
    expect(stands('Ship it to production. Wait, staging first.')).toBe(false);
  });

  it('keeps a wait that adds work or sets an order', () => {
    expect(stands('Deploy it to production.', 'Wait, also bump the version.')).toBe(true);
    expect(stands('Wait for the build to finish, then ship it to staging.')).toBe(true);
    expect(stands("Deploy it to staging. Wait, what's the preview URL again?")).toBe(true);
  });

  it('withdraws on a later sentence about the same action or target', () => {
    expect(stands('Release it to production.', 'Actually, not until Monday.')).toBe(false);
    expect(stands('Ship it to production.', "Don't deploy anything today.")).toBe(false);
    expect(stands('Roll out 1.9.0 to production.', 'Is production healthy right now?')).toBe(false);
    expect(stands('Deploy it to production.', 'Only if CI is green.')).toBe(false);
    expect(stands('Roll the playbook to staging.', 'Hold on, the inventory is stale.')).toBe(false);
  });

  it('keeps later unrelated sentences', () => {
    expect(stands('Ship it to production.', 'Then tell me if the health check passes.')).toBe(true);
    expect(stands('Deploy it to staging.', "Don't touch prod.")).toBe(true);
    expect(stands('Apply it to dev, no need to confirm again.')).toBe(true);
  });
});

describe('standing consent text', () => {
  it('drops only the deploy requests that do not stand', () => {
    const messages = ['Preview on dev looked fine.', 'Roll it to dev. Wait, the tests fail.'];
    expect(standingRequests(consentingText(messages), messages.join('\n'))).toBe(
      'Preview on dev looked fine.\nWait, the tests fail.',
    );
  });
});
