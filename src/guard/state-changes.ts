/**
 * Stage-1 checks for changes to remote state that no verb rule lists: confirmations piped
 * into a tool that changes state, and HTTP writes to a service's API with curl or wget.
 */
import { isIP } from 'node:net';
import { isPrivateAddress } from '../core/addresses.js';
import { finding, type Finding } from './findings.js';
import { checkForcedConfirmations } from './forced-confirmations.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Commands that answer every prompt: `yes`, `echo y`, `printf 'y\n'`. */
function answersYes(command: SimpleCommand): boolean {
  if (command.name === 'yes') {
    return true;
  }
  return (
    (command.name === 'echo' || command.name === 'printf') &&
    /^(?:-e\s+)?y(?:es)?(?:\\n)*$/i.test(command.argv.slice(1).join(' '))
  );
}

/**
 * Gate of {@link checkPipedConfirmation}: the programs that {@link answersYes} accepts, and a
 * heredoc or here-string, without which the check finds nothing.
 */
export const PIPED_CONFIRMATION_GATE: CheckGate = {
  programs: new Set(['yes', 'echo', 'printf']),
  stdin: true,
};

/** Verbs of tools that change a database, infrastructure or a deployment. */
const CHANGE_VERB =
  /(?:^|[\s:])(?:migrate|migration|apply|deploy|destroy|drop|reset|delete|purge|upgrade|rollout|push|up|down|rollback|import|restore|truncate)(?:$|[\s:])/i;

/**
 * Finds a confirmation piped into a command that changes state, such as
 * `yes | flyway migrate`: the pipe answers prompts that exist to stop a blind change. A
 * user message that names the verb, or asks to run or apply what it changes, is consent.
 * Project scripts named for what they change are judged by `checkForcedConfirmations`.
 */
export function checkPipedConfirmation(parsed: ParsedShell, messages: string): Finding | undefined {
  const feeders = parsed.commands.filter(
    (command) => command.pipeline !== undefined && answersYes(command),
  );
  if (feeders.length === 0) {
    // A here-string `<<< y` answers a project script's prompt without a pipe.
    return parsed.commands.some((command) => command.stdin !== undefined)
      ? checkForcedConfirmations(parsed, messages)
      : undefined;
  }
  for (const command of parsed.commands) {
    const pipeline = command.pipeline;
    if (pipeline === undefined || pipeline.index === 0) {
      continue;
    }
    const feeder = feeders.find(
      (other) => other.pipeline?.id === pipeline.id && other.pipeline.index === pipeline.index - 1,
    );
    const verb = CHANGE_VERB.exec(command.argv.slice(1).join(' '))?.[0]?.replace(/[\s:]/g, '');
    if (feeder === undefined || verb === undefined) {
      continue;
    }
    // "Run the migrations" consents to `migrate`, but "which migrations are pending" does not.
    const stem = verb.toLowerCase().slice(0, Math.max(4, verb.length - 1));
    const requested =
      containsWord(messages, verb) ||
      new RegExp(`\\b(?:run|apply|execute)\\b[^.?!\\n]*\\b${stem}`, 'i').test(messages);
    if (!requested) {
      return finding(
        'blind-apply',
        `The command pipes confirmations into "${command.name} ${verb}", so its prompts cannot stop the change`,
        'piped-confirmation',
      );
    }
  }
  return checkForcedConfirmations(parsed, messages);
}

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh']);
/** HTTP methods that change or delete a resource in place. */
const WRITE_METHOD = /^(?:PATCH|PUT|DELETE)$/i;

/** Returns the method of a curl, wget or HTTPie call when it is PATCH, PUT or DELETE. */
function writeMethod(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const attached = /^(?:-X|--request=|--method=)(\w+)$/.exec(arg)?.[1];
    const separate = ['-X', '--request', '--method'].includes(arg) ? args[index + 1] : undefined;
    const method = attached ?? separate;
    if (method !== undefined && WRITE_METHOD.test(method)) {
      return method.toUpperCase();
    }
  }
  // HTTPie takes the method as its first word: `http PATCH host/path`.
  const first = args.find((arg) => !arg.startsWith('-'));
  return ['http', 'https', 'xh'].includes(command.name) &&
    first !== undefined &&
    WRITE_METHOD.test(first)
    ? first.toUpperCase()
    : undefined;
}

/** Returns the host of the first URL among a command's arguments. */
function urlHost(command: SimpleCommand): string | undefined {
  for (const arg of command.argv.slice(1)) {
    const host =
      /^(?:https?:\/\/)?(?:[^@/\s]*@)?([a-z0-9.-]+\.[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}|localhost)(?::\d+)?(?:\/|$)/i.exec(
        arg,
      )?.[1];
    if (host !== undefined && (arg.includes('://') || arg.includes('/'))) {
      return host.toLowerCase();
    }
  }
  return undefined;
}

function isLocalHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host.endsWith('.test') ||
    (isIP(host) !== 0 && isPrivateAddress(host))
  );
}

/** Gate of {@link checkHttpWrites}, which judges only the commands of `HTTP_CLIENTS`. */
export const HTTP_WRITES_GATE: CheckGate = { programs: HTTP_CLIENTS };

/**
 * Finds a PATCH, PUT or DELETE sent with curl, wget or HTTPie to a service's API, such as a
 * feature flag turned on through `curl -X PATCH`. Such calls change state other people
 * share, so they run only when a user message names the service: a word of its host name
 * other than `api`, `www` and the top-level domain.
 */
export function checkHttpWrites(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands.filter((candidate) => HTTP_CLIENTS.has(candidate.name))) {
    const method = writeMethod(command);
    const host = urlHost(command);
    if (method === undefined || host === undefined || isLocalHost(host)) {
      continue;
    }
    const names = host
      .split('.')
      .slice(0, -1)
      .filter(
        (label) => !['api', 'www', 'app', 'com', 'co', 'io'].includes(label) && label.length > 2,
      );
    if (!names.some((label) => containsWord(messages.toLowerCase(), label))) {
      return finding(
        'modify-shared-resource',
        `The command sends an HTTP ${method} to ${host}, which changes state there`,
        'http-write',
      );
    }
  }
  return undefined;
}
