/**
 * Reads the user's own messages from a Claude Code transcript (JSON Lines). Assistant text,
 * tool results, subagent prompts and compaction summaries are left out, because the guard
 * must never see text that the agent or a tool could have written.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Most recent user messages kept; older ones only make the guard stricter when dropped. */
export const MAX_USER_MESSAGES = 100;

/**
 * Bytes read from the end of a transcript. A longer file loses its oldest turns, which only
 * makes the guard stricter, and the cap bounds the time a hook spends reading.
 */
export const MAX_TRANSCRIPT_BYTES = 8 * 1024 * 1024;

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
 * {@link MAX_USER_MESSAGES}, read from its last {@link MAX_TRANSCRIPT_BYTES}. A missing file,
 * a path that is not a regular file (a device, a FIFO, a folder) or an unreadable line yields
 * fewer messages, never an error, because Claude Code writes the transcript asynchronously.
 */
export function readUserMessages(path: string | undefined): string[] {
  if (path === undefined || path === '') {
    return [];
  }
  const text = readTranscriptTail(path);
  if (text === undefined) {
    return [];
  }
  const lines = text.split('\n');
  const messages: string[] = [];
  // From the newest line back, so the work stops once enough messages are found.
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const message = userText(parseLine(lines[index] as string));
    if (message !== undefined) {
      messages.push(message);
      if (messages.length === MAX_USER_MESSAGES) {
        break;
      }
    }
  }
  return messages.reverse();
}

/** Reads the last {@link MAX_TRANSCRIPT_BYTES} of a regular file, or undefined for anything else. */
function readTranscriptTail(path: string): string | undefined {
  let fd: number;
  try {
    // O_NONBLOCK keeps the open of a FIFO from waiting for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      return undefined;
    }
    const length = Math.min(stats.size, MAX_TRANSCRIPT_BYTES);
    const start = stats.size - length;
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const read = readSync(fd, buffer, filled, length - filled, start + filled);
      if (read === 0) {
        break;
      }
      filled += read;
    }
    const text = buffer.subarray(0, filled).toString('utf8');
    // A tail that starts inside a line drops that partial line.
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
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
