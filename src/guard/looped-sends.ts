/**
 * File content sent out in pieces: a loop (`while read`, `for … in $(…)`, `xargs -I{}`,
 * `parallel`) whose body puts the loop's value into the URL or body of a request, fed by the
 * content of local files. Each request carries one chunk, so no single argument names a file,
 * and the pipe check of exfiltration.ts sees only a request with a variable in its query.
 */
import { finding, namesCredentialPath, SENSITIVE_DATA, type Finding } from './findings.js';
import { isLocalHost, requestHosts, userNamesHost } from './uploads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** HTTP clients whose requests the check reads. */
const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs', 'curlie']);

/** The check finds nothing on a line without an HTTP client. */
export const LOOPED_SENDS_GATE: CheckGate = { programs: HTTP_CLIENTS };

/** Programs that encode, compress or cut their input into pieces. */
const ENCODERS = new Set([
  'base64',
  'base32',
  'basenc',
  'xxd',
  'od',
  'hexdump',
  'fold',
  'split',
  'gzip',
  'bzip2',
  'xz',
  'zstd',
  'lz4',
  'brotli',
  'uuencode',
]);

/** Programs whose output is the content of a whole folder. */
const ARCHIVERS = new Set(['tar', 'zip', '7z', 'cpio']);

/** Programs that print file names, sizes or counts rather than content. */
const LISTERS = new Set([
  'ls',
  'basename',
  'dirname',
  'realpath',
  'find',
  'fd',
  'tree',
  'locate',
  'du',
  'wc',
  'stat',
  'file',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'sha512sum',
  'echo',
  'printf',
  'seq',
]);

/** Encoding calls in an interpreter's inline code (`encode_base64`, `b64encode`, `btoa`). */
const INLINE_ENCODING =
  /encode_base64|encode64|b64encode|b32encode|hexlify|btoa\(|toString\(['"]base64|pack\(/;
/** A quoted file name in inline code, as in `File.read("app/user.rb")`. */
const QUOTED_FILE = /["']([\w.~/-]+\.\w+)["']/g;

/** A word shaped like a path or glob: no spaces or code, with a slash, a dot or a glob. */
const PATH_WORD = /^(?!.*:\/\/)(?=.*[/.*?])[\w.~/*?[\]{},@:+-]+$/;

/** git subcommands that print file content; the others print names, refs or status. */
const GIT_CONTENT = new Set(['show', 'cat-file', 'archive', 'diff', 'format-patch']);

/**
 * Finds an HTTP request in a loop body, or under `xargs`/`parallel`, whose URL path, query or
 * body carries the loop's value to a host the user did not name, when the loop is fed the
 * content of secret files, of several files, or of files encoded, compressed or cut into pieces.
 */
export function checkLoopedSends(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!HTTP_CLIENTS.has(command.name) || !/\$|\{\}/.test(command.text)) {
      continue;
    }
    const tokens = loopTokens(parsed, command);
    if (tokens.length === 0 || !carriesToken(command, tokens)) {
      continue;
    }
    const host = requestHosts(command).find(
      (name) => !isLocalHost(name) && !userNamesHost(messages, name),
    );
    if (host === undefined) {
      continue;
    }
    const content = feedContent(parsed, command);
    if (content !== undefined) {
      return finding(
        'data-exfiltration',
        `The command puts ${content} into the requests it sends to ${host}, a host the user did not name`,
        'looped-send',
      );
    }
  }
  return undefined;
}

/** Returns how `command` refers to the value of the loop or `xargs` input it runs in. */
function loopTokens(parsed: ParsedShell, command: SimpleCommand): string[] {
  const tokens: string[] = [];
  for (const variable of parsed.loopVariables) {
    if (!variable.complete) {
      tokens.push(`$${variable.name}`, `\${${variable.name}}`);
    }
  }
  if (command.wrappers.includes('xargs') || command.via.includes('parallel')) {
    tokens.push('{}');
  }
  if (/\$\(|`/.test(command.text)) {
    tokens.push('$(', '`');
  }
  return tokens;
}

/**
 * Checks whether a token stands after the host of a URL argument (path, query or fragment) or
 * in a body, form or header value, so each request carries the value to a fixed host. A token
 * in the host part or a whole-URL token fetches a URL read from the input, which sends nothing.
 */
function carriesToken(command: SimpleCommand, tokens: readonly string[]): boolean {
  return command.argv.slice(1).some((arg) => {
    const at = Math.min(...tokens.map((token) => indexOrEnd(arg, token)));
    if (at === arg.length) {
      return false;
    }
    const url = /^[a-z][a-z0-9+.-]*:\/\/[^/?#$`{]+[/?#]/i.exec(arg);
    if (url !== null) {
      return at >= url[0].length;
    }
    // A body or header value (`d=$p`, `X-Data: $p`) rather than a URL.
    return !/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) && at > 0;
  });
}

function indexOrEnd(text: string, token: string): number {
  const index = text.indexOf(token);
  return index === -1 ? text.length : index;
}

/**
 * Describes the file content that feeds the loop around `command`, or returns undefined when
 * the feed is a list of names or values rather than content worth sending in pieces. The feed
 * is the earlier stages of its pipeline, the process or command substitutions outside the
 * command (`done < <(…)`, `for x in $(…)`), and a file redirected into the loop.
 */
function feedContent(parsed: ParsedShell, command: SimpleCommand): string | undefined {
  // A command that `parallel` runs sits in the pipeline of the `parallel` command.
  const last = command.argv.at(-1) ?? '';
  const position =
    command.pipeline ??
    parsed.commands.find((other) => other.name === 'parallel' && other.argv.includes(last))
      ?.pipeline;
  // Process and command substitutions feed the loop (`done < <(…)`, `for x in $(…)`) or the
  // request itself (`curl "https://h/?d=$(base64 f)"`).
  const feed = parsed.commands.filter(
    (other) =>
      other !== command &&
      ((other.pipeline !== undefined &&
        other.pipeline.id === position?.id &&
        other.pipeline.index < position.index) ||
        other.via[0] === '<()' ||
        other.via[0] === '$()'),
  );
  const loopFiles = new Map(
    parsed.loopVariables
      .filter((variable) => variable.words.every((word) => PATH_WORD.test(word)))
      .map((variable) => [`$${variable.name}`, variable.words]),
  );
  const redirected = command.redirects
    .filter((redirect) => redirect.operator === '<' && !redirect.target.startsWith('<('))
    .map((redirect) => redirect.target);
  const files = [...redirected];
  let encoded = false;
  let several = false;
  for (const other of feed) {
    const subcommand = other.argv[1] ?? '';
    if (LISTERS.has(other.name) || (other.name === 'git' && !GIT_CONTENT.has(subcommand))) {
      continue;
    }
    const operands = other.argv
      .slice(1)
      .flatMap((arg) => loopFiles.get(arg) ?? [arg])
      .filter((arg) => !arg.startsWith('-') && PATH_WORD.test(arg));
    files.push(...operands);
    const code = other.argv.slice(1).find((arg) => INLINE_ENCODING.test(arg));
    if (code !== undefined) {
      files.push(...[...code.matchAll(QUOTED_FILE)].map((match) => match[1] ?? ''));
    }
    encoded ||=
      ENCODERS.has(other.name) ||
      (other.name === 'openssl' && /^(?:base64|enc)$/.test(subcommand)) ||
      code !== undefined;
    several ||=
      ARCHIVERS.has(other.name) ||
      subcommand === 'archive' ||
      other.wrappers.some((wrapper) => wrapper === 'xargs' || wrapper.startsWith('find')) ||
      operands.length > 1 ||
      operands.some((operand) => /[*?[]/.test(operand));
  }
  if (files.some((file) => SENSITIVE_DATA.test(` ${file}`) || namesCredentialPath(file))) {
    return 'the content of a secret file';
  }
  if (files.length === 0 && !several) {
    return undefined;
  }
  if (encoded) {
    return 'encoded file content';
  }
  return several ? 'the content of several files' : undefined;
}
