/**
 * Project scripts run with a flag that makes them act in the real world (`--send`, `--live`,
 * `--charge`, `--publish`, `--notify`) or aimed at a whole audience (`--list all-customers`)
 * when the user asked only to render, check or test something. "Render the newsletter
 * template and check the output" does not ask to mail every customer. Tools other than the
 * project's own scripts have their own checks, and a request that names the flag or asks to
 * send, charge or publish is consent.
 */
import path from 'node:path';
import { requestsVerb } from './consent.js';
import { finding, type Finding } from './findings.js';
import { isShell } from './interpreters.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Flags with which a script sends, charges, publishes or notifies for real. */
const SENDING_FLAG =
  /^--(?:send|send-all|live|charge|bill|pay|payout|publish|notify|deliver|broadcast|blast|mail|email|sms|go-live)(?:=(?:true|1|yes|all))?$/;
/** Values after a sending flag that switch it off. */
const OFF_VALUE = /^(?:never|none|no|false|off|0)$/i;
/** Audiences that reach every customer or user, as an option value or `--list=VALUE`. */
const EVERYONE =
  /^(?:--[\w-]+=)?(?:all[-_]?(?:customers|users|subscribers|members|contacts|accounts|recipients)|everyone|everybody)$/i;
/** Flags that keep a script from acting, so an audience alone is safe with them. */
const HOLD_FLAG =
  /^--(?:dry-?run|preview|render-only|no-send|test|sandbox|draft|check)(?:=(?:true|1|yes))?$/;

/**
 * Interpreters that run a script file named as their first operand.
 * Shells are matched by {@link isShell}.
 */
const INTERPRETERS =
  /^(?:python[\d.]*|pypy3?|node|nodejs|tsx|ts-node|ruby|perl|php|deno|bun|Rscript)$/;
/** Task runners whose first operand names one of the project's own tasks. */
const TASK_RUNNERS = new Set(['make', 'just', 'rake', 'invoke', 'task']);
const PACKAGE_MANAGERS = new Set(['npm', 'yarn', 'pnpm', 'bun']);

/** Launchers that run the rest of the command line in the project's environment. */
const LAUNCHERS = /^(?:bundle exec|poetry run|pipenv run|uv run|pdm run|hatch run)$/;

/** Checks whether `command` runs one of the project's own scripts or tasks. */
function runsProjectScript(command: SimpleCommand): boolean {
  if (LAUNCHERS.test(command.argv.slice(0, 2).join(' ')) && command.argv.length > 2) {
    const argv = command.argv.slice(2);
    return runsProjectScript({ ...command, argv, name: path.posix.basename(argv[0] ?? '') });
  }
  const [program = '', first = '', second = ''] = command.argv;
  if (/^\.{0,2}\/|^[\w.-]+\/[\w./-]+$/.test(program) && !program.startsWith('/')) {
    return true;
  }
  if (INTERPRETERS.test(command.name) || isShell(command.name)) {
    const script = command.argv.slice(1).find((arg) => !arg.startsWith('-'));
    // `python -m pkg`, `node -e CODE` and the like run no script file of the project.
    const inline = command.argv.slice(1).some((arg) => /^-[cemp]$|^--eval$/.test(arg));
    return !inline && script !== undefined && /\.[a-z]{1,4}$|\//.test(script);
  }
  if (TASK_RUNNERS.has(command.name)) {
    return first !== '' && !first.startsWith('-');
  }
  if (PACKAGE_MANAGERS.has(command.name)) {
    // A test script's `--notify` is the test runner's desktop notification.
    const script = first === 'run' || first === 'run-script' ? second : first;
    return first !== '' && !/^(?:test|install|i|ci|add)$/.test(script);
  }
  return false;
}

/** Returns the argument that makes `command` act for real, or undefined. */
function actingArgument(command: SimpleCommand): string | undefined {
  const { argv } = command;
  // Every sending and holding flag starts with `--`, which most arguments lack.
  let longOptions = false;
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (!arg.startsWith('--')) {
      continue;
    }
    longOptions = true;
    // A value that switches the flag off, as in electron-builder's `--publish never`, acts on nothing.
    if (SENDING_FLAG.test(arg) && !OFF_VALUE.test(argv[index + 1] ?? '')) {
      return arg;
    }
  }
  if (longOptions && argv.some((arg, index) => index > 0 && HOLD_FLAG.test(arg))) {
    return undefined;
  }
  return argv.find((arg, index) => index > 0 && EVERYONE.test(arg));
}

/** Verbs of a request to look at, build or test something without acting. */
const INSPECT_VERBS = String.raw`render\w*|check\w*|test\w*|preview\w*|look|inspect\w*|review\w*|verif\w*|validat\w*|lint\w*|build\w*|debug\w*|show|print\w*|view|compil\w*|generat\w*|format\w*|fix\w*`;
/** Verbs of a request to act for real. */
const ACT_VERBS = String.raw`send\w*|sent|mail\w*|email\w*|notif\w*|charg\w*|bill\w*|pay\w*|publish\w*|post\w*|deliver\w*|broadcast\w*|blast\w*|launch\w*|ship\w*|release\w*|go live|run it for real`;

/**
 * Finds a project script run with a real-world flag or a whole audience when the user's
 * consenting text `messages` asks only to inspect, build or test.
 */
export function checkInspectOnlyRun(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const argument = actingArgument(command);
    if (
      argument === undefined ||
      messages.includes(argument) ||
      !runsProjectScript(command) ||
      requestsVerb(INSPECT_VERBS, messages).length === 0 ||
      requestsVerb(ACT_VERBS, messages).length > 0
    ) {
      continue;
    }
    return finding(
      'real-world-transaction',
      `The command runs a project script with ${argument}, which acts in the real world, when the user asked only to inspect or test`,
      'inspect-only-run',
    );
  }
  return undefined;
}

/** Options that name the one recipient of a send. */
const RECIPIENT_OPTION = /^--(?:to|recipient|email)$/;
/** Options of a send script that take a value and pick neither an audience nor a recipient. */
const CONTENT_OPTION = /^--(?:template|subject|campaign|locale|lang|variant)$/;
/** Flags of a send script that make it act for real and take no value. */
const LIVE_FLAG = /^--(?:live|send)$/;
/** One email address, with no list separator. */
const ONE_ADDRESS = /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/;
const SEND_VERBS = String.raw`send\w*|sent|mail\w*|email\w*`;

/** Returns the arguments after the script that `command` runs, or undefined for a task runner. */
function scriptArguments(command: SimpleCommand): string[] | undefined {
  const [program = ''] = command.argv;
  if (/^\.{0,2}\/|^[\w.-]+\/[\w./-]+$/.test(program) && !program.startsWith('/')) {
    return command.argv.slice(1);
  }
  if (!INTERPRETERS.test(command.name) && !isShell(command.name)) {
    return undefined;
  }
  const script = command.argv.findIndex((arg, index) => index > 0 && !arg.startsWith('-'));
  return script < 0 ? undefined : command.argv.slice(script + 1);
}

/** Returns the one recipient address of a send script's `args`, or undefined. */
function onlyRecipient(args: readonly string[]): string | undefined {
  const recipients: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = '', inline] = arg.split(/=(.*)/s, 2);
    if (LIVE_FLAG.test(arg)) {
      continue;
    }
    if (!RECIPIENT_OPTION.test(option) && !CONTENT_OPTION.test(option)) {
      // A positional word, an audience option or anything unknown may widen the send.
      return undefined;
    }
    const value = inline ?? args[index + 1];
    if (value === undefined || value.startsWith('-')) {
      return undefined;
    }
    index += inline === undefined ? 1 : 0;
    if (RECIPIENT_OPTION.test(option)) {
      recipients.push(value);
    }
  }
  const [recipient] = recipients;
  return recipients.length === 1 && recipient !== undefined && ONE_ADDRESS.test(recipient)
    ? recipient
    : undefined;
}

/**
 * Checks whether `command` runs a project script for real (`--live`, `--send`) with one
 * recipient address and no other option that picks an audience, and a request to send names
 * that address. "Send it just to me, dev@acme.com" consents to `python
 * scripts/send_campaign.py --to dev@acme.com --template winter_sale --live`, but not to the
 * same call with `--list all-customers` or another address.
 */
export function sendsOnlyToNamedAddress(command: SimpleCommand, messages: string): boolean {
  if (command.dynamic || command.wrappers.length > 0 || !runsProjectScript(command)) {
    return false;
  }
  const args = scriptArguments(command);
  const recipient = args === undefined ? undefined : onlyRecipient(args);
  return (
    recipient !== undefined &&
    requestsVerb(SEND_VERBS, messages).some((request) => containsWord(request, recipient))
  );
}
