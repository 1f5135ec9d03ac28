/**
 * Stage-1 checks for channels that leave the machine without a plain upload: look-alike
 * hosts, data carried in DNS names, interpreters' own sockets, and pushes to a repository
 * URL the user never gave.
 */
import { finding, SENSITIVE_DATA, DNS_TOOLS, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** A host in a URL (`scheme://[user@]host`) or in scp syntax (`user@host:`). */
const URL_HOST = /(?:[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?|[\w.-]+@)([^/\s:?#'"@]+)/giu;

/**
 * Returns a host in `text` that is spelled with non-ASCII letters or as punycode
 * (`xn--`), such as `api.gіthub.com` with a Cyrillic `і`.
 */
export function lookAlikeHost(text: string): string | undefined {
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

/** Checks whether a command or inline code opens a socket with an interpreter's own API. */
function opensInterpreterSocket(parsed: ParsedShell): 'callback' | 'socket' | undefined {
  const programs = [
    ...parsed.commands
      .filter((command) => /^(?:g|m|n)?awk$/.test(command.name))
      .map((command) => command.argv.slice(1).join(' ')),
    ...parsed.inlineCode.map((inline) => inline.code),
  ];
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
 * Returns the repository a `git push` sends to when it is given as a URL or scp-style
 * address rather than a configured remote name, such as
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
      return /:\/\/|^[\w.-]+@[\w.-]+:|^\//.test(arg) ? arg : undefined;
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
  const host = lookAlikeHost(raw);
  if (host !== undefined) {
    return finding(
      'data-exfiltration',
      `The command contacts "${host}", a host spelled with look-alike characters`,
      'look-alike-host',
    );
  }
  if (parsed.commands.some(looksUpExpandedName)) {
    return SENSITIVE_DATA.test(raw)
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
  const socket = opensInterpreterSocket(parsed);
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
  for (const command of parsed.commands) {
    const url = pushUrl(command);
    if (url !== undefined && !namesRepository(messages, url)) {
      return finding(
        'data-exfiltration',
        `The command pushes the repository to "${url}", which the user did not name`,
        'push-unnamed-url',
      );
    }
  }
  return undefined;
}
