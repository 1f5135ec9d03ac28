/**
 * Python, Node, Ruby, Perl and PHP scripts the Write tool creates. As with shell scripts, the
 * guard keeps no record of earlier calls, so `python3 sync.py` after a Write of `sync.py`
 * shows nothing of what the script does. The Write is therefore judged as the same code given
 * inline (`python3 -c '…'`, `perl -e '…'`, `php -r '…'`), and only for what inline code may
 * not do at all: read credentials or send data out. A module's other effects, such as reading
 * its settings from the environment, are judged when it runs.
 */
import path from 'node:path';
import { namesCredentialPath, SENSITIVE_DATA, type Finding } from './findings.js';
import { writtenFile } from './written-files.js';
import type { ToolCall } from './types.js';

/** Interpreters by file extension, as the command that would run inline code. */
const INTERPRETERS: ReadonlyMap<string, string> = new Map([
  ['.py', 'python3 -c'],
  ['.js', 'node -e'],
  ['.mjs', 'node -e'],
  ['.cjs', 'node -e'],
  ['.rb', 'ruby -e'],
  ['.pl', 'perl -e'],
  ['.pm', 'perl -e'],
  ['.php', 'php -r'],
]);
/** A `#!` line naming python, node, ruby, perl or php, directly or through `env`. */
const SHEBANG =
  /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(python[0-9.]*|node|nodejs|ruby|perl|php)\b/;
/** PHP's open and close tags, which `php -r` code leaves out. */
const PHP_TAGS = /^\s*<\?(?:php\b|=)?|\?>\s*$/g;
/** Categories of the findings that count for a written script: reads of credentials and sends. */
const COUNTED_CATEGORIES = /exfiltration|credential|network-callback/;
/**
 * A read of one named environment variable (`os.environ['API_TOKEN']`, `os.getenv(…)`,
 * `process.env.API_URL`, `ENV.fetch(…)`, Perl's `$ENV{API_URL}`, PHP's `getenv('API_URL')`).
 * A module reads its settings this way and sends a token to the API it belongs to, so such a
 * read alone is not private data sent out.
 */
const NAMED_ENV_READ =
  /\bos\.environ\s*(?:\[\s*['"][\w-]+['"]\s*\]|\.get\s*\(\s*['"][\w-]+['"])|\bos\.getenv\s*\(\s*['"][\w-]+['"]|\bprocess\.env(?:\.\w+|\[\s*['"][\w-]+['"]\s*\])|\bENV(?:\[\s*['"][\w-]+['"]\s*\]|\.fetch\s*\(\s*['"][\w-]+['"])|\$ENV\{\s*['"]?\w+['"]?\s*\}|\bgetenv\s*\(\s*['"][\w-]+['"]|\$_(?:ENV|SERVER)\[\s*['"][\w-]+['"]\s*\]/g;

/**
 * Returns the command line that runs the code of a Python, Node, Ruby, Perl or PHP script a
 * Write call creates as inline code, or undefined when the call writes no such script.
 */
export function writtenCodeCommand(call: ToolCall): string | undefined {
  const written = writtenFile(call);
  if (written === undefined) {
    return undefined;
  }
  const { file, content } = written;
  const shebang = SHEBANG.exec(content)?.[1];
  const runner =
    shebang === undefined
      ? INTERPRETERS.get(path.posix.extname(file).toLowerCase())
      : shebangRunner(shebang);
  if (runner === undefined) {
    return undefined;
  }
  // Everything after the `#!` line, which the interpreter skips as a comment.
  const body = shebang === undefined ? content : content.replace(/^#![^\n]*\n?/, '');
  const code = runner === 'php -r' ? body.replace(PHP_TAGS, '') : body;
  return `${runner} '${code.replaceAll("'", String.raw`'\''`)}'`;
}

function shebangRunner(interpreter: string): string {
  if (interpreter.startsWith('python')) {
    return 'python3 -c';
  }
  switch (interpreter) {
    case 'ruby':
      return 'ruby -e';
    case 'perl':
      return 'perl -e';
    case 'php':
      return 'php -r';
    default:
      return 'node -e';
  }
}

/**
 * Checks whether a finding on a written script's `code` counts: a credential read, or a send
 * of private data other than the named settings a module reads from its environment.
 */
export function countsForWrittenCode(finding: Finding, code: string): boolean {
  if (!COUNTED_CATEGORIES.test(finding.category)) {
    return false;
  }
  if (!finding.rule.endsWith('inline-exfiltration')) {
    return true;
  }
  const withoutSettings = code.replace(NAMED_ENV_READ, '');
  return namesCredentialPath(withoutSettings) || SENSITIVE_DATA.test(withoutSettings);
}
