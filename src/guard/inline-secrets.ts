/**
 * Inline interpreter code (`python3 -c`, `node -e`, `ruby -e`, a heredoc to an interpreter)
 * that prints the value of a secret-named environment variable into the session.
 */
import { finding, type Finding } from './findings.js';
import type { ParsedShell } from './shell.js';

/** Reads of one environment variable by name in Python, JavaScript, Ruby, Perl, Java and Deno. */
const ENV_READ =
  /os\.environ\s*\[\s*["'](\w+)["']\s*\]|os\.environ\.get\(\s*["'](\w+)["']|os\.getenv\(\s*["'](\w+)["']|process\.env\.(\w+)|process\.env\[\s*["'](\w+)["']\s*\]|ENV(?:\.fetch\(\s*|\[\s*)["'](\w+)["']|\$ENV\{["']?(\w+)["']?\}|System\.getenv\(\s*"(\w+)"|Deno\.env\.get\(\s*["'](\w+)["']/g;

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|AUTH/i;

/** Calls that write to the session's output. */
const PRINTS =
  /\bprint\b|console\.(?:log|info|warn|error|dir|table)|\bputs\b|\bpp?\s|\bsay\b|sys\.std(?:out|err)\.write|process\.std(?:out|err)\.write|System\.(?:out|err)\.print|\bpprint\b|\blogging\.\w+\(|\blogger\.\w+\(/;

/** Text just before a read that reduces it to a yes/no or a length, such as `bool(`. */
const TESTED_BEFORE = /(?:\bbool|\blen|\bBoolean|\bdefined)\s*\(\s*$|!!\s*$/;
/** Text just after a read that compares it or takes its length, such as ` is not None`. */
const TESTED_AFTER =
  /^\s*\)?\s*(?:is(?: not)? None|[!=]==?\s*(?:None|undefined|null|nil|""|'')|\.length\b|\?\.length\b|\.nil\?|\.present\?|\.empty\?|\?\s)/;

/**
 * Finds inline code that prints a secret-named environment variable. Code that prints only
 * whether the variable is set or how long it is does not count.
 */
export function checkInlineSecretPrints(parsed: ParsedShell): Finding | undefined {
  for (const inline of parsed.inlineCode) {
    const code = inline.code;
    if (!PRINTS.test(code)) {
      continue;
    }
    for (const read of code.matchAll(ENV_READ)) {
      const name = read.slice(1).find((group) => group !== undefined) ?? '';
      const at = read.index;
      const tested =
        TESTED_BEFORE.test(code.slice(Math.max(0, at - 12), at)) ||
        TESTED_AFTER.test(code.slice(at + read[0].length, at + read[0].length + 24));
      if (SECRET_NAME.test(name) && !tested) {
        return finding(
          'credential-leakage',
          `The ${inline.interpreter} code prints the value of the secret variable ${name}`,
          'inline-secret-print',
        );
      }
    }
  }
  return undefined;
}
