/**
 * Command lines that another program runs as a whole: the text of `sh -c`, `eval`, a heredoc
 * fed to a shell, and the shell text that inline code of an interpreter runs (Ruby and Perl
 * backticks, `qx`, `system`, Node `execSync`). The parser already records each command of such
 * a text, but several checks read the shape of a whole line (a computed `cd` before
 * `rm -rf *`, a variable set and then sent), and they skip commands reached through another
 * program. Each text is therefore parsed again as a line of its own, and stage 1 judges it as
 * it judges the plain line.
 */
import { isElsewhereStep } from './file-access.js';
import type { Finding } from './findings.js';
import type { ParsedShell } from './shell.js';

/** Maximum texts of one line that are judged again as lines of their own. */
export const MAX_NESTED_LINES = 16;

/** Maximum nesting of such texts (`ruby -e '`sh -c "…"`'`) that is parsed again. */
export const MAX_NESTED_DEPTH = 3;

/** A text that a program of the line runs as a command line, parsed as a line of its own. */
export interface NestedLine {
  text: string;
  parsed: ParsedShell;
}

/**
 * Records `text` as a command line that a program of `parsed` runs, reached through the steps
 * `via`. Texts run in a container or on another host are left out, because their paths are
 * not this machine's and the file checks judge them by their `via`. Texts past
 * {@link MAX_NESTED_LINES} are still parsed as commands of the line but not judged again.
 */
export function recordNestedScript(parsed: ParsedShell, text: string, via: string[]): void {
  if (via.some(isElsewhereStep)) {
    return;
  }
  const scripts = (parsed.nestedScripts ??= []);
  if (scripts.length < MAX_NESTED_LINES && text.trim() !== '' && !scripts.includes(text)) {
    scripts.push(text);
  }
}

/** The result of parsing a nested text: the parsed line, or the finding that stopped the parse. */
export type NestedParse = { shell: ParsedShell } | { finding: Finding };

/**
 * Nested texts already parsed while one call's command was parsed, by text, with the depth
 * each was parsed at. One text is often recorded at two depths: for
 * `bash -c "python3 -c 'os.system(\"ls\")'"` both the call's line and the `bash -c` line
 * record `ls`, which would otherwise be parsed twice.
 */
export type NestedParses = Map<string, { depth: number; result: NestedParse }>;

/**
 * Parses each recorded text of `parsed` with `parse` (which follows written scripts and the
 * other readers as for a call's command) and stores the results in `parsed.nestedLines`.
 * Texts whose parse stops with a finding are left out: their commands are already part of
 * `parsed`, which is judged as a whole. A text already in `parses` is reused instead of
 * parsed again, so two nested lines may share one `ParsedShell`.
 */
export async function parseNestedLines(
  parsed: ParsedShell,
  depth: number,
  parses: NestedParses,
  parse: (text: string) => Promise<NestedParse>,
): Promise<void> {
  const scripts = parsed.nestedScripts;
  if (scripts === undefined || depth >= MAX_NESTED_DEPTH) {
    return;
  }
  const lines: NestedLine[] = [];
  for (const text of scripts) {
    const result = await parsedOnce(text, depth + 1, parses, parse);
    if ('shell' in result) {
      lines.push({ text, parsed: result.shell });
    }
  }
  parsed.nestedLines = lines;
}

/**
 * Returns the parse of `text` at `depth` from `parses`, or parses it and stores the result.
 * The parse of one text under one call's context differs between depths only in how deep
 * its own nested texts are parsed, so a stored parse is reused at another depth only when
 * it recorded no nested texts.
 */
async function parsedOnce(
  text: string,
  depth: number,
  parses: NestedParses,
  parse: (text: string) => Promise<NestedParse>,
): Promise<NestedParse> {
  const stored = parses.get(text);
  if (
    stored !== undefined &&
    (stored.depth === depth ||
      ('shell' in stored.result && stored.result.shell.nestedScripts === undefined))
  ) {
    return stored.result;
  }
  const result = await parse(text);
  parses.set(text, { depth, result });
  return result;
}

/**
 * Judges each nested line of `parsed` with `classify` and returns the first finding that
 * `certain` accepts, else the first finding. The outer line's own finding, if any, is kept by
 * the caller unless a nested one is certain.
 */
export function nestedLineFinding(
  parsed: ParsedShell,
  classify: (line: NestedLine) => Finding | undefined,
  certain: (finding: Finding) => boolean,
): Finding | undefined {
  let first: Finding | undefined;
  for (const line of parsed.nestedLines ?? []) {
    const found = classify(line);
    if (found === undefined) {
      continue;
    }
    if (certain(found)) {
      return found;
    }
    first ??= found;
  }
  return first;
}
