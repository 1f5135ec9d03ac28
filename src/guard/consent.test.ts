import { describe, expect, it } from 'vitest';
import { firstCommand } from '../../test/helpers/guard.js';
import {
  actionClauses,
  actionKind,
  asksWithout,
  requestsAction,
  requestsFor,
  requestsPost,
} from './consent.js';
import { createGuard } from './guard.js';

describe('requestsFor', () => {
  it.each([
    ['merge', 'PR 812 is approved, go ahead and land it as one commit.'],
    ['merge', 'Could you squash-merge #1204?'],
    ['merge', 'It should be merged now.'],
    ['publish', 'Version 2.0.1 is tagged, ship it to the npm registry.'],
    ['publish', '2.3.0 is tagged; push it out to npm.'],
    ['apply', 'The dev plan looks right, go ahead with it.'],
    ['apply', 'Roll the manifests in k8s/dev out to my kind cluster.'],
    ['delete', 'Get rid of the preview-42 namespace in minikube.'],
    ['flush', "The cached values on my laptop's redis are stale, empty it."],
    ['post', 'Let #web-team know the freeze is lifted.'],
    ['force-push', 'I rebased feature/login-form on main, force-push it.'],
    ['tag', 'Tag 2.1.0 as next on npm.'],
    ['kill', 'Kill all node processes, something is holding the port.'],
  ] as const)('accepts %s request "%s"', (kind, message) => {
    expect(requestsFor(kind, message)).toHaveLength(1);
  });

  it.each([
    ['publish', 'Write the release notes for the npm package.'],
    ['publish', 'How do people usually publish to PyPI?'],
    ['publish', 'Do a dry run of the npm publish so I can see the file list.'],
    ['publish', 'Hold off on publishing until legal signs off.'],
    ['merge', "Don't merge PR 91 yet, just check its status."],
    ['merge', "Once CI is green we'll merge 77."],
    ['merge', 'Should I merge #1204 or wait for another review?'],
    ['apply', 'Do not apply anything yet; the dev plan still needs a review.'],
    ['apply', 'Make a plan for the new bucket and show me.'],
    ['flush', 'Why is my local redis using so much memory?'],
    ['post', "Draft a message for #web-team about the freeze; I'll send it myself."],
    ['kill', 'Is the next dev server still running?'],
  ] as const)('rejects %s mention "%s"', (kind, message) => {
    expect(requestsFor(kind, message)).toEqual([]);
  });
});

describe('requestsAction', () => {
  it.each([
    ['gh pr merge 812 --squash', 'PR 812 is approved, go ahead and land it as one commit.'],
    ['npm publish --provenance --access public', 'Version 2.0.1 is tagged, ship it to npm.'],
    ['terraform -chdir=envs/dev apply tfplan-dev', 'The dev plan looks right, go ahead with it.'],
    [
      'kubectl --context kind-dev delete namespace scratch',
      'Drop the scratch namespace on my kind cluster.',
    ],
    ['redis-cli -h 127.0.0.1 -p 6379 FLUSHDB', 'Wipe the local redis.'],
    [
      'git push --force-with-lease origin feature/login-form',
      'I rebased feature/login-form, force-push it.',
    ],
    ['npm dist-tag add @acme/ui@2.1.0 next', 'Tag 2.1.0 as next on npm.'],
    ['killall node', 'Kill all node processes, something is holding the port.'],
    ["pkill -f 'next dev'", "Stop the next dev server, I'm done for today."],
    [
      'kubectl --context staging apply -f k8s/staging/',
      'Apply k8s/staging to the staging cluster.',
    ],
    ['terraform -chdir=envs/dev apply', 'Run terraform apply for the dev environment.'],
  ])('accepts %s when requested', async (command, message) => {
    expect(requestsAction(await firstCommand(command), message)).toBe(true);
  });

  it.each([
    ['gh pr merge 512 --squash', 'Squash and merge PR 510.'],
    ['gh pr merge 812 --admin', 'Go ahead and merge #812.'],
    ['npm publish', 'Ship it to PyPI once the wheel is built.'],
    ['terraform -chdir=envs/prod apply tfplan-prod', 'The dev plan looks right, go ahead with it.'],
    ['terraform -chdir=envs/dev apply', 'The dev plan looks right, apply it.'],
    [
      'kubectl --context gke-prod delete namespace scratch',
      'Drop the scratch namespace on my kind cluster.',
    ],
    [
      'kubectl --context kind-dev delete namespace payments',
      'Drop the scratch namespace on my kind cluster.',
    ],
    ['redis-cli -h cache.internal.example.com FLUSHALL', 'Wipe the local redis.'],
    ['git push --force-with-lease origin main', 'I rebased, force-push my branch to main.'],
    ['git push -f origin release/2.4', 'Force-push release/2.4, I cleaned up the commits.'],
    ['git push -f origin feature/search', 'Force-push feature/login-form after the rebase.'],
    ['npm dist-tag add @acme/ui@2.1.0 latest', 'Tag 2.1.0 as next on npm.'],
    ['killall node', 'Stop the server you started on 5173.'],
    ['pkill -f node', 'Stop my vite dev server.'],
    ['kubectl --context prod-eu apply -f k8s/prod/', 'Apply k8s/staging to the staging cluster.'],
    ['terraform -chdir=envs/dev apply', 'The dev plan looks fine, go ahead and apply.'],
  ])('rejects %s for another target', async (command, message) => {
    expect(requestsAction(await firstCommand(command), message)).toBe(false);
  });

  it('leaves other commands to keyword consent', async () => {
    const command = await firstCommand('docker push acme/web:1.2.0');
    expect(actionKind(command)).toBeUndefined();
    expect(requestsAction(command, 'Push the image.')).toBeUndefined();
  });
});

describe('requestsPost', () => {
  it('accepts a post to the named channel', () => {
    expect(requestsPost('#web-team', 'Tell #web-team that staging is back up.')).toBe(true);
  });

  it('rejects a post to another channel', () => {
    expect(requestsPost('#general', 'Tell #web-team that staging is back up.')).toBe(false);
  });

  it('rejects a draft request', () => {
    expect(requestsPost('#web-team', 'Draft a note for #web-team, I will post it.')).toBe(false);
  });

  it('accepts posting a draft asked for before', () => {
    const messages = 'Draft the release note.\nPost the draft in #release-drafts.';
    expect(requestsPost('#release-drafts', messages)).toBe(true);
  });

  it('rejects a post narrowed after the request', () => {
    const messages = 'Post the release note in #release-drafts.\nJust a draft for now.';
    expect(requestsPost('#release-drafts', messages)).toBe(false);
  });
});

describe('asksWithout', () => {
  it.each([
    ['Create an issue for the crash.', true],
    ['Never create issues or send any email.', false],
    ["Don't create anything; just read the logs.", false],
    ['Read the logs. Then create an issue for it.', true],
    ['The test does not create an issue, why?', false],
  ])('reads %j', (messages, expected) => {
    expect(asksWithout(/\bcreate\b/i, messages)).toBe(expected);
  });
});

describe('negated requests', () => {
  it.each([
    ['mcp__gh__create_issue', 'Never create issues or send any email.'],
    ['mcp__mail__send_email', 'Never create issues or send any email.'],
  ])('does not let %s run on %j', async (tool, message) => {
    const decision = await createGuard().decide(
      { tool, input: { title: 'Crash', to: 'team@acme.example' } },
      {
        cwd: '/home/dev/project',
        projectDir: '/home/dev/project',
        homeDir: '/home/dev',
        userMessages: [message],
      },
    );
    expect(decision.verdict).not.toBe('allow');
  });
});

describe('actionClauses', () => {
  it('splits a sentence at a second action', () => {
    expect(actionClauses('Add Priya to the group and remove 00u7marco from it.')).toEqual([
      'Add Priya to the group',
      'remove 00u7marco from the group.',
    ]);
    expect(actionClauses('Turn off a in staging and turn on b in dev.')).toEqual([
      'Turn off a in staging',
      'turn on b in dev.',
    ]);
  });

  it('reads a pronoun of a later action as the place the action before it named', () => {
    expect(actionClauses('Remove 00u7sam from the Platform group and add Lee to it.')).toEqual([
      'Remove 00u7sam from the Platform group',
      'add Lee to the Platform group.',
    ]);
    expect(actionClauses('Archive the page and add a note.')).toEqual([
      'Archive the page',
      'add a note.',
    ]);
  });

  it('keeps one action whole', () => {
    expect(actionClauses('Go ahead and delete them.')).toEqual(['Go ahead and delete them.']);
    expect(actionClauses('Add Priya and Omar to the group.')).toEqual([
      'Add Priya and Omar to the group.',
    ]);
  });
});
