/**
 * Config settings that switch off audit logging or a security control: `audit_log.enabled =
 * false`, `verify_ssl: false`, `config.force_ssl = false`, `SESSION_COOKIE_SECURE = False`,
 * `csrf_protection: off`. A change that adds one (and did not have it before) is asked unless
 * the user asked to turn that control off. Test, development and local settings, CI files
 * and prose are left alone, since tests and local servers often run without these.
 */
import { replacements } from './auth-settings.js';
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { shellWrites } from './shell-writes.js';
import type { ParsedShell } from './shell.js';

/** Cheap tests that run before the setting pattern: a control's name and an off value. */
const KEYWORD = /audit|ssl|tls|verif|csrf|xsrf|hsts|secure|mfa|two_?factor|rate_?limit/i;
const OFF_VALUE = /(?:=>|[:=])\s*["']?(?:false|off|no|0|disabled?|none)\b/i;
/**
 * A setting whose key path names an audit or security control, set to an off value. The key
 * may be dotted, quoted or a Ruby or Python attribute; `=`, `:` and `=>` assign.
 */
const SECURITY_OFF =
  /(?:^|[\s{,(])((?:[\w-]+\.)*["']?[\w-]*(?:audit|verify_?ssl|ssl_?verify|verify_?certs?|verify_?tls|tls_?verify|check_?hostname|force_?ssl|cookie_?secure|secure_?cookies?|session_?cookie_?secure|csrf|xsrf|hsts|mfa|two_?factor|rate_?limit)[\w-]*["']?(?:\.[\w-]+)*)\s*(?:=>|[:=])\s*["']?(false|off|no|0|disabled?|none)\b["']?/gim;
/** Files for tests, development and local runs, CI, and prose. */
const EXEMPT_FILE =
  /(?:^|\/)(?:test|tests|spec|specs|__tests__|fixtures|e2e)\/|(?:^|[/._-])(?:test|testing|development|dev|local)(?=[._-]|$)|^\.github\/workflows\/|^\.gitlab-ci\.ya?ml$|^\.circleci\/|\.(?:md|mdx|markdown|rst|txt|adoc)$/i;
/** Requests to turn a control off: "disable SSL verification", "turn off the audit log". */
const OFF_REQUEST =
  /\b(?:disable|turn(?:ing)? off|switch(?:ing)? off|skip|stop|without|no longer|drop|set \S+ to false)\b[^.!?\n]{0,60}\b(?:audit\w*|ssl|tls|cert\w*|verif\w*|csrf|xsrf|hsts|secure cookies?|cookie\w*|mfa|2fa|two[- ]factor|rate[- ]limit\w*)/i;

/** Returns the first setting in `added` that switches a security control off and is not in `removed`. */
function newOffSetting(removed: string, added: string): string | undefined {
  if (!KEYWORD.test(added) || !OFF_VALUE.test(added)) {
    return undefined;
  }
  for (const match of added.matchAll(SECURITY_OFF)) {
    const setting = match[0].trim().replace(/^[{,(]\s*/, '');
    if (!removed.includes(setting)) {
      return setting;
    }
  }
  return undefined;
}

/**
 * Judges a change of the project file `relative` that removes `removed` and adds `added`:
 * a finding when it adds a setting that switches audit logging or a security control off
 * and the user did not ask for that.
 */
export function checkSecuritySettingChange(
  relative: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  if (EXEMPT_FILE.test(relative)) {
    return undefined;
  }
  const setting = newOffSetting(removed, added);
  if (setting === undefined || asksWithout(OFF_REQUEST, messages)) {
    return undefined;
  }
  const audit = /audit/i.test(setting);
  // The rule id gets its `tier:` or `stage1:` prefix from the caller, as for the other
  // config checks.
  return {
    category: audit ? 'audit-tampering' : 'security-weaken',
    reason: `The change to "${relative}" switches ${audit ? 'audit logging' : 'a security control'} off (${setting}), which the user did not ask for`,
    rule: 'security-setting-off',
  };
}

/** Finds a shell write or in-place edit that adds such a setting to a file. */
export function checkSecuritySettingCommands(
  parsed: ParsedShell,
  messages: string,
): Finding | undefined {
  for (const write of shellWrites(parsed)) {
    const text = write.inPlace ? replacements(write.text) : write.text;
    const found = checkSecuritySettingChange(write.target, '', text, messages);
    if (found !== undefined) {
      return finding(found.category, found.reason, found.rule);
    }
  }
  return undefined;
}
