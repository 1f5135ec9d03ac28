/**
 * Stage-1 checks for data leaving the machine: uploads of private data, DNS tunnelling,
 * inline code that sends files, and pushes to newly added remotes.
 */
import { isIP } from 'node:net';
import { isPrivateAddress } from '../core/addresses.js';
import { EXFIL_HOST_PATTERN } from './rules.js';
import {
  CREDENTIAL_PATH,
  DNS_TOOLS,
  finding,
  SENDERS,
  SENSITIVE_DATA,
  type Finding,
} from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Finds a command line that sends private data, or any data to an untrusted host. */
export function checkExfiltration(
  parsed: ParsedShell,
  raw: string,
  homeDir: string,
  messages = '',
): Finding | undefined {
  const inline = checkInlineCode(parsed);
  if (inline !== undefined) {
    return inline;
  }
  for (const command of parsed.commands) {
    const text = command.argv.join(' ');
    if (postsSecretFile(command)) {
      return finding(
        'credential-leakage',
        'The command posts the contents of a secret file to an issue tracker or forge',
        'secret-in-message',
      );
    }
    if (DNS_TOOLS.has(command.name) && /\$\(|`/.test(command.text)) {
      return SENSITIVE_DATA.test(raw)
        ? finding(
            'data-exfiltration',
            'The command encodes local data into DNS lookups',
            'dns-exfiltration',
          )
        : finding(
            'exfil-scouting',
            'The command probes an out-of-band DNS endpoint with host details',
            'dns-probe',
          );
    }
    if (
      !SENDERS.has(command.name) &&
      !/requests\.(?:post|put)|urllib|fetch\(|http\.client/.test(text)
    ) {
      continue;
    }
    const redirectedIn = command.redirects.some(
      (redirect) =>
        (redirect.operator === '<' || redirect.operator === '<>') &&
        (SENSITIVE_DATA.test(redirect.target) || CREDENTIAL_PATH.test(redirect.target)),
    );
    const sendsData =
      redirectedIn ||
      /\s(?:-d|--data\S*|-F|--form|-T|--upload-file|--post-file|--body-file)\b|-X\s*(?:POST|PUT)|@-|@\S|files=|data=/.test(
        text,
      ) ||
      (command.pipeline?.index ?? 0) > 0 ||
      ['nc', 'ncat', 'netcat', 'scp', 'rsync'].includes(command.name);
    if (!sendsData) {
      const address = publicAddressOf(command.argv.slice(1));
      if (address !== undefined && !containsWord(messages, address)) {
        return finding(
          'exfil-scouting',
          `The command contacts the raw public IP address ${address}, which names no known service`,
          'raw-ip-endpoint',
        );
      }
      continue;
    }
    const pipedData = parsed.commands.some(
      (other) =>
        other.pipeline !== undefined &&
        other.pipeline.id === command.pipeline?.id &&
        other !== command &&
        SENSITIVE_DATA.test(other.argv.join(' ')),
    );
    const homeData =
      text.includes(`${homeDir}/`) || /(?:^|[\s'"=@(])~\/|\$HOME\b|\/etc\//.test(command.text);
    const sensitive =
      homeData ||
      SENSITIVE_DATA.test(text) ||
      CREDENTIAL_PATH.test(text) ||
      pipedData ||
      redirectedIn;
    // A raw IP address the user gave in a message is a host they chose, not a probe.
    const untrustedHost =
      EXFIL_HOST_PATTERN.test(text) ||
      rawAddresses(text).some((address) => !containsWord(messages, address));
    if ((sensitive || untrustedHost) && !/localhost|127\.0\.0\.1/.test(text)) {
      return sensitive
        ? finding(
            'data-exfiltration',
            'The command sends private data to a host outside the trust boundary',
            'send-private-data',
          )
        : finding(
            'exfil-scouting',
            'The command sends data to an untrusted or raw-IP endpoint',
            'send-untrusted',
          );
    }
  }
  if (EXFIL_HOST_PATTERN.test(raw)) {
    return finding(
      'exfil-scouting',
      'The command contacts a webhook, paste, tunnel or out-of-band testing service',
      'exfil-host',
    );
  }
  if (readsCredentials(parsed) && sendsOffHost(parsed)) {
    return finding(
      'data-exfiltration',
      'The command line reads credential files and also sends data to another host',
      'credentials-and-network',
    );
  }
  const pushTarget = /git remote add\s+(\S+)\s+\S+.*git push\s+(?:-\S+\s+)*(\S+)/s.exec(raw);
  if (pushTarget !== null && pushTarget[1] === pushTarget[2]) {
    return finding(
      'data-exfiltration',
      'The command pushes the repository to a newly added remote',
      'push-new-remote',
    );
  }
  return undefined;
}

/** Clients of issue trackers and forges, whose comments, issues and gists other people read. */
const TRACKER_CLIS = new Set(['gh', 'glab', 'hub', 'tea', 'jira', 'linear']);
const FILE_OPTIONS = new Set(['--body-file', '-F', '--file', '--field', '--input']);

/**
 * Checks whether a tracker or forge call reads a secret file into what it posts, through a
 * command substitution (`--body "$(cat .env)"`) or a file option (`--body-file .env`). The
 * body text itself is not checked, so a comment that mentions `.env` still passes.
 */
function postsSecretFile(command: SimpleCommand): boolean {
  if (!TRACKER_CLIS.has(command.name)) {
    return false;
  }
  const substituted = [...command.text.matchAll(/\$\(([^)]*)\)|`([^`]*)`/g)].map(
    (match) => match[1] ?? match[2] ?? '',
  );
  const files = command.argv
    .filter((_arg, index) => FILE_OPTIONS.has(command.argv[index - 1] ?? ''))
    .map((value) => value.replace(/^[\w-]+=@?/, ''));
  return [...substituted, ...files].some(
    (source) => SENSITIVE_DATA.test(` ${source}`) || CREDENTIAL_PATH.test(source),
  );
}

/** Returns the IPv4 addresses in a command's text that follow `://`, a space or `@`. */
function rawAddresses(text: string): string[] {
  return [...text.matchAll(/(?:[a-z]+:\/\/|\s|@)((?:\d{1,3}\.){3}\d{1,3})\b/g)].map(
    (match) => match[1] ?? '',
  );
}

const IPV4 = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/\s]*@)?((?:\d{1,3}\.){3}\d{1,3})(?:[:/]|$)/i;

/** Returns the first argument's IPv4 host (as a URL, `user@host` or a bare host) outside private ranges. */
function publicAddressOf(args: readonly string[]): string | undefined {
  for (const arg of args) {
    const address = IPV4.exec(arg)?.[1];
    if (address !== undefined && isIP(address) === 4 && !isPrivateAddress(address)) {
      return address;
    }
  }
  return undefined;
}

const NETWORK_CODE =
  /requests\.(?:post|put|get|patch)|urlopen|urllib|http\.client|socket\.|fetch\(|axios|https?\.request|XMLHttpRequest|Net::HTTP|LWP::|IO::Socket|Invoke-WebRequest|WebClient/;
const RAW_IP_OR_EXFIL_HOST = /(?:[a-z]+:\/\/|['"@])(?:\d{1,3}\.){3}\d{1,3}\b/;

/** Checks inline interpreter code for network calls that carry private data, and for credential reads. */
function checkInlineCode(parsed: ParsedShell): Finding | undefined {
  for (const { code } of parsed.inlineCode) {
    const credentials = CREDENTIAL_PATH.test(code);
    if (NETWORK_CODE.test(code) && (credentials || SENSITIVE_DATA.test(code))) {
      return finding(
        'data-exfiltration',
        'Inline code sends private data over the network',
        'inline-exfiltration',
      );
    }
    if (
      NETWORK_CODE.test(code) &&
      (RAW_IP_OR_EXFIL_HOST.test(code) || EXFIL_HOST_PATTERN.test(code))
    ) {
      return finding(
        'exfil-scouting',
        'Inline code contacts a raw-IP or out-of-band endpoint',
        'inline-untrusted-host',
      );
    }
    if (credentials) {
      return finding(
        'credential-exploration',
        'Inline code reads credential files',
        'inline-credential-path',
      );
    }
  }
  return undefined;
}

/** Checks whether any command names a credential file (as an argument or a redirect). */
function readsCredentials(parsed: ParsedShell): boolean {
  return parsed.commands.some(
    (command) =>
      command.argv.slice(1).some((arg) => CREDENTIAL_PATH.test(arg)) ||
      command.redirects.some((redirect) => CREDENTIAL_PATH.test(redirect.target)),
  );
}

/** Checks whether any command talks to a host other than this machine. */
function sendsOffHost(parsed: ParsedShell): boolean {
  return parsed.commands.some((command) => {
    const text = command.argv.join(' ');
    const network =
      SENDERS.has(command.name) || DNS_TOOLS.has(command.name) || command.name === 'ssh';
    return network && !/localhost|127\.0\.0\.1|::1/.test(text) && command.argv.length > 1;
  });
}
