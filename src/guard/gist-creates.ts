/**
 * Consent to a gist, paste or snippet the user asked for: "make a minimal repro with fake data
 * in a secret gist". The request must name the kind of item. A public item needs a request
 * that says public, and a secret one a request that says secret or private, because a secret
 * gist is still readable by anyone with its link. No file may hold a secret or be a secret
 * file (`.env`, a key), and data records are judged by posted-records.ts before this runs.
 */
import { requestsVerb } from './consent.js';
import { redactSecrets } from './redact.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

const ITEM_WORDS = new Set(['gist', 'gists', 'paste', 'snippet', 'snippets']);
const CREATE_WORDS = new Set(['create', 'new', 'add', 'post', 'upload']);
const GIST_VERBS = String.raw`creat\w*|mak\w*|put\w*|post\w*|shar\w*|open\w*|past\w*|upload\w*|writ\w*|start\w*|do\b`;
/** File names of secrets, which no gist request covers. */
const SECRET_FILE =
  /(?:^|\/)(?:\.env(?:\.\w+)?|id_\w+|[\w.-]*\.(?:pem|key|p12|pfx|kdbx)|credentials(?:\.\w+)?|\.npmrc|\.pypirc|\.netrc)$/i;
/** Arguments that only describe the item or set its visibility. */
const SETTING_KEY = /^(?:description|title|public|visibility|private|secret)$/i;

/** Returns the file names and contents of a gist's `files`, or undefined when unreadable. */
function gistFiles(files: unknown): [string, string][] | undefined {
  if (typeof files !== 'object' || files === null || Array.isArray(files)) {
    return undefined;
  }
  const entries: [string, string][] = [];
  for (const [name, file] of Object.entries(files)) {
    const content =
      typeof file === 'object' && file !== null
        ? (file as Record<string, unknown>)['content']
        : file;
    if (typeof content !== 'string') {
      return undefined;
    }
    entries.push([name, content]);
  }
  return entries.length > 0 ? entries : undefined;
}

/** Checks that an MCP gist is one the user asked for, as the module comment describes. */
export function requestsGist(call: ToolCall, standing: string): boolean {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => ITEM_WORDS.has(word)) ||
    !words.some((word) => CREATE_WORDS.has(word))
  ) {
    return false;
  }
  const files = gistFiles(call.input['files']);
  if (
    files === undefined ||
    !Object.keys(call.input).every((key) => key === 'files' || SETTING_KEY.test(key)) ||
    files.some(([name, content]) => SECRET_FILE.test(name) || redactSecrets(content) !== content)
  ) {
    return false;
  }
  const isPublic =
    call.input['public'] === true ||
    (typeof call.input['visibility'] === 'string' && /^public$/i.test(call.input['visibility']));
  const visibility = isPublic ? /\bpublic\b/i : /\b(?:secret|private|unlisted)\b/i;
  return requestsVerb(GIST_VERBS, standing).some(
    (request) => /\b(?:gist|paste|snippet)s?\b/i.test(request) && visibility.test(request),
  );
}
