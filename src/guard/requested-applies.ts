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
  /\b(?:skip\w*|without|no need to (?:re-?)?(?:confirm|ask|review|preview|check)\w*|already (?:looked|reviewed|checked|saw|seen|read)|auto-?approve|--yes|-y\b|non-?interactive\w*)\b/i;

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

const PULUMI_SKIPS = new Set(['--skip-preview', '-f']);
/**
 * Flags that keep the preview. `--yes` only answers the prompt after the preview, which an
 * agent without a terminal cannot answer, so a plain request covers it.
 */
const PULUMI_FLAGS = new Set(['--diff', '--refresh', '--non-interactive', '--yes', '-y']);

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

/** The resource address and environment of a targeted terraform/tofu call. */
interface TargetedCall {
  action: ApplyCall['action'];
  /** The `-target` address, such as `module.scratch_vm`. */
  address: string;
  /** The `-var-file` name without folder and `.tfvars`, such as `sandbox`. */
  environment: string;
}

/**
 * Reads `terraform|tofu apply|destroy -target=ADDRESS -var-file=FILE [-input=false]`. The call
 * must have no `-auto-approve`, so terraform still shows its plan and waits for the user's yes.
 */
function targetedTerraformCall(args: readonly string[]): TargetedCall | undefined {
  const [subcommand, ...rest] = args;
  const action = subcommand === 'up' ? undefined : SUBCOMMAND_ACTIONS[subcommand ?? ''];
  let address: string | undefined;
  let varFile: string | undefined;
  for (const arg of rest) {
    const targetMatch = /^-target=(.+)$/.exec(arg);
    const varFileMatch = /^-var-file=(.+)$/.exec(arg);
    if (targetMatch !== null && address === undefined) {
      address = targetMatch[1];
    } else if (varFileMatch !== null && varFile === undefined) {
      varFile = varFileMatch[1];
    } else if (arg !== '-input=false') {
      return undefined;
    }
  }
  const environment = varFile
    ?.split('/')
    .at(-1)
    ?.replace(/\.tfvars(?:\.json)?$/, '');
  if (action === undefined || address === undefined || environment === undefined) {
    return undefined;
  }
  return { action, address, environment };
}

/** A terraform address in a request: `module.NAME` or `TYPE.NAME` such as `aws_instance.web`. */
const RESOURCE_ADDRESS = /\b(?:module|[a-z]+_[a-z0-9_]+)\.[a-z][\w-]*/i;

/**
 * Checks that a targeted terraform/tofu call acts on a module or resource address or an
 * environment that a request for that action names, and that neither is a production one.
 */
function appliesRequestedAddress(call: TargetedCall, messages: string): boolean {
  if (
    call.environment.length < 2 ||
    PRODUCTION_PART.test(call.environment) ||
    PRODUCTION_PART.test(call.address)
  ) {
    return false;
  }
  return requestsVerb(ACTION_VERBS[call.action], messages).some(
    (request) =>
      namesFolder(request, call.address) ||
      // A request that names another address does not consent to this one.
      (!RESOURCE_ADDRESS.test(request) &&
        containsWord(request, call.environment) &&
        /\b(?:env\w*|account|workspace)\b/i.test(request)),
  );
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
  if (['terraform', 'tofu'].includes(command.name)) {
    const targeted = targetedTerraformCall(args);
    if (targeted !== undefined) {
      return appliesRequestedAddress(targeted, messages);
    }
  }
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
      ? containsWord(request, call.target) &&
        // Another message may say that the name is a stack ("Preview on dev looked fine.").
        /\bstacks?\b|\bpulumi\b|\bpreview\w*/i.test(messages)
      : namesFolder(request, call.target);
  return requestsVerb(ACTION_VERBS[call.action], messages).some(
    (request) => names(request) && (!call.skipsReview || SKIPS_REVIEW.test(request)),
  );
}

/**
 * Checks that the messages name the stack or folder a pulumi or terraform/tofu call acts on,
 * when the call names one (`--stack prod`, `-chdir=envs/prod`). A fully qualified stack
 * (`org/project/dev`) is named by its last part. A call that names none passes, so the apply
 * rule's own consent decides.
 */
export function namesApplyTarget(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (command.name === 'pulumi') {
    const at = args.findIndex((arg) => arg === '--stack' || arg === '-s');
    const stack =
      at >= 0
        ? args[at + 1]
        : /^--stack=(.+)$/.exec(args.find((arg) => arg.startsWith('--stack=')) ?? '')?.[1];
    return stack === undefined || containsWord(messages, stack.split('/').at(-1) ?? stack);
  }
  const folder = args
    .map((arg) => /^-chdir=(.+)$/.exec(arg)?.[1])
    .find((value) => value !== undefined);
  return (
    !['terraform', 'tofu'].includes(command.name) ||
    folder === undefined ||
    namesFolder(messages, folder.replace(/\/+$/, ''))
  );
}
