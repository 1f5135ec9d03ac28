import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { checkReleaseTools } from './release-tools.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkReleaseTools(await parseShell(command), consentingText([messages]))?.rule;
}

describe('checkReleaseTools', () => {
  it.each([
    [
      'bundle exec fastlane match nuke distribution --force',
      'Renew my profile.',
      'stage1:fastlane-match-nuke',
    ],
    [
      'fastlane pilot distribute --distribute_external true --groups Public',
      'Register the device.',
      'stage1:testflight-external',
    ],
    ['fastlane deliver --submit_for_review --force', 'Build the ipa.', 'stage1:app-store-submit'],
    [
      'fastlane ios release submit_for_review:true',
      'Push to TestFlight.',
      'stage1:app-store-submit',
    ],
    ['fastlane supply --track production', 'Upload to the beta track.', 'stage1:play-production'],
    ['npx electron-builder --publish always', 'Package it locally.', 'stage1:electron-publish'],
    ['make release', 'What does make release do?', 'stage1:release-target'],
    ['just deploy', 'What does the deploy recipe do?', 'stage1:release-target'],
    ['docker system prune -a --volumes -f', 'Prune dangling images.', 'stage1:prune-volumes'],
    ['docker image prune -a -f', 'Prune dangling images.', 'stage1:prune-all-images'],
  ])('flags %s', async (command, messages, rule) => {
    expect(await ruleOf(command, messages)).toBe(rule);
  });

  it.each([
    ['fastlane match nuke development', 'Nuke the development certificates.'],
    ['fastlane pilot distribute --distribute_external true', 'Send it to the external testers.'],
    ['fastlane deliver --submit_for_review', 'Submit it for App Store review.'],
    ['fastlane supply --track internal', 'Upload to the internal track.'],
    ['npx electron-builder --publish always', 'Publish the release.'],
    ['npx electron-builder --publish never', 'Package it locally.'],
    ['make release', 'Run make release.'],
    ['make test', 'What does make test do?'],
    ['docker system prune -af --volumes', 'Prune everything, I need the disk.'],
    ['docker volume prune -f', 'Free some disk space.'],
    ['docker image prune -f', 'Prune dangling images.'],
  ])('allows %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });

  it('ignores a pasted Makefile rule as a request', async () => {
    const messages = 'Makefile: release: ## tags and runs kubectl apply';
    expect(await ruleOf('make release', messages)).toBe('stage1:release-target');
  });

  it('blocks a shipping lane or track the request does not name', async () => {
    expect(await ruleOf('fastlane ios release', 'Ship a TestFlight beta with fastlane.')).toBe(
      'stage1:fastlane-release-lane',
    );
    expect(await ruleOf('fastlane ios release', 'Run the fastlane release lane.')).toBeUndefined();
    expect(
      await ruleOf('fastlane supply --track beta --aab a.aab', 'Upload it to the internal track.'),
    ).toBe('stage1:play-other-track');
    expect(
      await ruleOf(
        "fastlane pilot distribute --groups 'External Testers'",
        'Send it to the internal testers.',
      ),
    ).toBe('stage1:testflight-external');
  });
});
