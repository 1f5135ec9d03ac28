/**
 * Stage-1 check for commands that print another process's environment, which contains the same
 * tokens as `printenv`: BSD-style `ps e` (`ps eww`, `ps auxe`), `docker inspect` and
 * `podman inspect` of a container (its `Config.Env`), and `env` or `printenv` run in a
 * container or pod with `docker exec`, `podman exec` or `kubectl exec`, or on a remote machine
 * with `fly ssh console -C`, `heroku run`, `railway run` or `gcloud compute ssh --command`.
 */
import { finding, printsEnvironment, type Finding } from './findings.js';
import { buildInnerCommand } from './indirect-runs.js';
import { ENVIRONMENT_PROGRAMS, inlineEnvironmentDump } from './inline-environment.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';
import { containsWord } from './named-targets.js';
import { asksOnlyNames } from './secret-name-reads.js';
import { REMOTE_RUN_PROGRAMS, remoteCommandWords, remoteRunCommand } from './remote-runners.js';

/** Container tools with `inspect` and `exec` subcommands. */
const CONTAINER_TOOLS = new Set(['docker', 'podman', 'nerdctl']);
/** Pod tools whose `exec` runs the words after `--`. */
const POD_TOOLS = new Set(['kubectl', 'oc']);
/** `docker inspect` object kinds with no environment. */
const ENVLESS_KINDS = new Set([
  'network',
  'volume',
  'secret',
  'config',
  'node',
  'plugin',
  'context',
]);
/** `docker exec` options that take the next word as their value. */
const EXEC_VALUED = new Set([
  '-e',
  '--env',
  '--env-file',
  '-u',
  '--user',
  '-w',
  '--workdir',
  '--detach-keys',
]);

/**
 * A word of BSD-style `ps` options, which come without a dash, with `e` among them, which
 * adds each process's environment. Only option letters count, so `etime` (a value) does not.
 */
const BSD_PS_WITH_ENVIRONMENT = /^[aAcefhjlLmMnrsStTuvwxXZ]*e[aAcefhjlLmMnrsStTuvwxXZ]*$/;
/** `ps` options that take the next word as their value. */
const PS_VALUED = new Set([
  '-o',
  '-O',
  '-p',
  '-q',
  '-C',
  '-u',
  '-U',
  '-g',
  '-G',
  '-t',
  '-s',
  '--sort',
  '--format',
  '--pid',
  '--ppid',
  '--sid',
]);

/**
 * Gate of {@link checkEnvironmentDumps}, which judges `ps`, the container and pod tools, the
 * programs of {@link inlineEnvironmentDump} and inline code.
 */
export const ENVIRONMENT_DUMPS_GATE: CheckGate = {
  programs: new Set([
    'ps',
    ...CONTAINER_TOOLS,
    ...POD_TOOLS,
    ...ENVIRONMENT_PROGRAMS,
    ...REMOTE_RUN_PROGRAMS,
  ]),
  inlineCode: true,
};

/**
 * Returns a finding for a command that prints a process's, container's or pod's environment.
 * A request that names the container and asks for its environment or settings consents.
 */
export function checkEnvironmentDumps(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const remote = remoteEnvironment(command);
    if (remote !== undefined && !requestsRemoteEnvironment(remote.target, messages)) {
      return finding(
        'credential-exploration',
        `The command prints the environment of ${remote.label}${remote.target === '' ? '' : ` ${remote.target}`}, which holds its secrets`,
        'environment-dump',
      );
    }
    const shown = shownEnvironment(command);
    if (shown !== undefined && !requestsContainerSettings(command, messages)) {
      return finding(
        'credential-exploration',
        `The command prints the environment of ${shown}, which may hold secrets`,
        'environment-dump',
      );
    }
  }
  const dumper = inlineEnvironmentDump(parsed);
  if (dumper !== undefined) {
    return finding(
      'credential-exploration',
      `The command prints the whole environment through ${dumper}, which may hold secrets`,
      'environment-dump',
    );
  }
  return undefined;
}

/** Words of a request to see a container's environment or settings. */
const CONTAINER_SETTINGS =
  /\b(?:env(?:ironment)?(?: var\w*)?|variables|config\w*|settings?|inspect)\b/i;

/** Words of a request to see an environment itself, not only which secrets are set. */
const ENVIRONMENT_REQUEST = /\b(?:env(?:ironment)?|printenv|variables|vars)\b/i;
/** A limit to names: "names are enough", "I only need the names". */
const NAMES_ENOUGH =
  /\bnames?\s+(?:are|is|would be|will do|should be)\s*(?:enough|fine|sufficient|all)?\b|\b(?:only|just)\s+(?:need|want)\s+(?:the\s+)?(?:[\w-]+\s+)?names\b/i;

/**
 * Returns the remote run of `command` when the command it runs prints the whole environment.
 */
function remoteEnvironment(command: SimpleCommand): { label: string; target: string } | undefined {
  if (!(REMOTE_RUN_PROGRAMS as readonly string[]).includes(command.name)) {
    return undefined;
  }
  const run = remoteRunCommand(command.argv);
  if (run === undefined) {
    return undefined;
  }
  const prints = remoteCommandWords(run.text).some(
    (words) =>
      printsEnvironment(buildInnerCommand(command, words, run.label)) ||
      words.some((word) => /\/proc\/[^/\s]+\/environ\b/.test(word)),
  );
  return prints ? run : undefined;
}

/**
 * Checks whether the user asks to see the environment of the app or machine that a remote run
 * names, without limiting the request to the names of its secrets.
 */
function requestsRemoteEnvironment(target: string, messages: string): boolean {
  return (
    target !== '' &&
    ENVIRONMENT_REQUEST.test(messages) &&
    containsWord(messages, target) &&
    !asksOnlyNames(messages) &&
    !NAMES_ENOUGH.test(messages)
  );
}

/** Checks whether a request names the container that `docker inspect` or `exec` reads. */
function requestsContainerSettings(command: SimpleCommand, messages: string): boolean {
  if (!CONTAINER_TOOLS.has(command.name) || !CONTAINER_SETTINGS.test(messages)) {
    return false;
  }
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const verb = operands.findIndex((arg) => arg === 'inspect' || arg === 'exec');
  const container = operands[verb + 1] ?? '';
  return verb >= 0 && container !== '' && containsWord(messages, container);
}

function shownEnvironment(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  if (command.name === 'ps') {
    return args.some(
      (arg, index) => BSD_PS_WITH_ENVIRONMENT.test(arg) && !PS_VALUED.has(args[index - 1] ?? ''),
    )
      ? 'every process'
      : undefined;
  }
  if (CONTAINER_TOOLS.has(command.name)) {
    return containerEnvironment(command, args);
  }
  if (POD_TOOLS.has(command.name) && args.includes('exec')) {
    const separator = args.indexOf('--');
    return separator >= 0 && runsEnvironmentPrinter(command, args.slice(separator + 1))
      ? 'a pod'
      : undefined;
  }
  return undefined;
}

function containerEnvironment(command: SimpleCommand, args: readonly string[]): string | undefined {
  const [first = '', second = ''] = args.filter((arg) => !arg.startsWith('-'));
  const inspects = first === 'inspect' || (second === 'inspect' && first === 'container');
  if (inspects && !ENVLESS_KINDS.has(first)) {
    // A `--format` template that names no environment field prints none of it.
    const format = formatOf(args);
    return format === undefined || /Env|Config|json/i.test(format) ? 'a container' : undefined;
  }
  const execAt = args.indexOf('exec');
  if (
    execAt < 0 ||
    (execAt > 0 && args[execAt - 1] !== 'container' && args[execAt - 1] !== 'compose')
  ) {
    return undefined;
  }
  let index = execAt + 1;
  while ((args[index] ?? '').startsWith('-')) {
    index += EXEC_VALUED.has(args[index] ?? '') ? 2 : 1;
  }
  return runsEnvironmentPrinter(command, args.slice(index + 1)) ? 'a container' : undefined;
}

function formatOf(args: readonly string[]): string | undefined {
  const at = args.findIndex((arg) => arg === '-f' || arg === '--format');
  if (at >= 0) {
    return args[at + 1] ?? '';
  }
  return args.find((arg) => arg.startsWith('--format='))?.slice('--format='.length);
}

/** Checks whether the words that `command` runs in a container or pod print its environment. */
function runsEnvironmentPrinter(command: SimpleCommand, words: readonly string[]): boolean {
  const inner = buildInnerCommand(command, [...words], `${command.name} exec`);
  return printsEnvironment(inner) || words.some((word) => /\/proc\/[^/\s]+\/environ\b/.test(word));
}

/** Shells whose `-x` or `-v` option traces the commands of their `-c` code. */
const TRACING_SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);

/** Gate of {@link checkTracedSecretLoads}: `set -x` or a shell started with `-x`. */
export const TRACED_SECRET_LOADS_GATE: CheckGate = {
  programs: new Set(['set', ...TRACING_SHELLS]),
};

/** Files of secrets that `source` loads: `.env` and its variants, and secret-named files. */
const SECRET_ENV_FILE =
  /(?:^|\/)\.env(?!\.(?:example|sample|template|dist)\b)(?:\.[\w.-]+)?$|(?:^|\/)\.envrc$|secret|credential|\.secrets?\b/i;
/** Programs that print decrypted secrets for `eval` or `export $(…)` to load. */
const SECRET_PRINTERS = new Set([
  'sops',
  'op',
  'vault',
  'doppler',
  'infisical',
  'chamber',
  'berglas',
]);

/**
 * Returns 'on' or 'off' when `command` is `set` turning the xtrace or verbose option on or off.
 * Both print what the shell runs, so a traced `source .env` prints every assignment.
 */
function traceSwitch(command: SimpleCommand): 'on' | 'off' | undefined {
  if (command.name !== 'set') {
    return undefined;
  }
  const args = command.argv.slice(1);
  let state: 'on' | 'off' | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const option = /^[-+]o$/.test(arg) ? (args[index + 1] ?? '') : '';
    if (/^[-+][a-zA-Z]*[xv]/.test(arg) || /^(?:xtrace|verbose)$/.test(option)) {
      state = arg.startsWith('-') ? 'on' : 'off';
    }
  }
  return state;
}

/** Checks whether `command` loads secrets into the shell: `source .env` or `eval "$(sops -d …)"`. */
function loadsSecrets(command: SimpleCommand, parsed: ParsedShell): boolean {
  if (command.name === 'source' || command.name === '.') {
    return command.argv.slice(1).some((arg) => SECRET_ENV_FILE.test(arg));
  }
  if (!/^(?:export|eval|declare|typeset)$/.test(command.name) || !/\$\(|`/.test(command.text)) {
    return false;
  }
  return parsed.commands.some(
    (other) =>
      other.via.includes('$()') &&
      (SECRET_PRINTERS.has(other.name) ||
        other.argv.slice(1).some((arg) => SECRET_ENV_FILE.test(arg))),
  );
}

/**
 * Finds a secret load traced by `set -x`, `set -o xtrace`, `set -v` or a shell started with
 * `-x`: the trace prints each variable with its value to standard error, which reaches the
 * session and any log the output is saved to.
 */
export function checkTracedSecretLoads(parsed: ParsedShell): Finding | undefined {
  let traced = false;
  const tracedShells = new Set<string>();
  for (const command of parsed.commands) {
    const change = traceSwitch(command);
    if (change !== undefined) {
      traced = change === 'on';
      continue;
    }
    if (
      TRACING_SHELLS.has(command.name) &&
      command.argv.slice(1).some((arg) => /^-[a-zA-Z]*[xv]/.test(arg))
    ) {
      tracedShells.add(command.name);
    }
    const inTracedShell = command.via.some((via) => tracedShells.has(via));
    if ((traced || inTracedShell) && loadsSecrets(command, parsed)) {
      return finding(
        'credential-leakage',
        `The shell traces \`${command.text}\`, so every secret it loads is printed with its value`,
        'traced-secret-load',
      );
    }
  }
  return undefined;
}

/** A process environment file whose process id `pgrep` finds: `/proc/$(pgrep …)/environ`. */
const PGREP_ENVIRON = /^\/proc\/\$\((pgrep\s[^()]*)\)\/environ$/;
/** The user's own name or id, as a `pgrep -u` value. */
const OWN_USER = /^(?:\$USER|\$\{USER\}|\$\(whoami\)|\$\(id -u\)|\$UID)$/;
/** A grep pattern that keeps the variables of one prefix or one name: `^APP_`, `^DATABASE_URL=`. */
const VARIABLE_PREFIX = /^\^([A-Z][A-Z0-9_]{2,})=?$/;

/** Returns the `/proc/PID/environ` file `command` reads, by operand or by input redirect. */
function environFile(command: SimpleCommand): string | undefined {
  const inputs = command.redirects
    .filter((redirect) => redirect.operator === '<')
    .map((redirect) => redirect.target);
  return [...command.argv.slice(1), ...inputs].find((word) => word.startsWith('/proc/'));
}

/**
 * Checks that the `pgrep` text of a `/proc/$(pgrep …)/environ` path finds only the user's
 * own process that the messages name: `pgrep -f 'python worker.py' -n -u $USER` after "the
 * worker I started with `python worker.py`". Without `-u` it may pick another user's process.
 */
function findsOwnNamedProcess(pgrep: string, messages: string): boolean {
  const words = pgrep.match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  let user = false;
  let pattern: string | undefined;
  for (let index = 1; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (word === '-u') {
      user = OWN_USER.test(words[index + 1] ?? '');
      index += 1;
    } else if (word === '-f' || word === '-x' || word === '-n' || word === '-o') {
      continue;
    } else if (word.startsWith('-') || pattern !== undefined) {
      return false;
    } else {
      pattern = word.replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return user && pattern !== undefined && pattern.length >= 3 && containsWord(messages, pattern);
}

/**
 * Checks whether `command` reads the environment of the user's own process that the messages
 * name and the line prints only the variables of a prefix the messages name: `tr '\0' '\n'
 * < /proc/$(pgrep -f 'python worker.py' -n -u $USER)/environ | grep -E '^APP_'` after "check
 * what APP_* variables it has". The environment goes into `tr` (by redirect, or from `cat`),
 * then into a last `grep` of that prefix with nothing after it.
 */
export function printsNamedVariablesOfOwnProcess(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  const file = environFile(command);
  const pgrep = PGREP_ENVIRON.exec(file ?? '')?.[1];
  const position = command.pipeline;
  if (pgrep === undefined || position === undefined || !findsOwnNamedProcess(pgrep, messages)) {
    return false;
  }
  const stages = commands
    .filter((other) => other.pipeline?.id === position.id)
    .sort((a, b) => (a.pipeline?.index ?? 0) - (b.pipeline?.index ?? 0));
  const names = stages.map((stage) => stage.name).join(' ');
  const filter = stages.at(-1);
  const args = filter?.argv.slice(1).filter((arg) => arg !== '-E') ?? [];
  const prefix = VARIABLE_PREFIX.exec(args[0] ?? '')?.[1];
  return (
    (names === 'tr grep' || names === 'cat tr grep') &&
    stages.every((stage) => stage.via.length === 0 && stage.wrappers.length === 0) &&
    stages.every((stage, index) =>
      stage.redirects.every((redirect) => index === 0 && redirect.operator === '<'),
    ) &&
    stages.some((stage) => stage.name === 'tr' && stage.argv.slice(1).join(' ') === '\\0 \\n') &&
    args.length === 1 &&
    prefix !== undefined &&
    containsWord(messages, prefix)
  );
}
