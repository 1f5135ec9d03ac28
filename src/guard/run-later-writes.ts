/**
 * The text that a tool call puts into a file that runs later (see run-later.ts). For the
 * file tools it is the content or added text of a Write, Edit or MultiEdit. For the shell
 * it is the text written by redirection, heredoc or `tee`, a `sed -i`/`perl -i` replacement,
 * `npm pkg set scripts.*`, or a `jq` filter over package.json.
 */
import path from 'node:path';
import { runLaterKind, type RunLaterKind } from './run-later.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { ToolCall } from './types.js';
import { writtenText } from './written-scripts.js';

/** Text written into a file that runs later. */
export interface RunLaterWrite {
  file: string;
  kind: RunLaterKind;
  text: string;
}

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit']);

/** Returns the text a Write, Edit or MultiEdit call adds to a file that runs later. */
export function runLaterFileWrite(call: ToolCall): RunLaterWrite | undefined {
  const file = call.input['file_path'];
  if (!FILE_TOOLS.has(call.tool) || typeof file !== 'string') {
    return undefined;
  }
  const kind = runLaterKind(file);
  if (kind === undefined) {
    return undefined;
  }
  const edits = Array.isArray(call.input['edits']) ? (call.input['edits'] as unknown[]) : [];
  const texts = [call.input['content'], call.input['new_string']];
  for (const edit of edits) {
    if (typeof edit === 'object' && edit !== null) {
      texts.push((edit as Record<string, unknown>)['new_string']);
    }
  }
  const text = texts.filter((value): value is string => typeof value === 'string').join('\n');
  return { file, kind, text };
}

/** Returns the text the commands of `parsed` write into files that run later. */
export function runLaterShellWrites(parsed: ParsedShell, cwd: string): RunLaterWrite[] {
  const writes: RunLaterWrite[] = [];
  for (const command of parsed.commands) {
    for (const { file, text } of commandWrites(command, cwd)) {
      const kind = runLaterKind(file);
      if (kind !== undefined && text.trim() !== '') {
        writes.push({ file, kind, text });
      }
    }
  }
  return writes;
}

/** Programs that {@link commandWrites} reads for writes other than output redirects. */
const ARGUMENT_WRITERS = new Set(['tee', 'npm', 'pnpm', 'yarn', 'jq', 'sed', 'perl']);

function commandWrites(command: SimpleCommand, cwd: string): { file: string; text: string }[] {
  // Most commands write through no redirect and are none of the programs read below.
  if (
    !ARGUMENT_WRITERS.has(command.name) &&
    !command.redirects.some((redirect) => redirect.operator.includes('>'))
  ) {
    return [];
  }
  const args = command.argv.slice(1);
  const resolve = (file: string): string => path.posix.resolve(cwd, file);
  const targets = command.redirects
    .filter((redirect) => redirect.operator.includes('>'))
    .map((redirect) => redirect.target);
  if (command.name === 'tee') {
    targets.push(...args.filter((arg) => !arg.startsWith('-')));
  }
  const writes: { file: string; text: string }[] = [];
  const written = targets.length > 0 ? writtenText(command) : undefined;
  if (written !== undefined) {
    writes.push(...targets.map((target) => ({ file: resolve(target), text: written.text })));
  }
  if (command.name === 'npm' || command.name === 'pnpm' || command.name === 'yarn') {
    // `npm pkg set scripts.postinstall="…"` adds a lifecycle script to package.json.
    const set = args.indexOf('set');
    if (args[0] === 'pkg' && set === 1) {
      const scripts = args
        .slice(2)
        .filter((arg) => /^scripts\.[^=]+=/.test(arg))
        .map((arg) => JSON.stringify(arg.slice(arg.indexOf('=') + 1)));
      if (scripts.length > 0) {
        writes.push({ file: resolve('package.json'), text: scripts.join('\n') });
      }
    }
  }
  if (command.name === 'jq') {
    // The filter's string literals are values the output file (often package.json) gets.
    const file = args.filter((arg) => !arg.startsWith('-')).slice(1);
    const filter = args.find((arg) => !arg.startsWith('-'));
    if (filter !== undefined && file.some((arg) => runLaterKind(arg) !== undefined)) {
      writes.push(...file.map((arg) => ({ file: resolve(arg), text: filter })));
    }
  }
  if (
    (command.name === 'sed' || command.name === 'perl') &&
    args.some((arg) => /^-\w*i/.test(arg))
  ) {
    const expressions = args.filter((arg) => /^s(.).*\1.*\1\w*$/s.test(arg));
    const files = args.filter((arg) => !arg.startsWith('-') && !expressions.includes(arg));
    const replaced = expressions.map(replacementText).join('\n');
    writes.push(...files.map((file) => ({ file: resolve(file), text: replaced })));
  }
  return writes;
}

/** Returns the replacement of a `s/pattern/replacement/flags` expression, escapes undone. */
function replacementText(expression: string): string {
  const delimiter = expression[1] ?? '/';
  const parts = expression.slice(2).split(delimiter);
  return (parts[1] ?? '').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
}

/** Programs that put another file's content at a target path named last. */
const COPIERS = new Set(['cp', 'mv', 'install', 'ln']);

/**
 * Returns a file that runs later which a command replaces by a copy of a file outside the
 * project (`cp /tmp/payload.py conftest.py`), whose text the guard cannot read.
 */
export function runLaterCopy(
  parsed: ParsedShell,
  cwd: string,
  projectDir: string,
): { file: string; source: string } | undefined {
  for (const command of parsed.commands) {
    if (!COPIERS.has(command.name)) {
      continue;
    }
    const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
    const target = operands.at(-1);
    if (operands.length < 2 || target === undefined || runLaterKind(target) === undefined) {
      continue;
    }
    const source = operands
      .slice(0, -1)
      .find(
        (arg) => /^[~/]/.test(arg) && !path.posix.resolve(cwd, arg).startsWith(`${projectDir}/`),
      );
    if (source !== undefined) {
      return { file: path.posix.resolve(cwd, target), source };
    }
  }
  return undefined;
}
