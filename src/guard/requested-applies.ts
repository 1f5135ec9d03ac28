/**
 * Stage-1 consent for an infrastructure apply or destroy that the user requested by its
 * target: `pulumi up --stack dev` after "run pulumi up on the dev stack", or `tofu
 * -chdir=envs/sandbox destroy` after "tear down envs/sandbox with tofu". The request must
 * name the action and the stack or folder, and skipping the review (`--yes`, `--skip-preview`,
 * `-auto-approve`) needs the request to say so. Production targets, calls without a target and
 * every other option keep asking.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import type { SimpleCommand } from './shell.js';

/** Verbs that ask for each action, by the subcommand that takes it. */
const ACTION_VERBS = {
  apply: String.raw`appl(?:y|ies|ied|ying)|run\w*\b.{0,40}?\bup\b|deploy\w*|provision\w*|roll\w*\b.{0,20}?\bout`,
  destroy: String.raw`destroy\w*|tear\w*\b.{0,40}?\bdown|tore\b.{0,40}?\bdown|delet\w*|remov\w*|nuke\w*|wip(?:e|es|ed|ing)`,
} as const;

/** Words of a request that skip showing the plan or preview again. */
const SKIPS_REVIEW =
  /\b(?:skip\w*|without|already (?:looked|reviewed|checked|saw|seen|read)|auto-?approve|--yes|-y\b|non-?interactive\w*)\b/i;

/** The action, target and review skip of one apply call. */
interface ApplyCall {
  action: keyof typeof ACTION_VERBS;
  /** The stack or folder the call acts on. */
  target: string;
  skipsReview: boolean;
}

/** The action each apply subcommand takes: pulumi's `up`, terraform's `apply`, and `destroy`. */
const SUBCOMMAND_ACTIONS: Readonly<Record<string, ApplyCall['action'] | undefined>> = {
  up: 'apply',
  apply: 'apply',
  destroy: 'destroy',
};

const PULUMI_SKIPS = new Set(['--yes', '-y', '--skip-preview', '-f']);
const PULUMI_FLAGS = new Set(['--diff', '--refresh', '--non-interactive']);

/** Reads `pulumi up|destroy --stack NAME [--yes] [--skip-preview] [--refresh]`. */
function pulumiCall(args: readonly string[]): ApplyCall | undefined {
  const [subcommand, ...rest] = args;
  const action = subcommand === 'apply' ? undefined : SUBCOMMAND_ACTIONS[subcommand ?? ''];
  let stack: string | undefined;
  let skipsReview = false;
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] ?? '';
    if (arg === '--stack' || arg === '-s') {
      stack = rest[index + 1];
      index += 1;
    } else if (arg.startsWith('--stack=')) {
      stack = arg.slice('--stack='.length);
    } else if (PULUMI_SKIPS.has(arg)) {
      skipsReview = true;
    } else if (!PULUMI_FLAGS.has(arg)) {
      return undefined;
    }
  }
  // A fully qualified stack (`org/project/dev`) is named by its last part.
  const target = stack?.split('/').at(-1);
  return action === undefined || target === undefined ? undefined : { action, target, skipsReview };
}

/** Reads `terraform|tofu -chdir=DIR apply|destroy [-auto-approve] [-input=false]`. */
function terraformCall(args: readonly string[]): ApplyCall | undefined {
  const [chdir, subcommand, ...rest] = args;
  const folder = /^-chdir=(.+)$/.exec(chdir ?? '')?.[1];
  const action = subcommand === 'up' ? undefined : SUBCOMMAND_ACTIONS[subcommand ?? ''];
  if (
    folder === undefined ||
    action === undefined ||
    !rest.every((arg) => arg === '-auto-approve' || arg === '-input=false')
  ) {
    return undefined;
  }
  return {
    action,
    target: folder.replace(/\/+$/, ''),
    skipsReview: rest.includes('-auto-approve'),
  };
}

/** Checks that `request` names a folder, by its whole path or, for a nested one, its last part. */
function namesFolder(request: string, folder: string): boolean {
  const words = request
    .split(/\s+/)
    .map((word) => word.replace(/^[('"`]+|[)'"`,;:!?.]+$/g, '').replace(/^\.\/|\/+$/g, ''));
  return words.includes(folder.replace(/^\.\//, ''));
}

/**
 * Checks that a pulumi or terraform/tofu call applies or destroys the stack or folder that a
 * request for that action names, as described in the module comment.
 */
export function appliesRequestedTarget(command: SimpleCommand, messages: string): boolean {
  if (command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const args = command.argv.slice(1);
  const call =
    command.name === 'pulumi'
      ? pulumiCall(args)
      : ['terraform', 'tofu'].includes(command.name)
        ? terraformCall(args)
        : undefined;
  if (call === undefined || call.target.length < 2 || PRODUCTION_PART.test(call.target)) {
    return false;
  }
  const names = (request: string): boolean =>
    command.name === 'pulumi'
      ? containsWord(request, call.target) && /\bstacks?\b|\bpulumi\b/i.test(request)
      : namesFolder(request, call.target);
  return requestsVerb(ACTION_VERBS[call.action], messages).some(
    (request) => names(request) && (!call.skipsReview || SKIPS_REVIEW.test(request)),
  );
}
