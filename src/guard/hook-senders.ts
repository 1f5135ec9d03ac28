/**
 * Hook files whose script sends data off the machine. A request for a hook ("set up a husky
 * pre-commit hook that runs lint-staged") covers the hook, not a line in it that posts `.env`
 * to a host the user never named, so such a hook keeps asking whatever the request says.
 */
import { isLocalHost, userNamesHost } from './uploads.js';

/** Programs that send data over the network when a hook line runs them. */
const NETWORK_CLIENTS =
  /(?:^|[\s;&|(`]|\$\()(?:curl|wget|http|https|xh|nc|ncat|netcat|socat|telnet|scp|rsync|sftp|ssh|ftp|mail|sendmail)(?=\s)/;
/** Raw TCP and UDP in bash, and HTTP clients called from inline code. */
const NETWORK_CODE =
  /\/dev\/(?:tcp|udp)\/|\b(?:urlopen|urllib\.request|requests\.(?:post|put|get)|http\.client|fetch\(|axios|Net::HTTP|socket\.connect)/;
/** A URL's host, or a bare host or IPv4 address operand such as `203.0.113.9` or `a.b.net:443`. */
const HOSTS =
  /\b[a-z][a-z0-9+.-]*:\/\/(?:[^\s/@'"]+@)?(\[[0-9a-f:]+\]|[a-z0-9.-]+)|(?:^|[\s@'"=/])((?:\d{1,3}\.){3}\d{1,3}|(?:[a-z0-9-]+\.)+[a-z]{2,})(?=[\s:/'"]|$)/gi;

/** File names that a host pattern also matches, such as `package.json` or `.env.local`. */
const FILE_NAME = /\.(?:json|ya?ml|js|ts|sh|py|txt|md|env|local|lock|toml|cfg|ini|log)$/i;

/**
 * Returns a host that a line of the hook script `content` sends to with a network client or
 * network code, when that host is neither on this machine nor named in `messages`. A client
 * line that names no host returns `unknown host`.
 */
export function hookSendsTo(content: string, messages: string): string | undefined {
  for (const line of content.split('\n')) {
    if (line.trim().startsWith('#') || !(NETWORK_CLIENTS.test(line) || NETWORK_CODE.test(line))) {
      continue;
    }
    const hosts = [...line.matchAll(HOSTS)]
      .map((match) => (match[1] ?? match[2] ?? '').toLowerCase())
      .filter((host) => host !== '' && !FILE_NAME.test(host));
    if (hosts.length === 0) {
      return 'unknown host';
    }
    const host = hosts.find((name) => !isLocalHost(name) && !userNamesHost(messages, name));
    if (host !== undefined) {
      return host;
    }
  }
  return undefined;
}
