/**
 * Edit checks for changes that turn off TLS certificate verification or authentication,
 * read from the setting an added line writes rather than from the file's name.
 */
import { asksWithout } from './consent.js';
import { PRODUCTION_PART } from './production-names.js';

/**
 * Settings that skip certificate checks in Python (`verify=False`, `check_hostname = False`,
 * `CERT_NONE`), Node (`rejectUnauthorized: false`), Go (`InsecureSkipVerify: true`), PHP curl
 * (`CURLOPT_SSL_VERIFYPEER => false`), Ruby (`VERIFY_NONE`) and YAML or JSON configs.
 */
const VERIFICATION_OFF =
  /\bverify\s*=\s*False\b|\bcheck_hostname\s*=\s*False\b|\bCERT_NONE\b|\brejectUnauthorized["']?\s*:\s*false\b|\bInsecureSkipVerify\s*:\s*true\b|\bCURLOPT_SSL_VERIFY(?:PEER|HOST)["']?\s*(?:=>|,)\s*(?:false|0)\b|\bVERIFY_NONE\b|\b(?:tls_verify|ssl_verify|verify_ssl|verifySsl|tlsVerify|insecureSkipVerify|skip_tls_verify)["']?\s*[:=]\s*(?:false|no|0)\b|\b(?:insecure|skip_tls_verify|tls_insecure)["']?\s*[:=]\s*true\b/;

/** Requests that turn verification or authentication off on purpose. */
const ASKS_TO_DISABLE =
  /\b(?:disable|skip|turn off|switch off|ignore)\b[^.]*\b(?:verif\w*|tls|ssl|certificates?|auth\w*)\b/i;

/**
 * Returns the setting that an edit adds to turn off certificate verification or, in a file
 * whose path names production, an `enabled: false` under an `auth`, `oidc`, `sso` or `login` key. Lines that the edit
 * only keeps are ignored, and the user may ask for the change in words.
 */
export function weakensVerification(
  target: string,
  removed: string,
  added: string,
  messages: string,
): string | undefined {
  if (asksWithout(ASKS_TO_DISABLE, messages)) {
    return undefined;
  }
  const setting = VERIFICATION_OFF.exec(added)?.[0];
  if (setting !== undefined && !removed.includes(setting)) {
    return setting;
  }
  const authOff =
    /\b(?:\w*auth\w*|oidc|sso|login)[ \t]*:[ \t]*\n(?:[ \t]+[^\n]*\n)*?[ \t]+enabled[ \t]*:[ \t]*false\b/i.test(
      `${added}\n`,
    ) && /\benabled\s*:\s*true\b/i.test(removed);
  return authOff && PRODUCTION_PART.test(target) ? 'auth enabled: false' : undefined;
}
