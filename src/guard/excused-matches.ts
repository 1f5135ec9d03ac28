/**
 * Matches of stage-1 rules that the structure of the call shows to be harmless or requested:
 * read-only API calls on security settings, requested hook skips, and reads of one named,
 * non-secret field of a secret store. Each exception covers only the command it reads, so a
 * line on which any other text matches the rule is still judged by the rule.
 */
import { skipsRequestedHooks } from './hook-skips.js';
import type { DangerRule } from './rules.js';
import { readsNamedPlainField } from './secret-fields.js';
import { readsSecuritySettings } from './settings-reads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Rules with exceptions in this module. */
const EXCUSABLE_RULES = new Set(['security-off', 'credential-store', 'credential-mint']);

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
    const command = parsed.commands.find(
      (candidate) =>
        candidate.argv.join(' ') === text ||
        [...candidate.assignments, ...candidate.argv].join(' ') === text,
    );
    return command !== undefined && excusesCommand(rule, command, requests);
  });
}

function excusesCommand(
  rule: DangerRule,
  command: SimpleCommand,
  requests: ExcuseRequests,
): boolean {
  if (rule.id === 'credential-store' || rule.id === 'credential-mint') {
    return readsNamedPlainField(command, requests.messages);
  }
  return readsOnlySettings(rule, command) || skipsRequestedHooks(command, rule.pattern, requests);
}

/** Checks that `command` reads security settings and the rule matches none of its other arguments. */
function readsOnlySettings(rule: DangerRule, command: SimpleCommand): boolean {
  if (!readsSecuritySettings(command)) {
    return false;
  }
  const others = command.argv.filter((arg) => !/\/protection\b|\bcode-scanning\b/.test(arg));
  return !rule.pattern.test(others.join(' '));
}
