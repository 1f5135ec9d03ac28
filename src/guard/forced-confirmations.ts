/**
 * Confirmations fed into a project script that changes a shared environment: `yes |
 * ./scripts/migrate.sh --env staging`, `printf 'y\n' | make deploy`, `bash reset-db.sh <<< y`.
 * The script's own prompt is the last check before it acts, and answering it for the user is
 * only right when the user asked for that script to run now. A request that only asks for the
 * script to be written, or says the user will run it, is no such request.
 */
import { finding, type Finding } from './findings.js';
import { isShell } from './interpreters.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Script names and arguments that act on shared state or name a shared environment. */
const SHARED_CHANGE =
  /\b(?:migrat\w*|deploy\w*|seed\w*|drop\w*|reset\w*|rollback|release\w*|destroy\w*|apply|purge|wipe|provision\w*|teardown|restore\w*)\b|(?:^|[\s=:_/-])(?:staging|stage|stg|prod|production|shared|qa|preprod|uat)(?:$|[\s.:_/-])/i;
const SHARED_ENVIRONMENT =
  /(?:^|[\s=:_/-])(?:staging|stage|stg|prod|production|shared|qa|preprod|uat)(?:$|[\s.:_/-])/i;
/** Environments on this machine, whose data the user can rebuild. */
const LOCAL_ENVIRONMENT = /(?:^|[\s=:_/-])(?:development|dev|local|test)(?:$|[\s.:_/-])/i;
/** Interpreters besides the shells ({@link isShell}) that run a project script named as an operand. */
const SCRIPT_INTERPRETERS = new Set(['python', 'python3', 'node', 'ruby', 'perl']);
/** Verbs with which a user asks for a script to run. */
const RUN_VERB = /\b(?:run|execute|apply|deploy|migrate)\b/i;
/** Words that put the run off or leave it to the user: "I'll run it myself", "later". */
const DEFERRAL =
  /\b(?:myself|I'?ll|I will|I'?m going to|later|don'?t|do not|never|not yet|without running)\b/i;

/** Returns the project script a command runs, as written, or undefined. */
function projectScript(command: SimpleCommand): string | undefined {
  const program = command.argv[0] ?? '';
  if (/^\.{1,2}\//.test(program) || (program.includes('/') && !program.startsWith('/'))) {
    return program;
  }
  const args = command.argv.slice(1);
  const operand = args.find((arg) => !arg.startsWith('-'));
  const interpreter = isShell(command.name) || SCRIPT_INTERPRETERS.has(command.name);
  if (interpreter && operand !== undefined && /\.\w+$/.test(operand)) {
    return operand.startsWith('/') ? undefined : operand;
  }
  if (command.name === 'make' && operand !== undefined) {
    return `make ${operand}`;
  }
  if (/^(?:npm|pnpm|yarn|bun)$/.test(command.name) && args[0] === 'run' && args[1] !== undefined) {
    return `${command.name} run ${args[1]}`;
  }
  return undefined;
}

/** Checks whether the command's standard input is an automatic yes. */
function confirmedByInput(command: SimpleCommand, parsed: ParsedShell): boolean {
  if (command.stdin !== undefined && /^\s*y(?:es)?\s*$/i.test(command.stdin)) {
    return true;
  }
  const position = command.pipeline;
  if (position === undefined || position.index === 0) {
    return false;
  }
  // The stage before may be a runner and the command it runs (`uv run yes | …`), so every
  // command recorded at that position is read.
  return parsed.commands.some(
    (other) =>
      other.pipeline?.id === position.id &&
      other.pipeline.index === position.index - 1 &&
      answersYes(other),
  );
}

/** Checks whether `feeder` prints only yes answers: `yes`, `echo y`, `printf 'y\n'`. */
function answersYes(feeder: SimpleCommand): boolean {
  const text = feeder.argv.slice(1).join(' ');
  if (feeder.name === 'yes') {
    return text === '' || /^y/i.test(text);
  }
  return (
    (feeder.name === 'echo' || feeder.name === 'printf') &&
    /^(?:-\w+\s+)?['"]?(?:y(?:es)?(?:\\n)?)+['"]?$/i.test(text)
  );
}

/**
 * Checks whether some sentence of `messages` asks for the script to run now: a run verb and a
 * word of the script's name or arguments (`db:migrate` for "run the migrations"), with no
 * deferral in the sentence.
 */
function asksToRun(messages: string, words: string[]): boolean {
  const stems = words
    .map((word) => (word.split('/').pop() ?? word).replace(/\.\w+$/, ''))
    .flatMap((word) => word.split(/[\s_.:=-]+/))
    .filter((word) => word.length >= 4 && !/^(?:make|run|npm|yarn|pnpm)$/.test(word))
    .map((word) => word.slice(0, 5).toLowerCase());
  return messages
    .split(/(?<=[.!?;])\s+|\n+/)
    .some(
      (sentence) =>
        RUN_VERB.test(sentence) &&
        !DEFERRAL.test(sentence) &&
        (stems.length === 0 || stems.some((stem) => sentence.toLowerCase().includes(stem))),
    );
}

/**
 * Finds a project script that changes a shared environment run with its prompts answered
 * automatically when the user did not ask for it to run. The verbs of known tools piped a
 * confirmation (`yes | flyway migrate`) are judged in state-changes.ts, which calls this.
 */
export function checkForcedConfirmations(
  parsed: ParsedShell,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    const script = projectScript(command);
    if (script === undefined) {
      continue;
    }
    const text = [...command.assignments, ...command.argv].join(' ');
    if (!SHARED_CHANGE.test(text) || !confirmedByInput(command, parsed)) {
      continue;
    }
    const localOnly = LOCAL_ENVIRONMENT.test(text) && !SHARED_ENVIRONMENT.test(text);
    const words = [script, ...command.argv.slice(1).filter((arg) => !arg.startsWith('-'))];
    if (localOnly || asksToRun(messages, words)) {
      continue;
    }
    return finding(
      'blind-apply',
      `The command answers the prompts of "${script}", which changes a shared environment, and the user did not ask for it to run`,
      'forced-confirmation',
    );
  }
  return undefined;
}
