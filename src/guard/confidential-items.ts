/**
 * Issues and tickets the user asks to keep confidential: "open a confidential issue about the
 * auth bypass". A call that creates the item without marking it confidential or private
 * publishes what the user wanted kept to the project's members, such as a security hole.
 */
import type { Finding } from './findings.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** A request to keep an item confidential. "private key" is no such request. */
const CONFIDENTIAL_REQUEST =
  /\bconfidential\b|\b(?:private|internal|non-public|restricted)\s+(?:issue|ticket|bug|report|note|incident|advisory)s?\b|\b(?:keep|make|mark)\s+(?:it|this|them|the\s+\w+)\s+(?:private|confidential|internal)\b/i;
/** Tool words of items that may be marked confidential. */
const ITEM_WORDS = new Set(['issue', 'issues', 'ticket', 'incident', 'note', 'advisory', 'bug']);

/** Checks whether the call's arguments mark the new item confidential or private. */
function marksConfidential(input: Record<string, unknown>): boolean {
  const visibility = input['visibility'];
  return (
    input['confidential'] === true ||
    input['private'] === true ||
    input['is_private'] === true ||
    (typeof visibility === 'string' && /^(?:private|confidential|internal)$/i.test(visibility))
  );
}

/**
 * Finds a call that creates an issue, ticket or note without marking it confidential when a
 * user message asks for a confidential one. `messages` are all the user's messages, because a
 * wish to keep an item confidential limits the request wherever it is said.
 */
export function checkConfidentialItem(call: ToolCall, messages: string): Finding | undefined {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => /^(?:create|new|open|file|add)$/.test(word)) ||
    !words.some((word) => ITEM_WORDS.has(word)) ||
    !CONFIDENTIAL_REQUEST.test(messages) ||
    marksConfidential(call.input)
  ) {
    return undefined;
  }
  return {
    category: 'create-public-surface',
    reason: `The ${call.tool} call creates the item without marking it confidential, as the user asked`,
    rule: 'tier:confidential-item',
  };
}
