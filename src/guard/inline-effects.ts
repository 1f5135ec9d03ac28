/**
 * File deletes and writes in inline interpreter code (`node -e`, `perl -e`, `ruby -e`,
 * `php -r`, `deno eval`, `bun -e`, `python -c`), read from calls whose path is a string
 * literal, and code that inline code downloads and then executes.
 */
import { finding, type Finding } from './findings.js';
import { NETWORK_CODE } from './exfiltration.js';
import type { ParsedShell } from './shell.js';
import type { CheckGate } from './check-gates.js';
import { INLINE_CACHE_ENTRIES, TextCache } from './text-cache.js';

/** Paths that inline code deletes and writes. */
export interface InlineFileEffects {
  deletes: string[];
  writes: string[];
}

/** A string literal in single, double or back quotes; group 2 is its text. */
const LITERAL = String.raw`(['"\x60])((?:\\.|(?!\1).)*)\1`;

/**
 * Calls that delete the path given as their first argument, in Node, Deno, Python, Ruby,
 * Perl and PHP. Perl's `unlink glob("…")` passes the pattern through `glob`.
 */
const DELETE_CALL = new RegExp(
  String.raw`\b(?:rmSync|rmdirSync|unlinkSync|rm|rmdir|unlink|remove|removeSync|rmtree|rm_rf|rm_r|rm_f|remove_dir|remove_entry|remove_entry_secure|remove_file|remove_tree|emptyDirSync|emptyDir|RemoveAll|delete)\s*\(?\s*(?:glob\s*\(?\s*)?${LITERAL}`,
  'g',
);
/** `Path("…").unlink()` and similar, where the path comes before the call. */
const PATH_THEN_DELETE = new RegExp(
  String.raw`\b(?:Path|File|Dir|Pathname)\s*[.(]\s*(?:new\s*\(\s*)?${LITERAL}\s*\)?\s*\.\s*(?:unlink|rmdir|rmtree|delete)\b`,
  'g',
);
/**
 * Calls that write or append to the path given as their first argument. `symlinkSync` is not
 * one, because its first argument is the link's target, which inline-links.ts judges.
 */
const WRITE_CALL = new RegExp(
  String.raw`\b(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|writeTextFileSync|writeTextFile|file_put_contents|IO\.write|File\.write|Bun\.write|copyFileSync)\s*\(?\s*${LITERAL}`,
  'g',
);
/** Python and Ruby `open("…", "w")`, and Perl `open(F, ">…")` or `open(F, ">", "…")`. */
const OPEN_FOR_WRITE = new RegExp(
  String.raw`\bopen\s*\(?\s*${LITERAL}\s*,\s*['"][^'"]*[wax+]|\bopen\s*\(?\s*[^,()]+,\s*['"]\s*(?:>>?|\+<)\s*(?:['"]\s*,\s*['"])?([^'"]+)['"]`,
  'g',
);
/** `Path("…").write_text(…)` and similar. */
const PATH_THEN_WRITE = new RegExp(
  String.raw`\b(?:Path|Pathname)\s*\(\s*${LITERAL}\s*\)\s*\.\s*(?:write_text|write_bytes|touch|symlink_to)\b`,
  'g',
);

/** Results of {@link inlineFileEffects} by code. */
const fileEffects = new TextCache<InlineFileEffects>(INLINE_CACHE_ENTRIES);

/**
 * Reads the literal paths that `code` deletes and writes. The result is shared with later
 * calls for the same code, so callers must not change it.
 */
export function inlineFileEffects(code: string): InlineFileEffects {
  return fileEffects.get(code, () => readFileEffects(code));
}

function readFileEffects(code: string): InlineFileEffects {
  const deletes = [...literalPaths(code, DELETE_CALL), ...literalPaths(code, PATH_THEN_DELETE)];
  const writes = [...literalPaths(code, WRITE_CALL), ...literalPaths(code, PATH_THEN_WRITE)];
  for (const match of code.matchAll(OPEN_FOR_WRITE)) {
    const target = match[2] ?? match[3];
    if (target !== undefined && target.trim() !== '') {
      writes.push(target.trim());
    }
  }
  return { deletes, writes };
}

function literalPaths(code: string, pattern: RegExp): string[] {
  const paths: string[] = [];
  for (const match of code.matchAll(pattern)) {
    const text = match[2];
    if (text !== undefined && text !== '') {
      paths.push(text);
    }
  }
  return paths;
}

/**
 * Evaluation of code held in a value: `exec(…)`, `eval(…)`, `new Function`, `.then(eval)`,
 * Node's `vm.run…`, a `data:`/`http:` dynamic import, Perl's `eval get(…)` and PowerShell's
 * `iex`.
 */
const EXECUTES_VALUE =
  /(?<![\w.$])(?:exec|eval|execfile|instance_eval|class_eval|module_eval|Invoke-Expression|iex)\s*\(|\.then\(\s*eval\s*\)|\bnew\s+Function\b|\bvm\.run\w*\(|\bimport\s*\(\s*['"`]?(?:data|https?):|(?<![\w.])(?:eval|exec)\s+(?:get\b|[$A-Z])|\|\s*(?:iex|Invoke-Expression)\b/;

/** Gate of {@link checkFetchedCode}, which reads only inline code. */
export const FETCHED_CODE_GATE: CheckGate = { inlineCode: true };

/** Finds inline code that downloads code and executes it, as `curl … | sh` does. */
export function checkFetchedCode(parsed: ParsedShell): Finding | undefined {
  for (const { interpreter, code } of parsed.inlineCode) {
    if (NETWORK_CODE.test(code) && EXECUTES_VALUE.test(code)) {
      return finding(
        'code-from-external',
        `Inline ${interpreter} code downloads code and executes it without review`,
        'inline-fetch-exec',
      );
    }
  }
  return undefined;
}
