/**
 * File and shell actions written in a database client's own command language. sqlite3's
 * `.read ~/.ssh/id_rsa` prints the file in its parse error, `.import` loads it into a table,
 * `.shell` and psql's `\!` run a shell command, and `.output` writes a file. Each action is
 * written out as the shell command it amounts to (`cat -- PATH`, `tee -- PATH`, the command
 * itself), so the stage-1 checks judge it as they judge the shell.
 */
import type { ParsedShell, SimpleCommand } from './shell.js';
import { sqlActions } from './sql-actions.js';

/** sqlite3-style clients, whose meta-commands start with `.`. */
const DOT_CLIENTS = new Set(['sqlite3', 'sqlite', 'duckdb', 'litecli', 'spatialite']);
/** psql-style clients, whose meta-commands start with `\`. */
const PSQL_CLIENTS = new Set(['psql', 'pgcli', 'usql']);
/** mysql-style clients, whose commands include `source` and `system`. */
const MYSQL_CLIENTS = new Set(['mysql', 'mariadb', 'mycli']);

type ClientStyle = 'dot' | 'psql' | 'mysql';

/** Client options whose value is script text, by client style. */
const SCRIPT_OPTIONS: Record<ClientStyle, ReadonlySet<string>> = {
  dot: new Set(['-cmd']),
  psql: new Set(['-c', '--command']),
  mysql: new Set(['-e', '--execute']),
};
/** Client options whose value is a script file the client reads, by client style. */
const SCRIPT_FILE_OPTIONS: Record<ClientStyle, ReadonlySet<string>> = {
  dot: new Set(['-init']),
  psql: new Set(['-f', '--file']),
  mysql: new Set(),
};

/** A path or quoted path after a meta-command: `'a b'`, `"a b"` or one word. */
const PATH_WORD = String.raw`('[^']*'|"[^"]*"|[^\s;'"]+)`;

/** Meta-commands that read the file they name, by client style. */
const READ_COMMANDS: Record<ClientStyle, RegExp[]> = {
  dot: [
    new RegExp(String.raw`^\s*\.(?:read|open|load)\s+(?:-\S+\s+)*${PATH_WORD}`, 'gm'),
    new RegExp(String.raw`^\s*\.import\s+(?:-\S+\s+)*${PATH_WORD}`, 'gm'),
    new RegExp(String.raw`^\s*\.restore\s+(?:\S+\s+)?${PATH_WORD}\s*$`, 'gm'),
  ],
  psql: [
    new RegExp(String.raw`\\(?:i|ir|include|include_relative)\s+${PATH_WORD}`, 'g'),
    new RegExp(String.raw`\\copy\s+.*?\bfrom\s+${PATH_WORD}`, 'gi'),
  ],
  mysql: [
    new RegExp(String.raw`(?:^|;)\s*(?:source|\\\.)\s+${PATH_WORD}`, 'gim'),
    new RegExp(String.raw`\bload\s+data\s+(?:local\s+)?infile\s+${PATH_WORD}`, 'gi'),
  ],
};
/** Meta-commands and SQL that write the file they name. */
const WRITE_COMMANDS: Record<ClientStyle, RegExp[]> = {
  dot: [
    new RegExp(String.raw`^\s*\.(?:output|once|save)\s+(?:-\S+\s+)*${PATH_WORD}`, 'gm'),
    new RegExp(String.raw`^\s*\.backup\s+(?:\S+\s+)?${PATH_WORD}\s*$`, 'gm'),
  ],
  psql: [
    new RegExp(String.raw`\\(?:o|out|w|write)\s+${PATH_WORD}`, 'g'),
    new RegExp(String.raw`\\copy\s+.*?\bto\s+${PATH_WORD}`, 'gi'),
  ],
  mysql: [
    new RegExp(String.raw`\binto\s+(?:outfile|dumpfile)\s+${PATH_WORD}`, 'gi'),
    new RegExp(String.raw`(?:^|;)\s*(?:tee|\\T)\s+${PATH_WORD}`, 'gim'),
  ],
};
/** Meta-commands that run the rest of their line as a shell command. */
const SHELL_COMMANDS: Record<ClientStyle, RegExp> = {
  dot: /^\s*\.(?:shell|system)\s+(.+)$/gm,
  psql: /\\!\s*(.+)$/gm,
  mysql: /(?:^|;)\s*(?:system|\\!)\s+(.+)$/gim,
};

/**
 * Returns the shell text that the client scripts of `parsed` amount to, one command a line,
 * or an empty string when no command is a database client with a file or shell action.
 */
export function clientScriptActions(parsed: ParsedShell): string {
  const lines: string[] = [];
  for (const command of parsed.commands) {
    const style = clientStyle(command.name);
    if (style === undefined) {
      continue;
    }
    const { text, files } = scriptOf(command, style, parsed);
    for (const file of files) {
      lines.push(`cat -- ${shellQuote(file)}`);
    }
    lines.push(...scriptActions(style, text));
  }
  return lines.filter((line) => line.trim() !== '').join('\n');
}

/**
 * Returns the shell text that a script file of the database client `client` amounts to, as
 * {@link clientScriptActions} reads a script given on the command line, or an empty string
 * when `client` is no database client or the script has no file or shell action.
 */
export function clientFileActions(client: string, text: string): string {
  const style = clientStyle(client);
  if (style === undefined) {
    return '';
  }
  return scriptActions(style, text)
    .filter((line) => line.trim() !== '')
    .join('\n');
}

/** Returns the commands that the meta-commands and SQL of one client script amount to. */
function scriptActions(style: ClientStyle, text: string): string[] {
  const lines: string[] = [];
  for (const pattern of READ_COMMANDS[style]) {
    for (const match of text.matchAll(pattern)) {
      lines.push(`cat -- ${shellQuote(unquote(match[1] ?? ''))}`);
    }
  }
  for (const pattern of WRITE_COMMANDS[style]) {
    for (const match of text.matchAll(pattern)) {
      lines.push(`tee -- ${shellQuote(unquote(match[1] ?? ''))} < /dev/null`);
    }
  }
  for (const match of text.matchAll(SHELL_COMMANDS[style])) {
    lines.push(match[1] ?? '');
  }
  lines.push(...sqlActions(text));
  return lines;
}

/** Checks whether `name` is a database client whose scripts {@link clientFileActions} reads. */
export function isDatabaseClient(name: string): boolean {
  return clientStyle(name) !== undefined;
}

function clientStyle(name: string): ClientStyle | undefined {
  if (DOT_CLIENTS.has(name)) {
    return 'dot';
  }
  if (PSQL_CLIENTS.has(name)) {
    return 'psql';
  }
  return MYSQL_CLIENTS.has(name) ? 'mysql' : undefined;
}

/**
 * Collects the script text a client runs (its operands, the values of `-cmd`/`-c`/`-e`, its
 * heredoc or here-string, and the words that `echo` or `printf` pipe into it) and the script
 * files it reads (sqlite3's `-init`, psql's `-f`).
 */
function scriptOf(
  command: SimpleCommand,
  style: ClientStyle,
  parsed: ParsedShell,
): { text: string; files: string[] } {
  const parts: string[] = [];
  const files: string[] = [];
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = arg, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = inline ?? args[index + 1];
    const script = SCRIPT_OPTIONS[style].has(option);
    if (script || SCRIPT_FILE_OPTIONS[style].has(option)) {
      (script ? parts : files).push(value ?? '');
      index += inline === undefined ? 1 : 0;
    } else if (!arg.startsWith('-')) {
      parts.push(arg);
    }
  }
  if (command.stdin !== undefined) {
    parts.push(command.stdin);
  }
  const position = command.pipeline;
  if (position !== undefined) {
    for (const feeder of parsed.commands) {
      if (
        feeder.pipeline?.id === position.id &&
        feeder.pipeline.index < position.index &&
        (feeder.name === 'echo' || feeder.name === 'printf')
      ) {
        parts.push(feeder.argv.slice(1).join(' ').replace(/\\n/g, '\n'));
      }
    }
  }
  return { text: parts.join('\n'), files };
}

function unquote(word: string): string {
  return /^(['"]).*\1$/s.test(word) ? word.slice(1, -1) : word;
}

/** Quotes `text` as one shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
