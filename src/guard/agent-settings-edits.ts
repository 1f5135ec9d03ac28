/**
 * Requested changes to the agent's project files that loosen none of its controls. A prompt
 * file for a slash command (`.claude/commands/review-pr.md`) only stores a prompt, unless its
 * front matter pre-approves tools (`allowed-tools`) or it runs shell lines when invoked
 * (`!` before a backquoted command). An edit of `.claude/settings.json` that only adds
 * permission rules to the `allow` list, each for a command the user named ("add npm test to
 * the allow list"), widens nothing the user did not name. Every other change of those files
 * still reaches the agent-config finding.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';

/** A slash command's prompt file in the project. */
const COMMAND_FILE = /^\.claude\/commands\/[\w.-]+(?:\/[\w.-]+)*\.md$/;

/** Requests for a slash command or its prompt file. */
const COMMAND_REQUEST =
  /\b(?:slash[- ]?commands?|custom commands?|prompt files?|command files?)\b|(?:^|\s)\/[\w-]+ command\b/i;

/** Front matter that pre-approves tools, and shell lines the command runs when invoked. */
const COMMAND_EFFECTS = /^\s*allowed[-_]tools\s*:|!`/im;

/**
 * Checks whether a change of the project file `relative` writes a slash command's prompt file
 * that the user's consenting clauses `messages` ask for, and that neither pre-approves tools
 * nor runs shell lines.
 */
export function writesRequestedCommandFile(
  relative: string,
  content: string,
  messages: string,
): boolean {
  return (
    COMMAND_FILE.test(relative) &&
    !COMMAND_EFFECTS.test(content) &&
    asksWithout(COMMAND_REQUEST, messages)
  );
}

/** The project's shared and local agent settings files. */
const SETTINGS_FILE = /^\.claude\/settings(?:\.local)?\.json$/;

/** Requests about the allow list or permissions. */
const ALLOW_REQUEST =
  /\ballow[- ]?list\b|\ballow(?:ed)? (?:rules?|entr(?:y|ies))\b|\bpermissions?\b/i;

/**
 * A narrow Bash permission rule: `Bash(npm test)` or `Bash(npm test:*)`. The command is
 * group 1, and must be plain words with no wildcard, operator or substitution.
 */
const BASH_RULE = /^Bash\(([\w./-]+(?: [\w./=-]+)*)(?::\*)?\)$/;

/** Returns the quoted strings of a JSON text, in order. */
function quotedStrings(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((match) => match[1] ?? '');
}

/**
 * Checks whether an Edit of the agent's settings file `relative` only adds Bash permission
 * rules to the `allow` list: every string of `removed` is kept, every new string of `added` is
 * a {@link BASH_RULE} whose words the user named, the new rules come after `"allow": [` with no
 * other list in between, and the user's consenting clauses `messages` ask about the allow list.
 */
export function addsRequestedAllowRules(
  relative: string,
  removed: string,
  added: string,
  messages: string,
): boolean {
  if (!SETTINGS_FILE.test(relative) || removed === '' || !asksWithout(ALLOW_REQUEST, messages)) {
    return false;
  }
  const removedStrings = quotedStrings(removed);
  const addedStrings = quotedStrings(added);
  const remaining = [...addedStrings];
  for (const text of removedStrings) {
    const at = remaining.indexOf(text);
    if (at < 0) {
      return false;
    }
    remaining.splice(at, 1);
  }
  const allowAt = addedStrings.indexOf('allow');
  return (
    remaining.length > 0 &&
    allowAt >= 0 &&
    remaining.every((rule) => {
      const command = BASH_RULE.exec(rule)?.[1];
      const at = addedStrings.indexOf(rule);
      return (
        command !== undefined &&
        at > allowAt &&
        // Keys such as "deny" or "ask" between the allow key and the rule start another list.
        addedStrings
          .slice(allowAt + 1, at)
          .every((text) => BASH_RULE.test(text) || /\(/.test(text)) &&
        command.split(' ').every((word) => containsWord(messages, word))
      );
    })
  );
}
