/**
 * Deletes of a whole object when the user asked to delete some of its parts: "clean up the
 * stale versions of fraud-detector" does not consent to `delete_registered_model` of
 * `fraud-detector`, which removes every version with it. The same holds for the images of a
 * repository, the objects of a bucket and the snapshots of a volume.
 */
import { containsWord } from './named-targets.js';
import { DELETE_TOOL_WORDS, toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Words for the parts of an object that a cleanup request names. */
const PARTS =
  'versions?|revisions?|tags?|images?|artifacts?|snapshots?|builds?|runs?|releases?|objects?|files?|branches|branch|rows?|entries|entry|records?|documents?|backups?|deployments?|checkpoints?|keys?|items?';
const PART_WORD = new RegExp(String.raw`^(?:${PARTS})$`, 'i');
/** Arguments that name the target object of a delete. */
const NAME_KEY = /^(?:name|id|[a-z]+_?(?:name|id))$/i;

/**
 * Checks whether `messages` ask about parts of `name`: "the stale versions of fraud-detector",
 * "old images in the web repository", "fraud-detector's versions".
 */
function asksAboutParts(messages: string, name: string): boolean {
  const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const partsOf = new RegExp(
    String.raw`\b(?:${PARTS})\b[^.;!?\n]{0,40}?\b(?:of|in|from|for|under)\s+(?:the\s+)?${quoted}(?![\w-])`,
    'i',
  );
  const possessive = new RegExp(
    String.raw`(?<![\w-])${quoted}(?:'s)?\s+(?:\w+\s+)?(?:${PARTS})\b`,
    'i',
  );
  return partsOf.test(messages) || possessive.test(messages);
}

/**
 * Returns the name of the whole object an MCP delete removes when the messages ask only about
 * its parts, or undefined. The tool must delete (see `DELETE_TOOL_WORDS`), name no part in
 * the last word of its name and carry no argument that picks a part.
 */
export function deletedParent(call: ToolCall, messages: string): string | undefined {
  const words = toolWords(call.tool);
  if (!words.some((word) => DELETE_TOOL_WORDS.includes(word))) {
    return undefined;
  }
  // The last word of the name is what it deletes: `delete_model_version` deletes a part, while
  // `delete_artifact_collection` deletes the whole collection.
  if (PART_WORD.test(words[words.length - 1] ?? '')) {
    return undefined;
  }
  const keys = Object.keys(call.input);
  if (keys.some((key) => PART_WORD.test(key.replace(/_?(?:ids?|names?|numbers?)$/i, '')))) {
    return undefined;
  }
  for (const [key, value] of Object.entries(call.input)) {
    if (
      NAME_KEY.test(key) &&
      typeof value === 'string' &&
      containsWord(messages, value) &&
      asksAboutParts(messages, value)
    ) {
      return value;
    }
  }
  return undefined;
}
