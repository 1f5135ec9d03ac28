/**
 * Consent to sharing a file read-only with an address the user gave: "share the Q4 research
 * doc read-only with lena@agency.example.com". File ids of drive services are opaque, so the
 * request must name a file by its kind (doc, sheet, file) and the address in full. The share
 * must give a reading role to that one user or group, never to anyone with the link or a
 * whole domain.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

const SHARE_WORDS = new Set(['share', 'sharing', 'permission', 'permissions']);
const SHARE_VERBS = String.raw`shar\w*|giv\w*|grant\w*|invit\w*|add\w*|send\w*`;
/**
 * Arguments that pick the file shared.
 * NOTE: the id is opaque, so which file is shared is not compared with the request.
 */
const FILE_KEY = /^(?:file_?id|document_?id|doc_?id|id|item_?id|drive_?id)$/i;
/** Arguments that give who gets the share. */
const ADDRESS_KEY = /^(?:email_?address|email|user|recipient|address)$/i;
/** Roles that only read or comment. */
const READ_ROLE = /^(?:reader|viewer|commenter|view|read|comment)$/i;
/** Grantee types of one person or group, not anyone with the link or a domain. */
const ONE_GRANTEE = /^(?:user|group)$/i;
/** Arguments that only set whether and how the grantee is told. */
const NOTIFY_KEY = /^(?:send_?notification_?email|notify|email_?message|message)$/i;
/** Words by which a request names a file by its kind. */
const FILE_NOUN =
  /\b(?:doc|docs|document|file|sheet|spreadsheet|deck|slides|presentation|folder|pdf|report)\b/i;

/** Words by which a request refers to the file the sentence before it names: "share it". */
const BACK_REFERENCE = /\b(?:it|that|this|them)\b/i;
/** A sentence that opens with an address, which gives the one the request before it left out. */
const GIVEN_ADDRESS = /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/;
/** Words that limit a share to reading, and the roles that only read. */
const READ_ONLY = /\b(?:read[-\s]?only|view[-\s]?only|viewers?|readers?)\b/i;
const READ_ONLY_ROLE = /^(?:reader|viewer|view|read)$/i;

/**
 * Checks that an MCP share of a file is one the user asked for, as described above. The
 * request may name the file in the sentence before it ("Find the pricing sheet", then "share
 * it with li@acme.example.com") and give the address in the sentence after it. A request
 * for read-only access gets no comment or write role.
 */
export function requestsFileShare(call: ToolCall, standing: string): boolean {
  const words = toolWords(call.tool);
  if (!words.some((word) => SHARE_WORDS.has(word)) || words.includes('public')) {
    return false;
  }
  const input = call.input;
  const role = input['role'];
  const type = input['type'] ?? 'user';
  const addresses = Object.entries(input).filter(([key]) => ADDRESS_KEY.test(key));
  const address = addresses[0]?.[1];
  if (
    typeof role !== 'string' ||
    !READ_ROLE.test(role) ||
    typeof type !== 'string' ||
    !ONE_GRANTEE.test(type) ||
    addresses.length !== 1 ||
    typeof address !== 'string' ||
    !/^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(address)
  ) {
    return false;
  }
  const known = Object.entries(input).every(
    ([key, value]) =>
      key === 'role' ||
      key === 'type' ||
      ADDRESS_KEY.test(key) ||
      (FILE_KEY.test(key) && typeof value === 'string') ||
      (NOTIFY_KEY.test(key) && typeof value !== 'object'),
  );
  if (!known) {
    return false;
  }
  const sentences = standing.split(/(?<=[.!?;])\s+|\n+/).map((sentence) => sentence.trim());
  return requestsVerb(SHARE_VERBS, standing).some((request) => {
    const at = sentences.indexOf(request);
    const previous = at > 0 ? (sentences[at - 1] ?? '') : '';
    // "li@acme.example.com, read only." right after the request gives its address.
    const next = sentences[at + 1] ?? '';
    const detail = GIVEN_ADDRESS.test(next) ? next : '';
    const text = `${request}\n${detail}`;
    const namesFile =
      FILE_NOUN.test(request) || (BACK_REFERENCE.test(request) && FILE_NOUN.test(previous));
    const roleFits = !READ_ONLY.test(text) || READ_ONLY_ROLE.test(role);
    return containsWord(text, address) && namesFile && roleFits;
  });
}
