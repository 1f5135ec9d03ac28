/**
 * Parsing of recorded agent sessions (JSON Lines). Two line shapes are read:
 *
 * - the plain shape: `{"type":"session","cwd":…,"home":…}` (optional header), `{"type":"user",
 *   "text":…}`, and `{"type":"tool_use","name":"Bash","input":{…}}` or `{"tool":"Bash",
 *   "input":{…}}`;
 * - Claude Code transcript lines: `{"type":"user"|"assistant","cwd":…,"message":{…}}`, whose
 *   `tool_use` content blocks are the calls and whose user text is the user's messages.
 *
 * Any other line is an error naming its line number, because silently skipping a call
 * would replay a different session than the one recorded.
 */

/** One tool call of the session, with the user's messages sent before it. */
export interface SessionCall {
  line: number;
  tool: string;
  input: Record<string, unknown>;
  userMessages: string[];
}

/** A parsed session. */
export interface Session {
  /** Project directory of the recording; paths under it map to the sandbox's workspace. */
  projectDir: string | undefined;
  /** Home directory of the recording; paths under it map to the sandbox's home. */
  homeDir: string | undefined;
  calls: SessionCall[];
}

/** Tool names the replay can run. */
export const SUPPORTED_TOOLS = ['Bash', 'Read', 'Write', 'Edit', 'Glob', 'Grep'];

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a session file's text; throws an Error naming the bad line and the fix. */
export function parseSession(text: string): Session {
  const session: Session = { projectDir: undefined, homeDir: undefined, calls: [] };
  const userMessages: string[] = [];

  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(
        `Session line ${line} is not valid JSON: ${JSON.stringify(raw.slice(0, 80))}; each line must be one JSON object`,
      );
    }
    if (!isObject(value)) {
      throw new Error(
        `Session line ${line} is not a JSON object; each line must be one JSON object`,
      );
    }
    readLine(value, line, session, userMessages);
  });

  if (session.calls.length === 0) {
    throw new Error(
      'The session has no tool calls; expected lines like {"type":"tool_use","name":"Bash","input":{"command":"ls"}}',
    );
  }
  return session;
}

function readLine(value: JsonObject, line: number, session: Session, userMessages: string[]): void {
  if (typeof value.cwd === 'string' && session.projectDir === undefined) {
    session.projectDir = checkFolder(value.cwd, 'cwd', line);
  }
  if (value.type === 'session') {
    if (typeof value.home === 'string') {
      session.homeDir = checkFolder(value.home, 'home', line);
    }
    return;
  }
  if (value.type === 'user' && typeof value.text === 'string') {
    userMessages.push(value.text);
    return;
  }
  if (value.type === 'tool_use' || (value.type === undefined && 'tool' in value)) {
    const name = value.type === 'tool_use' ? value.name : value.tool;
    session.calls.push(toCall(name, value.input, line, userMessages));
    return;
  }
  if ((value.type === 'user' || value.type === 'assistant') && isObject(value.message)) {
    readTranscriptMessage(value.type, value.message, line, session, userMessages);
    return;
  }
  if (value.type === 'summary' || value.type === 'system') {
    return;
  }
  throw new Error(
    `Session line ${line} has an unknown shape (type ${JSON.stringify(value.type)}); expected "session", "user", "tool_use" or a Claude Code transcript line`,
  );
}

function readTranscriptMessage(
  role: string,
  message: JsonObject,
  line: number,
  session: Session,
  userMessages: string[],
): void {
  const content = message.content;
  if (typeof content === 'string') {
    if (role === 'user') {
      userMessages.push(content);
    }
    return;
  }
  if (!Array.isArray(content)) {
    return;
  }
  for (const block of content) {
    if (!isObject(block)) {
      continue;
    }
    if (role === 'user' && block.type === 'text' && typeof block.text === 'string') {
      userMessages.push(block.text);
    }
    // Tool results are what the tools printed: the guard must never see them, so they are dropped.
    if (role === 'assistant' && block.type === 'tool_use') {
      session.calls.push(toCall(block.name, block.input, line, userMessages));
    }
  }
}

function toCall(name: unknown, input: unknown, line: number, userMessages: string[]): SessionCall {
  if (typeof name !== 'string' || !SUPPORTED_TOOLS.includes(name)) {
    throw new Error(
      `Session line ${line} calls tool ${JSON.stringify(name)}, which the replay cannot run; supported tools: ${SUPPORTED_TOOLS.join(', ')}`,
    );
  }
  if (!isObject(input)) {
    throw new Error(
      `Session line ${line}: the ${name} call has no "input" object; add the tool's input`,
    );
  }
  return { line, tool: name, input, userMessages: [...userMessages] };
}

/**
 * Returns a recorded folder without its trailing slash. Paths are rewritten by prefix, so
 * the root or a relative folder would rewrite text that is not a path under it.
 */
function checkFolder(path: string, field: string, line: number): string {
  const folder = path.replace(/\/+$/, '');
  if (!path.startsWith('/') || folder === '') {
    throw new Error(
      `Session line ${line}: "${field}" is ${JSON.stringify(path)}; it must be an absolute folder other than "/"`,
    );
  }
  return folder;
}

/** Matches `folder` only as a whole path: not inside a longer name such as `folder2`. */
function folderPattern(folder: string): RegExp {
  const escaped = folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.~+@/-])${escaped}(?![\\w.~+@-])`, 'g');
}

/**
 * Rewrites the recording's paths to the sandbox's: the project directory becomes
 * `workspace` and the recording's home becomes `home`, in every string of the input.
 */
export function mapPaths(
  input: Record<string, unknown>,
  session: Session,
  target: { workspace: string; home: string },
): Record<string, unknown> {
  const replace = (text: string): string => {
    let result = text;
    if (session.projectDir !== undefined) {
      result = result.replace(folderPattern(session.projectDir), target.workspace);
    }
    if (session.homeDir !== undefined) {
      result = result.replace(folderPattern(session.homeDir), target.home);
    }
    return result;
  };
  const mapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    mapped[key] = typeof value === 'string' ? replace(value) : value;
  }
  return mapped;
}
