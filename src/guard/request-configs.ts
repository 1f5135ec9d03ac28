/**
 * Requests that HTTP clients read from a config file instead of their arguments: `curl -K
 * FILE` (or `-K -` for standard input) and `wget -e COMMAND` / `wget --config FILE`. The URL,
 * body and upload file then never appear on the command line, so the checks would judge an
 * upload of `.env` as a bare `curl`. The config text is read where the command line holds it
 * (a here-string, a pipe from `echo`/`printf`, or a file written earlier on the same line)
 * and turned back into the options it stands for. A config the guard cannot read makes the
 * parse not confident, so a human reviews the call.
 */
import { textWrittenBefore, writtenText } from './written-scripts.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** wgetrc commands that change what is sent, with the option each one stands for. */
const WGETRC_OPTIONS: Readonly<Record<string, string>> = {
  post_file: '--post-file',
  post_data: '--post-data',
  body_file: '--body-file',
  body_data: '--body-data',
  method: '--method',
  header: '--header',
  input: '--input-file',
  base: '--base',
};

/**
 * Replaces each `curl -K`/`--config` and `wget -e`/`--execute`/`--config` in `parsed` with the
 * options its config holds. Commands whose config cannot be read make `parsed` not confident.
 */
export function followRequestConfigs(parsed: ParsedShell, cwd: string): void {
  for (const command of parsed.commands) {
    if (command.name === 'curl' && command.argv.some(isCurlConfigOption)) {
      command.argv = expandCurl(command, parsed, cwd);
    } else if (command.name === 'wget' && command.argv.some(isWgetConfigOption)) {
      command.argv = expandWget(command, parsed, cwd);
    }
  }
}

/** `-K`, or a cluster of short flags ending in it with or without the file: `-sK`, `-sKfile`. */
const CURL_SHORT_CONFIG = /^-([a-zA-Z0-9#:]*?)K(.*)$/;

function isCurlConfigOption(arg: string): boolean {
  return arg === '--config' || arg.startsWith('--config=') || CURL_SHORT_CONFIG.test(arg);
}

function isWgetConfigOption(arg: string): boolean {
  return /^(?:-e|--execute|--config)(?:=|$)/.test(arg) || /^-e./.test(arg);
}

function expandCurl(command: SimpleCommand, parsed: ParsedShell, cwd: string): string[] {
  const result = [command.argv[0] ?? 'curl'];
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!isCurlConfigOption(arg)) {
      result.push(arg);
      continue;
    }
    let source: string;
    const short = CURL_SHORT_CONFIG.exec(arg);
    if (short !== null && (short[1] ?? '') !== '') {
      result.push(`-${short[1] ?? ''}`);
    }
    const joined = arg.startsWith('--config=') ? arg.slice('--config='.length) : (short?.[2] ?? '');
    if (joined !== '') {
      source = joined;
    } else {
      source = args[index + 1] ?? '';
      index += 1;
    }
    const text = configText(command, parsed, source, cwd);
    if (text === undefined) {
      unreadable(parsed, `curl reads its request from ${describe(source)}`);
      continue;
    }
    result.push(...curlConfigArgs(text));
  }
  return result;
}

function expandWget(command: SimpleCommand, parsed: ParsedShell, cwd: string): string[] {
  const result = [command.argv[0] ?? 'wget'];
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!isWgetConfigOption(arg)) {
      result.push(arg);
      continue;
    }
    const [name, inlineValue] = splitOption(arg);
    let value = inlineValue;
    if (value === undefined) {
      value = args[index + 1] ?? '';
      index += 1;
    }
    if (name === '--config') {
      const text = configText(command, parsed, value, cwd);
      if (text === undefined) {
        unreadable(parsed, `wget reads its settings from ${describe(value)}`);
        continue;
      }
      result.push(...text.split('\n').flatMap(wgetrcArgs));
    } else {
      result.push(...wgetrcArgs(value));
    }
  }
  return result;
}

/** Splits `--name=value` and `-evalue` into the option and its value. */
function splitOption(arg: string): [string, string | undefined] {
  if (arg.startsWith('--')) {
    const equals = arg.indexOf('=');
    return equals < 0 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
  }
  return arg.length > 2 ? [arg.slice(0, 2), arg.slice(2)] : [arg, undefined];
}

/** Reads one wgetrc command, `name = value`, as the options it stands for. */
function wgetrcArgs(line: string): string[] {
  const match = /^\s*([A-Za-z_-]+)\s*=\s*(.*?)\s*$/.exec(line);
  if (match === null) {
    return [];
  }
  const name = (match[1] ?? '').toLowerCase().replace(/-/g, '_');
  const option = WGETRC_OPTIONS[name];
  // Other wgetrc commands change how wget behaves, not what it sends; they are kept as text
  // so the rules still see them.
  return option === undefined ? [`--${name}=${match[2] ?? ''}`] : [option, match[2] ?? ''];
}

/**
 * Reads a curl config: one option per line, written `name = value`, `name: value`, `name
 * value` or `--name value`, with `#` comments and values in double quotes. A `url` line
 * becomes a plain URL argument, as the tools that read curl's arguments expect.
 */
export function curlConfigArgs(text: string): string[] {
  const args: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const match = /^(-{0,2}[A-Za-z][\w-]*)(?:\s*[=:]\s*|\s+|$)(.*)$/.exec(line);
    if (match === null) {
      continue;
    }
    const name = match[1] ?? '';
    const value = unquote(match[2] ?? '');
    if (/^(?:--)?url$/.test(name)) {
      args.push(value);
    } else {
      const option = name.startsWith('-') ? name : `${name.length === 1 ? '-' : '--'}${name}`;
      args.push(option, ...(value === '' ? [] : [value]));
    }
  }
  return args;
}

function unquote(value: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(value);
  if (quoted === null) {
    return value.replace(/\s+#.*$/, '').trim();
  }
  return (quoted[1] ?? '').replace(/\\(.)/g, (_match, char: string) => ESCAPES[char] ?? char);
}

/** The character each backslash escape in a quoted curl config value is read as. */
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t' };

/**
 * Returns the text of the config `source` names: standard input from a here-string, a heredoc
 * or a pipe from `echo`/`printf`, or a file written earlier on the same command line.
 */
function configText(
  command: SimpleCommand,
  parsed: ParsedShell,
  source: string,
  cwd: string,
): string | undefined {
  if (source === '-' || source === '/dev/stdin') {
    if (command.stdin !== undefined) {
      return command.stdin;
    }
    const position = command.pipeline;
    if (position === undefined || position.index === 0) {
      return undefined;
    }
    const producer = parsed.commands.find(
      (other) => other.pipeline?.id === position.id && other.pipeline.index === position.index - 1,
    );
    const printed = producer === undefined ? undefined : writtenText(producer);
    return printed?.known === true ? printed.text : undefined;
  }
  const written = textWrittenBefore(parsed, command, source, cwd);
  return written?.known === true ? written.text : undefined;
}

function describe(source: string): string {
  return source === '-' || source === '' ? 'standard input' : `"${source}"`;
}

function unreadable(parsed: ParsedShell, reader: string): void {
  parsed.confident = false;
  parsed.problems.push(`${reader}, which the guard cannot read`);
}
