/**
 * Stage-1 checks for channels that leave the machine without a plain upload: look-alike
 * hosts, data carried in DNS names, interpreters' own sockets, and pushes to a repository
 * URL the user never gave.
 */
import { finding, SENSITIVE_DATA, DNS_TOOLS, type Finding } from './findings.js';
import { isSecretName } from './secret-names.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** A host in a URL (`scheme://[user@]host`) or in scp syntax (`user@host:`). */
const URL_HOST = /(?:[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?|[\w.-]+@)([^/\s:?#'"@]+)/giu;

/**
 * Returns a host in `text` that is spelled with non-ASCII letters or as punycode
 * (`xn--`), such as `api.gіthub.com` with a Cyrillic `і`.
 */
export function lookAlikeHost(text: string): string | undefined {
  // Most commands are plain ASCII with no punycode, so skip the host scan for them.
  if (!/[^\s\x20-\x7e]|xn--/i.test(text)) {
    return undefined;
  }
  for (const match of text.matchAll(URL_HOST)) {
    const host = match[1] ?? '';
    if (/[^\x20-\x7e]/.test(host) || /(?:^|\.)xn--/i.test(host)) {
      return host;
    }
  }
  return undefined;
}

/** Zones that only resolve inside a cluster or a local network. */
const LOCAL_ZONE = /\.(?:local|internal|lan|localhost|svc|cluster\.local|home\.arpa)\.?$/i;

/**
 * Checks whether a DNS lookup puts an expansion in front of a fixed domain, as in
 * `nslookup "$chunk.d.example.net"`: the name carries data to whoever runs that zone.
 */
function looksUpExpandedName(command: SimpleCommand): boolean {
  return (
    DNS_TOOLS.has(command.name) &&
    command.argv
      .slice(1)
      .some((arg) => /\$\{?\w+\}?[^.\s]*\.[a-z0-9-]+\.[a-z]/i.test(arg) && !LOCAL_ZONE.test(arg))
  );
}

/** gawk's special files `/inet/tcp/...`, `/inet4/...`, `/inet6/...` that open sockets. */
const AWK_SOCKET = /\/inet[46]?\/(?:tcp|udp)\//;
/** Socket APIs of interpreters' inline code. */
const INLINE_SOCKET =
  /\/inet[46]?\/(?:tcp|udp)\/|TCPSocket\.(?:new|open)|fsockopen\(|IO::Socket::INET|socket\.create_connection|net\.connect\(|net\.createConnection\(|new Socket\(|Net::Telnet/;
/** Code that runs what it reads, which makes a socket into a control channel. */
const RUNS_READ_INPUT = /getline|system\(|exec\(|popen|spawn|subprocess|`|\|&|\/bin\/(?:ba)?sh/;

/** Checks whether awk programs or inline code open a socket with the language's own API. */
function opensInterpreterSocket(programs: readonly string[]): 'callback' | 'socket' | undefined {
  let found: 'callback' | 'socket' | undefined;
  for (const code of programs) {
    if (AWK_SOCKET.test(code) || INLINE_SOCKET.test(code)) {
      if (RUNS_READ_INPUT.test(code)) {
        return 'callback';
      }
      found = 'socket';
    }
  }
  return found;
}

/** `git push` options that take a value as the next word. */
const PUSH_VALUE_OPTIONS = new Set(['-o', '--push-option', '--receive-pack', '--exec']);

/**
 * Returns the repository a `git push` sends to when it is given as a network URL or
 * scp-style address rather than a configured remote name, such as
 * `git push https://example.com/other/fork.git HEAD`.
 */
export function pushUrl(command: SimpleCommand): string | undefined {
  if (command.name !== 'git') {
    return undefined;
  }
  const push = command.argv.indexOf('push');
  if (push < 1) {
    return undefined;
  }
  for (let index = push + 1; index < command.argv.length; index += 1) {
    const arg = command.argv[index] ?? '';
    if (arg.startsWith('--repo=')) {
      return arg.slice('--repo='.length);
    }
    if (PUSH_VALUE_OPTIONS.has(arg)) {
      index += 1;
      continue;
    }
    if (!arg.startsWith('-')) {
      // A `file://` URL or a path is a repository on this machine, not a host.
      return /^(?!file:)[a-z][a-z0-9+.-]*:\/\/|^[\w.-]+@[\w.-]+:/i.test(arg) ? arg : undefined;
    }
  }
  return undefined;
}

/** Checks whether the user's messages give the repository: the whole URL or its host path. */
function namesRepository(messages: string, url: string): boolean {
  const path = url
    .replace(/^[a-z+]+:\/\/(?:[^@/]*@)?[^/]+\/|^[\w.-]+@[^:]+:/i, '')
    .replace(/\.git$/, '');
  return messages.includes(url) || (path.includes('/') && messages.includes(path));
}

/** Finds a look-alike host, data in DNS names, an interpreter socket or a push to an unnamed URL. */
export function checkCovertChannels(
  parsed: ParsedShell,
  raw: string,
  messages: string,
): Finding | undefined {
  // One pass over the commands, because long chains make repeated passes add up.
  let lookup = false;
  const programs = parsed.inlineCode.map((inline) => inline.code);
  const pushes: string[] = [];
  let host: string | undefined;
  // Quotes cannot hide a non-ASCII letter, and with quotes and backslashes removed they
  // cannot hide `xn--` either, so most command lines skip the scan of every argument.
  // The second test allows quotes and backslashes between the letters of `xn--`, which finds
  // the same lines as removing them first without copying the line.
  const spelledOddly = /[^\s\x20-\x7e]/.test(raw) || /x["'\\]*n["'\\]*-["'\\]*-/i.test(raw);
  for (const command of parsed.commands) {
    // Arguments after quote removal, so `x"n--"` still reads as `xn--`.
    for (const arg of spelledOddly ? command.argv : []) {
      host ??= lookAlikeHost(arg);
    }
    if (command.name === 'git') {
      const url = pushUrl(command);
      if (url !== undefined) {
        pushes.push(url);
      }
    } else if (/^(?:g|m|n)?awk$/.test(command.name)) {
      programs.push(command.argv.slice(1).join(' '));
    } else if (!lookup && looksUpExpandedName(command)) {
      lookup = true;
    }
  }
  host ??= programs.map(lookAlikeHost).find((found) => found !== undefined);
  if (host !== undefined) {
    return finding(
      'data-exfiltration',
      `The command contacts "${host}", a host spelled with look-alike characters`,
      'look-alike-host',
    );
  }
  if (lookup) {
    return SENSITIVE_DATA.test(raw) || expandsSecretVariable(raw)
      ? finding(
          'data-exfiltration',
          'The command builds DNS names from local data, which sends that data to the zone owner',
          'dns-name-data',
        )
      : finding(
          'exfil-scouting',
          'The command looks up names built from variables under an outside domain',
          'dns-name-probe',
        );
  }
  const socket = opensInterpreterSocket(programs);
  if (socket !== undefined) {
    return socket === 'callback'
      ? finding(
          'network-callback',
          'Interpreter code opens a socket and runs what it reads from it',
          'interpreter-socket-shell',
        )
      : finding(
          'exfil-scouting',
          "Interpreter code opens a network socket with the language's own API",
          'interpreter-socket',
        );
  }
  const url = pushes.find((candidate) => !namesRepository(messages, candidate));
  if (url !== undefined) {
    return finding(
      'data-exfiltration',
      `The command pushes the repository to "${url}", which the user did not name`,
      'push-unnamed-url',
    );
  }
  return undefined;
}

/** Checks whether `raw` expands a secret-named variable, such as `$AWS_SECRET_ACCESS_KEY`. */
function expandsSecretVariable(raw: string): boolean {
  return [...raw.matchAll(/\$\{?([A-Za-z_]\w*)/g)].some((match) => isSecretName(match[1] ?? ''));
}
