/**
 * Secret redaction for tool output and logs: cloud keys, tokens, private keys, passwords
 * in URLs and values in .env-style lines are replaced before an agent or a trace reads them.
 * AWS secret access keys have no prefix, so they are found by where they stand (see
 * aws-secret-keys.ts).
 *
 * Every pass runs in time linear in the text length, because tool output can be a
 * megabyte-long line (a minified file, a base64 blob) and redaction runs on the event loop.
 * V8's regex engine backtracks, so each pattern below is written so that no two failed match
 * attempts scan the same stretch of text. A pattern starts with a literal or a bounded run,
 * or a loop drives it and skips what a failed attempt read.
 * A pattern with an unbounded run that any start position can enter is quadratic:
 * `[a-z][a-z0-9]*://` on 100 KB of letters takes seconds.
 */

import { findAwsSecretKeys } from './aws-secret-keys.js';

/** Replacement text for a removed secret. */
export const REDACTED = '[REDACTED]';

/**
 * Token formats with a fixed prefix. Each run after the prefix either has a bounded length
 * or cannot contain the start of another match, so every match attempt is linear and the
 * attempts do not overlap.
 */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bGOCSPX-[A-Za-z0-9_-]{20,}/g,
  /\bya29\.[A-Za-z0-9_-]{30,}/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  // sandstack's own tenant (`sst_`) and admin (`ssa_`) tokens: 32 random bytes in base64url.
  /\bss[at]_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
];

/** PEM armour lines. The label (`RSA`, `OPENSSH`, `ENCRYPTED`...) is bounded to 40 characters. */
const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;
const PRIVATE_KEY_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/g;

/** A JWT starts with `eyJ`, base64url of `{"`, at a word boundary. */
const JWT_START = /\beyJ/g;
/** A whole JWT from its `eyJ`: header, payload and signature of at least 10 characters each. */
const JWT = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/y;
/** The rest of a base64url run, used to skip past a JWT candidate that did not match. */
const BASE64URL_RUN = /[A-Za-z0-9_-]*/y;

/**
 * `scheme://user:password@host`: only the password goes. The match starts at `://`, and a
 * lookbehind checks the scheme (a letter, then letters, digits, `+`, `.` or `-`), so the
 * scheme run is read once per `://` rather than once per start position.
 */
const URL_PASSWORD = /:\/\/(?<=[a-z][a-z0-9+.-]*:\/\/)([^\s:/@]+:)([^\s@/]+)@/gi;

/**
 * `NAME=value` whose name marks a secret, as in .env files and shell exports. The match
 * starts at a word boundary, and the lookahead finds the marker inside that one word, so the
 * name is read once per word. The value must close with the quote it opened with, if any.
 */
const SECRET_ASSIGNMENT =
  /\b(?=[A-Za-z0-9_]*?(?:SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH))([A-Za-z0-9_]+\s*[=:]\s*)(["']?)([^\s"'#]{4,})\2/gi;
/**
 * The marker words of {@link SECRET_ASSIGNMENT} alone. Text without any of them, such as a
 * CSV of key pairs or one token per line, skips that pattern's lookahead at every word.
 */
const SECRET_NAME_MARKER =
  /SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|AUTH/i;
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g;

/**
 * Replaces secrets in `text` with `[REDACTED]`. Runs in time linear in `text.length`.
 *
 * @example
 * redactSecrets('postgres://app:hunter2@db/prod'); // 'postgres://app:[REDACTED]@db/prod'
 */
export function redactSecrets(text: string): string {
  // AWS secret keys are found by the access key ids next to them, so they go before the ids.
  let result = redactAwsSecretKeys(redactPrivateKeys(text));
  for (const pattern of TOKEN_PATTERNS) {
    result = result.replace(pattern, REDACTED);
  }
  result = redactJwts(result);
  result = result.replace(URL_PASSWORD, (_match, user: string) => `://${user}${REDACTED}@`);
  result = result.replace(BEARER, (_match, head: string) => `${head}${REDACTED}`);
  if (!SECRET_NAME_MARKER.test(result)) {
    return result;
  }
  result = result.replace(SECRET_ASSIGNMENT, (match, head: string, quote: string, value: string) =>
    value === REDACTED || value.startsWith('$') || /^(?:Bearer|Basic|Token)$/i.test(value)
      ? match
      : `${head}${quote}${REDACTED}${quote}`,
  );
  return result;
}

/** Replaces each AWS secret access key that {@link findAwsSecretKeys} finds. */
function redactAwsSecretKeys(text: string): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  for (const key of findAwsSecretKeys(text)) {
    parts.push(text.slice(copiedUpTo, key.start), REDACTED);
    copiedUpTo = key.end;
  }
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}

/**
 * Replaces each PEM private key block, from its BEGIN line to the first END line after it.
 * A lazy `BEGIN[\s\S]*?END` regex would rescan the rest of the text from every BEGIN line
 * that has no END line after it.
 */
function redactPrivateKeys(text: string): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  PRIVATE_KEY_BEGIN.lastIndex = 0;
  for (let begin = PRIVATE_KEY_BEGIN.exec(text); begin; begin = PRIVATE_KEY_BEGIN.exec(text)) {
    PRIVATE_KEY_END.lastIndex = PRIVATE_KEY_BEGIN.lastIndex;
    const end = PRIVATE_KEY_END.exec(text);
    if (!end) {
      // No END line follows this BEGIN line, so none follows a later one either.
      break;
    }
    parts.push(text.slice(copiedUpTo, begin.index), REDACTED);
    copiedUpTo = PRIVATE_KEY_END.lastIndex;
    PRIVATE_KEY_BEGIN.lastIndex = copiedUpTo;
  }
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}

/**
 * Replaces each JWT. A failed attempt from an `eyJ` reads to the end of that base64url run
 * and at most two more. Every later `eyJ` in the same run would fail the same way with a
 * shorter header, so the search resumes after the run.
 */
function redactJwts(text: string): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  JWT_START.lastIndex = 0;
  for (let start = JWT_START.exec(text); start; start = JWT_START.exec(text)) {
    JWT.lastIndex = start.index;
    if (JWT.test(text)) {
      parts.push(text.slice(copiedUpTo, start.index), REDACTED);
      copiedUpTo = JWT.lastIndex;
      JWT_START.lastIndex = copiedUpTo;
      continue;
    }
    BASE64URL_RUN.lastIndex = start.index;
    BASE64URL_RUN.test(text);
    JWT_START.lastIndex = BASE64URL_RUN.lastIndex;
  }
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}
