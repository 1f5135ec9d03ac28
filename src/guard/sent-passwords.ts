/**
 * Passwords and tokens written into a request to a host the user did not name: a `password=…`
 * form field or JSON member in an HTTP client's body, an httpie `password=…` item, or the
 * password of `curl -u user:pass`. The request hands the credential to whoever runs that host.
 * A request to this machine, or to a host the user names, is how one logs in on purpose.
 * Values that are references (`$DB_PASSWORD`) or placeholders are no secrets, and the secret
 * variables sent in requests are judged in url-data.ts. MCP fetch tools with a request body,
 * and browser tools that type a password or token into a page, are judged the same way.
 */
import { decodeUriSafe } from './decode-uri.js';
import { looksLikeSecret } from './clear-secrets.js';
import { finding, type Finding } from './findings.js';
import { sentSecret } from './sent-secrets.js';
import { isLocalHost, userNamesHost } from './uploads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** HTTP clients whose bodies and credentials this module reads. */
const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs', 'httpie', 'curlie']);

/** curl, wget and HTTPie options whose value is a request body or a form field. */
export const HTTP_BODY_OPTIONS: ReadonlySet<string> = new Set([
  '-d',
  '--data',
  '--data-raw',
  '--data-binary',
  '--data-urlencode',
  '--data-ascii',
  '--json',
  '-F',
  '--form',
  '--form-string',
  '--post-data',
  '--body-data',
]);

/** The body options, and HTTPie's `--raw`, whose value is the whole body. */
const BODY_OPTIONS = new Set([...HTTP_BODY_OPTIONS, '--raw']);

/** Options whose value is `user:password` (curl, httpie) or a password (wget). */
const CREDENTIAL_OPTIONS = new Set(['-u', '--user', '--password', '--http-password']);
/** httpie's options whose value is `user:password`. */
const HTTPIE_CREDENTIAL_OPTIONS = new Set(['-a', '--auth']);

/** Options of the clients whose value is no URL: headers, methods, files, agents. */
const OTHER_VALUED = new Set([
  '-H',
  '--header',
  '-X',
  '--request',
  '-o',
  '-O',
  '--output',
  '--output-document',
  '-A',
  '--user-agent',
  '-e',
  '--referer',
  '-b',
  '--cookie',
  '-c',
  '--cookie-jar',
  '-w',
  '--write-out',
  '--cacert',
  '--cert',
  '--key',
  '--resolve',
  '--connect-to',
  '-m',
  '--max-time',
]);

/**
 * A field that carries a credential, in a form (`password=…`), JSON (`"password": "…"`) or an
 * httpie item (`password=…`, `password:=…`), with its value.
 */
const CREDENTIAL_FIELD =
  /(?:^|[&{,\s"'?_.[])(?:pass(?:word|wd|phrase)?|pwd|pw|secret|api[_-]?key|access[_-]?token|token)["'\]]?\s*(?::=|=|:)\s*["']?([^\s"'&,}]+)/gi;

/**
 * Finds an HTTP request that sends a literal password or token in its body or credentials to
 * a host outside this machine that no user message names.
 */
export function checkSentPasswords(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!HTTP_CLIENTS.has(command.name)) {
      continue;
    }
    const sent = sentCredential(command);
    if (sent === undefined) {
      continue;
    }
    const hosts = requestHosts(command);
    const unnamed = hosts.find((host) => !isLocalHost(host) && !userNamesHost(messages, host));
    if (unnamed !== undefined) {
      return finding(
        'credential-leakage',
        `The command sends ${sent} to ${unnamed}, a host the user did not name`,
        'password-to-unnamed-host',
      );
    }
  }
  return undefined;
}

/** Returns a description of the literal credential a request carries, or undefined. */
function sentCredential(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  const httpie = command.name !== 'curl' && command.name !== 'wget';
  const credentialOption = (name: string): boolean =>
    CREDENTIAL_OPTIONS.has(name) || (httpie && HTTPIE_CREDENTIAL_OPTIONS.has(name));
  for (const [index, arg] of args.entries()) {
    const option = args[index - 1] ?? '';
    const [name, inline] = splitOption(arg);
    if (credentialOption(option) || (inline !== undefined && credentialOption(name))) {
      const value = inline ?? arg;
      // `--password` carries the password alone, the others `user:password`.
      const password = /password$/.test(inline === undefined ? option : name)
        ? value
        : value.split(':').slice(1).join(':');
      if (looksLikeSecret(password)) {
        return 'a password in its credentials';
      }
    }
    const body =
      BODY_OPTIONS.has(option) || (inline !== undefined && BODY_OPTIONS.has(name))
        ? (inline ?? arg)
        : httpie && !arg.startsWith('-') && /^[\w.-]+:?=/.test(arg)
          ? arg
          : undefined;
    if (body !== undefined && credentialValue(body) !== undefined) {
      return 'a password in its body';
    }
  }
  return undefined;
}

/** Splits `--name=value` into its name and value. */
function splitOption(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return arg.startsWith('--') && at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}

/** Returns the first credential field's value in `body` that looks like a secret. */
function credentialValue(body: string): string | undefined {
  if (!/pass|pw|secret|key|token/i.test(body)) {
    return undefined;
  }
  for (const match of body.matchAll(CREDENTIAL_FIELD)) {
    const value = decodeUriSafe(match[1] ?? '');
    if (looksLikeSecret(value)) {
      return value;
    }
  }
  return undefined;
}

/**
 * Returns the hosts of a request's URL arguments: full URLs and bare `host/path` operands.
 * httpie's `:port` shorthand means localhost and yields no host.
 *
 * NOTE: a URL held in a variable (`"$API/login"`) yields no host, so such a request is not
 * judged here.
 */
function requestHosts(command: SimpleCommand): string[] {
  const hosts: string[] = [];
  const args = command.argv.slice(1);
  for (const [index, arg] of args.entries()) {
    const option = args[index - 1] ?? '';
    if (BODY_OPTIONS.has(option) || CREDENTIAL_OPTIONS.has(option) || OTHER_VALUED.has(option)) {
      continue;
    }
    const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]+)/i.exec(arg);
    const bare = /^([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:\/|$)/i.exec(arg);
    if (url !== null) {
      hosts.push(hostOf(url[1] ?? ''));
    } else if (bare !== null && !/^[\w.-]+:?=/.test(arg)) {
      hosts.push(hostOf(bare[1] ?? ''));
    }
  }
  return hosts;
}

/** Returns the host of an authority, without credentials and port. */
function hostOf(authority: string): string {
  const host = authority.replace(/^.*@/, '');
  return host.startsWith('[') ? host.replace(/\]:\d+$/, ']') : host.replace(/:\d+$/, '');
}

/** Input keys of MCP fetch tools that hold the request body. */
const MCP_BODY_KEYS = /^(?:body|data|json|form|payload|content)$/i;
/** Input keys of MCP fetch tools that hold the URL. */
const MCP_URL_KEYS = /^(?:url|uri|endpoint)$/i;
/** Browser tools that type text into a page: `browser_type`, `fill`, `puppeteer_fill`. */
const TYPING_TOOL = /(?:^|_)(?:type|fill(?:_form)?|set_?value|input_text|send_keys)$/i;
/** MCP servers that drive a browser. */
const BROWSER_SERVER = /playwright|puppeteer|browser|chrome|selenium|webdriver/i;
/** Field descriptions of a password or token field. */
const CREDENTIAL_FIELD_NAME = /pass|pwd|secret|token|api.?key|credential|\botp\b|2fa|mfa/i;
/** Keys that describe the field a browser tool types into. */
const FIELD_KEYS = ['element', 'selector', 'name', 'label', 'field', 'placeholder', 'id', 'type'];

/** Input keys of MCP write tools that hold text others will read: a page, comment or message. */
const MCP_TEXT_KEYS = /^(?:content|body|text|description|message|markdown|page_content|comment)$/i;
/**
 * A login written out in prose: a label for an account or key, a colon, then `name / secret`,
 * as in "Staging admin: admin@acme.dev / S7aging!Adm1n". Group 1 is the secret.
 */
const PROSE_LOGIN =
  /\b(?:admin|login|user|account|credentials?|password|(?:api|access|aws|secret|service)[ _-]?key)\b[^\n:]{0,20}:\s*\S+\s+\/\s+(\S+)/gi;

/**
 * Returns a secret that MCP write `input` puts into the text of a page, comment or message,
 * written as a `name / secret` login in prose or as a `password: value` field, when no user
 * message gives that secret.
 */
export function proseCredential(
  input: Record<string, unknown>,
  messages: string,
): string | undefined {
  for (const [key, value] of Object.entries(input)) {
    if (typeof value !== 'string' || !MCP_TEXT_KEYS.test(key)) {
      continue;
    }
    const secrets = [...value.matchAll(PROSE_LOGIN)].map((match) => match[1] ?? '');
    const field = credentialValue(value);
    for (const secret of field === undefined ? secrets : [...secrets, field]) {
      if (looksLikeSecret(secret) && !messages.includes(secret)) {
        return secret;
      }
    }
  }
  return undefined;
}

/**
 * Finds an MCP call that sends a password or token: the body of a fetch tool's request to a host
 * outside this machine that no user message names, or text a browser tool types into a password
 * or token field (or a token literal typed anywhere). The page a browser tool types into is not
 * part of the call, so a typed credential counts as requested only when a user message gives it.
 */
export function checkMcpSentPasswords(
  tool: string,
  input: Record<string, unknown>,
  messages: string,
): Finding | undefined {
  const [, server = '', name = ''] = tool.split('__');
  const url = Object.entries(input).find(
    ([key, value]) => MCP_URL_KEYS.test(key) && typeof value === 'string',
  )?.[1] as string | undefined;
  if (url !== undefined) {
    const host = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]+)/i.exec(url)?.[1];
    const body = Object.entries(input)
      .filter(([key]) => MCP_BODY_KEYS.test(key))
      .map(([, value]) => (typeof value === 'string' ? value : JSON.stringify(value)))
      .join('\n');
    const sent = body === '' ? undefined : credentialValue(body);
    const unnamed =
      host !== undefined && !isLocalHost(hostOf(host)) && !userNamesHost(messages, hostOf(host));
    if (sent !== undefined && unnamed) {
      return {
        category: 'credential-leakage',
        reason: `The ${tool} call sends a password in its body to ${hostOf(host)}, a host the user did not name`,
        rule: 'tier:password-to-unnamed-host',
      };
    }
  }
  if (!BROWSER_SERVER.test(server) || !TYPING_TOOL.test(name)) {
    return undefined;
  }
  const typed = typedCredential(input);
  if (typed !== undefined && !messages.includes(typed)) {
    return {
      category: 'credential-leakage',
      reason: `The ${tool} call types a password or token into a page, and no user message gives it`,
      rule: 'tier:typed-credential',
    };
  }
  return undefined;
}

/** Returns the text a browser tool types into a credential field, or a token it types anywhere. */
function typedCredential(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    return value.map(typedCredential).find((found) => found !== undefined);
  }
  if (value === null || typeof value !== 'object') {
    return undefined;
  }
  const node = value as Record<string, unknown>;
  const text = [node['text'], node['value']].find((item) => typeof item === 'string') as
    string | undefined;
  if (text !== undefined && text.trim() !== '') {
    const field = FIELD_KEYS.map((key) => node[key])
      .filter((item) => typeof item === 'string')
      .join(' ');
    const placeholder = !looksLikeSecret(text) && text.length < 8;
    if ((CREDENTIAL_FIELD_NAME.test(field) && !placeholder) || sentSecret(text) !== undefined) {
      return text;
    }
  }
  return Object.values(node)
    .filter((item) => item !== null && typeof item === 'object')
    .map(typedCredential)
    .find((found) => found !== undefined);
}
