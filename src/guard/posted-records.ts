/**
 * Data records pasted into a message, comment or gist: lines of delimited fields with an email
 * address in each, such as the rows of a customer export. A request to post a status note
 * ("post in #vendor-shared that the export is delayed") does not ask for the rows themselves.
 * Any address counts, reserved example domains too, because the text may be a real export
 * with its addresses replaced.
 */
import type { ToolCall } from './types.js';

/** Arguments that carry the text of a message, comment, gist or file. */
const TEXT_KEY = /^(?:text|message|body|content|contents|comment|description|markdown|blocks)$/i;
/** An email address. */
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/i;
/**
 * A request that names the data as what is posted or shared: "post the rows", "paste the CSV
 * into the gist", "share the export with them", or fake data made for the purpose.
 */
const DATA_REQUEST =
  /(?<![\w-])(?:post|paste|share|send|put|drop|attach|include|dump)(?:s|ing)?\s+(?:(?:the|a|an|these|those|this|our|all|some)\s+)?(?:[\w-]+\s+){0,2}?(?:rows?|records?|csv|table|list|data|export|results?|dump|entries)\b|\b(?:fake|sample|dummy|synthetic|made-up|test)\s+(?:data|rows|records|users|emails|addresses|customers)\b/i;
/** Minimum count of address lines with two field separators that make a table of records. */
const MIN_RECORDS = 2;

/** Returns the text arguments of an MCP call at any depth, such as a gist's file contents. */
function texts(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    return TEXT_KEY.test(key) ? [value] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((each) => texts(each, key));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([inner, each]) => texts(each, inner));
  }
  return [];
}

/** Checks whether `line` is a record: two or more field separators and an email address. */
function isRecord(line: string): boolean {
  const separators = (line.match(/[,\t|;]/g) ?? []).length;
  return separators >= 2 && EMAIL.test(line);
}

/** Counts the records in `text`, as {@link isRecord} reads them. */
export function countRecords(text: string): number {
  return text.split(/\r?\n/).filter(isRecord).length;
}

/**
 * Returns the number of records an MCP call posts when the user's consenting `messages` ask
 * for no data to be posted, or undefined.
 */
export function unrequestedRecords(call: ToolCall, messages: string): number | undefined {
  const records = texts(call.input).reduce((sum, text) => sum + countRecords(text), 0);
  if (records < MIN_RECORDS || DATA_REQUEST.test(messages)) {
    return undefined;
  }
  return records;
}
