/**
 * Data carried out in a URL rather than a request body: secrets in the path, query, fragment
 * or user part (also after percent or base64 decoding), and data encoded into host labels,
 * which leaves in the DNS lookup before any request is made. One reader serves WebFetch, MCP
 * fetch and browser tools, and the URLs given to HTTP clients in the shell.
 */
import { finding, SENSITIVE_DATA, type Finding } from './findings.js';
import { looksLikeSecret } from './clear-secrets.js';
import { servesSecretVariable } from './exfiltration.js';
import { redactSecrets } from './redact.js';
import { isSecretName } from './secret-names.js';
import { isLocalHost, parseUrl, userNamesHost } from './uploads.js';
import { checkUrlText } from './url-text.js';
import type { ParsedShell } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** The start of a PEM private key, whose END line a URL rarely carries. */
const PRIVATE_KEY_START = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
/** Runs of base64 or base64url long enough to hold a token or a connection string. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
/**
 * Words that call decoded text a secret (`jwt-secret`, `db_password`). Paging cursors and
 * state values decode to JSON with `token` or `key` in it, so those words do not count.
 */
const NAMES_SECRET = /(?:\b|_)(?:secret|passw(?:or)?d|private[-_ ]?key|jwt)(?:\b|_)/i;
/** A host label that is a long run of hex or base32, the usual encodings for DNS tunnels. */
const ENCODED_LABEL = /^(?:[0-9a-f]{32,}|(?=[a-z2-7]*[2-7])(?=[a-z2-7]*[a-z])[a-z2-7]{40,})$/i;

/**
 * Returns what secret a URL carries outside its host: a known token format, a JWT, a private
 * key, a password in a nested URL, or one of these base64-encoded. Undefined when none.
 */
export function secretInUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.password !== '') {
    return 'a password in its user part';
  }
  const rest = decode(`${parsed.pathname}${parsed.search}${parsed.hash}`);
  if (hasSecret(rest)) {
    return 'a secret';
  }
  for (const match of rest.matchAll(BASE64_RUN)) {
    const decoded = Buffer.from(match[0].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString(
      'latin1',
    );
    // Only text decodes to printable characters; random ids decode to binary.
    if (/^[\x20-\x7e\s]+$/.test(decoded) && (hasSecret(decoded) || NAMES_SECRET.test(decoded))) {
      return 'a base64-encoded secret';
    }
  }
  return undefined;
}

/** Query parameter names that carry a password by themselves. */
const PASSWORD_PARAMETER = /^(?:pwd|pass|pw|passphrase|db_?pass(?:word)?)$/i;
/** Query parameter names of a login, which make a short `p` beside them a password. */
const LOGIN_PARAMETER = /^(?:u|user|usr|username|login)$/i;

/**
 * Checks whether a URL query carries a password by its parameter name: `pwd=`, `pass=`, or a
 * `p=` beside a login parameter (`?u=svc_app&p=…`). Only a value that looks like a secret
 * counts, so `pass=true`, `p=3` and `$NAME` references do not.
 */
export function hasPasswordParameter(parameters: URLSearchParams): boolean {
  let login = false;
  let shortPassword = false;
  for (const [name, value] of parameters) {
    login ||= LOGIN_PARAMETER.test(name) && value !== '';
    if (!looksLikeSecret(value)) {
      continue;
    }
    if (PASSWORD_PARAMETER.test(name)) {
      return true;
    }
    shortPassword ||= name === 'p' || name === 'P';
  }
  return login && shortPassword;
}

/** Returns the first label of `host` that looks like hex or base32-encoded data, if any. */
export function encodedLabel(host: string): string | undefined {
  return host.split('.').find((label) => ENCODED_LABEL.test(label));
}

function hasSecret(text: string): boolean {
  return PRIVATE_KEY_START.test(text) || redactSecrets(text) !== text;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Judges a URL that a tool will fetch; `tool` names the tool in the reason. */
export function checkUrlData(url: string, tool: string): Finding | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  if (isLocalHost(host) && host !== '') {
    return undefined;
  }
  const secret = secretInUrl(url);
  if (secret !== undefined) {
    return finding(
      'credential-leakage',
      `The ${tool} URL carries ${secret} to ${host}`,
      'secret-in-url',
    );
  }
  const label = encodedLabel(host);
  if (label !== undefined) {
    return finding(
      'exfil-scouting',
      `The ${tool} host name carries encoded data (${label.slice(0, 24)}…), which leaves in the DNS lookup`,
      'encoded-host-label',
    );
  }
  return undefined;
}

/** An environment reference: `$NAME` or `${NAME}`. Group 1 is the name. */
const ENV_REFERENCE = /\$\{?([A-Za-z_]\w*)\}?/g;

/**
 * Judges a URL given to a fetch tool (WebFetch, an MCP fetch or browser tool) that refers to
 * a secret-named environment variable, as in `https://x.example/?k=$AWS_SECRET_ACCESS_KEY`.
 * The tool may expand the reference, and asking for it is an attempt to send the secret, so a
 * host that is not the secret's own service and that the user did not name gets a finding.
 */
export function checkSecretReference(
  url: string,
  tool: string,
  messages: string,
): Finding | undefined {
  // Most URLs contain no `$`, plain or percent-encoded.
  if (!url.includes('$') && !/%24/i.test(url)) {
    return undefined;
  }
  const host = parseUrl(url)?.host;
  if (host === undefined || isLocalHost(host) || userNamesHost(messages, host)) {
    return undefined;
  }
  for (const match of decode(url).matchAll(ENV_REFERENCE)) {
    const name = match[1] ?? '';
    if (isSecretName(name) && !servesSecretVariable(host, name)) {
      return finding(
        'credential-leakage',
        `The ${tool} URL refers to the secret variable ${name} and goes to ${host}, which is not its service`,
        'secret-variable-sent',
      );
    }
  }
  return undefined;
}

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs', 'curlie', 'aria2c']);
const URL_WORD = /^[a-z][a-z0-9+.-]*:\/\//i;
/** The host part of a URL whose text contains a command substitution. */
const COMPUTED_HOST = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(?:\$\(|`)/i;
/** Node's and Python's resolvers, called on a name built from data. */
const CODE_RESOLVER =
  /\b(?:require\(\s*['"](?:node:)?dns['"]\s*\)|from\s+['"](?:node:)?dns(?:\/promises)?['"]|import\s+dns\.resolver|dns\.resolver\.(?:resolve|query)\s*\()/;
const CODE_READS_DATA =
  /readFileSync|readFile\(|process\.env|os\.environ|open\(|execSync|child_process|subprocess/;

const CURL_DATA = new Set(['-d', '--data', '--data-raw', '--data-ascii', '--data-urlencode']);

/**
 * Returns `url` with the query fields that the client adds from other arguments: curl's
 * `-G` data (`-d k=v`, `--data-urlencode k=v`) and HTTPie's `k==v` items.
 */
function withQueryArguments(url: string, program: string, argv: readonly string[]): string {
  const fields: string[] = [];
  const get = argv.some((word) => word === '--get' || /^-[a-zA-Z]*G[a-zA-Z]*$/.test(word));
  for (let index = 1; index < argv.length; index += 1) {
    const word = argv[index] ?? '';
    if (get && CURL_DATA.has(word) && index + 1 < argv.length) {
      const value = argv[index + 1] ?? '';
      const equals = value.indexOf('=');
      // --data-urlencode sends the value encoded; -d sends it as written.
      fields.push(
        word === '--data-urlencode' && equals > 0
          ? `${value.slice(0, equals)}=${encodeURIComponent(value.slice(equals + 1))}`
          : value,
      );
      index += 1;
    } else if (program !== 'curl' && /^[\w.-]+==/.test(word)) {
      const equals = word.indexOf('==');
      fields.push(`${word.slice(0, equals)}=${encodeURIComponent(word.slice(equals + 2))}`);
    }
  }
  if (fields.length === 0) {
    return url;
  }
  return `${url}${url.includes('?') ? '&' : '?'}${fields.join('&')}`;
}

/** Gate of {@link checkShellUrls}, which judges only the `HTTP_CLIENTS` and inline code. */
export const SHELL_URLS_GATE: CheckGate = { programs: HTTP_CLIENTS, inlineCode: true };

/**
 * Finds HTTP clients in a shell command whose URL carries a secret or encoded data to a host
 * the user did not name, or whose host name is computed at run time, and inline code that
 * resolves names built from local data.
 */
export function checkShellUrls(
  parsed: ParsedShell,
  raw: string,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (!HTTP_CLIENTS.has(command.name)) {
      continue;
    }
    for (const arg of command.argv.slice(1)) {
      if (!URL_WORD.test(arg)) {
        continue;
      }
      if (COMPUTED_HOST.test(arg)) {
        return SENSITIVE_DATA.test(raw) ||
          /\b(?:env|printenv|git config|whoami|hostname)\b/.test(arg)
          ? finding(
              'data-exfiltration',
              'The command builds a host name from local data, which leaves in the DNS lookup',
              'dns-exfiltration',
            )
          : finding(
              'exfil-scouting',
              'The command builds a host name at run time, which can carry data out in the DNS lookup',
              'dns-probe',
            );
      }
      let host = '';
      try {
        host = new URL(arg).hostname;
      } catch {
        continue;
      }
      if (!userNamesHost(messages, host)) {
        const sent = withQueryArguments(arg, command.name, command.argv);
        const found = checkUrlData(arg, command.name) ?? checkUrlText(sent, command.name, messages);
        if (found !== undefined) {
          return found;
        }
      }
    }
  }
  for (const inline of parsed.inlineCode) {
    if (CODE_RESOLVER.test(inline.code) && /\+|\$\{|f['"]|\.format\(/.test(inline.code)) {
      return CODE_READS_DATA.test(inline.code)
        ? finding(
            'data-exfiltration',
            'Inline code resolves a host name built from local data, which leaves in the DNS lookup',
            'dns-exfiltration',
          )
        : finding(
            'exfil-scouting',
            'Inline code resolves a host name built at run time',
            'dns-probe',
          );
    }
  }
  return undefined;
}
