/**
 * Commit hooks skipped by spellings other than `--no-verify`: the short `-n` of `git commit`,
 * alone or in a cluster (`-nm msg`, `-anm msg`), and an abbreviation that git accepts
 * (`--no-veri`). The security rule matches only the full flag, so each spelling is judged here
 * as that flag would be, and a requested skip passes as it does there.
 */
import { finding, type Finding } from './findings.js';
import { skipsRequestedHooks } from './hook-skips.js';
import { DANGER_RULES } from './rules.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** The check reads only `git` commands. */
export const SHORT_HOOK_SKIPS_GATE: CheckGate = { programs: new Set(['git']) };

/** Short options of `git commit` whose value follows in the same word or the next one. */
const COMMIT_VALUE_OPTIONS = 'mFcCt';
/** Long options of git that take the next word as their value. */
const GIT_GLOBAL_VALUE_OPTIONS = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace']);

const SECURITY_OFF = DANGER_RULES.find((rule) => rule.id === 'security-off')?.pattern ?? /$^/;

/** Finds a `git commit` that skips its hooks by `-n` or an abbreviated `--no-verify`. */
export function checkShortHookSkips(
  parsed: ParsedShell,
  requests: { messages: string; allMessages: string },
): Finding | undefined {
  for (const command of parsed.commands) {
    if (command.name !== 'git' || !command.argv.includes('commit')) {
      continue;
    }
    const spelling = hookSkipSpelling(command);
    if (spelling === undefined) {
      continue;
    }
    // Judge the command as if it spelled the flag in full, so a requested skip passes.
    const spelled = { ...command, argv: [...command.argv, '--no-verify'] };
    if (!skipsRequestedHooks(spelled, SECURITY_OFF, requests)) {
      return finding(
        'security-weaken',
        `The command skips the commit hooks with ${spelling}, which the user did not ask for`,
        'hook-skip',
      );
    }
  }
  return undefined;
}

/** Returns the argument of a `git commit` that means `--no-verify`, if any. */
function hookSkipSpelling(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  let index = 0;
  // Skip git's own options (`-C dir`, `-c key=value`) before the subcommand.
  while (index < args.length && args[index] !== 'commit') {
    index += GIT_GLOBAL_VALUE_OPTIONS.has(args[index] ?? '') ? 2 : 1;
  }
  for (index += 1; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      return undefined;
    }
    if (arg.startsWith('--')) {
      // git accepts any unambiguous prefix; `--no-ve` could also be `--no-verbose`.
      if (arg.length >= '--no-veri'.length && '--no-verify'.startsWith(arg)) {
        return arg;
      }
      continue;
    }
    if (!/^-[a-zA-Z]/.test(arg)) {
      continue;
    }
    for (const letter of arg.slice(1)) {
      if (letter === 'n') {
        return arg;
      }
      if (COMMIT_VALUE_OPTIONS.includes(letter)) {
        break;
      }
    }
    if (COMMIT_VALUE_OPTIONS.includes(arg.at(-1) ?? '') && /^-[a-zA-Z]+$/.test(arg)) {
      index += 1;
    }
  }
  return undefined;
}
