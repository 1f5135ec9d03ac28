/**
 * Inline code that hands text other than a string literal to an evaluator: Python `exec`,
 * `eval` or a builtin fetched by name, JavaScript `eval`, `Function` or `vm`, Perl `eval`
 * of an expression, Ruby `eval` and `instance_eval`. The text they run is built at run time
 * (decoded, decompressed, read from a file), so the guard cannot judge it.
 */
import type { InlineCode } from './shell.js';

/** Words one of which every evaluator call contains; code with none skips the patterns. */
const KEYWORDS = /eval|exec|Function|runIn|compileFunction|builtins/;

/** A string literal alone, the only argument an evaluator may take unreviewed. */
const LITERAL = String.raw`(?:'[^'\\]*'|"[^"\\$]*")\s*[),;]`;

const PATTERNS: Record<string, RegExp> = {
  python: new RegExp(
    String.raw`(?<![.\w])(?:exec|eval)\s*\(\s*(?!${LITERAL})|getattr\s*\(\s*(?:__builtins__|builtins)|__builtins__\s*\.\s*__dict__|__import__\(\s*['"]builtins`,
  ),
  node: new RegExp(
    String.raw`(?<![.\w])eval\s*\(\s*(?!${LITERAL})|\bFunction\s*\(|\.runIn(?:This|New)?Context\s*\(|\bvm\.(?:Script|compileFunction)\b`,
  ),
  perl: new RegExp(String.raw`(?<![.\w$@%])eval\s*\(?\s*(?![{'"\s])`),
  ruby: new RegExp(
    String.raw`(?<![.\w])eval\s*[(\s]\s*(?!${LITERAL}|['"][^'"]*['"]\s*$)|\b(?:instance|class|module)_eval\s*[(\s]\s*(?!\{|do\b)|send\s*\(?\s*[:'"]eval`,
  ),
};
PATTERNS.deno = PATTERNS.node as RegExp;
PATTERNS.bun = PATTERNS.node as RegExp;

/** Returns the interpreter of the first inline code that evaluates text built at run time. */
export function evaluatedAtRunTime(inlineCode: readonly InlineCode[]): string | undefined {
  for (const { interpreter, code } of inlineCode) {
    const pattern = PATTERNS[interpreter];
    if (pattern !== undefined && KEYWORDS.test(code) && pattern.test(code)) {
      return interpreter;
    }
  }
  return undefined;
}
