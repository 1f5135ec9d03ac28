import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import {
  asksForDraftToReview,
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
    expect(isConditionalRequest('Prod waits for the release window.')).toBe(true);
    expect(isConditionalRequest('Wait for the build, then ship it.')).toBe(false);
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

describe('standingClauses withdrawals', () => {
  /** Returns what stands of a request followed by `later`. */
  function after(later: string): string {
    const request = 'Add bo-dev to acme/handbook with triage.';
    return standingClauses(consentingText([request]), `${request}\n${later}`);
  }

  it.each([
    'Hmm, no.',
    'No no no.',
    "Actually, don't.",
    "Let's not.",
    'Ignore my last message.',
    'Cancel that.',
    'Abort.',
    'Not now.',
    "Don't bother.",
    'Stop. I changed my mind.',
    'Disregard that.',
    'nvm',
    'Scrap that.',
    "Let's hold that thought.",
    "Whoa, hold on, that's the shared one.",
    'Ugh, wait. Let me ask Sam first.',
    'Oh wait, he left last month.',
    'wait — the contract ended.',
    'Nah, leave it.',
  ])('drops the request after "%s"', (later) => {
    expect(after(later)).toBe('');
  });

  it('keeps a request whose verb is a withdrawal word', () => {
    const request = 'Abort workflow run 5512093378 in acme/api, I pushed a fix.';
    expect(standingClauses(request, request)).toBe(request);
    const cancel = 'My slurm job 4471902 has the wrong input file, cancel it.';
    expect(standingClauses(cancel, cancel)).toBe(cancel);
  });

  it('keeps a request after "No" answers a question', () => {
    const all = 'Scale the staging worker down to 0.\nWhat about prod? No, prod keeps running.';
    expect(standingClauses('Scale the staging worker down to 0.', all)).not.toBe('');
  });

  it('keeps a request when another target is spared', () => {
    const all = "Tag it as api:2.1.0-rc1.\nDon't touch the latest tag, prod pulls that.";
    expect(standingClauses('Tag it as api:2.1.0-rc1.', all)).not.toBe('');
  });
});

describe('standingClauses conditions', () => {
  it.each([
    'Open 443 on sg-0f9e8d to 198.51.100.40 if the review passes.',
    'Open 443 on sg-0f9e8d to 198.51.100.40 unless Priya objects.',
    'Open 443 on sg-0f9e8d to 198.51.100.40, assuming the audit is done.',
    'Open 443 on sg-0f9e8d to 198.51.100.40 as long as security signs off.',
    'Open 443 on sg-0f9e8d to 198.51.100.40, pending approval.',
    'Open 443 on sg-0f9e8d to 198.51.100.40 before 22:00.',
    'Open 443 on sg-0f9e8d to 198.51.100.40 before QA signs off.',
  ])('drops "%s"', (request) => {
    expect(standingClauses(request, request)).toBe('');
  });

  it.each([
    'Add a cron job that runs scripts/backup.sh every night at 2am.',
    "Add Dana (00u4dana) to the Design group and tell me when it's done.",
    'Tag PR 88 with a flaky-test label, making the label if it is missing.',
    'Empty log/test.log before the next run.',
    'Go ahead and force-push it after the rebase.',
    'Reload apache on build-box-3 after checking the config.',
  ])('keeps "%s"', (request) => {
    expect(standingClauses(request, request)).toBe(request);
  });
});

describe('standingClauses reports and drafts', () => {
  it('drops quoted and reported requests', () => {
    const quoted = 'The vendor wrote: "please open 22 on sg-0a1b2c to 198.51.100.7".';
    expect(standingClauses(quoted, quoted)).toBe('');
    const emailed = 'Ana emailed: "please add ana-writer to acme/docs with write".';
    expect(standingClauses(emailed, emailed)).toBe('');
  });

  it('keeps a request after a report', () => {
    const request = 'Git says dubious ownership for this repo, fix it.';
    expect(standingClauses(request, request)).toBe(request);
  });

  it('drops drafts to review first', () => {
    const draft = 'Draft a comment on issue 412 with the repro steps so I can review it.';
    expect(standingClauses(draft, draft)).toBe('');
    const issue = 'Write up an issue for the flaky login test and show it to me before filing.';
    expect(standingClauses(issue, issue)).toBe('');
  });

  it('keeps a preview deploy to check', () => {
    expect(isConditionalRequest('Deploy a preview so I can check the new landing page.')).toBe(
      false,
    );
  });

  it('keeps questions only when asked to', () => {
    const question = 'Is the api on Heroku behind on migrations?';
    expect(standingClauses(question, question)).toBe('');
    expect(standingClauses(question, question, { keepQuestions: true })).toBe(question);
  });
});

describe('standingClauses target changes', () => {
  it.each([
    ['Add Priya (00u9priya) to the group.', 'Actually add 00u7marco instead.'],
    ['Comment on issue 412.', 'Actually put it on 413 instead, 412 is the customer-facing one.'],
    ['Share the file in #design.', 'Actually #design-review instead.'],
    ['Turn on new-checkout in staging.', 'Actually do it in dev, staging is frozen.'],
    ['Open 5432 to 198.51.100.7.', 'Actually use 198.51.100.8, .7 is the old NAT.'],
  ])('drops "%s" after "%s"', (request, later) => {
    expect(standingClauses(request, `${request}\n${later}`)).toBe('');
  });

  it('keeps the new target without the reason that names the old one', () => {
    const all = 'Comment on issue 412.\nActually put it on 413 instead, 412 is the customer one.';
    expect(standingClauses(consentingText(all.split('\n')), all)).toBe(
      'Actually put it on 413 instead',
    );
  });

  it('keeps a request that a later sentence adds to', () => {
    const all = 'Add Priya (00u9priya) to the group.\nActually, also add 00u7marco.';
    expect(standingClauses('Add Priya (00u9priya) to the group.', all)).not.toBe('');
    const channel = 'Share the file in #design.\nWait, also share it in #qa.';
    expect(standingClauses('Share the file in #design.', channel)).not.toBe('');
  });

  it('revises a value named with "instead of"', () => {
    const all = 'Scale the api to 6 replicas in staging.\nMake it 3 instead of 6.';
    expect(standingClauses('Scale the api to 6 replicas in staging.', all)).toBe(
      'Scale the api to 3 replicas in staging.',
    );
  });
});

describe('asksForDraftToReview', () => {
  it('reads a draft the user reviews first', () => {
    expect(asksForDraftToReview('Draft a reply for my review.')).toBe(true);
    expect(asksForDraftToReview('Prepare the email and send it to me first.')).toBe(true);
  });

  it('leaves other requests alone', () => {
    expect(asksForDraftToReview('Draft a PR for the fix.')).toBe(false);
    expect(asksForDraftToReview('Reply saying we can review it Monday.')).toBe(false);
  });
});

describe('later sentences of an unknown kind', () => {
  /** Returns what stands of a request followed by `later`. */
  function after(later: string, request = 'Delete the api-7d9c pod in staging.'): string {
    return standingClauses(consentingText([request, later]), `${request}\n${later}`);
  }

  it.each([
    'Pause on that.',
    'Put that on ice.',
    'That can wait.',
    'Would you mind holding off on that?',
    'Thanks, but no need anymore.',
    'nevermnd',
    'Bitte nicht, danke.',
    "Let's revisit this next week.",
    'Pending legal review.',
    'Check with me before running it.',
    'Oh, that pod is serving the client demo.',
    'Delete api-7d9e instead, my mistake.',
    'Restart it instead.',
  ])('drops the request after "%s"', (later) => {
    expect(after(later)).not.toContain('api-7d9c pod');
  });

  it.each([
    'Thanks!',
    'Sounds good.',
    'Wait, also delete the api-8e1d pod.',
    'Then show me the events.',
    "It's the api-7d9c one in staging.",
    'Which node is it on?',
    "Don't touch prod.",
  ])('keeps the request after "%s"', (later) => {
    expect(after(later)).toContain('api-7d9c pod');
  });

  it('drops a condition later in the same message', () => {
    const request = 'Delete the api-7d9c pod in staging. Subject to Marco approving it.';
    expect(standingClauses(consentingText([request]), request)).not.toContain('api-7d9c');
  });

  it('keeps a reason in the rest of the sentence', () => {
    const request = 'Force-push feat/cache, nobody else uses that branch.';
    expect(standingClauses(request, request)).toBe(request);
  });

  it('keeps a condition the user reports met', () => {
    const all =
      'Delete the scratch bucket once the export finishes.\nThe export finished, go ahead.';
    expect(standingClauses('Delete the scratch bucket once the export finishes.', all)).not.toBe(
      '',
    );
  });

  it('leaves out a turned-down value', () => {
    const all = 'Post in #eng that it is done.\nPost it in #eng-deploys rather than #eng.';
    expect(standingClauses(consentingText(all.split('\n')), all)).toBe('Post it in #eng-deploys');
  });

  it('revises an access level', () => {
    const all = 'Invite qa-bot to acme/cli with triage.\nMake that read instead, it is a bot.';
    expect(standingClauses('Invite qa-bot to acme/cli with triage.', all)).toBe(
      'Invite qa-bot to acme/cli with read.',
    );
  });

  it('reads quoted words as the message, not the user', () => {
    const request = 'Comment on issue 412: "Never mind, this was fixed by #415."';
    expect(standingClauses(consentingText([request]), request)).toBe(request);
  });
});
