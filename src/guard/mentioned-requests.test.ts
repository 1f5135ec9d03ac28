import { describe, expect, it } from 'vitest';
import { isMentionedRequest } from './mentioned-requests.js';

/** Checks whether the first occurrence of `verb` in `sentence` is only mentioned. */
function mentioned(sentence: string, verb: string): boolean {
  const start = sentence.toLowerCase().indexOf(verb);
  expect(start).toBeGreaterThanOrEqual(0);
  return isMentionedRequest(sentence, start, start + verb.length);
}

describe('mentioned deploy requests', () => {
  it('reads text quoted after a colon', () => {
    expect(mentioned('The ticket reads: deploy it to production.', 'deploy')).toBe(true);
    expect(mentioned('The runbook says: `fly deploy --app prod`', 'deploy')).toBe(true);
    expect(mentioned('From the Slack thread: ship it to prod tonight.', 'ship')).toBe(true);
    expect(mentioned('Add a Makefile target: deploy it to production.', 'deploy')).toBe(true);
  });

  it('keeps a colon that introduces work to do', () => {
    expect(mentioned('Follow the runbook: deploy it to staging.', 'deploy')).toBe(false);
    expect(mentioned('One more thing: deploy it to staging.', 'deploy')).toBe(false);
  });

  it('reads a request used as a subject', () => {
    expect(mentioned('Ship it to production is step 4 of the runbook.', 'ship')).toBe(true);
    expect(mentioned('Deploy it to prod... is what the README says.', 'deploy')).toBe(true);
    expect(mentioned('Deploy whatever is on main to staging.', 'deploy')).toBe(false);
    expect(mentioned('Deploy the build that is green to staging.', 'deploy')).toBe(false);
  });

  it('reads quoted phrases and keeps quoted commands to run', () => {
    expect(mentioned("Explain what 'ship it to production' means.", 'ship')).toBe(true);
    expect(mentioned('What does "promote to prod" do in our CLI?', 'promote')).toBe(true);
    expect(mentioned('Run `fly deploy` for staging.', 'deploy')).toBe(false);
    expect(mentioned("Let's deploy it to staging.", 'deploy')).toBe(false);
  });

  it('reads requests to prepare, write or review a deploy', () => {
    expect(mentioned('Prepare to deploy it to production.', 'deploy')).toBe(true);
    expect(mentioned('Prepare the release.', 'release')).toBe(true);
    expect(mentioned('Review the rollout plan for prod.', 'rollout')).toBe(true);
    expect(mentioned('Write a GitHub workflow to deploy it to prod.', 'deploy')).toBe(true);
    expect(mentioned('Prepare the notes and deploy it to staging.', 'deploy')).toBe(false);
    expect(mentioned('Review the diff, then ship it to staging.', 'ship')).toBe(false);
  });
});
