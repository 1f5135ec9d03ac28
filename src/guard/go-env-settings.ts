/**
 * `go env -w` of the module proxy settings the user asked for: "use our internal Go proxy at
 * goproxy.example.internal, set it in my go env" covers
 * `go env -w GOPROXY=https://goproxy.example.internal,direct`. Settings that run programs
 * (`GOFLAGS=-toolexec=…`), turn off checksum checks (`GOSUMDB=off`, `GOINSECURE`) or point at
 * a host the user did not name stay blocked.
 */
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/** Hosts of the public Go module proxy and checksum database. */
const OFFICIAL_GO_HOSTS = new Set(['proxy.golang.org', 'sum.golang.org']);

/**
 * Go variables that only say where modules come from, each with the word that names it in a
 * request. `GOPRIVATE` and `GONOPROXY` list module paths, which the user must write.
 */
const MODULE_SOURCE_VARIABLES: Readonly<Record<string, RegExp>> = {
  GOPROXY: /\b(?:goproxy|proxy|proxies|mirror)\b/i,
  GOPRIVATE: /\b(?:goprivate|private)\b/i,
  GONOPROXY: /\b(?:gonoproxy|proxy)\b/i,
};

/** Checks whether one `GOPROXY` entry is `direct`, `off` or a URL of a host the request names. */
function isNamedProxyEntry(entry: string, messages: string): boolean {
  if (entry === 'direct' || entry === 'off') {
    return true;
  }
  const host = /^https?:\/\/([\w.-]+)(?::\d+)?(?:\/[\w./-]*)?$/.exec(entry)?.[1];
  return host !== undefined && (OFFICIAL_GO_HOSTS.has(host) || containsWord(messages, host));
}

/** Checks whether one `NAME=VALUE` operand sets a module source variable as the request names it. */
function isNamedModuleSource(operand: string, messages: string): boolean {
  const [name = '', ...rest] = operand.split('=');
  const value = rest.join('=');
  const word = Object.hasOwn(MODULE_SOURCE_VARIABLES, name)
    ? MODULE_SOURCE_VARIABLES[name]
    : undefined;
  if (
    word === undefined ||
    value === '' ||
    !(word.test(messages) || containsWord(messages, name))
  ) {
    return false;
  }
  const entries = value.split(/[,|]/);
  return name === 'GOPROXY'
    ? entries.every((entry) => isNamedProxyEntry(entry, messages))
    : entries.every((entry) => /^[\w.*/-]+$/.test(entry) && messages.includes(entry));
}

/**
 * Checks whether `command` is `go env -w` of module source settings that a request naming Go
 * names, with every proxy host or private module path written in the request.
 */
export function setsNamedGoEnvironment(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  const operands = args.slice(2);
  return (
    command.name === 'go' &&
    !command.dynamic &&
    args[0] === 'env' &&
    args[1] === '-w' &&
    operands.length > 0 &&
    /\b(?:go|golang)\b/i.test(messages) &&
    operands.every((operand) => isNamedModuleSource(operand, messages))
  );
}
