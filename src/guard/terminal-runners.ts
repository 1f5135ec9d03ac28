/**
 * Programs that take shell text as arguments besides wrappers: `hyperfine`, `pee`, `tmux` and
 * `screen`. Each reader returns the shell text the program runs, and the reasons some of what
 * it runs cannot be read. Keys typed into a terminal (`tmux send-keys`, `screen -X stuff`) are
 * read as the lines a shell at the prompt would run.
 */

/** Shell text a program runs, and reasons some of what it runs cannot be read. */
export interface TextRuns {
  scripts: string[];
  unreadable: string[];
}

type TextReader = (argv: readonly string[], runs: TextRuns) => void;

/**
 * Options of hyperfine 1.x and 2.0 that take values, from `hyperfine --help`. `-P` takes three
 * words and `-L` two. NOTE: options added after 2.0 are read as flags, so a value of one of
 * them is read as a command, which can only add text to judge.
 */
const HYPERFINE_VALUE_COUNTS = new Map<string, number>([
  ['-w', 1],
  ['--warmup', 1],
  ['-m', 1],
  ['--min-runs', 1],
  ['-M', 1],
  ['--max-runs', 1],
  ['-r', 1],
  ['--runs', 1],
  ['-P', 3],
  ['--parameter-scan', 3],
  ['-D', 1],
  ['--parameter-step-size', 1],
  ['-L', 2],
  ['--parameter-list', 2],
  ['-S', 1],
  ['--shell', 1],
  ['--style', 1],
  ['--sort', 1],
  ['-u', 1],
  ['--time-unit', 1],
  ['--export-asciidoc', 1],
  ['--export-csv', 1],
  ['--export-json', 1],
  ['--export-markdown', 1],
  ['--export-orgmode', 1],
  ['--output', 1],
  ['--input', 1],
  ['-n', 1],
  ['--command-name', 1],
  ['--reference-name', 1],
  ['--min-benchmarking-time', 1],
]);

/** hyperfine options whose value is a command it runs through a shell. */
const HYPERFINE_COMMAND_OPTIONS = new Set([
  '-s',
  '--setup',
  '-p',
  '--prepare',
  '-c',
  '--cleanup',
  '--conclude',
  '--reference',
]);

/**
 * `hyperfine [OPTIONS] CMD…` runs each CMD, and the values of `--setup`, `--prepare`,
 * `--conclude`, `--cleanup` and `--reference`, through a shell. With `-N` (`--shell=none`) it
 * splits CMD into words and runs them without a shell. CMD is read as shell text either way:
 * its words are the same, and an operator such as `&&` is then read as one, which can only
 * add commands.
 */
function readHyperfine(argv: readonly string[], runs: TextRuns): void {
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const equals = arg.indexOf('=');
    const option = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    if (HYPERFINE_COMMAND_OPTIONS.has(option)) {
      runs.scripts.push(option === arg ? (argv[index + 1] ?? '') : arg.slice(equals + 1));
      index += option === arg ? 1 : 0;
    } else if (arg === '--') {
      runs.scripts.push(...argv.slice(index + 1));
      return;
    } else if (!arg.startsWith('-') || arg === '-') {
      runs.scripts.push(arg);
    } else if (option === arg) {
      index += HYPERFINE_VALUE_COUNTS.get(arg) ?? 0;
    }
  }
}

/** `pee [--[no-]ignore-sigpipe] [--[no-]ignore-write-errors] CMD…` runs each CMD with popen. */
function readPee(argv: readonly string[], runs: TextRuns): void {
  runs.scripts.push(...argv.slice(1).filter((arg) => !arg.startsWith('--')));
}

/** The argument form of one tmux command, from its synopsis in the tmux 3.x manual. */
interface TmuxCommandForm {
  /** Flags that take the next word as their value. */
  values: string;
  /** The kind of the operands after the flags. */
  operands: 'shell' | 'if-shell' | 'keys' | 'key-binding' | 'tmux' | 'hook';
}

const TMUX_COMMANDS = new Map<string, TmuxCommandForm>();
for (const [names, form] of [
  [['new-session', 'new'], { values: 'cefFnstxy', operands: 'shell' }],
  [['new-window', 'neww'], { values: 'ceFnt', operands: 'shell' }],
  [['split-window', 'splitw'], { values: 'celptF', operands: 'shell' }],
  [['respawn-pane', 'respawnp'], { values: 'cet', operands: 'shell' }],
  [['respawn-window', 'respawnw'], { values: 'cet', operands: 'shell' }],
  [['run-shell', 'run'], { values: 'cdt', operands: 'shell' }],
  [['pipe-pane', 'pipep'], { values: 't', operands: 'shell' }],
  [['display-popup', 'popup'], { values: 'bcdehsStTwxy', operands: 'shell' }],
  [['if-shell', 'if'], { values: 't', operands: 'if-shell' }],
  [['send-keys', 'send'], { values: 'cNt', operands: 'keys' }],
  [['bind-key', 'bind'], { values: 'NT', operands: 'key-binding' }],
  [['confirm-before', 'confirm'], { values: 'cpt', operands: 'tmux' }],
  [['set-hook'], { values: 't', operands: 'hook' }],
] as const) {
  for (const name of names) {
    TMUX_COMMANDS.set(name, form);
  }
}

/** tmux server options that take a value. `-c` runs its value through the default shell. */
const TMUX_SERVER_VALUES = 'cfLST';

/**
 * `tmux [-c CMD] [OPTIONS] COMMAND [ARGS] [; COMMAND…]`: follows the shell commands that
 * tmux commands start (`new-window 'CMD'`, `run-shell 'CMD'`, `if-shell 'CMD' …`), the tmux
 * commands that `if-shell`, `bind-key`, `confirm-before` and `set-hook` run, and the lines
 * `send-keys` types into a pane.
 */
function readTmux(argv: readonly string[], runs: TextRuns): void {
  let index = 1;
  for (; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      index += 1;
      break;
    }
    if (!/^-[A-Za-z0-9]+$/.test(arg)) {
      break;
    }
    const valueFlag = [...arg.slice(1)].findIndex((flag) => TMUX_SERVER_VALUES.includes(flag));
    if (valueFlag >= 0) {
      const joined = arg.slice(valueFlag + 2);
      const value = joined === '' ? (argv[index + 1] ?? '') : joined;
      index += joined === '' ? 1 : 0;
      if (arg[valueFlag + 1] === 'c') {
        runs.scripts.push(value);
      }
    }
  }
  readTmuxCommands(argv.slice(index), runs);
}

/** Reads a sequence of tmux commands separated by `;` words, as tmux splits its arguments. */
function readTmuxCommands(words: readonly string[], runs: TextRuns): void {
  let start = 0;
  for (let index = 0; index <= words.length; index += 1) {
    const word = words[index];
    if (word === undefined || word === ';') {
      readTmuxCommand(words.slice(start, index), runs);
      start = index + 1;
    } else if (word.endsWith(';') && !word.endsWith('\\;')) {
      readTmuxCommand([...words.slice(start, index), word.slice(0, -1)], runs);
      start = index + 1;
    }
  }
}

function readTmuxCommand(words: readonly string[], runs: TextRuns): void {
  const form = TMUX_COMMANDS.get(words[0] ?? '');
  if (form === undefined) {
    return;
  }
  const flags: string[] = [];
  let index = 1;
  for (; index < words.length; index += 1) {
    const arg = words[index] ?? '';
    if (arg === '--') {
      index += 1;
      break;
    }
    if (!/^-[A-Za-z0-9]+$/.test(arg)) {
      break;
    }
    for (let at = 1; at < arg.length; at += 1) {
      const flag = arg[at] ?? '';
      flags.push(flag);
      if (form.values.includes(flag)) {
        // The rest of the word, or the next word, is the flag's value.
        index += at === arg.length - 1 ? 1 : 0;
        break;
      }
    }
  }
  const operands = words.slice(index);
  switch (form.operands) {
    case 'shell':
      if (words[0] === 'run-shell' || words[0] === 'run') {
        // `run-shell -C CMD` runs CMD as a tmux command, not a shell command.
        if (flags.includes('C')) {
          pushTmuxText(operands[0], runs);
          return;
        }
      }
      pushCommandWords(operands, runs);
      return;
    case 'if-shell':
      // `if-shell -F` reads its first operand as a format, which tmux expands without a shell.
      if (!flags.includes('F') && operands[0] !== undefined) {
        runs.scripts.push(operands[0]);
      }
      pushTmuxText(operands[1], runs);
      pushTmuxText(operands[2], runs);
      return;
    case 'keys':
      // `-X` sends copy-mode commands and `-H` hexadecimal key codes, neither of which types text.
      if (!flags.includes('X') && !flags.includes('H')) {
        runs.scripts.push(...typedLines(operands, flags.includes('l')));
      }
      return;
    case 'key-binding':
      readTmuxCommandOperands(operands.slice(1), runs);
      return;
    case 'hook':
      readTmuxCommandOperands(operands.slice(1), runs);
      return;
    case 'tmux':
      readTmuxCommandOperands(operands, runs);
      return;
  }
}

/** Operands that are one tmux command: several words, or one word of tmux command text. */
function readTmuxCommandOperands(operands: readonly string[], runs: TextRuns): void {
  if (operands.length === 1) {
    pushTmuxText(operands[0], runs);
  } else {
    readTmuxCommands(operands, runs);
  }
}

/** Queues tmux command text, whose quoting is close to the shell's, as a `tmux` call to read. */
function pushTmuxText(text: string | undefined, runs: TextRuns): void {
  if (text !== undefined && text.trim() !== '') {
    runs.scripts.push(`tmux ${text}`);
  }
}

/** One operand is shell text; since tmux 3.0 several are the words of a command run without a shell. */
function pushCommandWords(operands: readonly string[], runs: TextRuns): void {
  if (operands.length === 1) {
    runs.scripts.push(operands[0] ?? '');
  } else if (operands.length > 1) {
    runs.scripts.push(operands.map(quoteShellWord).join(' '));
  }
}

/** tmux key names that press Return, which makes a shell at the prompt run the line. */
const RETURN_KEYS = new Set(['Enter', 'C-m', 'C-j', 'KPEnter', 'M-Enter']);
/** tmux key names that empty the line typed so far. */
const CLEAR_KEYS = new Set(['C-c', 'C-u']);
/** Other tmux key names, which type no text: modifiers, function keys and named keys. */
const KEY_NAME =
  /^(?:[CMS]-.+|\^.|F\d{1,2}|KP.+|Up|Down|Left|Right|Home|End|BSpace|BTab|DC|IC|NPage|PageDown|PgDn|PPage|PageUp|PgUp|Tab|Escape|Any)$/;

/**
 * Returns the lines that keys typed into a pane make a shell run: the text before each Return
 * key or newline. Text left on the line is returned too, because a later Return runs it.
 * With `literal` (`send-keys -l`) every key is text.
 */
export function typedLines(keys: readonly string[], literal: boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const key of keys) {
    if (!literal && RETURN_KEYS.has(key)) {
      lines.push(line);
      line = '';
    } else if (!literal && CLEAR_KEYS.has(key)) {
      line = '';
    } else if (!literal && key === 'Space') {
      line += ' ';
    } else if (literal || !KEY_NAME.test(key)) {
      const parts = key.split(/\r\n|[\r\n]/);
      line += parts[0] ?? '';
      for (const part of parts.slice(1)) {
        lines.push(line);
        line = part;
      }
    }
  }
  lines.push(line);
  return lines.filter((text) => text.trim() !== '');
}

/**
 * `screen [OPTIONS] -X COMMAND ARGS…` sends a command to a running session: `stuff TEXT` types
 * TEXT into a window, `screen CMD…` opens a window that runs CMD, and `exec CMD…` runs CMD
 * with the window's terminal. A call without `-X` or `-Q` runs its program as a wrapper does.
 * The first `-X` or `-Q` word is taken as the option even after a program name, because
 * `-r`, `-d` and `-x` take an optional session name and so the options cannot be told from
 * the program by their form; reading more text only adds commands to judge.
 */
function readScreen(argv: readonly string[], runs: TextRuns): void {
  const send = argv.findIndex((arg, index) => index > 0 && (arg === '-X' || arg === '-Q'));
  if (send > 0) {
    readScreenCommand(argv.slice(send + 1), runs);
  }
}

function readScreenCommand(words: readonly string[], runs: TextRuns): void {
  const [command, ...args] = words;
  if (command === 'stuff') {
    runs.scripts.push(...typedLines(args.map(unescapeScreen), true));
  } else if (command === 'screen') {
    let index = 0;
    while (index < args.length && (args[index] ?? '').startsWith('-')) {
      index += /^-(?:t|T|h|fn)$/.test(args[index] ?? '') ? 2 : 1;
    }
    pushCommandWords(args.slice(index), runs);
  } else if (command === 'exec') {
    // An optional first word of `.`, `|`, `!` and `:` says how file descriptors are connected.
    const start = /^[.|!:]+$/.test(args[0] ?? '') ? 1 : 0;
    const program = args.slice(start);
    if (program.length > 0) {
      runs.scripts.push(program.map(quoteShellWord).join(' '));
    }
  } else if (command !== undefined && /^(?:eval|source|bind|bindkey)$/.test(command)) {
    runs.unreadable.push(`screen -X ${command} runs screen commands the guard does not read`);
  }
}

/** Turns screen's string escapes (`\n`, `\r`, `^M`, `^J`, `\015`) into the characters they type. */
function unescapeScreen(text: string): string {
  return text
    .replace(/\\([0-7]{1,3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)))
    .replace(/\\n/g, '\n')
    .replace(/\\r/g, '\r')
    .replace(/\^[MJmj]/g, '\n');
}

/** Single-quotes `word` for shell text, unless it is plain. */
function quoteShellWord(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Readers of the programs in this module, by program name. */
export const TEXT_READERS: ReadonlyMap<string, TextReader> = new Map([
  ['hyperfine', readHyperfine],
  ['pee', readPee],
  ['tmux', readTmux],
  ['screen', readScreen],
]);
