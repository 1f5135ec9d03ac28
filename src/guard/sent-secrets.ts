/**
 * Secrets in the text a call sends to other people or services. A JWT, a bearer or basic
 * credential, or a known token format counts in an issue or PR comment, a chat post, a gist,
 * a WebFetch URL or the body of an HTTP request. Placeholders (`<token>`, `$TOKEN`, `xxxx`)
 * and short or uniform values are not secrets.
 */
import { decodeUriSafe } from './decode-uri.js';
import { looksLikeSecret } from './clear-secrets.js';
import { finding, type Finding } from './findings.js';
import { tokenLiteral } from './planted-secrets.js';
import type { SimpleCommand } from './shell.js';

/** A JWT: base64url header and payload that both start with `{"`, and a signature. */
const JWT = /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;
/** A bearer or token credential as an HTTP client writes it. */
const BEARER = /\b(?:Bearer|token)\s+([A-Za-z0-9._~+/-]{16,}=*)/i;
/** HTTP basic credentials: base64 of `user:password`. */
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{12,}={0,2})/;
/** Words that every secret this module finds contains, checked before the patterns. */
const HINT =
  /eyJ|bearer|token|basic|AKIA|ASIA|gh[pousr]_|github_pat|glpat|xox|sk[-_]|rk_|AIza|npm_|SG\.|hf_|dop_|sntry|shp|pypi|hv[sbr]\.|lin_|dckr|whsec|glsa|gsk|xai|pplx|r8_|figd|pscale|rubygems|doo_|dapi|ATATT|AccountKey|GOCSPX|ya29\.|xapp-|8Q~/i;

/** Returns a short description of the secret `text` carries, or undefined. */
export function sentSecret(text: string): string | undefined {
  if (!HINT.test(text)) {
    return undefined;
  }
  if (tokenLiteral(text) !== undefined) {
    return 'an access token';
  }
  if (JWT.test(text)) {
    return 'a JWT';
  }
  const bearer = BEARER.exec(text)?.[1];
  if (bearer !== undefined && looksLikeSecret(bearer)) {
    return 'a bearer token';
  }
  const basic = BASIC.exec(text)?.[1];
  if (basic !== undefined) {
    const decoded = Buffer.from(basic, 'base64').toString('latin1');
    const password = /^[\x20-\x7e]+:([\x20-\x7e]+)$/.exec(decoded)?.[1];
    if (password !== undefined && looksLikeSecret(password)) {
      return 'a basic-auth password';
    }
  }
  return undefined;
}

/** Lists every string inside an MCP tool input, nested values included. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      strings(item, out);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) {
      strings(item, out);
    }
  }
  return out;
}

/**
 * A password or key written as a phrase in text for people: `pass=…`, `password: …`,
 * `pwd is …`, `api_key=…`, with up to three words between the name and the value, as in
 * "new DB password after rotation: `…`". The value must look like a secret (see
 * `looksLikeSecret`), so "the password is rotated" is no secret.
 */
const PASSWORD_PHRASE =
  /\b(?:pass(?:word|wd|phrase)?|pwd|pw|secret|(?:api|access|secret|private|signing)[ _-]?key|token)(?:[ \t]+[\w-]+){0,3}?\s*(?:[:=]|\bis\b|\bnow\b|->|\u2192)\s*['"`]?([^\s'"`,;]+)/gi;
/** MCP servers and tools whose text is posted for people: chat, tickets, issues, mail, wikis. */
const PEOPLE_TOOL =
  /slack|discord|teams|chat|mattermost|telegram|jira|linear|github|gitlab|notion|confluence|zendesk|intercom|mail|sendgrid|post|message|comment|issue|ticket|reply|send/i;

/** Returns a description of a password given as a phrase in `text`, or undefined. */
export function passwordPhrase(text: string): string | undefined {
  if (!/pass|pw|secret|key|token/i.test(text)) {
    return undefined;
  }
  for (const match of text.matchAll(PASSWORD_PHRASE)) {
    const value = (match[1] ?? '').replace(/[.)\]]+$/, '');
    if (looksLikeSecret(value)) {
      return 'a password';
    }
  }
  return undefined;
}

/** Finds a secret in the text an MCP write sends (a comment, a post, a file, a gist). */
export function checkMcpSentSecrets(
  tool: string,
  input: Record<string, unknown>,
): Finding | undefined {
  const forPeople = PEOPLE_TOOL.test(tool);
  for (const text of strings(input)) {
    const secret = sentSecret(text) ?? (forPeople ? passwordPhrase(text) : undefined);
    if (secret !== undefined) {
      return {
        category: 'credential-leakage',
        reason: `The ${tool} call sends ${secret} to others`,
        rule: 'tier:secret-in-mcp-text',
      };
    }
  }
  return undefined;
}

/** Finds a secret in a WebFetch URL, which the site and its logs receive. */
export function checkFetchedSecret(url: string): Finding | undefined {
  const secret = sentSecret(decodeUriSafe(url));
  return secret === undefined
    ? undefined
    : {
        category: 'credential-leakage',
        reason: `The WebFetch URL carries ${secret}`,
        rule: 'tier:secret-in-fetch-url',
      };
}

/** Options that give an HTTP client's request body or form fields. */
const BODY_OPTIONS =
  /^(?:-d|--data(?:-raw|-binary|-urlencode|-ascii)?|--json|-F|--form(?:-string)?|--body-data|--post-data|--body|--raw-field|-f|--field)$/;
/** Forge and chat CLIs whose text arguments are posted for others to read. */
const POSTING_CLIS = new Set(['gh', 'glab', 'tea', 'hub']);
const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'httpie']);

/** Checks whether an HTTP client's URL arguments all point at this machine. */
function sendsOnlyToLoopback(command: SimpleCommand): boolean {
  const urls = command.argv.filter(
    (arg) => /^[a-z]+:\/\//i.test(arg) || /^[\w.-]+(?::\d+)?\//.test(arg),
  );
  return (
    urls.length > 0 &&
    urls.every((url) =>
      /^(?:[a-z]+:\/\/)?(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?:[:/]|$)/i.test(url),
    )
  );
}

/**
 * Finds a literal secret in what a shell command posts: the body or form fields of an HTTP
 * request to another machine, or any argument of a forge CLI (`gh issue comment --body`). An
 * HTTP client's headers are how a token is used with its own service, so they do not count.
 */
export function checkShellSentSecrets(commands: readonly SimpleCommand[]): Finding | undefined {
  for (const command of commands) {
    const args = command.argv.slice(1);
    // `gh secret set` stores a secret where it belongs, and `gh auth` logs in with one.
    const posting = POSTING_CLIS.has(command.name) && args[0] !== 'secret' && args[0] !== 'auth';
    if (!posting && !HTTP_CLIENTS.has(command.name)) {
      continue;
    }
    const sent = posting
      ? args
      : args.filter(
          (arg, index) =>
            BODY_OPTIONS.test(args[index - 1] ?? '') ||
            /^--(?:data|json|form|body|post-data)\S*=/.test(arg) ||
            (command.name !== 'curl' && command.name !== 'wget' && /^[\w.-]+:?=/.test(arg)),
        );
    const secret = sent
      .map((text) => sentSecret(text) ?? (posting ? passwordPhrase(text) : undefined))
      .find((found) => found !== undefined);
    if (secret !== undefined && (posting || !sendsOnlyToLoopback(command))) {
      return finding(
        'credential-leakage',
        `The command sends ${secret} in the text it posts (${command.name})`,
        'secret-in-sent-text',
      );
    }
  }
  return undefined;
}
