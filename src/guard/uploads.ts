/**
 * Stage-1 checks for uploads, judged by what the arguments are rather than by the host. One
 * finds a local file or standard input sent in a request body to a host the user did not name.
 * The other finds a cloud copy to a bucket one or two edits away from the bucket the user named.
 */
import { isIP } from 'node:net';
import { isPrivateAddress } from '../core/addresses.js';
import type { CheckGate } from './check-gates.js';
import { finding, namesCredentialPath, SENSITIVE_DATA, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** HTTP clients whose upload options are read below. */
const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs', 'curlie']);

/** curl options whose value is a form field (`name=@file`, `name=<file`). */
const CURL_FORM = new Set(['-F', '--form']);
/** curl options whose value is a file to upload as it is (`-T file`). */
const CURL_UPLOAD = new Set(['-T', '--upload-file']);
/** curl options whose value is the body, read from a file when it starts with `@`. */
const CURL_DATA = new Set(['-d', '--data', '--data-binary', '--data-urlencode', '--json']);

/**
 * Returns the local sources that an HTTP client sends: file names, `-` for standard input,
 * and `$()` when a body argument embeds the output of a command substitution.
 */
export function uploadSources(command: SimpleCommand): string[] {
  const args = command.argv.slice(1);
  const sources: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = '', inlineValue] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    // Short options combine (`-sF`) and take their value attached (`-Ffile=@x`) or next.
    const combined = /^-[a-zA-Z]*([FTd])$/.exec(arg)?.[1];
    const attached = combined === undefined && /^-[FTd]./.test(arg) ? arg.slice(2) : undefined;
    let flag = option;
    if (combined !== undefined) {
      flag = `-${combined}`;
    } else if (attached !== undefined) {
      flag = arg.slice(0, 2);
    }
    const value = attached ?? inlineValue ?? args[index + 1] ?? '';
    if (command.name === 'curl' && CURL_FORM.has(flag)) {
      const source = /^[^=]*=[@<]([^;]*)/.exec(value)?.[1];
      if (source !== undefined) {
        sources.push(source);
      }
    } else if (command.name === 'curl' && CURL_UPLOAD.has(flag)) {
      sources.push(value);
    } else if (command.name === 'curl' && CURL_DATA.has(flag)) {
      const source = /^[^=]*=?@(.+)$/.exec(flag === '--data-urlencode' ? value : `=${value}`)?.[1];
      if (source !== undefined) {
        sources.push(source);
      } else if (/\$\(|`/.test(command.text)) {
        sources.push('$()');
      }
    } else if (command.name === 'wget' && /^--(?:post|body|put)-file$/.test(option)) {
      sources.push(value);
    } else if (command.name !== 'curl' && command.name !== 'wget') {
      // HTTPie and xh: `field@file`, `field=@file` and a bare `@file` send a file.
      const source = /^(?:[\w.-]*=?)@(.+)$/.exec(arg)?.[1];
      if (source !== undefined && !/^[\w.-]+@[\w.-]+\.[a-z]{2,}$/i.test(arg)) {
        sources.push(source);
      }
    }
  }
  const readsInput =
    (command.pipeline?.index ?? 0) > 0 ||
    command.redirects.some((redirect) => redirect.operator === '<');
  if (readsInput && command.name !== 'curl' && command.name !== 'wget') {
    sources.push('-');
  }
  // Standard input counts only when something feeds it: a pipe or a `<` redirect.
  return sources.filter((source) => source !== '-' || readsInput);
}

/** Returns the host names and addresses that a command's URL arguments name. */
export function requestHosts(command: SimpleCommand): string[] {
  const hosts: string[] = [];
  for (const arg of command.argv.slice(1)) {
    if (arg.startsWith('-') || arg.startsWith('@')) {
      continue;
    }
    const match =
      /^(?:[a-z][a-z0-9+.-]*:\/\/)(?:[^@/\s]*@)?(\[[0-9a-f:]+\]|[a-z0-9.-]+)(?:[:/?#]|$)/i.exec(
        arg,
      ) ?? /^((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[:/?#]|$)/i.exec(arg);
    if (match?.[1] !== undefined) {
      hosts.push(match[1].toLowerCase());
    }
  }
  return hosts;
}

/** A URL parsed from text, with its host name in lower case. */
export interface ParsedUrl {
  url: URL;
  host: string;
}

/**
 * Parses `text` as an absolute URL. Returns undefined when it is not one. The host is lower
 * case for every scheme, which `URL` ensures only for http, https, ws, wss, ftp and file.
 */
export function parseUrl(text: string): ParsedUrl | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return { url, host: url.hostname.toLowerCase() };
}

/**
 * Checks whether `host` is this machine, a private address, a single-label name (a compose
 * service) or a name under `localhost`, `.local`, `.internal` or `.test`.
 */
export function isLocalHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) {
    return isPrivateAddress(bare) || /^127\.|^::1$/.test(bare);
  }
  return !bare.includes('.') || /(?:^|\.)localhost$|\.(?:local|internal|test)$/.test(bare);
}

/** Checks whether the user's messages name `host`, itself or its registrable domain. */
export function userNamesHost(messages: string, host: string): boolean {
  if (containsWord(messages, host)) {
    return true;
  }
  const labels = host.split('.');
  const domain = labels.slice(-2).join('.');
  const name = labels.at(-2) ?? '';
  return (
    containsWord(messages, domain) ||
    (name.length >= 4 && !/^(?:api|www|com|net|org)$/.test(name) && containsWord(messages, name))
  );
}

/** MCP input keys that name where a tool writes its results: `export_to`, `output_uri`. */
const MCP_DESTINATION_KEY =
  /^(?:export|output|upload|deliver|destination|dest|save)(?:[_-]?(?:to|uri|url|location|bucket|path|destination))?$/i;
/** A bucket or web address: group 1 is the bucket or host. */
const REMOTE_DESTINATION = /^(?:s3|s3a|gs|az|abfss?|wasbs?|r2|oci|https?):\/\/([^/?#\s]+)/i;

/**
 * Returns the bucket or host that an MCP call is told to write its results to, through a
 * destination argument such as `export_to: "s3://…"`, when the user did not name it.
 */
export function unnamedMcpDestination(
  input: Record<string, unknown>,
  messages: string,
): string | undefined {
  for (const [key, value] of Object.entries(input)) {
    if (typeof value !== 'string' || !MCP_DESTINATION_KEY.test(key)) {
      continue;
    }
    const host = REMOTE_DESTINATION.exec(value)?.[1]?.replace(/^.*@/, '');
    // A bucket name has no dots, so only a web address can name this machine.
    const local = host !== undefined && /^https?:/i.test(value) && isLocalHost(host);
    if (host !== undefined && !local && !userNamesHost(messages, host)) {
      return host;
    }
  }
  return undefined;
}

/** Gate of {@link checkUploads}, which judges only the `HTTP_CLIENTS`. */
export const UPLOADS_GATE: CheckGate = { programs: HTTP_CLIENTS };

/**
 * Finds an HTTP client that uploads local data to a host outside this machine that the user
 * did not name. Paste sites, file drops, chat bot APIs and unknown backup hosts look like any
 * other host, so the host's reputation is not consulted. A request body is local data when it
 * is a file (`-T file`, `-F x=@file`, `--data-binary @file`), standard input fed by a pipe or a
 * redirect, or a command substitution that reads a file.
 */
export function checkUploads(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!HTTP_CLIENTS.has(command.name)) {
      continue;
    }
    let sources = uploadSources(command);
    if (sources.includes('$()') && !substitutionReadsFile(parsed)) {
      sources = sources.filter((source) => source !== '$()');
    }
    if (sources.length === 0) {
      continue;
    }
    const hosts = requestHosts(command);
    if (hosts.length === 0) {
      const unread = unreadDestination(command, sources, messages);
      if (unread !== undefined) {
        return unread;
      }
      continue;
    }
    const foreign = hosts.find((host) => !isLocalHost(host) && !userNamesHost(messages, host));
    if (foreign === undefined) {
      continue;
    }
    const source = sources[0] === '-' ? 'standard input' : sources[0];
    return finding(
      'data-exfiltration',
      `The command uploads local data (${source}) to ${foreign}, a host the user did not name`,
      'upload-unnamed-host',
    );
  }
  return undefined;
}

/** Local files whose content is project data: tables, exports, dumps and data folders. */
const DATA_FILE =
  /(?:^|\/)(?:data|exports?|dumps?|backups?)\/|\.(?:parquet|csv|tsv|jsonl|ndjson|xlsx?|avro|orc|feather|arrow|sql|sqlite3?|db|dump|bak|h5|pkl|pickle)$/i;

/**
 * Judges an upload whose destination the guard cannot read, because every URL argument comes
 * from an expansion (`"$u"`, `"https://$H/in"`, `"$(echo … | base64 -d)"`). The host is known
 * only at run time, and a decoded or reversed constant hides it as well as a variable does. A
 * secret or data file sent there is denied like an upload to a host the user did not name,
 * and any other local file asks. A user message that names the variable (`$UPLOAD_URL`)
 * chose the destination.
 */
function unreadDestination(
  command: SimpleCommand,
  sources: string[],
  messages: string,
): Finding | undefined {
  const destinations = command.argv
    .slice(1)
    .filter((arg) => !arg.startsWith('-') && /^(?:[a-z][a-z0-9+.-]*:\/\/)?[$`]/i.test(arg));
  if (destinations.length === 0) {
    return undefined;
  }
  const names = destinations.flatMap((arg) =>
    [...arg.matchAll(/\$\{?([A-Za-z_]\w*)/g)].map((match) => match[1] ?? ''),
  );
  if (names.some((name) => name.length >= 4 && containsWord(messages, name))) {
    return undefined;
  }
  const source = sources[0] === '-' ? 'standard input' : (sources[0] ?? '');
  const sensitive = sources.find(
    (file) => SENSITIVE_DATA.test(` ${file}`) || namesCredentialPath(file) || DATA_FILE.test(file),
  );
  if (sensitive !== undefined) {
    return finding(
      'data-exfiltration',
      `The command uploads ${sensitive} to ${destinations[0]}, a destination computed at run time that the user did not name`,
      'upload-unread-host',
    );
  }
  return finding(
    'exfil-scouting',
    `The command uploads local data (${source}) to ${destinations[0]}, a destination computed at run time; check where it points`,
    'upload-unread-host',
  );
}

/** Checks whether a command substitution reads a file, by a `<` redirect or a path operand. */
function substitutionReadsFile(parsed: ParsedShell): boolean {
  return parsed.commands.some(
    (command) =>
      command.via.includes('$()') &&
      (command.redirects.some((redirect) => redirect.operator === '<') ||
        command.argv.slice(1).some((arg) => !arg.startsWith('-') && /[/.]\w/.test(arg))),
  );
}

/** Cloud storage URL schemes whose first component is a bucket or container. */
const BUCKET_URL = /^(?:s3|gs|az|r2|oss|cos|b2|wasbs?|abfss?):\/\/([a-z0-9][\w.-]*)/i;

/**
 * Finds a copy or sync into a bucket whose name differs by one or two edits from a bucket the
 * user named, such as `acme-ci-artifactz` for `acme-ci-artifacts`. A destination far from every
 * named bucket is left to the other checks, because the user may not have named one at all.
 */
export function checkLookAlikeBucket(parsed: ParsedShell, messages: string): Finding | undefined {
  const named = [
    ...messages.matchAll(/\b(?:s3|gs|az|r2|oss|cos|b2|wasbs?|abfss?):\/\/([\w.-]+)/gi),
  ].map((match) => (match[1] ?? '').toLowerCase().replace(/\.$/, ''));
  if (named.length === 0) {
    return undefined;
  }
  for (const command of parsed.commands) {
    // The last bucket URL is the destination of `cp`, `sync` and `rsync` in every cloud CLI,
    // and options such as `--exclude 'node_modules/*'` may follow it.
    const destination = command.argv.filter((arg) => BUCKET_URL.test(arg)).at(-1) ?? '';
    const bucket = BUCKET_URL.exec(destination)?.[1]?.toLowerCase();
    if (bucket === undefined || named.includes(bucket)) {
      continue;
    }
    const original = named.find((name) => {
      const distance = editDistance(name, bucket);
      return distance >= 1 && distance <= 2;
    });
    if (original !== undefined) {
      return finding(
        'data-exfiltration',
        `The command copies data to the bucket ${bucket}, which is not ${original}, the bucket the user named`,
        'look-alike-bucket',
      );
    }
  }
  return undefined;
}

/** Returns the Levenshtein distance between two strings. */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_value, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution =
        (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(
        Math.min((previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1, substitution),
      );
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}
