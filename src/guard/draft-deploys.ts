/**
 * Draft and preview deploys the user asked for: `netlify deploy` without `--prod` publishes to
 * a unique draft URL, and `vercel` without `--prod` to a preview URL, so the live site does not
 * change. A request for a draft or preview deploy covers them when it names that platform or
 * no hosting platform at all ("Wait, only a draft deploy for now"). Production deploys,
 * drafts on a platform other than the one named, and requests that wait or are taken back
 * stay blocked.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import { isConditionalRequest } from './standing-requests.js';
import type { SimpleCommand } from './shell.js';

/** "a draft deploy", "preview deployment", "deploy a draft", "deploy it as a preview". */
const DRAFT_DEPLOY_REQUEST =
  /\b(?:draft|preview)\s+(?:deploy\w*|build|site|url|link)\b|\bdeploy\w*\s+(?:(?:it|this|that)\s+)?(?:(?:as|to)\s+)?(?:an?\s+)?(?:draft|preview)\b/i;

/**
 * A later sentence that may take the request back or put it off. The deploy readers' own
 * withdrawal check reads "draft deploy" as a deploy only mentioned, so this one is broader:
 * any refusal or pause after the request withdraws it.
 */
const TAKES_BACK =
  /\b(?:hold\s+(?:off|on)|wait|cancel|never\s*mind|not\s+yet|don'?t|do\s+not|stop|scratch\s+that|forget|later|actually)\b/i;

/**
 * Hosting platforms a deploy request may name, as one word of the request. Render and Fly are
 * left out because "render" and "on the fly" are common words; `fly.io` counts.
 */
const PLATFORMS = [
  'netlify',
  'vercel',
  'firebase',
  'cloudflare',
  'surge',
  'heroku',
  'amplify',
  'fly.io',
  'railway',
];

/** Options of a draft deploy that take a value and do not make it go live. */
const VALUE_OPTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  netlify: new Set(['--dir', '-d', '--message', '-m', '--alias', '--functions', '-f']),
  vercel: new Set(['--cwd', '--meta', '-m', '--build-env', '-b']),
};

/** Flags of a draft deploy that take no value. */
const FLAGS = new Set(['--json', '--build', '--open', '-o', '--yes', '-y', '--debug']);

/** Returns the operands of a deploy call, or undefined for an option that is not covered. */
function deployOperands(command: SimpleCommand): string[] | undefined {
  const valued = VALUE_OPTIONS[command.name] ?? new Set<string>();
  const args = command.argv.slice(1);
  const operands: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const name = arg.replace(/=.*$/, '');
    if (valued.has(name)) {
      index += arg.includes('=') ? 0 : 1;
    } else if (FLAGS.has(arg)) {
      continue;
    } else if (arg.startsWith('-')) {
      // `--prod`, `--prod-if-unlocked`, `--target production` and anything unknown.
      return undefined;
    } else {
      operands.push(arg);
    }
  }
  return operands;
}

/** Checks whether `command` deploys only a draft or preview, never to production. */
function deploysDraftOnly(command: SimpleCommand): boolean {
  if (command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const operands = deployOperands(command);
  if (operands === undefined) {
    return false;
  }
  if (command.name === 'netlify') {
    return operands.length === 1 && operands[0] === 'deploy';
  }
  // `vercel`, `vercel deploy` or `vercel PATH` of a project folder.
  return (
    command.name === 'vercel' &&
    operands.length <= 2 &&
    operands.every((operand, index) =>
      index === 0 && operand === 'deploy' ? true : /^\.{0,2}\/?[\w./-]*$/.test(operand),
    ) &&
    operands.every((operand) => !operand.startsWith('/') && !operand.includes('..'))
  );
}

/**
 * Checks whether `command` is a draft or preview deploy of Netlify or Vercel after a standing,
 * unconditional request for one that names that platform or no hosting platform.
 */
export function deploysRequestedDraft(command: SimpleCommand, allMessages: string): boolean {
  if (!deploysDraftOnly(command)) {
    return false;
  }
  const named = PLATFORMS.filter((platform) => containsWord(allMessages, platform));
  if (named.length > 0 && !named.includes(command.name)) {
    return false;
  }
  const sentences = allMessages.split(/(?<=[.!?])\s+|\n+/);
  return sentences.some(
    (sentence, index) =>
      DRAFT_DEPLOY_REQUEST.test(sentence) &&
      !sentence.trim().endsWith('?') &&
      asksWithout(DRAFT_DEPLOY_REQUEST, sentence) &&
      !isConditionalRequest(sentence) &&
      !sentences.slice(index + 1).some((later) => TAKES_BACK.test(later)),
  );
}

/** Words of a deploy request, as the deploy rule's consent reads them. */
const DEPLOY_REQUEST = /\b(?:deploy|release|ship|publish)/i;

/**
 * Checks whether every deploy request in the standing clauses `standing` (one a line) asks
 * for a draft or preview, as "Wait, only a preview deployment for now" does.
 */
export function asksOnlyForDraft(standing: string): boolean {
  const requests = standing.split('\n').filter((clause) => DEPLOY_REQUEST.test(clause));
  return requests.length > 0 && requests.every((clause) => DRAFT_DEPLOY_REQUEST.test(clause));
}

/** Options that send a deploy to the live site: `--prod`, `--prod-if-unlocked`, `--target production`. */
const LIVE_OPTION = /^--(?:prod|production|prod-if-unlocked|target=production)$/;

/** Checks whether `command` has an option that deploys to the live site. */
export function deploysLive(command: SimpleCommand): boolean {
  return command.argv.some(
    (arg, index) =>
      LIVE_OPTION.test(arg) || (arg === '--target' && command.argv[index + 1] === 'production'),
  );
}
