/**
 * Adds to a parsed command line the shell commands that actions written in another language
 * amount to: a database client's file and shell commands, files git prints from history, and
 * links made by inline code. The
 * stage-1 checks then judge them as the shell commands they are.
 */
import { clientScriptActions } from './client-scripts.js';
import { gitHistoryReads } from './git-history-reads.js';
import { inlineLinkActions } from './inline-links.js';
import { parseShell, type ParseShellOptions, type ParsedShell } from './shell.js';

/**
 * Parses the shell text of the embedded actions of `parsed` and adds its commands, marked with
 * `embedded` in `via`. Their pipelines get ids after those of `parsed`.
 */
export async function followEmbeddedActions(
  parsed: ParsedShell,
  options: ParseShellOptions,
): Promise<void> {
  const text = [
    clientScriptActions(parsed),
    gitHistoryReads(parsed),
    inlineLinkActions(parsed.inlineCode),
  ]
    .filter((part) => part !== '')
    .join('\n');
  if (text === '') {
    return;
  }
  const inner = await parseShell(text, options);
  const offset = Math.max(-1, ...parsed.commands.map((command) => command.pipeline?.id ?? -1)) + 1;
  for (const command of inner.commands) {
    const pipeline =
      command.pipeline === undefined
        ? {}
        : { pipeline: { ...command.pipeline, id: command.pipeline.id + offset } };
    parsed.commands.push({ ...command, ...pipeline, via: ['embedded', ...command.via] });
  }
  parsed.inlineCode.push(...inner.inlineCode);
  parsed.heredocs.push(...inner.heredocs);
  if (!inner.confident) {
    parsed.confident = false;
    parsed.problems.push(...inner.problems);
  }
}
