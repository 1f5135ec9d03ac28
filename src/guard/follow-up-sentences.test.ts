import { describe, expect, it } from 'vitest';
import { followUpKind, namesOtherValue, wordsNotInRequest } from './follow-up-sentences.js';

const REQUEST = 'Delete the api-7d9c pod in staging.';

describe('followUpKind', () => {
  it.each(['Thanks!', 'ok', 'Sounds good.', 'Looks good.', 'lgtm', 'Great, thank you.'])(
    'reads "%s" as an acknowledgement',
    (sentence) => {
      expect(followUpKind(sentence, REQUEST)).toBe('acknowledgement');
    },
  );

  it.each([
    'The export finished, go ahead.',
    'yes, go ahead',
    'Export is done, proceed.',
    'Hold on — yes, go ahead, I checked nothing uses it.',
    'CI is green now, go ahead and delete it.',
  ])('reads "%s" as a go-ahead', (sentence) => {
    expect(followUpKind(sentence, REQUEST)).toBe('go-ahead');
  });

  it.each(['Do not proceed.', "Don't go ahead with it."])(
    'reads "%s" as no go-ahead',
    (sentence) => {
      expect(followUpKind(sentence, REQUEST)).toBe('other');
    },
  );

  it.each([
    'Wait, also delete api-8e1d.',
    'Then delete its replica set.',
    'Oh wait, api-8e1d too.',
    'Can you also tag it?',
  ])('reads "%s" as an addition', (sentence) => {
    expect(followUpKind(sentence, REQUEST)).toBe('addition');
  });

  it.each(['Show me the events of the namespace.', 'Let me know once it is done.'])(
    'reads "%s" as another request',
    (sentence) => {
      expect(followUpKind(sentence, REQUEST)).toBe('request');
    },
  );

  it.each([
    ['Prod is fine, leave it.', 'Scale staging search to 1 replica.'],
    ['Keep prod as it is.', 'Deploy ApiStack-staging.'],
    ["I'll paste the new key into the CI secrets myself.", 'Rotate the access key of ci-bot.'],
    ['Prod only after QA signs off.', 'Go ahead on staging.'],
  ])('reads "%s" as sparing another target', (sentence, request) => {
    expect(followUpKind(sentence, request)).toBe('refusal-elsewhere');
  });

  it.each([
    ['Keep it as it is.', 'Move ENG-412 to Done.'],
    ['Actualy no, leave it.', REQUEST],
    ["I'll do it myself.", REQUEST],
    ['Use --dry-run first.', 'Publish the package to npm.'],
    ["Don't do the first thing I asked.", REQUEST],
  ])('reads "%s" as holding back the request', (sentence, request) => {
    expect(followUpKind(sentence, request)).toBe('other');
  });

  it.each(["It's the api-7d9c one in staging.", 'Staging only.', 'Delete the api-7d9c pod.'])(
    'reads "%s" as a detail',
    (sentence) => {
      expect(followUpKind(sentence, REQUEST)).toBe('detail');
    },
  );

  it.each(['What node is it on?', 'Which namespace again?'])(
    'reads "%s" as a question for a detail',
    (sentence) => {
      expect(followUpKind(sentence, REQUEST)).toBe('question');
    },
  );

  it.each([
    ["Don't touch prod.", REQUEST],
    ["Don't publish it yet.", 'Create a draft post.'],
    ["Don't post in #announcements.", 'Post it in #drafts.'],
  ])('reads "%s" as a refusal of something else', (sentence, request) => {
    expect(followUpKind(sentence, request)).toBe('refusal-elsewhere');
  });

  it.each([
    'Pause on that.',
    'Hold your horses.',
    'Put that on ice.',
    'That can wait.',
    'Would you mind holding off on that?',
    'Thanks, but no need anymore.',
    'nevermnd',
    'cancle',
    'Bitte nicht, danke.',
    'Non, pas encore.',
    "Let's revisit this next week.",
    'Pending legal review.',
    "Subject to Marco's approval.",
    'Check with me before running it.',
    'Oh, Lena left the team last week.',
    "Don't touch it.",
    'dont do that',
    'Delete the api-7d9e pod instead.',
    'Delete it on staging-2.',
    'Restart it, not delete it.',
    'Skip that one.',
    'Drop it.',
    'Is the pod still serving traffic?',
  ])('reads "%s" as none of the kinds that leave a request standing', (sentence) => {
    expect(followUpKind(sentence, REQUEST)).toBe('other');
  });
});

describe('followUpKind on supplied values', () => {
  it.each([
    ['just the 2023/ prefix', 'Delete the stale reports in the orbit-test-reports bucket'],
    ['the web-qa namespace', 'Could you roll the web chart to qa?'],
    ["it's q8zt2", 'kill that pod, the deployment will bring it back.'],
    ['counsel@lawfirm.example.org, read only', 'Send the signed contracts folder to our lawyer'],
    ['the parameter is /orbit/qa/api/timeout_ms', 'Raise the api timeout in qa to 3000'],
    ['the test value whsec_FAKEtest000', "set the webhook secret for this repo's staging env"],
    ['yes the staging namespace, acme-staging.', 'Can you roll the new chart to staging?'],
    ['qa only', 'the diff looks right, go ahead and up it.'],
    ['staging only', 'the preview looks right, go ahead and up it.'],
    ['just preview-412', 'Clean up the stale preview namespaces on the dev cluster'],
    ['the value is in STAGING_NPM_TOKEN in your shell', 'Set the npm token secret on staging.'],
  ])('reads "%s" as a detail', (sentence, request) => {
    expect(followUpKind(sentence, request)).toBe('detail');
  });

  it.each([
    // Another value of a kind the request named.
    ["it's api-2", 'Restart the api-1 pod.'],
    ['the acme/api repo', 'Archive the acme/web repo.'],
    ['the api-prod namespace', 'Please roll the api chart to staging'],
    ["it's the param /orbit/prod/worker/concurrency", 'Bump the worker concurrency in staging'],
    // Other words: worries, conditions, reassurances.
    ['the 2022/ prefix, unless the audit needs them', 'Delete the logs in the ci-logs bucket'],
    ['investor@fund.example.com, but only after the board meeting', 'Share the deck'],
    ["the remote one fix/old-coupon too, it's mine and merged", 'clean up my old branches'],
    // Values that widen the request.
    ['the whole bucket', 'Delete the stale reports in the orbit-test-reports bucket'],
    ['all namespaces', 'Could you roll the web chart to the qa namespace?'],
    ['every prefix', 'Delete the 2022/ prefix in the orbit-ci-logs bucket'],
    ['the * prefix', 'Remove the scratch files from the orbit-scratch bucket'],
    ['just s3://orbit-scratch/', 'Remove the scratch files from the orbit-scratch bucket'],
    ['/', 'Remove the scratch files from the orbit-scratch bucket'],
  ])('reads "%s" as no detail', (sentence, request) => {
    expect(followUpKind(sentence, request)).toBe('other');
  });
});

describe('namesOtherValue', () => {
  it('finds another value of the same kind', () => {
    expect(namesOtherValue('Restart it on staging-2.', 'Restart api on staging-1.')).toBe(true);
    expect(namesOtherValue('Post it in #eng-deploys.', 'Post in #eng.')).toBe(true);
    expect(namesOtherValue("It's ENG-421.", 'Move ENG-412 to Done.')).toBe(true);
  });

  it('ignores the values the request named', () => {
    expect(namesOtherValue('Yes, staging-1.', 'Restart api on staging-1.')).toBe(false);
    expect(namesOtherValue('Then post in #eng.', 'Restart api on staging-1.')).toBe(false);
  });
});

describe('followUpKind on sentences that object, undo or hold', () => {
  it.each([
    ['Why?', REQUEST],
    ['Who approved this?', REQUEST],
    ['How is that safe?', REQUEST],
    ["What's the rush?", REQUEST],
    ['How about we wait?', REQUEST],
    ['Is that too risky?', REQUEST],
    ['Prod too?', REQUEST],
    ["Don't actually do it.", REQUEST],
    ["Don't you dare.", REQUEST],
    ['Never ever do that.', REQUEST],
    ["Don't rush it.", REQUEST],
    ["I didn't say go ahead.", REQUEST],
    ['Wait for the go ahead.', REQUEST],
    ['How should we proceed?', REQUEST],
    ['Nothing there is safe to delete.', REQUEST],
    ['Revoke it.', 'Grant analyst_ro select on the revenue table.'],
    ['Unpublish it.', 'Publish the package to npm.'],
    ['Close it.', 'Merge PR 415 on acme/web.'],
    ['Roll it back.', 'Deploy acme-api on fly.'],
    ['Restore the old one.', 'Point staging.acme.dev at staging-lb.acme.dev.'],
    ['In a bit.', REQUEST],
    ['Give it a while.', REQUEST],
    ['Go ahead in a bit.', REQUEST],
    ['Um, actually.', REQUEST],
    ['The legal hold is in place.', REQUEST],
    ['Thanks, it is live.', REQUEST],
    ['Ping me first.', REQUEST],
    ['Email Ana before doing it.', REQUEST],
    ['Sit on it too.', REQUEST],
  ])('reads "%s" as holding back the request', (sentence, request) => {
    expect(followUpKind(sentence, request)).toBe('other');
  });

  it.each(['Which namespace is it in?', "What's the preview URL?"])(
    'still reads "%s" as a question for a detail',
    (sentence) => {
      expect(followUpKind(sentence, REQUEST)).toBe('question');
    },
  );

  it.each([
    ['Also restart the worker.', 'addition'],
    ['Restore it.', 'request'],
    ['Wait for the webhook log to show it, then tell me.', 'addition'],
  ] as const)('still reads "%s" as leaving the request standing', (sentence, kind) => {
    const request = sentence === 'Restore it.' ? 'Create a snapshot of the dev volume.' : REQUEST;
    expect(followUpKind(sentence, request)).toBe(kind);
  });

  it.each([
    'Appreciate it.',
    'Thanks, much appreciated!',
    'Take your time.',
    'Good luck!',
    'Cheers, mate.',
    'Sorry for the typo earlier.',
    'We do this every sprint.',
  ])('reads "%s" as an acknowledgement', (sentence) => {
    expect(followUpKind(sentence, REQUEST)).toBe('acknowledgement');
  });
});

describe('wordsNotInRequest', () => {
  it('lists only content words the request did not name', () => {
    expect(wordsNotInRequest("It's the one in staging.", REQUEST)).toEqual([]);
    expect(wordsNotInRequest('Lena left the team.', REQUEST)).toEqual(['lena', 'left', 'team']);
    expect(wordsNotInRequest('The pods, yes.', REQUEST)).toEqual([]);
  });
});
