/**
 * Secret redaction for tool output and logs: cloud keys, tokens, private keys, passwords
 * in URLs and values in .env-style lines are replaced before an agent or a trace reads them.
 */

/** Replacement text for a removed secret. */
export const REDACTED = '[REDACTED]';

const PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g,
];

/** `scheme://user:password@host`: only the password goes. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;
/** `NAME=value` whose name marks a secret, as in .env files and shell exports. */
const SECRET_ASSIGNMENT =
  /(\b[A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH)[A-Za-z0-9_]*\s*[=:]\s*)(["']?)([^\s"'#]{4,})\2/gi;
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g;

/**
 * Replaces secrets in `text` with `[REDACTED]`.
 *
 * @example
 * redactSecrets('postgres://app:hunter2@db/prod'); // 'postgres://app:[REDACTED]@db/prod'
 */
export function redactSecrets(text: string): string {
  let result = text;
  for (const pattern of PATTERNS) {
    result = result.replace(pattern, REDACTED);
  }
  result = result.replace(
    URL_PASSWORD,
    (_match, head: string, _password: string, at: string) => `${head}${REDACTED}${at}`,
  );
  result = result.replace(BEARER, (_match, head: string) => `${head}${REDACTED}`);
  result = result.replace(SECRET_ASSIGNMENT, (match, head: string, quote: string, value: string) =>
    value === REDACTED || value.startsWith('$') || /^(?:Bearer|Basic|Token)$/i.test(value)
      ? match
      : `${head}${quote}${REDACTED}${quote}`,
  );
  return result;
}
