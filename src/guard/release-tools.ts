/**
 * Stage-1 checks for release tooling that reaches users or shared signing state: fastlane
 * (TestFlight external testing, App Store review submission, Play production track, `match
 * nuke`), electron-builder publishing, make-style release targets, and Docker prunes wider
 * than the one asked for. Building and packaging stay allowed; the checks find the step that
 * ships, revokes or deletes beyond the request.
 */
import { asksWithout, messageSentences } from './consent.js';
import { isTaskRunnerDryRun } from './dry-runs.js';
import { containsWord } from './named-targets.js';
import { finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const TASK_RUNNERS = new Set(['make', 'gmake', 'just', 'task', 'mage', 'rake']);
const CONTAINER_ENGINES = new Set(['docker', 'podman']);

/** Gate of {@link checkReleaseTools}: the programs of every command it judges. */
export const RELEASE_TOOLS_GATE: CheckGate = {
  programs: new Set(['fastlane', 'electron-builder', ...TASK_RUNNERS, ...CONTAINER_ENGINES]),
};

/**
 * Returns a finding for the first command of `parsed` that releases, publishes, revokes or
 * prunes beyond what `messages`, the consenting clauses of the user's messages, ask for.
 */
export function checkReleaseTools(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const found =
      command.name === 'fastlane'
        ? checkFastlane(command.argv.slice(1), messages)
        : command.name === 'electron-builder'
          ? checkElectronPublish(command.argv.slice(1), messages)
          : TASK_RUNNERS.has(command.name)
            ? checkReleaseTarget(command, messages)
            : CONTAINER_ENGINES.has(command.name)
              ? checkWidePrune(command.argv.slice(1), messages)
              : undefined;
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** Reads `--name value`, `--name=value` and fastlane's `name:value` forms of an option. */
function optionText(args: readonly string[], name: string): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === `--${name}`) {
      const next = args[index + 1];
      return next === undefined || next.startsWith('-') ? 'true' : next;
    }
    const attached = new RegExp(String.raw`^(?:--${name}=|${name}:)(.*)$`).exec(arg)?.[1];
    if (attached !== undefined) {
      return attached;
    }
  }
  return undefined;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(?:true|1|yes)$/i.test(value.replace(/["']/g, ''));
}

/** Requests to hand a build to testers outside the team. */
const EXTERNAL_TESTING_REQUEST = /\b(?:external|public)\b/i;
/** Requests to submit a build for App Store review. */
const REVIEW_REQUEST =
  /\bsubmit\w*\b.{0,40}\b(?:review|app ?store|store|apple)\b|\b(?:app ?store|store) (?:review|submission)\b|\bsubmit_for_review\b|\brelease\b.{0,30}\bapp ?store\b/i;
/** Requests to ship an Android build to the Play production track. */
const PLAY_PRODUCTION_REQUEST = /\b(?:production|play store|roll ?out to (?:all|everyone))\b/i;
/** Requests to revoke every signing certificate and profile. */
const NUKE_REQUEST = /\bnuke\b|\brevoke\b.{0,30}\b(?:all|every)\b/i;

/** A Play track a request names: "the internal track", "to beta track". */
const REQUESTED_TRACK = /\b(internal|alpha|beta|production)\s+track\b/i;
/** Lane names of a project's Fastfile that ship a build to a store or to users. */
const RELEASE_LANES =
  /^(?:release|deploy|publish|ship|production|prod|store|submit|appstore|playstore)$/i;
/** Platforms that a lane name may follow: `fastlane ios release`. */
const PLATFORMS = new Set(['ios', 'android', 'mac']);

/** Returns the lane a fastlane call runs when its name ships a build (see {@link RELEASE_LANES}). */
function releaseLane(args: readonly string[]): string | undefined {
  const lane = PLATFORMS.has(args[0] ?? '') ? args[1] : args[0];
  return lane !== undefined && RELEASE_LANES.test(lane) ? lane : undefined;
}

/**
 * Judges a fastlane command: external TestFlight distribution, App Store review submission,
 * the Play production track or another track than the request names, a lane that ships the build
 * when the request names another, and `match nuke`.
 */
function checkFastlane(args: readonly string[], messages: string): Finding | undefined {
  const action = args[0] ?? '';
  if (action === 'match' && args[1] === 'nuke' && !asksWithout(NUKE_REQUEST, messages)) {
    return finding(
      'modify-shared-resource',
      `\`fastlane match nuke ${args[2] ?? ''}\` revokes every certificate and profile of that type for the whole team`,
      'fastlane-match-nuke',
    );
  }
  if (
    (isTrue(optionText(args, 'distribute_external')) ||
      isTrue(optionText(args, 'notify_external_testers')) ||
      /\bexternal\b/i.test(optionText(args, 'groups') ?? '')) &&
    !asksWithout(EXTERNAL_TESTING_REQUEST, messages)
  ) {
    return finding(
      'create-public-surface',
      'The command sends the build to external TestFlight testers, which the request does not ask for',
      'testflight-external',
    );
  }
  const submits =
    isTrue(optionText(args, 'submit_for_review')) ||
    (action === 'deliver' && args[1] === 'submit_build');
  if (submits && !asksWithout(REVIEW_REQUEST, messages)) {
    return finding(
      'production-deploy',
      'The command submits the build for App Store review, which the request does not ask for',
      'app-store-submit',
    );
  }
  const lane = releaseLane(args);
  if (lane !== undefined && !containsWord(messages, lane)) {
    return finding(
      'production-deploy',
      `The command runs the fastlane lane "${lane}", which ships the build, while the request names another step`,
      'fastlane-release-lane',
    );
  }
  const track = optionText(args, 'track');
  if (
    (action === 'supply' || action === 'upload_to_play_store') &&
    track !== undefined &&
    /^["']?production["']?$/.test(track) &&
    !asksWithout(PLAY_PRODUCTION_REQUEST, messages)
  ) {
    return finding(
      'production-deploy',
      'The command uploads the build to the Play Store production track, which the request does not ask for',
      'play-production',
    );
  }
  const namedTrack = REQUESTED_TRACK.exec(messages)?.[1];
  if (
    (action === 'supply' || action === 'upload_to_play_store') &&
    track !== undefined &&
    namedTrack !== undefined &&
    track.replace(/["']/g, '').toLowerCase() !== namedTrack.toLowerCase()
  ) {
    return finding(
      'production-deploy',
      `The command uploads the build to the Play "${track}" track, while the request names the ${namedTrack} track`,
      'play-other-track',
    );
  }
  return undefined;
}

/** Requests to publish a desktop build. */
const PUBLISH_REQUEST = /\b(?:publish\w*|upload\w*|releas(?:e|es|ing)|ship)\b/i;

/** Judges electron-builder's `--publish always|onTag|onTagOrDraft`, which uploads the build. */
function checkElectronPublish(args: readonly string[], messages: string): Finding | undefined {
  const index = args.findIndex((arg) => arg === '--publish' || arg === '-p');
  const value =
    index >= 0
      ? args[index + 1]
      : args.find((arg) => arg.startsWith('--publish='))?.slice('--publish='.length);
  if (value === undefined || value === 'never' || asksWithout(PUBLISH_REQUEST, messages)) {
    return undefined;
  }
  return finding(
    'create-public-surface',
    `The command publishes the packaged app (--publish ${value}), which the request does not ask for`,
    'electron-publish',
  );
}

/** Verbs of a request to run a target or to ship what it ships. */
const RUN_REQUEST =
  /\b(?:run|do it|execute|releas(?:e|es|ing)|deploy\w*|ship|publish\w*|cut|go ahead)\b/i;

/** Targets of make and similar runners that ship a release. */
const RELEASE_TARGET =
  /^(?:release|deploy|publish|ship|promote|rollout)(?:[-_:]\w+)?$|^prod(?:uction)?$/;

/**
 * Judges `make release` and the like: a task runner's release target runs only when a clause
 * of the request names running or shipping it, so a question about what the target does is no request.
 */
function checkReleaseTarget(command: SimpleCommand, messages: string): Finding | undefined {
  const target = command.argv.slice(1).find((arg) => RELEASE_TARGET.test(arg));
  if (target === undefined || isTaskRunnerDryRun(command)) {
    return undefined;
  }
  // A sentence with the rule line `release:` is the Makefile pasted for reference, not a request.
  const rule = new RegExp(String.raw`(?:^|\s)${target}:(?:\s|$)`);
  const requests = messageSentences(messages)
    .filter((sentence) => !rule.test(sentence))
    .join('\n');
  if (asksWithout(RUN_REQUEST, requests) || containsWord(requests, target)) {
    return undefined;
  }
  return finding(
    'production-deploy',
    `The command runs the \`${target}\` target, which the request does not ask to run`,
    'release-target',
  );
}

/** Requests that name what to prune, narrower than volumes: images, containers, build cache. */
const NARROW_PRUNE_REQUEST =
  /\b(?:images?|dangling|containers?|build ?cache|layers)\b(?![^.;!?\n]*\b(?:everything|all of it)\b)/i;

/**
 * Judges `docker system prune`, `docker image prune` and `docker volume prune`: volumes need a
 * request that names them, and `--all` removes every unused image when the request asks only
 * for dangling ones.
 */
function checkWidePrune(args: readonly string[], messages: string): Finding | undefined {
  const [scope = '', verb = ''] = args.filter((arg) => !arg.startsWith('-'));
  if (verb !== 'prune' || !['system', 'image', 'volume', 'builder'].includes(scope)) {
    return undefined;
  }
  const volumes = scope === 'volume' || args.includes('--volumes');
  if (volumes && NARROW_PRUNE_REQUEST.test(messages) && !/\bvolumes?\b/i.test(messages)) {
    return finding(
      'local-destruction',
      'The prune deletes unused volumes and the data in them, while the request names only images, containers or build cache',
      'prune-volumes',
    );
  }
  const all = args.some((arg) => arg === '--all' || /^-[a-zA-Z]*a[a-zA-Z]*$/.test(arg));
  if (all && /\bdangling\b/i.test(messages)) {
    return finding(
      'local-destruction',
      'The prune removes every unused image (--all), wider than the dangling images the request names',
      'prune-all-images',
    );
  }
  return undefined;
}
