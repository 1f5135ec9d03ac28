/**
 * Inline interpreter code (`python3 -c`, `node -e`, `ruby -e`, a heredoc to an interpreter)
 * that prints the value of a secret-named environment variable into the session.
 */
import { finding, type Finding } from './findings.js';
import { isSecretName } from './secret-names.js';
import type { ParsedShell } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Reads of one environment variable by name in Python, JavaScript, Ruby, Perl, Java and Deno. */
const ENV_READ =
  /os\.environ\s*\[\s*["'](\w+)["']\s*\]|os\.environ\.get\(\s*["'](\w+)["']|os\.getenv\(\s*["'](\w+)["']|process\.env\.(\w+)|process\.env\[\s*["'](\w+)["']\s*\]|ENV(?:\.fetch\(\s*|\[\s*)["'](\w+)["']|\$ENV\{["']?(\w+)["']?\}|System\.getenv\(\s*"(\w+)"|Deno\.env\.get\(\s*["'](\w+)["']/g;

/** Calls that write to the session's output. */
const PRINTS =
  /\bprint\b|console\.(?:log|info|warn|error|dir|table)|\bputs\b|\bpp?\s|\bsay\b|sys\.std(?:out|err)\.write|process\.std(?:out|err)\.write|System\.(?:out|err)\.print|\bpprint\b|\blogging\.\w+\(|\blogger\.\w+\(/;

/** Code that is only a read, which `node -p EXPR` prints. */
const ONLY_READ = new RegExp(String.raw`^\s*(?:${ENV_READ.source})\s*;?\s*$`);

/** Text just before a read that reduces it to a yes/no or a length, such as `bool(`. */
const TESTED_BEFORE = /(?:\bbool|\blen|\bBoolean|\bdefined)\s*\(\s*$|!!\s*$/;
/** A URL parser call just before a read, such as `urlparse(` or `new URL(`. */
const PARSED_BEFORE =
  /(?:\burl(?:parse|split)|\bmake_url|\bURI\.parse|\bURI|\bnew URL|\burl\.parse|\bparse_url|\bdj_database_url\.parse)\s*\(\s*$/;
/**
 * Text just after a parsed read that keeps only a part without the password: the host, port,
 * scheme, path or database name.
 */
const PART_AFTER =
  /^\s*\]?\s*\)\s*\.(?:hostname|host|port|scheme|protocol|path|pathname|database|drivername)\b(?!\s*\()|^\s*\]?\s*\)\s*\[\s*["'](?:HOST|PORT|NAME|ENGINE)["']\s*\]/;
/** Text just after a read that compares it or takes its length, such as ` is not None`. */
const TESTED_AFTER =
  /^\s*\)?\s*(?:is(?: not)? None|[!=]==?\s*(?:None|undefined|null|nil|""|'')|\.length\b|\?\.length\b|\.nil\?|\.present\?|\.empty\?|\?\s)/;

/** Gate of {@link checkInlineSecretPrints}, which reads only inline code. */
export const INLINE_SECRET_PRINTS_GATE: CheckGate = { inlineCode: true };

/**
 * Finds inline code that prints a secret-named environment variable. Code that prints only
 * whether the variable is set or how long it is does not count.
 */
export function checkInlineSecretPrints(parsed: ParsedShell): Finding | undefined {
  for (const inline of parsed.inlineCode) {
    const code = inline.code;
    if (!PRINTS.test(code) && !ONLY_READ.test(code)) {
      continue;
    }
    for (const read of code.matchAll(ENV_READ)) {
      const name = read.slice(1).find((group) => group !== undefined) ?? '';
      const at = read.index;
      const before = code.slice(Math.max(0, at - 24), at);
      const after = code.slice(at + read[0].length, at + read[0].length + 24);
      const tested = TESTED_BEFORE.test(before) || TESTED_AFTER.test(after);
      const partOnly = PARSED_BEFORE.test(before) && PART_AFTER.test(after);
      if (isSecretName(name) && !tested && !partOnly) {
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
