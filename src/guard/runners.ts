/**
 * Programs that run other commands named in their own arguments or input: `trap`, `script -c`,
 * `awk` `system()`, GNU `sed` `e`, `make` recipes, `tar --to-command`, `git -c alias.x=!…`,
 * `zip -TT`, `gdb -ex`, `vim -c`, `sqlite3 .shell`, `parallel`, `expect` and `xargs -I`, and
 * the programs of terminal-runners.ts (`hyperfine`, `pee`, `tmux`, `screen -X`).
 * Inline command text is returned for the parser to judge. Text that comes from a file or
 * from input cannot be read, so it is reported as unreadable.
 */
import { isShell } from './interpreters.js';
import { parseMakefile } from './script-targets.js';
import { addSedCommands, sedScripts } from './sed-scripts.js';
import { tclCommandTexts } from './shell-texts.js';
import { TEXT_READERS } from './terminal-runners.js';
import { XARGS_OPTIONS_WITH_VALUE } from './wrappers.js';

/** Command text a program runs, and the reasons some of what it runs cannot be read. */
export interface NestedRuns {
  /** Shell text the program hands to a shell. */
  scripts: string[];
  /** One entry per part that cannot be read, such as a program read from standard input. */
  unreadable: string[];
}

/** Returns the text a process substitution word (`<(printf …)`) prints, when it is literal. */
export type SubstitutionReader = (word: string) => string | undefined;

type Reader = (
  argv: readonly string[],
  input: string | undefined,
  runs: NestedRuns,
  readSubstitution: SubstitutionReader,
) => void;

/**
 * Returns the shell text that `argv` runs besides itself, or undefined when the program runs
 * none. `input` is the heredoc or here-string the command reads, if any.
 *
 * @example
 * nestedRuns(['trap', 'rm -rf ~', 'EXIT'], undefined)?.scripts; // ['rm -rf ~']
 */
export function nestedRuns(
  argv: readonly string[],
  name: string,
  input: string | undefined,
  readSubstitution: SubstitutionReader = () => undefined,
): NestedRuns | undefined {
  const reader = READERS.get(name);
  const textReader = reader === undefined ? TEXT_READERS.get(name) : undefined;
  if (reader === undefined && textReader === undefined) {
    return undefined;
  }
  const runs: NestedRuns = { scripts: [], unreadable: [] };
  reader?.(argv, input, runs, readSubstitution);
  textReader?.(argv, runs);
  return runs.scripts.length > 0 || runs.unreadable.length > 0 ? runs : undefined;
}

/**
 * Returns a problem when `xargs -I STR` (or `parallel`) puts its input into the program name
 * or into the text of `sh -c`, where input becomes code that no check can read.
 */
export function xargsRunsInput(words: readonly string[]): string | undefined {
  const start = words.findIndex((word) => /(?:^|\/)(?:xargs|parallel)$/.test(word));
  if (start < 0) {
    return undefined;
  }
  const isParallel = /(?:^|\/)parallel$/.test(words[start] ?? '');
  const valueOptions = isParallel ? PARALLEL_VALUE_OPTIONS : XARGS_VALUE_OPTIONS;
  let replace: string | undefined;
  let index = start + 1;
  for (; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (!word.startsWith('-')) {
      break;
    }
    if (word === '-I' || (word === '-J' && !isParallel)) {
      replace = words[index + 1];
      index += 1;
    } else if (
      /^-I./.test(word) ||
      (/^-J./.test(word) && !isParallel) ||
      word.startsWith('--replace=')
    ) {
      replace = word.replace(/^(?:-[IJ]|--replace=)/, '');
    } else if (/^-i/.test(word) || word === '--replace') {
      // `-i` and `--replace` with no value joined to them replace `{}`.
      replace = word.length > 2 && word.startsWith('-i') ? word.slice(2) : '{}';
    } else if (valueOptions.has(word)) {
      index += 1;
    }
  }
  const program = words.slice(index);
  replace ??= isParallel ? '{}' : undefined;
  if (replace === undefined || replace === '' || program.length === 0) {
    return undefined;
  }
  const marker = replace;
  const name = baseName(program[0] ?? '');
  const shellText = isShell(name) ? program.slice(1).some((word) => word.includes(marker)) : false;
  if ((program[0] ?? '').includes(marker) || shellText) {
    return `${words[start] ?? 'xargs'} runs its input as code through "${marker}"`;
  }
  return undefined;
}

const XARGS_VALUE_OPTIONS: ReadonlySet<string> = new Set(XARGS_OPTIONS_WITH_VALUE);

function baseName(program: string): string {
  const slash = program.lastIndexOf('/');
  return slash === -1 ? program : program.slice(slash + 1);
}

/** Collects the values of the `-x VALUE`, `--long VALUE` and `--long=VALUE` options in `argv`. */
function optionValues(argv: readonly string[], short: string[], long: string[]): string[] {
  const values: string[] = [];
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      break;
    }
    const longMatch = long.find((option) => arg.startsWith(`${option}=`));
    if (longMatch !== undefined) {
      values.push(arg.slice(longMatch.length + 1));
    } else if (short.includes(arg) || long.includes(arg)) {
      const value = argv[index + 1];
      if (value !== undefined) {
        values.push(value);
      }
      index += 1;
    }
  }
  return values;
}

function readTrap(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  // `trap [-lp] [ACTION] SIGNAL…`: with one operand, or `-` as ACTION, nothing is set.
  const operands = argv.slice(1).filter((arg, index) => index > 0 || !/^(?:-[lp]+|--)$/.test(arg));
  const action = operands[0];
  if (operands.length >= 2 && action !== undefined && action !== '-' && action.trim() !== '') {
    runs.scripts.push(action);
  }
}

function readScript(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg.startsWith('--command=')) {
      runs.scripts.push(arg.slice('--command='.length));
    } else if (arg === '--command' || /^-[a-zA-Z]*c$/.test(arg)) {
      runs.scripts.push(argv[index + 1] ?? '');
      index += 1;
    }
  }
}

/** A double-quoted awk string literal. */
const AWK_STRING = String.raw`"((?:\\.|[^"\\])*)"`;
const AWK_SYSTEM = new RegExp(String.raw`\bsystem\s*\(\s*${AWK_STRING}\s*\)`, 'g');
const AWK_PIPE_TO = new RegExp(String.raw`\|&?\s*${AWK_STRING}`, 'g');
const AWK_PIPE_FROM = new RegExp(String.raw`${AWK_STRING}\s*\|&?\s*getline`, 'g');

function readAwk(argv: readonly string[], input: string | undefined, runs: NestedRuns): void {
  const files = optionValues(argv, ['-f'], ['--file', '--include', '--exec']);
  let program: string | undefined;
  if (files.length > 0) {
    const fromInput = files.every((file) => file === '/dev/stdin' || file === '-');
    if (!fromInput || input === undefined) {
      runs.unreadable.push(`${argv[0] ?? 'awk'} reads its program from a file`);
      return;
    }
    program = input;
  } else {
    program = firstOperand(argv, AWK_VALUE_OPTIONS);
  }
  if (program === undefined) {
    return;
  }
  readAwkProgram(program, runs);
}

const AWK_VALUE_OPTIONS = new Set(['-F', '-v', '--field-separator', '--assign']);

function readAwkProgram(program: string, runs: NestedRuns): void {
  const systemCalls = program.match(/\bsystem\s*\(/g)?.length ?? 0;
  let literalCalls = 0;
  for (const match of program.matchAll(AWK_SYSTEM)) {
    literalCalls += 1;
    runs.scripts.push(unescapeAwk(match[1] ?? ''));
  }
  for (const match of [...program.matchAll(AWK_PIPE_TO), ...program.matchAll(AWK_PIPE_FROM)]) {
    const command = unescapeAwk(match[1] ?? '');
    runs.scripts.push(command);
    if (isShell(command.trim().split(/\s+/)[0] ?? '')) {
      runs.unreadable.push('awk prints text into a shell');
    }
  }
  if (systemCalls > literalCalls || AWK_RUNTIME_PIPE.test(program)) {
    runs.unreadable.push('awk runs a command built at run time');
  }
}

/** `print … | cmd` or `cmd | getline` where `cmd` is not a string literal. */
const AWK_RUNTIME_PIPE = /\bprintf?\b[^;{}|]*\|&?\s*(?=[^\s"|])|[\w)\]]\s*\|&?\s*getline\b/;

function unescapeAwk(text: string): string {
  return text.replace(/\\(.)/g, (_match, char: string) => (char === 'n' ? '\n' : char));
}

/** Finds the first operand after the options, skipping the values of `valueOptions`. */
function firstOperand(
  argv: readonly string[],
  valueOptions: ReadonlySet<string>,
): string | undefined {
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      return argv[index + 1];
    }
    if (!arg.startsWith('-') || arg === '-') {
      return arg;
    }
    if (valueOptions.has(arg)) {
      index += 1;
    }
  }
  return undefined;
}

function readSed(
  argv: readonly string[],
  input: string | undefined,
  runs: NestedRuns,
  readSubstitution: SubstitutionReader,
): void {
  const { scripts, unreadable } = sedScripts(argv, input, readSubstitution);
  runs.unreadable.push(...unreadable);
  for (const script of scripts) {
    addSedCommands(script, runs);
  }
}

function readMake(
  argv: readonly string[],
  input: string | undefined,
  runs: NestedRuns,
  readSubstitution: SubstitutionReader,
): void {
  if (optionValues(argv, ['-E'], ['--eval']).length > 0) {
    runs.unreadable.push('make evaluates makefile text given on the command line');
  }
  const files = [
    ...optionValues(argv, ['-f'], ['--file', '--makefile']),
    ...argv.filter((arg) => /^-f./.test(arg)).map((arg) => arg.slice(2)),
    ...argv
      .filter((arg) => /^--(?:make)?file=./.test(arg))
      .map((arg) => arg.replace(/^[^=]*=/, '')),
    // The parser gives `--file=<(…)` as two words, `--file=` and the substitution.
    ...argv.flatMap((arg, index) =>
      /^--(?:make)?file=$/.test(arg) && argv[index + 1] !== undefined
        ? [argv[index + 1] ?? '']
        : [],
    ),
  ];
  for (const file of files) {
    // A makefile from standard input or a process substitution exists only at run time, so
    // its text is read from the heredoc or the literal `printf`/`echo` that prints it.
    const fromInput = /^(?:-|\/dev\/stdin|\/dev\/fd\/0|\/proc\/self\/fd\/0)$/.test(file);
    if (!fromInput && !RUNTIME_FILE.test(file)) {
      continue;
    }
    const text = fromInput ? input : readSubstitution(file);
    if (text === undefined) {
      runs.unreadable.push(
        fromInput
          ? 'make reads its makefile from standard input'
          : `make reads a makefile made at run time (${file.slice(0, 60)})`,
      );
      continue;
    }
    readMakefileText(text, runs);
  }
}

/** Paths whose text exists only at run time: process substitutions and open descriptors. */
const RUNTIME_FILE = /^[<>]\(|^\/dev\/(?:fd\/|stdin$)|^\/proc\/(?:self|thread-self|\d+)\/fd\//;

/** Rule lines with a recipe after `;` (`all: ; cmd`), which make also hands to the shell. */
const RULE_LINE_RECIPE = /^[^\s#][^=;#]*:[^=;]*;(.*)$/;

/** Adds the recipes of makefile `text` to `runs`, because make hands each recipe line to the shell. */
function readMakefileText(text: string, runs: NestedRuns): void {
  // Every recipe line is judged, whichever goal runs.
  runs.scripts.push(...parseMakefile(text).recipeLines);
  for (const line of text.split('\n')) {
    const recipe = RULE_LINE_RECIPE.exec(line)?.[1]?.trim();
    if (recipe !== undefined && recipe !== '') {
      runs.scripts.push(recipe.replace(/^[@+-]+/, ''));
    }
  }
  if (/\$[({]shell\b|^\s*-?include\b|\.RECIPEPREFIX\b/m.test(text)) {
    runs.unreadable.push('make reads makefile text it builds at run time');
  }
}

function readTar(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  for (const action of optionValues(argv, [], ['--checkpoint-action'])) {
    const exec = /^exec=(.*)$/s.exec(action);
    if (exec !== null) {
      runs.scripts.push(exec[1] ?? '');
    }
  }
  // `--to-command` hands each member's content to the command's standard input, so the
  // command is judged as the last stage of `tar -xOf ARCHIVE | COMMAND`.
  const archive = tarArchive(argv);
  for (const command of optionValues(argv, [], ['--to-command'])) {
    runs.scripts.push(
      archive === undefined ? command : `tar -xOf ${quoteWord(archive)} | ${command}`,
    );
  }
  runs.scripts.push(
    ...optionValues(
      argv,
      ['-I', '-F'],
      ['--use-compress-program', '--info-script', '--new-volume-script', '--rsh-command'],
    ),
  );
}

/** Returns the archive `tar` reads (`-f X`, `-xf X`, `--file=X`, `tar xf X`), if literal. */
function tarArchive(argv: readonly string[]): string | undefined {
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg.startsWith('--file=')) {
      return arg.slice('--file='.length);
    }
    // In the old style (`tar xf X`) the first word is a bundle of letters with no dash.
    const bundled = /^-[A-Za-z]*f$/.test(arg) || (index === 1 && /^[A-Za-z]*f$/.test(arg));
    if (arg === '--file' || bundled) {
      return argv[index + 1];
    }
  }
  return undefined;
}

/** `git -c` keys whose value git runs as a shell command or program. */
const GIT_PROGRAM_KEY =
  /^(?:core\.(?:sshcommand|pager|editor|fsmonitor|askpass|gitproxy)|sequence\.editor|pager\..+|diff\.external|diff\..+\.(?:textconv|command)|filter\..+\.(?:clean|smudge|process)|merge\..+\.driver|credential\..*helper|gpg\.(?:\w+\.)?program|uploadpack\.packobjectshook|interactive\.difffilter|web\.browser|browser\..+\.(?:cmd|path)|man\..+\.(?:cmd|path)|remote\..+\.(?:uploadpack|receivepack)|sendemail\.(?:smtpserver|sendmailcmd)|mergetool\..+\.cmd|difftool\..+\.cmd)$/i;
/** `git -c` keys that load settings or hooks from elsewhere, which cannot be read here. */
const GIT_INDIRECT_KEY = /^(?:core\.hookspath|include\.path|includeif\..+|alias\..+)$/i;

/**
 * Checks whether a `core.hooksPath` value is a relative folder of the working tree outside
 * `.git`: its hooks are project files, read like any other script the project runs. The
 * security and persistence rules still judge whether the user asked for the setting.
 */
function isProjectHooksFolder(key: string, value: string): boolean {
  return (
    /^core\.hookspath$/i.test(key) &&
    /^[\w.][\w./-]*$/.test(value) &&
    !value.split('/').includes('..') &&
    !/^(?:\.\/)?\.git(?:\/|$)/.test(value)
  );
}

/** An alias value of a git subcommand and plain words, with no quote or expansion. */
const GIT_ALIAS_WORDS = /^[a-z][\w-]*(?: [\w./@=:-]+)*$/;

/** Global git options that take a separate value. */
const GIT_VALUE_OPTIONS = new Set([
  '-C',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--super-prefix',
]);

function readGit(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  // Settings come before the subcommand: `git -c a=b -C dir log`.
  const settings: string[] = [];
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (!arg.startsWith('-')) {
      break;
    }
    if (arg === '-c') {
      settings.push(argv[index + 1] ?? '');
      index += 1;
    } else if (arg.startsWith('--config-env=')) {
      settings.push(arg.slice('--config-env='.length));
    } else if (GIT_VALUE_OPTIONS.has(arg)) {
      index += 1;
    }
  }
  settings.push(...configSetting(argv));
  runs.scripts.push(...bisectRun(argv));
  for (const setting of settings) {
    const equals = setting.indexOf('=');
    const key = equals < 0 ? setting : setting.slice(0, equals);
    const value = equals < 0 ? '' : setting.slice(equals + 1);
    if (/^alias\./i.test(key) && value.startsWith('!')) {
      runs.scripts.push(value.slice(1));
    } else if (/^alias\./i.test(key) && GIT_ALIAS_WORDS.test(value)) {
      // A plain alias runs git with its words, so `alias.st status` is judged as `git status`.
      runs.scripts.push(`git ${value}`);
    } else if (GIT_PROGRAM_KEY.test(key)) {
      runs.scripts.push(value.replace(/^!/, ''));
    } else if (GIT_INDIRECT_KEY.test(key) && !isProjectHooksFolder(key, value)) {
      runs.unreadable.push(`git -c ${key} changes what git runs`);
    }
  }
}

/** Options of `git config` that take a separate value. */
const GIT_CONFIG_VALUE_OPTIONS = new Set(['-f', '--file', '--blob', '--type', '--default']);

/**
 * Returns `key=value` for `git config [options] KEY VALUE`, which stores a setting that git
 * runs later, so its value is judged now as `git -c` values are.
 */
export function configSetting(argv: readonly string[]): string[] {
  let index = 1;
  while (index < argv.length && (argv[index] ?? '').startsWith('-')) {
    index +=
      GIT_VALUE_OPTIONS.has(argv[index] ?? '') || (argv[index] ?? '').startsWith('-c') ? 2 : 1;
  }
  if (argv[index] !== 'config') {
    return [];
  }
  const operands: string[] = [];
  for (index += 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (GIT_CONFIG_VALUE_OPTIONS.has(arg)) {
      index += 1;
    } else if (!arg.startsWith('-')) {
      operands.push(arg);
    }
  }
  // `git config set KEY VALUE` is the newer spelling of `git config KEY VALUE`.
  const [key, value] = operands[0] === 'set' ? operands.slice(1) : operands;
  return key === undefined || value === undefined ? [] : [`${key}=${value}`];
}

function readZip(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  runs.scripts.push(...optionValues(argv, ['-TT'], ['--unzip-command']));
}

function readGdb(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  const commands = optionValues(
    argv,
    ['-ex', '--ex', '-eval-command', '--eval-command', '-iex', '--init-eval-command'],
    ['-eval-command', '--eval-command', '--init-eval-command'],
  );
  for (const command of commands) {
    const shell = /^\s*(?:!|shell\s|pipe\s|\|)\s*(.*)$/s.exec(command);
    if (shell !== null) {
      runs.scripts.push(shell[1] ?? '');
    } else if (/^\s*(?:python|pi|py|guile|gu|source|make|compile|define|eval)\b/.test(command)) {
      runs.unreadable.push(`gdb runs "${command.slice(0, 40)}", which may start programs`);
    }
  }
  if (optionValues(argv, ['-x', '--command', '-ix', '--init-command'], ['--command']).length > 0) {
    runs.unreadable.push('gdb reads commands from a file');
  }
}

/** An editor command that runs a shell command: `!cmd`, `r !cmd`, `w !cmd`, `%!cmd`, `.!cmd`. */
const VIM_FILTER = /^[\s:]*(?:[%.$\d,'<>]*!|r(?:ead)?\s*!|w(?:rite)?\s+!)(.*)$/s;
const VIM_RUNS_CODE =
  /^[\s:]*(?:sh(?:ell)?|te(?:rm(?:inal)?)?|py(?:thon)?3?|pyx?|lua|perl|rub(?:y)?|so(?:urce)?|exe(?:cute)?|cal(?:l)?|norm(?:al)?|redir|mak(?:e)?|gr(?:ep)?|lg(?:rep)?|!)\b|\bsystem(?:list)?\s*\(|\bjob_start|\bjobstart/;

function readVim(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  const commands = [
    ...optionValues(argv, ['-c', '--cmd'], []),
    ...argv
      .slice(1)
      .filter((arg) => arg.startsWith('+') && arg.length > 1)
      .map((arg) => arg.slice(1)),
  ];
  for (const command of commands) {
    const filter = VIM_FILTER.exec(command);
    if (filter !== null) {
      runs.scripts.push(filter[1] ?? '');
    } else if (VIM_RUNS_CODE.test(command)) {
      runs.unreadable.push(`the editor runs "${command.slice(0, 40)}", which may start programs`);
    }
  }
  if (optionValues(argv, ['-S', '-s', '-u'], []).some((file) => file !== 'NONE')) {
    runs.unreadable.push('the editor reads commands from a file');
  }
}

function readSqlite(argv: readonly string[], input: string | undefined, runs: NestedRuns): void {
  const lines = [
    ...argv.slice(1).filter((arg) => arg.startsWith('.')),
    ...optionValues(argv, ['-cmd', '--cmd'], []),
    ...(input?.split('\n') ?? []),
  ];
  for (const line of lines.flatMap((text) => text.split('\n'))) {
    const shell = /^\s*\.(?:shell|system)\s+(.*)$/s.exec(line);
    if (shell !== null) {
      runs.scripts.push(shell[1] ?? '');
    } else if (
      /^\s*\.(?:output|once|read|import|excel|load)\b.*(?:\||\.so\b|\.dylib\b|\.dll\b)/.test(line)
    ) {
      runs.unreadable.push(`sqlite3 runs "${line.trim().slice(0, 40)}", which may start programs`);
    }
  }
  if (optionValues(argv, ['-init', '--init'], []).length > 0) {
    runs.unreadable.push('sqlite3 reads commands from a file');
  }
}

/** Options of GNU parallel that take the next word as their value. */
export const PARALLEL_VALUE_OPTIONS: ReadonlySet<string> = new Set([
  ...XARGS_VALUE_OPTIONS,
  '-j',
  '--jobs',
  '-S',
  '--sshlogin',
  '-I',
  '-N',
  '--timeout',
  '--joblog',
  '--results',
  '--tmpdir',
  '--workdir',
  '--colsep',
  '--delay',
  '--retries',
]);

function readParallel(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  let index = 1;
  while (
    index < argv.length &&
    (argv[index] ?? '').startsWith('-') &&
    !isParallelSeparator(argv[index])
  ) {
    index += PARALLEL_VALUE_OPTIONS.has(argv[index] ?? '') ? 2 : 1;
  }
  const separator = argv.findIndex((arg, at) => at >= index && isParallelSeparator(arg));
  const template = argv.slice(index, separator < 0 ? undefined : separator);
  const operands =
    separator < 0 ? [] : argv.slice(separator + 1).filter((arg) => !isParallelSeparator(arg));
  if (separator >= 0 && argv[separator] === '::::') {
    runs.unreadable.push('parallel reads its arguments from a file');
  }
  if (template.length === 0) {
    // Each argument is a whole command line.
    if (separator < 0) {
      runs.unreadable.push('parallel runs command lines read from its input');
    }
    runs.scripts.push(...operands);
    return;
  }
  const text = template.map(quoteWord).join(' ');
  if (operands.length === 0) {
    runs.scripts.push(text);
    return;
  }
  for (const operand of operands) {
    runs.scripts.push(
      text.includes('{}')
        ? text.replaceAll('{}', quoteWord(operand))
        : `${text} ${quoteWord(operand)}`,
    );
  }
}

function isParallelSeparator(arg: string | undefined): boolean {
  return arg === ':::' || arg === '::::' || arg === ':::+' || arg === '::::+';
}

function readExpect(
  argv: readonly string[],
  input: string | undefined,
  runs: NestedRuns,
  readSubstitution: SubstitutionReader,
): void {
  const { inline, file } = expectArguments(argv);
  const scripts = [...inline];
  if (file === undefined) {
    if (input !== undefined) {
      scripts.push(input);
    } else if (inline.length === 0) {
      runs.unreadable.push('expect reads its script from standard input');
    }
  } else {
    // A script from standard input or a process substitution exists only at run time, so its
    // text is read from the heredoc or the literal `printf`/`echo` that prints it.
    const fromInput = /^(?:-|\/dev\/stdin|\/dev\/fd\/0|\/proc\/self\/fd\/0)$/.test(file);
    const text = fromInput ? input : RUNTIME_FILE.test(file) ? readSubstitution(file) : undefined;
    if (text === undefined) {
      runs.unreadable.push('expect reads its script from a file');
    } else {
      scripts.push(text);
    }
  }
  for (const script of scripts) {
    // `spawn` and `exec` may sit in a body (`if {…} {exec …}`) or a substitution (`[exec …]`).
    runs.scripts.push(...tclCommandTexts(script, 'spawn exec'));
    for (const statement of script.split(/[;\n]/)) {
      const run = /^\s*system\s+(.*)$/s.exec(statement);
      if (run !== null) {
        runs.scripts.push((run[1] ?? '').replace(/[{}]/g, "'"));
      } else if (/^\s*(?:eval|source|uplevel|interp)\b/.test(statement)) {
        runs.unreadable.push(`expect runs "${statement.trim().slice(0, 40)}"`);
      }
    }
  }
}

/**
 * Returns the `-c` scripts and the script file of `expect [-dinN] [-D N] [-c CMDS]…
 * [[-f|-b] FILE] [ARGS]`; the first operand is the file, and the words after it are its
 * arguments.
 */
function expectArguments(argv: readonly string[]): { inline: string[]; file?: string } {
  const inline: string[] = [];
  let index = 1;
  while (index < argv.length) {
    const arg = argv[index] ?? '';
    if (arg === '-c' || arg === '-D') {
      if (arg === '-c' && argv[index + 1] !== undefined) {
        inline.push(argv[index + 1] ?? '');
      }
      index += 2;
    } else if (arg === '-f' || arg === '-b') {
      const file = argv[index + 1];
      return file === undefined ? { inline } : { inline, file };
    } else if (arg === '--') {
      index += 1;
      break;
    } else if (arg.startsWith('-') && arg !== '-') {
      index += 1;
    } else {
      break;
    }
  }
  const file = argv[index];
  return file === undefined ? { inline } : { inline, file };
}

/**
 * Returns the command of `git bisect run CMD…`, which git runs at every step, as shell text.
 */
function bisectRun(argv: readonly string[]): string[] {
  const bisect = argv.indexOf('bisect');
  if (bisect < 0 || argv[bisect + 1] !== 'run' || argv.length <= bisect + 2) {
    return [];
  }
  return [
    argv
      .slice(bisect + 2)
      .map(quoteWord)
      .join(' '),
  ];
}

/** `sort --compress-program=PROG` runs PROG to compress and decompress its temporary files. */
function readSort(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  runs.scripts.push(...optionValues(argv, [], ['--compress-program']));
}

/** Options of `entr` that take no value; `entr` has none that take one. */
const ENTR_FLAGS = /^-[acdnprsxz]+$/;

/**
 * `entr [-s] CMD…` runs CMD (with `-s`, its first operand as shell text) whenever a file it
 * reads from its input changes.
 */
function readEntr(argv: readonly string[], _input: string | undefined, runs: NestedRuns): void {
  let index = 1;
  let shell = false;
  for (; index < argv.length && ENTR_FLAGS.test(argv[index] ?? ''); index += 1) {
    shell ||= (argv[index] ?? '').includes('s');
  }
  const command = argv.slice(index);
  if (command.length > 0) {
    runs.scripts.push(shell ? (command[0] ?? '') : command.map(quoteWord).join(' '));
  }
}

/**
 * `less` and `more` read commands from the terminal; when their input is text given in the
 * call, a line `!CMD` there runs CMD in a shell.
 */
function readPager(_argv: readonly string[], input: string | undefined, runs: NestedRuns): void {
  for (const line of input?.split('\n') ?? []) {
    const command = /^\s*!(.+)$/.exec(line);
    if (command !== null) {
      runs.scripts.push(command[1] ?? '');
    }
  }
}

/** Single-quotes `word` for shell text, unless it is plain. */
export function quoteWord(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const READERS = new Map<string, Reader>([
  ['trap', readTrap],
  ['script', readScript],
  ['awk', readAwk],
  ['gawk', readAwk],
  ['mawk', readAwk],
  ['nawk', readAwk],
  ['sed', readSed],
  ['gsed', readSed],
  ['make', readMake],
  ['gmake', readMake],
  ['gmake', readMake],
  ['tar', readTar],
  ['gtar', readTar],
  ['git', readGit],
  ['zip', readZip],
  ['gdb', readGdb],
  ['vim', readVim],
  ['vi', readVim],
  ['nvim', readVim],
  ['gvim', readVim],
  ['view', readVim],
  ['vimdiff', readVim],
  ['ex', readVim],
  ['sqlite3', readSqlite],
  ['parallel', readParallel],
  ['expect', readExpect],
  ['sort', readSort],
  ['gsort', readSort],
  ['entr', readEntr],
  ['less', readPager],
  ['more', readPager],
]);
