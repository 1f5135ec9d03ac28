import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import {
  isConditionalRequest,
  requestStands,
  standingClauses,
  standingRequests,
} from './standing-requests.js';

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

describe('pauses and narrowed targets', () => {
  it('withdraws on a wait followed by a fact or a doubt', () => {
    expect(stands('Ship it to production.', 'Wait, the load test is failing.')).toBe(false);
    expect(stands('Release 3.1 to prod.', 'Wait. Support saw corrupted invoices.')).toBe(false);
    expect(stands('Promote it to production.', 'Wait, I am worried about the index.')).toBe(false);
    expect(stands('Roll it out to prod.', 'wait wait')).toBe(false);
    expect(stands('Push it live — wait, the banner still says beta.')).toBe(false);
  });

  it('withdraws on a bare pause or refusal', () => {
    expect(stands('Deploy it to production.', 'Hold up.')).toBe(false);
    expect(stands('Deploy it to production.', 'Just a moment, let me ask Priya.')).toBe(false);
    expect(stands('Deploy it to production.', 'Nah.')).toBe(false);
    expect(stands('Deploy it to production.', 'No.')).toBe(false);
    expect(stands('Deploy it to production.', 'Hang on.')).toBe(false);
  });

  it('keeps a wait that adds work after a pause', () => {
    expect(stands('Ship it to production.', 'Wait, tag the image too.')).toBe(true);
    expect(stands('Ship it to production.', 'Hold on to the old image tag.')).toBe(true);
    expect(stands('Deploy it to staging.', 'Hang on to the logs afterwards.')).toBe(true);
  });

  it('withdraws when a later sentence keeps it to another target', () => {
    expect(stands('Ship it to production.', 'Staging only.')).toBe(false);
    expect(stands('Deploy it to prod.', 'Just dev for now.')).toBe(false);
    expect(stands('Deploy it to prod.', "Hmm, let's keep it on qa.")).toBe(false);
    expect(stands('Deploy it to prod.', 'I want staging.')).toBe(false);
  });

  it('keeps a later sentence that names the same target', () => {
    expect(stands('Deploy it to staging and prod.', 'Prod only after the smoke test.')).toBe(false);
    expect(stands('Deploy it to staging.', 'Staging only, please.')).toBe(true);
    expect(stands('Deploy it to prod.', 'Keep staging as it is.')).toBe(true);
    expect(stands('Go ahead on staging.', 'Prod only after QA signs off.')).toBe(true);
  });

  it('reads later times as deferral', () => {
    expect(stands('Deploy it to production in two hours.')).toBe(false);
    expect(stands('Ship it to prod at 9:30.')).toBe(false);
    expect(stands('Release it on Friday.')).toBe(false);
    expect(stands('Roll it to prod this evening.')).toBe(false);
    expect(stands('You might ship it to production.')).toBe(false);
  });
});

describe('withdrawals read by other consent readers', () => {
  it('withdraws refunds, publishes, deletes and prints', () => {
    expect(stands('Refund it in full.', 'Wait, they used it for three weeks.')).toBe(false);
    expect(stands('Refund ch_1Nx in full.', 'Hang on, finance wants to look first.')).toBe(false);
    expect(stands('Publish that draft.', 'One sec.')).toBe(false);
    expect(stands('Delete everything under cache/.', 'Nope.')).toBe(false);
    expect(stands('Print the token.', 'Wait, this terminal is being recorded.')).toBe(false);
    expect(stands('Move latest to 2.4.1.', 'Hold up, the changelog is wrong.')).toBe(false);
  });

  it('keeps them when the pause adds work', () => {
    expect(stands('Refund it in full.', 'Wait, also email the customer.')).toBe(true);
    expect(stands('Delete everything under cache/.', 'Oh wait, logs/ too.')).toBe(true);
    expect(stands('Publish that draft.')).toBe(true);
  });
});

describe('standingClauses', () => {
  /** Returns the standing clauses of the consenting text of `messages`. */
  function standing(...messages: string[]): string {
    return standingClauses(consentingText(messages), messages.join('\n'));
  }

  it('keeps requests of any verb', () => {
    expect(standing('Refund charge ch_3PqR to the customer.')).toContain('Refund charge ch_3PqR');
    expect(standing('Fill in the signup form. Do not submit it.')).toContain('Fill in');
  });

  it('drops conditional requests', () => {
    expect(standing('Refund it if the manager approves.')).toBe('');
    expect(standing('Publish the post once legal signs off.')).toBe('');
    expect(standing('The PM said publish the post.')).not.toContain('publish');
  });

  it('drops requests taken back later', () => {
    expect(standing('Fill it in.', 'Actually, hold off.')).not.toContain('Fill it in');
    expect(standing('Refund ch_3PqR.', "Don't refund it yet.")).not.toContain('Refund ch_3PqR');
  });

  it('keeps requests a later sentence leaves alone', () => {
    expect(standing('Create a draft post.', "Don't publish it yet.")).toContain('Create a draft');
    expect(standing('Post it in #drafts.', "Don't post in #announcements.")).toContain(
      'Post it in #drafts',
    );
  });

  it('ignores times in dictated content', () => {
    expect(standing('Respond to conversation 44019 saying the fix ships Friday.')).toContain(
      'Respond',
    );
    expect(standing('Email me a reminder to renew the domain on Monday.')).toContain('Email');
    expect(standing('Send a test of the Cyber Monday campaign to qa@acme.dev.')).toContain('Send');
  });

  it('still reads times of the request', () => {
    expect(standing('Send the newsletter on Friday.')).toBe('');
    expect(standing('Reply to conversation 812 tomorrow.')).toBe('');
    expect(standing('Friday send the digest to the team.')).toBe('');
  });
});

describe('standingClauses after a pause', () => {
  it('drops a request taken back by "Wait, <fact>"', () => {
    const all = 'Refund it in full.\nWait, they used the product for 3 weeks.';
    expect(standingClauses('Refund it in full.', all)).toBe('');
  });

  it('keeps a request that a pause adds to', () => {
    const all = 'Add the page.\nWait, also add a step for the secondary.';
    expect(standingClauses('Add the page.', all)).toBe('Add the page.');
  });
});
