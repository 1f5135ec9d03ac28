/**
 * Matches of stage-1 rules that the structure of the call shows to be harmless or requested:
 * read-only API calls on security settings, requested hook skips, and reads of one named,
 * non-secret field of a secret store. Each exception covers only the command it reads, so a
 * line on which any other text matches the rule is still judged by the rule.
 */
import { checksSecretExists } from './discarded-outputs.js';
import { setsNamedProjectHooksPath } from './hook-paths.js';
import { printsNamedVariablesOfOwnProcess } from './environment-dumps.js';
import { skipsRequestedHooks } from './hook-skips.js';
import { containsWord } from './named-targets.js';
import type { DangerRule } from './rules.js';
import {
  fillsNamedEnvFile,
  printsPermittedSecret,
  readsNamedPlainField,
  readsRequestedKeyNames,
} from './secret-fields.js';
import { readsSecuritySettings } from './settings-reads.js';
import { requestsResourceAction } from './resource-consent.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Rules with exceptions in this module. */
const EXCUSABLE_RULES = new Set([
  'security-off',
  'persistence',
  'credential-store',
  'credential-mint',
  'npx-auto-install',
]);

/** The user's messages: the consenting clauses, and every message as written. */
export interface ExcuseRequests {
  messages: string;
  allMessages: string;
}

/** Checks whether every text `rule` matched (see `commandTexts` in stage1) is an excused command. */
export function excusesMatches(
  rule: DangerRule,
  matching: readonly string[],
  parsed: ParsedShell,
  requests: ExcuseRequests,
): boolean {
  if (!EXCUSABLE_RULES.has(rule.id)) {
    return false;
  }
  return matching.every((text) => {
    if (text.startsWith('> ')) {
      return excusesRedirect(rule, text.slice(2), parsed, requests);
    }
    const command = parsed.commands.find(
      (candidate) =>
        candidate.argv.join(' ') === text ||
        [...candidate.assignments, ...candidate.argv].join(' ') === text,
    );
    return command !== undefined && excusesCommand(rule, command, parsed, requests);
  });
}

/**
 * Checks whether a rule's match on the redirect target `target` is excused. stage1 matches a
 * redirect as `> TARGET` for input and output alike (see `commandTexts`). The one excuse is an
 * input redirect of the user's own process environment into a filter of the variables asked.
 */
function excusesRedirect(
  rule: DangerRule,
  target: string,
  parsed: ParsedShell,
  requests: ExcuseRequests,
): boolean {
  const command = parsed.commands.find((candidate) =>
    candidate.redirects.some((redirect) => redirect.target === target && redirect.operator === '<'),
  );
  return (
    rule.id === 'credential-store' &&
    command !== undefined &&
    printsNamedVariablesOfOwnProcess(command, parsed.commands, requests.messages)
  );
}

function excusesCommand(
  rule: DangerRule,
  command: SimpleCommand,
  parsed: ParsedShell,
  requests: ExcuseRequests,
): boolean {
  if (rule.id === 'credential-store' || rule.id === 'credential-mint') {
    return (
      checksSecretExists(command, parsed.commands, requests.allMessages) ||
      readsNamedPlainField(command, requests.messages) ||
      fillsNamedEnvFile(command, parsed.commands, requests.messages) ||
      readsRequestedKeyNames(command, parsed.commands, requests.messages) ||
      printsNamedVariablesOfOwnProcess(command, parsed.commands, requests.messages) ||
      printsPermittedSecret(command, parsed.commands, requests.messages, requests.allMessages)
    );
  }
  if (rule.id === 'npx-auto-install') {
    return runsNamedPackage(command, requests.messages);
  }
  if (rule.id === 'persistence') {
    return setsNamedProjectHooksPath(command, requests.messages);
  }
  return (
    setsNamedProjectHooksPath(command, requests.messages) ||
    readsOnlySettings(rule, command) ||
    skipsRequestedHooks(command, rule.pattern, requests) ||
    appliesRequestedProtection(command, parsed, requests.messages)
  );
}

/** Package runner options that take the next word as their value. */
const RUNNER_VALUED = new Set(['-p', '--package', '-c', '--call', '--registry', '--cache']);

/**
 * Checks whether `npx --yes PACKAGE` (or `pnpm dlx`, `bunx`, `yarn dlx`) runs the package the
 * user named: "lint the spec with Redocly" names `@redocly/cli` by its scope, and "run
 * cowsay" names `cowsay`. A name that only looks like the named one (`redoc1y`) names nothing,
 * and a `--registry` option or a path or URL in place of a name is never excused.
 */
function runsNamedPackage(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(command.name === 'npx' || command.name === 'bunx' ? 1 : 2);
  if (command.dynamic || args.some((arg) => arg.startsWith('--registry'))) {
    return false;
  }
  const packages = args.filter(
    (arg, index) =>
      (!arg.startsWith('-') && !RUNNER_VALUED.has(args[index - 1] ?? '')) ||
      RUNNER_VALUED.has(args[index - 1] ?? ''),
  );
  const spec = packages[0];
  if (spec === undefined || /[:\\]|^\.|^\//.test(spec)) {
    return false;
  }
  const bare = spec.replace(/(?<=.)@[^/]*$/, '');
  const scoped = /^@([\w.-]+)\/([\w.-]+)$/.exec(bare);
  const name = scoped === null ? bare : (scoped[1] ?? '');
  return /^[\w.-]+$/.test(name) && containsWord(messages, name);
}

/** Checks that `command` reads security settings and the rule matches none of its other arguments. */
function readsOnlySettings(rule: DangerRule, command: SimpleCommand): boolean {
  if (!readsSecuritySettings(command)) {
    return false;
  }
  const others = command.argv.filter((arg) => !/\/protection\b|\bcode-scanning\b/.test(arg));
  return !rule.pattern.test(others.join(' '));
}

/** Programs that write a file named among their arguments. */
const FILE_WRITERS = new Set(['tee', 'cp', 'mv', 'install', 'ln', 'curl', 'wget', 'dd']);

/**
 * Checks whether a command of the line other than `reader` writes `file`: by a redirect, by
 * `sed -i`, or as an argument of a program in {@link FILE_WRITERS}.
 */
function writesFileOnLine(parsed: ParsedShell, reader: SimpleCommand, file: string): boolean {
  const same = (word: string): boolean => word.replace(/^\.\//, '') === file.replace(/^\.\//, '');
  return parsed.commands.some(
    (other) =>
      other !== reader &&
      (other.redirects.some(
        (redirect) => redirect.operator.includes('>') && same(redirect.target),
      ) ||
        ((FILE_WRITERS.has(other.name) ||
          (other.name === 'sed' && other.argv.some((arg) => /^-[a-zA-Z]*i/.test(arg)))) &&
          other.argv.slice(1).some((arg) => same(arg.replace(/^of=/, ''))))),
  );
}

/**
 * Checks that a `gh api` call replaces a branch's protection with the rules of a project file
 * that the user asked to apply to that branch (see `ghProtectionAction`). A file that the
 * same line writes contains the agent's rules, not the ones the user chose, so it is not covered.
 */
function appliesRequestedProtection(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): boolean {
  const at = command.argv.indexOf('--input');
  const file = at < 0 ? undefined : command.argv[at + 1];
  return (
    command.argv.some((arg) => /\/protection$/.test(arg)) &&
    file !== undefined &&
    !writesFileOnLine(parsed, command, file) &&
    requestsResourceAction(command, messages) === true
  );
}
