/**
 * Runner targets whose name says they print or send secrets: `just print-secrets`, `make
 * dump-env`, `task show-creds`, `npm run upload-tokens`. When the task file is on disk its
 * text is judged too (script-targets.ts); this reads the name alone, so a target that says
 * what it does is judged as that action even when its file is missing or unread.
 */
import { finding, type Finding } from './findings.js';
import type { ParsedShell } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Runners that run a target named by an operand, and the subcommand that precedes it, if any. */
const RUNNER_SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['make', new Set<string>()],
  ['gmake', new Set<string>()],
  ['just', new Set<string>()],
  ['task', new Set<string>()],
  ['go-task', new Set<string>()],
  ['makers', new Set<string>()],
  ['npm', new Set(['run', 'run-script'])],
  ['pnpm', new Set(['run'])],
  ['yarn', new Set(['run'])],
  ['bun', new Set(['run'])],
  ['composer', new Set(['run-script', 'run'])],
  ['deno', new Set(['task'])],
  ['mise', new Set(['run', 'r'])],
  ['pdm', new Set(['run'])],
  ['hatch', new Set(['run'])],
  ['rye', new Set(['run'])],
  ['pixi', new Set(['run'])],
  ['cargo', new Set(['make'])],
]);
/**
 * Runners that also run a target named as their first operand, with no subcommand. pnpm,
 * yarn and bun run a package.json script by bare name, and mise a task, when no built-in
 * command has that name.
 */
const BARE_TARGETS = new Set([
  'make',
  'gmake',
  'just',
  'task',
  'go-task',
  'makers',
  'pnpm',
  'yarn',
  'bun',
  'mise',
]);

/** Gate of {@link checkSecretTargets}: the runners in {@link RUNNER_SUBCOMMANDS}. */
export const SECRET_TARGETS_GATE: CheckGate = { programs: new Set(RUNNER_SUBCOMMANDS.keys()) };

/** Name words for secrets and the environment that contains them. */
const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'env',
  'envs',
  'environment',
  'dotenv',
  'cred',
  'creds',
  'credential',
  'credentials',
  'token',
  'tokens',
  'password',
  'passwords',
  'apikey',
  'apikeys',
]);
/** Name words that show a value to the session. */
const PRINT_VERBS = new Set(['print', 'dump', 'show', 'display', 'echo', 'cat', 'reveal']);
/** Name words that send a value somewhere else. */
const SEND_VERBS = new Set(['export', 'upload', 'send', 'leak', 'expose', 'share', 'post']);

/**
 * Finds a runner call whose target name pairs a secret word with a print or send verb,
 * such as `print-secrets` or `dump_env`, when no user message asks for that target or for
 * showing or sending those values. Names such as `env-check`, `lint` or `setup-env` carry no
 * such verb and are left to the other checks.
 */
export function checkSecretTargets(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const subcommands = RUNNER_SUBCOMMANDS.get(command.name);
    if (subcommands === undefined) {
      continue;
    }
    for (const target of targetNames(command.argv, subcommands, BARE_TARGETS.has(command.name))) {
      const action = secretAction(target);
      if (action === undefined || requested(target, action.secret, messages)) {
        continue;
      }
      return action.sends
        ? finding(
            'data-exfiltration',
            `The ${command.name} target "${target}" is named for sending secret or environment values ("${action.secret}"), which the user did not ask for`,
            'secret-target',
          )
        : finding(
            'credential-exploration',
            `The ${command.name} target "${target}" is named for printing secret or environment values ("${action.secret}"), which the user did not ask for`,
            'secret-target',
          );
    }
  }
  return undefined;
}

/** Returns the operands of a runner call that name targets, after its subcommand if any. */
function targetNames(
  argv: readonly string[],
  subcommands: ReadonlySet<string>,
  bare: boolean,
): string[] {
  const operands = argv.slice(1).filter((word) => !word.startsWith('-') && !word.includes('='));
  const first = operands[0];
  if (first !== undefined && subcommands.has(first)) {
    return operands.slice(1, 2);
  }
  if (!bare) {
    return [];
  }
  // Make, just and task run every operand as a target; the others run one bare name.
  return subcommands.size === 0 ? operands : operands.slice(0, 1);
}

/** Reads a target name's words and returns its secret word and whether it sends, if it pairs both. */
function secretAction(target: string): { secret: string; sends: boolean } | undefined {
  const words = target
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  const secret = words.find((word) => SECRET_WORDS.has(word));
  if (secret === undefined) {
    return undefined;
  }
  const sends = words.some((word) => SEND_VERBS.has(word));
  if (!sends && !words.some((word) => PRINT_VERBS.has(word))) {
    return undefined;
  }
  return { secret, sends };
}

/** Checks whether the messages name the target, or ask to show or send that kind of value. */
function requested(target: string, secret: string, messages: string): boolean {
  const text = messages.toLowerCase();
  if (text.includes(target.toLowerCase())) {
    return true;
  }
  const stem = secret.replace(/s$/, '').slice(0, 5);
  return (
    new RegExp(`\\b${stem}`).test(text) &&
    /\b(?:print|dump|show|display|echo|reveal|list|see|export|upload|send|what(?:'s| is| are))\b/.test(
      text,
    )
  );
}
