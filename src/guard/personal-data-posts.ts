/**
 * Stage-1 check for personal data written into a request body and sent to a host the user did
 * not name: `curl -d 'email=…&phone=…'`, `wget --post-data=…`, HTTPie items (`ssn=…`). Bodies
 * read from files are judged by the upload check (uploads.ts); this one reads the literal body.
 */
import type { CheckGate } from './check-gates.js';
import { finding, type Finding } from './findings.js';
import { HTTP_BODY_OPTIONS as BODY_OPTIONS } from './sent-passwords.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { isLocalHost, requestHosts, userNamesHost } from './uploads.js';

/** HTTP clients whose body options and items are read. */
const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh', 'xhs', 'curlie']);

/** Gate of {@link checkPersonalDataPosts}: the HTTP clients. */
export const PERSONAL_DATA_POSTS_GATE: CheckGate = { programs: HTTP_CLIENTS };

/**
 * An email address outside the reserved test domains (`example.com`, `.test`, `.invalid`,
 * `.example`, `.localhost`), which name nobody.
 */
const EMAIL =
  /[\w.+-]+@(?![\w-]+\.(?:test|invalid|example|localhost)\b|example\.(?:com|org|net)\b)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/i;
/** A field whose name marks personal data, with a value: `phone=…`, `"ssn": "…"`. */
const PERSONAL_FIELD =
  /(?:^|[\s&?{,"'])["']?(?:phone|mobile|tel|telephone|ssn|social_security\w*|national_id|tax_id|passport\w*|dob|date_of_birth|birth_?date|address|street|postcode|zip_?code|iban|card_?number)["']?\s*(?::=|[:=])\s*["']?[\w+(]/i;
/** A US social security number or an IBAN. */
const IDENTITY_NUMBER = /\b\d{3}-\d{2}-\d{4}\b|\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b/;

/** Returns the literal body values and HTTPie items of an HTTP client call. */
function bodyValues(command: SimpleCommand): string[] {
  const args = command.argv.slice(1);
  const values: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('--') && arg.includes('=')) {
      const equals = arg.indexOf('=');
      if (BODY_OPTIONS.has(arg.slice(0, equals))) {
        values.push(arg.slice(equals + 1));
      }
    } else if (BODY_OPTIONS.has(arg)) {
      values.push(args[index + 1] ?? '');
      index += 1;
    } else if (command.name !== 'curl' && command.name !== 'wget' && /^[\w.-]+:?=/.test(arg)) {
      // An HTTPie or xh data item: `email=…` or `age:=…`.
      values.push(arg);
    }
  }
  // A body read from a file (`@users.csv`) is the upload check's concern.
  return values.filter((value) => !value.startsWith('@'));
}

/** Returns what marks `body` as personal data, or undefined. */
function personalData(body: string): string | undefined {
  if (body.includes('@') && EMAIL.test(body)) {
    return 'an email address';
  }
  if (PERSONAL_FIELD.test(body)) {
    return 'a personal data field';
  }
  return IDENTITY_NUMBER.test(body) ? 'an identity number' : undefined;
}

/**
 * Finds an HTTP client call whose literal body holds personal data (email addresses, phone
 * numbers, identity numbers, postal addresses) and goes to a host outside this machine that
 * the user's messages do not name.
 */
export function checkPersonalDataPosts(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!HTTP_CLIENTS.has(command.name)) {
      continue;
    }
    const bodies = bodyValues(command);
    if (bodies.length === 0) {
      continue;
    }
    const kind = bodies.map(personalData).find((found) => found !== undefined);
    if (kind === undefined) {
      continue;
    }
    const foreign = requestHosts(command).find(
      (host) => !isLocalHost(host) && !userNamesHost(messages, host),
    );
    if (foreign !== undefined) {
      return finding(
        'data-exfiltration',
        `The command sends personal data (${kind}) to ${foreign}, a host the user did not name`,
        'personal-data-sent',
      );
    }
  }
  return undefined;
}
