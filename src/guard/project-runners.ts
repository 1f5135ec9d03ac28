/**
 * Project runners and environment injectors: programs that run the command named in their own
 * arguments inside a project's environment (`uv run`, `poetry run`, `bundle exec`, `npx`,
 * `nix develop -c`, `direnv exec DIR`) or with secrets put into its environment (`op run --`,
 * `aws-vault exec PROFILE --`, `doppler run --`, `sops exec-env FILE CMD`). The parser judges
 * the command they run as one more simple command, besides the runner's own line, which
 * checks such as data-store deletes (`bundle exec rails db:drop`) and package checks
 * (`npx pkg`) read whole.
 *
 * Each runner has a table of the options that take a value and of the flags that take none.
 * NOTE: the tables follow the tools' 2025 releases and may miss newer options. An option that
 * no table lists may take a value, so the command is then read both with and without the word
 * after it.
 */
import { yarnBinaryCall } from './yarn-bins.js';

/** The command a runner runs, as found in the runner's arguments. */
export interface RunnerCall {
  /** The runner as a nesting step, such as `uv run` or `op run`. */
  label: string;
  /** Indexes in `argv` where the command may start; more than one when an option is unknown. */
  starts: number[];
  /** Shell text the runner hands to a shell (`nix-shell --run TEXT`, `sg GROUP -c TEXT`). */
  scripts: string[];
  /** A command the runner amounts to that is not in its words, such as `elixir -e CODE` for `mix run -e CODE`. */
  commands: string[][];
  /** The environment or profile the runner selects (`prod` of `aws-vault exec prod`), if named. */
  environment?: string;
}

/** Option table and argument layout of one runner, read after its name and subcommand. */
interface RunnerSpec {
  /** Options that take the next word (or a value after `=`) as their value. */
  values?: readonly string[];
  /** Options that take no value; an option in neither list may take one. */
  flags?: readonly string[];
  /** Options whose value is shell text. */
  shellText?: readonly string[];
  /** Options whose value names the environment or profile. */
  environment?: readonly string[];
  /** Flags after which the words of the command are joined into shell text (`pnpm exec -c`). */
  shellMode?: readonly string[];
  /** Options after which the rest of the words is the command (`nix develop -c CMD ARGS`). */
  commandAfter?: readonly string[];
  /** Operands before the command: a profile, a folder, a namespace. */
  operands?: number;
  /** True when the first operand names the environment (`aws-vault exec prod`). */
  operandIsEnvironment?: boolean;
  /** True when the command comes only after `--` or a `commandAfter` option. */
  needsDoubleDash?: boolean;
  /** True when the operand after the leading operands is shell text (`sops exec-env FILE CMD`). */
  operandIsShellText?: boolean;
  /** True when the runner puts secrets into the command's environment. */
  injectsSecrets?: boolean;
}

const NODE_RUNNER: RunnerSpec = {
  values: ['-p', '--package', '-w', '--workspace', '--prefix', '--registry', '--cache'],
  flags: ['-y', '--yes', '--no', '--no-install', '-q', '--quiet', '--silent', '--bun', '--verbose'],
  shellText: ['-c', '--call'],
};
const PNPM_RUNNER: RunnerSpec = {
  values: ['--filter', '-F', '--package', '--resume-from', '--allow-build', '-C', '--dir'],
  flags: ['-r', '--recursive', '--parallel', '--silent', '--no-bail', '--report-summary', '-w'],
  shellMode: ['-c', '--shell-mode'],
};
const CONDA_RUNNER: RunnerSpec = {
  values: ['-n', '--name', '-p', '--prefix', '--cwd', '-a', '--attach', '--label'],
  flags: ['--no-capture-output', '--live-stream', '-v', '--dev', '--clean-env', '-d', '--detach'],
  environment: ['-n', '--name', '-p', '--prefix'],
};
/** `mise exec [TOOL@VERSION]… -- CMD`; without `--` and `-c` it starts a shell. */
const MISE_RUNNER: RunnerSpec = {
  values: ['-j', '--jobs', '-C', '--cd', '-E', '--env'],
  flags: ['--raw', '--fresh-env', '--no-prepare', '-q', '-v', '-y', '--yes'],
  shellText: ['-c', '--command'],
  environment: ['-E', '--env'],
  operands: Number.POSITIVE_INFINITY,
  needsDoubleDash: true,
};
const UV_VALUES = [
  '--with',
  '--with-editable',
  '--with-requirements',
  '-p',
  '--python',
  '--from',
  '--index',
  '--default-index',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '--index-strategy',
  '--keyring-provider',
  '--resolution',
  '--prerelease',
  '--fork-strategy',
  '--exclude-newer',
  '--link-mode',
  '--python-platform',
  '--refresh-package',
  '-P',
  '--upgrade-package',
  '--reinstall-package',
  '--no-build-package',
  '--no-binary-package',
  '-C',
  '--config-setting',
  '--config-file',
  '--cache-dir',
  '--color',
  '--directory',
  '--project',
  '--allow-insecure-host',
  '--env-file',
  '--extra',
  '--no-extra',
  '--group',
  '--no-group',
  '--only-group',
  '--package',
  '--constraints',
  '--overrides',
  '--build-constraints',
  '--torch-backend',
];
const UV_FLAGS = [
  '--frozen',
  '--locked',
  '--no-sync',
  '--isolated',
  '--active',
  '--no-project',
  '--no-dev',
  '--dev',
  '--only-dev',
  '--all-extras',
  '--all-groups',
  '--all-packages',
  '--no-default-groups',
  '--no-editable',
  '--exact',
  '--inexact',
  '--no-env-file',
  '--managed-python',
  '--no-managed-python',
  '-U',
  '--upgrade',
  '--reinstall',
  '--refresh',
  '--offline',
  '--no-cache',
  '-n',
  '-q',
  '--quiet',
  '-v',
  '--verbose',
  '-s',
  '--script',
  '--gui-script',
  '--no-config',
  '--native-tls',
  '--compile-bytecode',
  '--no-build',
  '--no-binary',
  '--no-sources',
  '--no-progress',
  '--no-python-downloads',
  '--preview',
];

/** Runners by program name and, for most, the subcommand that runs a command. */
const RUNNERS = new Map<string, RunnerSpec>([
  ['uv run', { values: UV_VALUES, flags: UV_FLAGS }],
  ['uv tool run', { values: UV_VALUES, flags: UV_FLAGS }],
  ['uvx', { values: UV_VALUES, flags: UV_FLAGS }],
  [
    'poetry run',
    {
      values: ['-C', '--directory', '-P', '--project'],
      flags: ['-q', '--quiet', '-v', '-vv', '-vvv', '-n', '--no-interaction', '--no-plugins'],
    },
  ],
  ['pipenv run', { values: ['--python'], flags: ['-q', '--quiet', '-v', '--verbose', '--system'] }],
  [
    'pdm run',
    {
      values: ['-p', '--project', '--venv', '--skip'],
      flags: ['-g', '--global', '-s', '--site-packages', '-r', '--recursive', '-q', '-v'],
    },
  ],
  ['hatch run', { flags: ['-q', '-v'] }],
  ['rye run', { values: ['--pyproject'], flags: ['-v', '-q'] }],
  [
    'pixi run',
    {
      values: ['-e', '--environment', '--manifest-path', '--skip-deps'],
      flags: ['--frozen', '--locked', '--clean-env', '-v', '-q', '--force-activate'],
      environment: ['-e', '--environment'],
    },
  ],
  ['conda run', CONDA_RUNNER],
  ['mamba run', CONDA_RUNNER],
  ['micromamba run', CONDA_RUNNER],
  ['bundle exec', { values: ['--gemfile'], flags: ['--keep-file-descriptors'] }],
  ['npx', NODE_RUNNER],
  ['pnpx', NODE_RUNNER],
  ['bunx', NODE_RUNNER],
  ['bun x', NODE_RUNNER],
  ['npm exec', NODE_RUNNER],
  ['npm x', NODE_RUNNER],
  ['pnpm exec', PNPM_RUNNER],
  ['pnpm dlx', PNPM_RUNNER],
  ['yarn exec', { flags: [] }],
  ['yarn dlx', { values: ['-p', '--package'], flags: ['-q', '--quiet'] }],
  ['dotnet tool run', { flags: ['--allow-roll-forward'] }],
  ['asdf exec', { flags: [] }],
  ['direnv exec', { flags: [], operands: 1 }],
  ['mise exec', MISE_RUNNER],
  ['mise x', MISE_RUNNER],
  ['rtx exec', MISE_RUNNER],
  ['rtx x', MISE_RUNNER],
  [
    'devbox run',
    {
      values: ['-c', '--config', '-e', '--env', '--env-file', '--environment'],
      flags: ['-q', '--quiet', '--pure', '--list', '-l'],
      environment: ['--environment'],
    },
  ],
  [
    'flox activate',
    {
      values: ['-d', '--dir', '-r', '--reference', '-m', '--mode', '--generation'],
      flags: ['-s', '--start-services', '--trust', '--print-script'],
      shellText: ['-c', '--command'],
      needsDoubleDash: true,
    },
  ],
  ['nix develop', { commandAfter: ['-c', '--command'], needsDoubleDash: true }],
  ['nix shell', { commandAfter: ['-c', '--command'], needsDoubleDash: true }],
  [
    'nix-shell',
    {
      values: ['-p', '--packages', '-A', '--attr', '-I', '--arg', '--argstr', '--option'],
      shellText: ['--run', '--command'],
      needsDoubleDash: true,
    },
  ],
  ['with-contenv', { flags: [], injectsSecrets: true }],
  ['envdir', { flags: [], operands: 1, injectsSecrets: true }],
  [
    'chpst',
    {
      values: ['-u', '-U', '-b', '-e', '-/', '-C', '-n', '-l', '-L', '-m', '-d', '-o', '-p'],
      flags: ['-f', '-c', '-r', '-t', '-v', '-P', '-0', '-1', '-2'],
    },
  ],
  [
    'op run',
    {
      values: ['--env-file', '--account', '--config', '--session', '--encoding', '--format'],
      flags: ['--no-masking', '--iso-timestamps', '--debug', '--cache'],
      environment: ['--env-file'],
      injectsSecrets: true,
    },
  ],
  [
    'aws-vault exec',
    {
      values: ['-d', '--duration', '-t', '--mfa-token', '--region', '--prompt', '--backend'],
      flags: ['-n', '--no-session', '-j', '--json', '-s', '--server', '--ec2-server'],
      operands: 1,
      operandIsEnvironment: true,
      injectsSecrets: true,
    },
  ],
  [
    'doppler run',
    {
      values: [
        '-p',
        '--project',
        '-c',
        '--config',
        '--token',
        '--fallback',
        '--mount',
        '--mount-format',
        '--mount-template',
        '--mount-max-reads',
        '--name-transformer',
        '--only-secrets',
        '--scope',
        '--api-host',
        '--dashboard-host',
        '--configuration',
        '-t',
        '-f',
        '--timeout',
        '--dns-resolver-address',
        '--dns-resolver-proto',
        '--dns-resolver-timeout',
      ],
      flags: [
        '--fallback-only',
        '--fallback-readonly',
        '--no-fallback',
        '--forward-signals',
        '--watch',
        '--silent',
        '--debug',
        '--no-check-version',
        '--no-read-env',
        '--no-timeout',
        '--no-verify-tls',
        '--enable-dns-resolver',
        '--json',
        '--print-config',
      ],
      shellText: ['--command'],
      environment: ['-c', '--config'],
      injectsSecrets: true,
    },
  ],
  [
    'infisical run',
    {
      values: [
        '--env',
        '--path',
        '--projectId',
        '--token',
        '--domain',
        '--tags',
        '--watch-interval',
        '--project-config-dir',
        '--log-level',
      ],
      flags: ['--watch', '--expand', '--include-imports', '--recursive', '--silent'],
      shellText: ['--command'],
      environment: ['--env'],
      injectsSecrets: true,
    },
  ],
  [
    'chamber exec',
    {
      values: ['--strict-value', '-b', '--backend'],
      flags: ['--pristine', '--strict'],
      operands: Number.POSITIVE_INFINITY,
      operandIsEnvironment: true,
      needsDoubleDash: true,
      injectsSecrets: true,
    },
  ],
  [
    'sops exec-env',
    {
      values: ['--user', '--input-type', '--output-type'],
      flags: ['--background', '--no-fifo', '--pristine', '--same-process'],
      operands: 1,
      operandIsEnvironment: true,
      operandIsShellText: true,
      injectsSecrets: true,
    },
  ],
  [
    'sops exec-file',
    {
      values: ['--user', '--input-type', '--output-type', '--filename'],
      flags: ['--background', '--no-fifo'],
      operands: 1,
      operandIsEnvironment: true,
      operandIsShellText: true,
      injectsSecrets: true,
    },
  ],
  [
    'dotenv',
    {
      values: ['-e', '-v', '-f', '--file'],
      flags: ['-o', '--override', '--debug', '--no-expand', '-q', '--quiet'],
      environment: ['-e', '-f', '--file'],
      injectsSecrets: true,
    },
  ],
  [
    'envchain',
    { flags: ['-n', '--noecho', '-p', '--require-passphrase'], operands: 1, injectsSecrets: true },
  ],
  ['sg', { flags: ['-c'], operands: 1, operandIsShellText: true }],
  [
    'nodemon',
    {
      values: ['-w', '--watch', '-e', '--ext', '-i', '--ignore', '-d', '--delay', '--signal'],
      shellText: ['-x', '--exec'],
      needsDoubleDash: true,
    },
  ],
]);

/** Programs that name a runner, for a one-lookup test before any word is read. */
const RUNNER_PROGRAMS: ReadonlySet<string> = new Set([
  ...[...RUNNERS.keys()].map((key) => key.split(' ')[0] ?? ''),
  'mix',
]);

/**
 * Second words of the runner labels by program (`run` and `tool` for `uv`), so
 * {@link subcommand} builds no label for a word that starts none.
 */
const SUBCOMMAND_WORDS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const words = new Map<string, Set<string>>();
  for (const label of RUNNERS.keys()) {
    const [program = '', word] = label.split(' ');
    if (word !== undefined) {
      words.set(program, (words.get(program) ?? new Set()).add(word));
    }
  }
  return words;
})();

/** Nesting steps of the runners that put secrets into the command's environment. */
export const SECRET_INJECTOR_STEPS: ReadonlySet<string> = new Set(
  [...RUNNERS].filter(([, spec]) => spec.injectsSecrets === true).map(([label]) => label),
);

/** Programs of {@link SECRET_INJECTOR_STEPS}, the gate of checks that read their commands. */
export const SECRET_INJECTOR_PROGRAMS: ReadonlySet<string> = new Set(
  [...SECRET_INJECTOR_STEPS].map((label) => label.split(' ')[0] ?? ''),
);

/**
 * Returns the command that `argv` runs through a project runner or environment injector, or
 * undefined when `argv` is no runner.
 *
 * @example
 * runnerCall(['uv', 'run', '--with', 'rich', 'rm', '-rf', '/root'])?.starts; // [4]
 */
export function runnerCall(argv: readonly string[]): RunnerCall | undefined {
  const program = baseName(argv[0] ?? '');
  if (!RUNNER_PROGRAMS.has(program)) {
    return undefined;
  }
  if (program === 'mix') {
    return mixRun(argv);
  }
  let label = program;
  let spec = RUNNERS.get(program);
  let from = 1;
  if (spec === undefined) {
    const found = subcommand(argv, program);
    if (found === undefined) {
      return program === 'yarn' ? yarnBinaryCall(argv) : undefined;
    }
    [label, spec, from] = found;
  }
  const call = readRunner(argv, from, label, spec);
  if (label === 'hatch run') {
    hatchEnvironment(argv, call);
  }
  if (spec === NODE_RUNNER || spec === PNPM_RUNNER || label === 'yarn dlx') {
    packageBinaries(argv, call);
  }
  if (label === 'dotenv' && argv[call.starts[0] ?? -1] === 'run') {
    // python-dotenv spells it `dotenv [-f FILE] run CMD`.
    call.starts = call.starts.map((start) => start + 1);
  }
  return call.starts.length > 0 || call.scripts.length > 0 || call.commands.length > 0
    ? call
    : undefined;
}

/**
 * Finds the runner's subcommand (`run`, `exec`, `tool run`), after any global options, as in
 * `poetry -C api run` or `pnpm --filter web exec`.
 */
function subcommand(
  argv: readonly string[],
  program: string,
): [string, RunnerSpec, number] | undefined {
  for (let index = 1; index < argv.length && index < 8; index += 1) {
    const word = argv[index] ?? '';
    const afterOption = (argv[index - 1] ?? '').startsWith('-') && index > 1;
    if (!word.startsWith('-')) {
      // A label's second word is the first word of `word`, which may itself contain spaces.
      const space = word.indexOf(' ');
      const first = space === -1 ? word : word.slice(0, space);
      if (SUBCOMMAND_WORDS.get(program)?.has(first) !== true) {
        if (!afterOption) {
          return undefined;
        }
        continue;
      }
      const one = RUNNERS.get(`${program} ${word}`);
      if (one !== undefined) {
        return [`${program} ${word}`, one, index + 1];
      }
      const two = RUNNERS.get(`${program} ${word} ${argv[index + 1] ?? ''}`);
      if (two !== undefined) {
        return [`${program} ${word} ${argv[index + 1] ?? ''}`, two, index + 2];
      }
      if (!afterOption) {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Reads the options, operands and command of one runner call from `argv[from]` on. */
function readRunner(
  argv: readonly string[],
  from: number,
  label: string,
  spec: RunnerSpec,
): RunnerCall {
  const call: RunnerCall = { label, starts: [], scripts: [], commands: [] };
  let operandsLeft = spec.operands ?? 0;
  const operands: string[] = [];
  for (let index = from; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      call.starts.push(index + 1);
      break;
    }
    if (arg.startsWith('-') && arg.length > 1 && !(label === 'sg' && arg === '-')) {
      index = readOption(argv, index, spec, call);
      continue;
    }
    if (operandsLeft > 0) {
      operandsLeft -= 1;
      operands.push(arg);
      continue;
    }
    if (spec.operandIsShellText === true) {
      call.scripts.push(argv.slice(index).join(' '));
      break;
    }
    // Where the command needs `--`, other operands (packages, installables) are skipped.
    if (spec.needsDoubleDash !== true) {
      call.starts.push(index);
      break;
    }
  }
  if (spec.operandIsEnvironment === true && operands.length > 0) {
    call.environment ??= operands.join(' ');
  }
  // `mise exec node@20 -- CMD` names tools before `--`. Without `--` mise starts a shell, but a
  // word that names no tool version is read as a command too, as no check would see it otherwise.
  if ((label.startsWith('mise ') || label.startsWith('rtx ')) && call.starts.length === 0) {
    const command = operands.findIndex((operand) => !operand.includes('@'));
    if (command >= 0) {
      call.starts.push(argv.indexOf(operands[command] ?? '', from));
    }
  }
  return call;
}

/** Reads the option at `argv[index]` into `call`; returns the index of its last word. */
function readOption(
  argv: readonly string[],
  index: number,
  spec: RunnerSpec,
  call: RunnerCall,
): number {
  const arg = argv[index] ?? '';
  const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
  const name = equals > 0 ? arg.slice(0, equals) : arg;
  const joined = equals > 0 ? arg.slice(equals + 1) : undefined;
  if (spec.commandAfter?.includes(name) === true) {
    call.starts.push(index + 1);
    return argv.length;
  }
  if (spec.shellMode?.includes(name) === true) {
    call.scripts.push(argv.slice(index + 1).join(' '));
    return argv.length;
  }
  const takesValue =
    spec.values?.includes(name) === true || spec.shellText?.includes(name) === true;
  if (takesValue) {
    const value = joined ?? argv[index + 1];
    if (value !== undefined && spec.shellText?.includes(name) === true) {
      call.scripts.push(value);
    }
    if (value !== undefined && spec.environment?.includes(name) === true) {
      call.environment = value;
    }
    return joined === undefined ? index + 1 : index;
  }
  // `-nbase` joins a short option's value to it.
  const short = /^-[A-Za-z]/.test(arg) && arg.length > 2 && !arg.startsWith('--');
  if (short && spec.values?.includes(arg.slice(0, 2)) === true) {
    if (spec.environment?.includes(arg.slice(0, 2)) === true) {
      call.environment = arg.slice(2);
    }
    return index;
  }
  if (joined !== undefined || spec.flags?.includes(name) === true) {
    return index;
  }
  // An unknown option may take the next word as its value: the command is read from both.
  const next = argv[index + 1];
  if (
    next !== undefined &&
    next !== '--' &&
    !next.startsWith('-') &&
    spec.needsDoubleDash !== true
  ) {
    call.starts.push(index + 2);
  }
  return index;
}

/**
 * Reads `npx pkg@1.2 ARGS` and `npx @scope/pkg ARGS` as the package's command, which is named
 * like the package without its scope and version.
 */
function packageBinaries(argv: readonly string[], call: RunnerCall): void {
  call.starts = call.starts.filter((start) => {
    const word = argv[start] ?? '';
    const match = /^(?:@[^/@]+\/)?([^/@]+)@[^/]*$|^@[^/@]+\/([^/@]+)$/.exec(word);
    if (match === null) {
      return true;
    }
    call.commands.push([match[1] ?? match[2] ?? '', ...argv.slice(start + 1)]);
    return false;
  });
}

/** `hatch run ENV:CMD` runs CMD in the environment ENV. */
function hatchEnvironment(argv: readonly string[], call: RunnerCall): void {
  const first = call.starts[0];
  const word = first === undefined ? undefined : argv[first];
  const match = word === undefined ? null : /^([\w.-]+):(.+)$/.exec(word);
  if (match !== null && first !== undefined) {
    call.environment = match[1];
    call.commands.push([match[2] ?? '', ...argv.slice(first + 1)]);
    call.starts = call.starts.slice(1);
  }
}

/** `mix run -e CODE` (and `--eval`) runs Elixir code, as `elixir -e CODE` does. */
function mixRun(argv: readonly string[]): RunnerCall | undefined {
  if (argv[1] !== 'run') {
    return undefined;
  }
  const call: RunnerCall = { label: 'mix run', starts: [], scripts: [], commands: [] };
  for (let index = 2; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if ((arg === '-e' || arg === '--eval') && argv[index + 1] !== undefined) {
      call.commands.push(['elixir', '-e', argv[index + 1] ?? '']);
      index += 1;
    }
  }
  return call.commands.length > 0 ? call : undefined;
}

function baseName(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash === -1 ? program : program.slice(slash + 1);
}
