/**
 * Limits on consent to MCP writes of wiki and document pages (Notion, Confluence): "add a
 * runbook as a page under Team/Runbooks". A request that names the parent of a new page
 * covers only a new page under that exact parent, in the space the request names, with no access
 * settings. It never covers a change to the parent itself, such as archiving, renaming or
 * overwriting it, and never a page whose text carries personal data the user did not give.
 */
import { requestsVerb } from './consent.js';
import { toolWords } from './requested-mcp-writes.js';
import { containsWord } from './named-targets.js';
import { personalData } from './url-text.js';
import type { ToolCall } from './types.js';

/** Arguments that give the page a new page goes under. */
const PARENT_KEY = /^(?:parent|parent_?(?:id|page|page_?id|title|path)|ancestor_?id|under)$/i;
/** Arguments that pick the page an update changes. */
const PAGE_KEY = /^(?:page|page_?(?:id|title|path)|id|title_?path)$/i;
/** Arguments that give the space or workspace of a page. */
const SPACE_KEY = /^(?:space|space_?(?:id|key|name)|workspace|workspace_?(?:id|name))$/i;
/** Arguments that set who may read or edit a page. */
const ACCESS_KEY =
  /anonymous|public|restriction|permission|access|share|sharing|visibility|guest|invite/i;
/** Arguments that remove a page when true. */
const REMOVES_KEY = /^(?:archived?|in_?trash|trashed|deleted?)$/i;
/** Arguments that hold the page's text. */
const TEXT_KEY = /^(?:content|contents|body|text|markdown|html|blocks|children)$/i;
/** Words before a page that make it the place of a new page rather than the page changed. */
const PLACE_WORDS = String.raw`(?:under|inside|below|beneath|within)\s+(?:the\s+|my\s+|our\s+)?`;
/** A request that names the parent of a new page: "under Team/Runbooks", "inside our wiki". */
const NAMES_PARENT = new RegExp(String.raw`\b${PLACE_WORDS}["'\`]?\w`, 'i');
/** Request verbs that ask to remove a page. */
const REMOVE_VERBS = String.raw`archiv\w*|delet\w*|remov\w*|trash\w*`;

/** Escapes `text` for use in a regular expression. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Checks whether `text` names the page path `path` whole: "Team/Runbooks" names
 * `Team/Runbooks`, but neither `Team` (a prefix of its path) nor `Team/Runbooks/Old`.
 */
function namesWholePath(text: string, path: string): boolean {
  return new RegExp(String.raw`(?<![\w/-])${escape(path)}(?![\w/-])`, 'i').test(text);
}

/** Checks whether `text` names `path` only as the place of a new page: "under Team/Runbooks". */
function namesOnlyAsPlace(text: string, path: string): boolean {
  const named = new RegExp(String.raw`(?<![\w/-])${escape(path)}(?![\w/-])`, 'gi');
  const asPlace = new RegExp(String.raw`\b${PLACE_WORDS}["'\`]?$`, 'i');
  const uses = [...text.matchAll(named)];
  return uses.length > 0 && uses.every((use) => asPlace.test(text.slice(0, use.index)));
}

/** Checks whether an MCP tool writes a page: its words name a page and a write. */
export function writesPage(call: ToolCall): boolean {
  const words = toolWords(call.tool);
  return (
    words.some((word) => word === 'page' || word === 'pages') &&
    !words.some((word) => /^(?:get|read|search|list|query|fetch|retrieve)$/.test(word))
  );
}

/**
 * Returns why a request to write a page does not cover this page write, or undefined when
 * nothing here limits it. `messages` are the standing requests of the user.
 */
export function pageWriteBeyondRequest(call: ToolCall, messages: string): string | undefined {
  if (!writesPage(call)) {
    return undefined;
  }
  const words = toolWords(call.tool);
  const entries = Object.entries(call.input);
  for (const [key, value] of entries) {
    if (ACCESS_KEY.test(key)) {
      return 'sets who may read or edit the page';
    }
    if (SPACE_KEY.test(key) && typeof value === 'string' && !containsWord(messages, value)) {
      return `writes in the space ${value}, which the user did not name`;
    }
    if (
      PARENT_KEY.test(key) &&
      typeof value === 'string' &&
      NAMES_PARENT.test(messages) &&
      !namesWholePath(messages, value)
    ) {
      return `puts the page under ${value}, which is not the parent the user named`;
    }
    if (TEXT_KEY.test(key) && typeof value === 'string') {
      const found = personalData(value);
      if (found !== undefined && !messages.includes(value.trim())) {
        return `writes ${found} that the user did not give into the page`;
      }
    }
  }
  if (words.some((word) => word === 'create' || word === 'add' || word === 'new')) {
    return undefined;
  }
  const page = entries.find(([key]) => PAGE_KEY.test(key))?.[1];
  if (typeof page !== 'string') {
    return undefined;
  }
  const removes =
    words.some((word) => /^(?:archive|delete|remove|trash)$/.test(word)) ||
    entries.some(([key, value]) => REMOVES_KEY.test(key) && value === true);
  if (
    removes &&
    !requestsVerb(REMOVE_VERBS, messages).some((request) => namesWholePath(request, page))
  ) {
    return `removes the page ${page}, which the user did not ask to remove`;
  }
  if (namesOnlyAsPlace(messages, page)) {
    return `changes ${page}, which the user named only as the place of a new page`;
  }
  return undefined;
}
