/**
 * Reads the user's own messages from a Claude Code transcript (JSON Lines). Assistant text,
 * tool results, subagent prompts and compaction summaries are left out, because the guard
 * must never see text that the agent or a tool could have written.
 */
import { readFileSync } from 'node:fs';

/** Most recent user messages kept; older ones only make the guard stricter when dropped. */
export const MAX_USER_MESSAGES = 100;

// Turns that the user started but whose text is command output, such as `!ls` in bash mode.
const OUTPUT_WRAPPERS = /^\s*<(bash|local-command)-(stdout|stderr)>/;

interface TranscriptLine {
  type?: unknown;
  isMeta?: unknown;
  isSidechain?: unknown;
  isCompactSummary?: unknown;
  toolUseResult?: unknown;
  message?: { role?: unknown; content?: unknown };
}

/**
 * Returns the user messages of the transcript at `path`, oldest first, at most
 * {@link MAX_USER_MESSAGES}. A missing file or an unreadable line yields fewer messages,
 * never an error, because Claude Code writes the transcript asynchronously.
 */
export function readUserMessages(path: string | undefined): string[] {
  if (path === undefined || path === '') {
    return [];
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const messages: string[] = [];
  for (const line of text.split('\n')) {
    const message = userText(parseLine(line));
    if (message !== undefined) {
      messages.push(message);
    }
  }
  return messages.slice(-MAX_USER_MESSAGES);
}

function parseLine(line: string): TranscriptLine | undefined {
  if (line.trim() === '') {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as TranscriptLine) : undefined;
  } catch {
    return undefined;
  }
}

function userText(line: TranscriptLine | undefined): string | undefined {
  if (line === undefined || line.type !== 'user' || line.message?.role !== 'user') {
    return undefined;
  }
  // Meta turns are injected by Claude Code, sidechains are prompts the agent wrote for a
  // subagent, and compaction summaries are written by the model.
  if (line.isMeta === true || line.isSidechain === true || line.isCompactSummary === true) {
    return undefined;
  }
  if (line.toolUseResult !== undefined) {
    return undefined;
  }
  const text = contentText(line.message.content);
  if (text === undefined || text.trim() === '' || OUTPUT_WRAPPERS.test(text)) {
    return undefined;
  }
  return text;
}

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') {
    return content;
  }
  if (!Array.isArray(content)) {
    return undefined;
  }
  const blocks = content as { type?: unknown; text?: unknown }[];
  // A turn that carries a tool result is tool output, even when text blocks come with it.
  if (blocks.some((block) => block.type === 'tool_result')) {
    return undefined;
  }
  const texts = blocks
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text as string);
  return texts.length === 0 ? undefined : texts.join('\n');
}
