/**
 * Removal of command wrappers (`sudo`, `timeout`, `env`, `xargs`, …) so that the guard
 * judges the program that actually runs.
 */
import { LAUNCHER_OPTIONS, LAUNCHERS_WITH_FIRST_VALUE } from './launchers.js';
import { launcherValueCount, MULTI_VALUE_LAUNCHERS } from './sandbox-launchers.js';

/** The program under the wrappers, plus commands the wrappers run themselves. */
export interface UnwrappedCommand {
  argv: string[];
  /** Wrapper names removed, outermost first. */
  wrappers: string[];
  /** `NAME=value` pairs that `env` sets. */
  assignments: string[];
  /** Commands run by `find -exec` and similar, besides the outer command, still wrapped. */
  extraCommands: string[][];
  /** Shell text a wrapper hands to `sh -c` (`watch`, `su -c`, `env -S`, `flock -c`). */
  shellStrings: string[];
}

/**
 * Options of GNU and BSD xargs that take the next word as their value. `-i`, `-e` and `-l`
 * (and `--replace`, `--eof` and `--max-lines`) take a value only when it is joined to them
 * (`-i{}`, `--replace=%`), so a word after them is the program, not a value.
 */
export const XARGS_OPTIONS_WITH_VALUE: readonly string[] = [
  '-a',
  '-d',
  '-E',
  '-I',
  '-J',
  '-L',
  '-n',
  '-P',
  '-R',
  '-s',
  '-S',
  '--arg-file',
  '--delimiter',
  '--max-args',
  '--max-chars',
  '--max-procs',
  '--process-slot-var',
];

/** Options that take a value, per wrapper; flags not listed take none. */
const OPTIONS_WITH_VALUE: Record<string, readonly string[]> = {
  sudo: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-R', '-T'],
  doas: ['-u', '-C'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  nice: ['-n', '--adjustment'],
  ionice: ['-c', '-n', '-t', '-p', '-P', '-u'],
  stdbuf: ['-i', '-o', '-e'],
  env: ['-u', '-C', '--unset', '--chdir'],
  xargs: XARGS_OPTIONS_WITH_VALUE,
  chrt: ['-p'],
  taskset: [],
  nohup: [],
  setsid: [],
  time: ['-f', '-o'],
  command: [],
  builtin: [],
  exec: ['-a'],
  unbuffer: [],
  caffeinate: ['-t', '-w'],
  chronic: [],
  ifne: [],
  'sudo-rs': ['-u', '-g'],
  torsocks: [],
  proxychains: ['-f'],
  proxychains4: ['-f'],
  flock: ['-w', '-E', '--timeout', '--conflict-exit-code'],
  watch: ['-n', '-d', '--interval', '--differences'],
  dbus: [],
  'systemd-run': [
    '-p',
    '--property',
    '-u',
    '--unit',
    '-E',
    '--setenv',
    '--uid',
    '--gid',
    '-M',
    '--machine',
    '-H',
    '--host',
    '--slice',
    '--description',
    '--nice',
    '--working-directory',
    '--on-active',
    '--on-boot',
    '--on-startup',
    '--on-unit-active',
    '--on-unit-inactive',
    '--on-calendar',
    '--timer-property',
    '--path-property',
    '--socket-property',
    '--service-type',
  ],
  runuser: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-s', '--shell', '-w'],
  busybox: [],
  toybox: [],
  coproc: [],
  // Tracers, sandboxes and user switchers that run the command after them as it is.
  strace: ['-o', '-e', '-p', '-s', '-u', '-E', '-a', '-P', '-I', '-b', '-O', '-S', '-X', '-U'],
  ltrace: ['-o', '-e', '-p', '-s', '-u', '-n', '-a', '-A', '-D', '-F', '-l', '-x'],
  valgrind: [],
  fakeroot: ['-l', '--lib', '-f', '--faked', '-s', '-i', '-b'],
  unshare: ['-S', '--setuid', '-G', '--setgid', '-R', '--root', '-w', '--wd', '--propagation'],
  nsenter: ['-t', '--target', '-S', '--setuid', '-G', '--setgid'],
  firejail: [],
  pkexec: ['--user'],
  tini: ['-p', '-e'],
  chroot: ['--userspec', '--groups'],
  gosu: [],
  'su-exec': [],
  ...LAUNCHER_OPTIONS,
};

/**
 * Wrapper names, as a Set of own keys, so a program named like an `Object.prototype`
 * property (`toString`, `constructor`) is an ordinary unknown program.
 */
const WRAPPER_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(OPTIONS_WITH_VALUE),
  ...MULTI_VALUE_LAUNCHERS,
]);

/** Wrappers whose first operand is a value (a duration, a priority), not the program. */
const FIRST_OPERAND_IS_VALUE = new Set([
  'timeout',
  'taskset',
  'chrt',
  'flock',
  // The new root folder, or the user to run as.
  'chroot',
  'gosu',
  'su-exec',
  ...LAUNCHERS_WITH_FIRST_VALUE,
]);

/**
 * Strips wrappers from `argv` until the real program is first.
 *
 * @example
 * unwrapCommand(['sudo', '-u', 'ops', 'timeout', '5', 'rm', '-rf', '/']).argv; // ['rm', '-rf', '/']
 */
export function unwrapCommand(argv: readonly string[]): UnwrappedCommand {
  const result: UnwrappedCommand = {
    argv: [...argv],
    wrappers: [],
    assignments: [],
    extraCommands: [],
    shellStrings: [],
  };
  // Bounded: every pass removes at least one word.
  for (let pass = 0; pass < 16; pass += 1) {
    const name = baseName(result.argv[0] ?? '');
    if (name === 'su' || (name === 'runuser' && result.argv.includes('-c'))) {
      const commandIndex = result.argv.findIndex((arg) => arg === '-c' || arg === '--command');
      const script = commandIndex === -1 ? undefined : result.argv[commandIndex + 1];
      if (script !== undefined) {
        result.shellStrings.push(script);
      }
      return result;
    }
    if (name === 'find') {
      result.extraCommands.push(...findExecCommands(result.argv));
      return result;
    }
    if (!WRAPPER_NAMES.has(name) || (name === 'command' && /^-[vV]$/.test(result.argv[1] ?? ''))) {
      return result;
    }
    const rest = stripWrapper(name, result);
    if (rest === undefined) {
      return result;
    }
    result.wrappers.push(name);
    result.argv = rest;
  }
  return result;
}

function stripWrapper(name: string, result: UnwrappedCommand): string[] | undefined {
  const args = result.argv.slice(1);
  const valueOptions =
    (Object.hasOwn(OPTIONS_WITH_VALUE, name) ? OPTIONS_WITH_VALUE[name] : undefined) ?? [];
  let index = 0;
  if (name === 'gdb') {
    return gdbProgram(args);
  }

  while (index < args.length) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      index += 1;
      break;
    }
    // env sets every operand with an `=` before the program, whatever its name, so
    // `BASH_FUNC_ls%%=() { …; }` passes a shell function to the bash it starts.
    if (name === 'env' && !arg.startsWith('-') && arg.includes('=')) {
      result.assignments.push(arg);
      index += 1;
      continue;
    }
    if (!arg.startsWith('-') || (arg === '-' && name !== 'env')) {
      // `env -` is `env -i`: an empty environment.
      break;
    }
    if (takesShellString(name, arg)) {
      // `env -S` splits its value into words and runs them with the words after it, so
      // `env -S rm -rf ~` runs `rm -rf ~` as `env -S 'rm -rf ~'` does.
      const script = name === 'env' ? args.slice(index + 1).join(' ') : args[index + 1];
      if (script !== undefined && script !== '') {
        result.shellStrings.push(script);
      }
      return [];
    }
    if (name === 'env' && /^(?:-S.|--split-string=)/.test(arg)) {
      const text = arg.startsWith('-S') ? arg.slice(2) : arg.slice('--split-string='.length);
      result.shellStrings.push([text, ...args.slice(index + 1)].join(' '));
      return [];
    }
    index += 1 + (launcherValueCount(name, arg) ?? (valueOptions.includes(arg) ? 1 : 0));
  }

  if (FIRST_OPERAND_IS_VALUE.has(name)) {
    index += 1;
  }
  // bash reads `time` and `coproc` as keywords before a command, so `time NAME=value cmd`
  // and `coproc NAME=value cmd` set NAME for cmd as `NAME=value cmd` does.
  while ((name === 'time' || name === 'coproc') && /^[A-Za-z_]\w*=/.test(args[index] ?? '')) {
    result.assignments.push(args[index] ?? '');
    index += 1;
  }
  // `flock FILE -c TEXT` names the lock file before the command text.
  if (name === 'flock' && takesShellString(name, args[index] ?? '')) {
    const script = args[index + 1];
    if (script !== undefined) {
      result.shellStrings.push(script);
    }
    return [];
  }
  // `coproc NAME { …; }` names the coprocess before a compound command, which the grammar
  // reads as plain words.
  if (name === 'coproc') {
    const brace = args.findIndex((arg) => arg === '{' || arg === '(');
    index = brace >= 0 && brace <= 1 ? brace + 1 : index;
  }
  if (name === 'watch') {
    result.shellStrings.push(args.slice(index).join(' '));
    return [];
  }
  const rest = args.slice(index);
  return rest.length === 0 ? undefined : rest;
}

/** gdb options that change nothing about the program `--args` names. */
const GDB_PLAIN_OPTIONS = /^(?:--?(?:batch|q|quiet|silent|nx|n|return-child-result))$/;
/** gdb commands that only run the program or print its state. */
const GDB_PLAIN_COMMANDS =
  /^\s*(?:r|run|bt|backtrace|where|q|quit|info\s[\w\s]*|thread apply all (?:bt|backtrace)(?: full)?|bt full)\s*$/;

/**
 * Returns the program of `gdb … --args PROGRAM ARGS`. Only plain runs are unwrapped: any other
 * option or `-ex` command (`shell`, `python`) stays with gdb, whose own reader judges it.
 */
function gdbProgram(args: readonly string[]): string[] | undefined {
  const at = args.indexOf('--args');
  if (at < 0 || at + 1 >= args.length) {
    return undefined;
  }
  for (let index = 0; index < at; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-ex' || arg === '--ex') {
      index += 1;
      if (!GDB_PLAIN_COMMANDS.test(args[index] ?? '')) {
        return undefined;
      }
    } else if (!GDB_PLAIN_OPTIONS.test(arg)) {
      return undefined;
    }
  }
  return args.slice(at + 1);
}

function takesShellString(name: string, arg: string): boolean {
  return (
    (name === 'env' && (arg === '-S' || arg === '--split-string')) ||
    (name === 'flock' && (arg === '-c' || arg === '--command'))
  );
}

/** Collects the commands in `find … -exec CMD {} ;` (also `-execdir`, `-ok`, `-okdir`). */
function findExecCommands(argv: readonly string[]): string[][] {
  const commands: string[][] = [];
  for (let index = 1; index < argv.length; index += 1) {
    if (!['-exec', '-execdir', '-ok', '-okdir'].includes(argv[index] ?? '')) {
      continue;
    }
    const end = argv.findIndex((arg, at) => at > index && (arg === ';' || arg === '+'));
    const inner = argv.slice(index + 1, end === -1 ? undefined : end);
    if (inner.length > 0) {
      commands.push(inner);
    }
    index = end === -1 ? argv.length : end;
  }
  return commands;
}

function baseName(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash === -1 ? program : program.slice(slash + 1);
}
