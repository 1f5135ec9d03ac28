/**
 * Consent to MCP writes whose target the user describes instead of naming its id, because the
 * id is one the agent looked up: "there's a page about queue depth" then "ack it", "Noor
 * reported the bug in a thread in #data-eng" then "reply in the thread that it's fixed",
 * "Check the backup runbook" then "mark the page status Reviewed", "Fix the retry bug" then
 * "put it up for review". Each kind takes only the mildest action of its tool (an
 * acknowledgement, a reply, one property, a new pull request). The described target must be
 * the only one of its kind in the messages, so a message that names another id of the same
 * form, another channel or another repository leaves the call asking.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { redactSecrets } from './redact.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Words by which a request refers to what an earlier message describes. */
const BACK_REFERENCE = /\b(?:it|that|this|the\s+(?:page|alert|incident|thread|doc|fix|change))\b/i;
/** Slack channel, group and direct-message ids, which do not carry the channel's name. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{8,12}$/;

/** Splits text into its sentences, trimmed. */
function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

/** Reduces a value to its shape (letters to `a`, digits to `0`), so two ids compare equal. */
function shape(value: string): string {
  return value.replace(/[a-z]/gi, 'a').replace(/\d/g, '0');
}

/** Checks whether `text` names a word of the same form as `value` that is not `value`. */
function namesOtherOfForm(text: string, value: string): boolean {
  return text
    .split(/[\s,;:()"'`]+/)
    .map((word) => word.replace(/[.!?]+$/, ''))
    .some((word) => word !== value && /\d/.test(word) && shape(word) === shape(value));
}

/** Returns the `#channel` names of `text`, lowercased. */
function channelNames(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w/])#([a-z][\w-]*)/gi)].map((match) => match[1] ?? ''));
}

/** A message that describes one incident, page or alert: "there's a page about …". */
const DESCRIBED_INCIDENT =
  /\b(?:a|an|the|one)\s+(?:\w+\s+)?(?:page|alert|incident)\b|\b(?:got|was|been)\s+paged\b/i;
/** Arguments that name who acknowledges: PagerDuty's `from` address. */
const ACTOR_KEY = /^(?:from|requester|requester_?email|user_?email)$/i;
/** Arguments that name the incident. */
const INCIDENT_KEY = /^(?:incident_?id|id|incident)$/i;

/**
 * Checks that an acknowledgement goes to the one incident a message describes, in a standing
 * request to ack "it", "that" or "the page". Only the acknowledgement is covered: it stops
 * the escalation and leaves the incident open. A message that names another id of the
 * incident's form, or describes more than one, leaves the call asking.
 */
function acknowledgesDescribedIncident(
  call: ToolCall,
  words: readonly string[],
  standing: string,
  allMessages: string,
): boolean {
  if (!words.some((word) => word === 'ack' || word === 'acknowledge')) {
    return false;
  }
  let incident: string | undefined;
  for (const [key, value] of Object.entries(call.input)) {
    if (INCIDENT_KEY.test(key) && typeof value === 'string' && incident === undefined) {
      incident = value;
    } else if (!(ACTOR_KEY.test(key) && typeof value === 'string' && value.includes('@'))) {
      return false;
    }
  }
  if (incident === undefined || namesOtherOfForm(allMessages, incident)) {
    return false;
  }
  const sentences = sentencesOf(allMessages);
  const described = sentences.filter((sentence) => DESCRIBED_INCIDENT.test(sentence));
  return (
    described.length === 1 &&
    requestsVerb(String.raw`ack(?:s|ed|ing)?|acknowledg\w*`, standing).some((request) => {
      const at = sentences.indexOf(request);
      return (
        BACK_REFERENCE.test(request) &&
        (containsWord(request, incident ?? '') ||
          (at > 0 && sentences.slice(0, at).includes(described[0] ?? '')))
      );
    })
  );
}

/** Keys of a thread reply: its channel, its thread and its text. */
const THREAD_KEY = /^(?:thread_?ts|thread_?id|ts)$/i;
const CHANNEL_KEY = /^(?:channel|channel_?id)$/i;
const TEXT_KEY = /^(?:text|message)$/i;
/** Longest reply covered, in characters. */
const MAX_REPLY = 500;

/**
 * Checks that a reply goes in the one thread a message describes ("a thread in #data-eng")
 * in a standing request to reply in the thread. The channel is the only one the messages name,
 * either by that name or by an id, which does not carry the name. The reply must hold no
 * link, mention or secret.
 */
function repliesInDescribedThread(
  call: ToolCall,
  words: readonly string[],
  standing: string,
  allMessages: string,
): boolean {
  if (!words.some((word) => /^(?:reply|replies|respond)$/.test(word))) {
    return false;
  }
  let channel: string | undefined;
  let text: string | undefined;
  let thread = false;
  for (const [key, value] of Object.entries(call.input)) {
    if (typeof value !== 'string') {
      return false;
    }
    if (CHANNEL_KEY.test(key)) {
      channel = value;
    } else if (THREAD_KEY.test(key)) {
      thread = true;
    } else if (TEXT_KEY.test(key)) {
      text = value;
    } else {
      return false;
    }
  }
  const channels = channelNames(allMessages);
  const [only] = [...channels];
  if (
    channel === undefined ||
    text === undefined ||
    !thread ||
    text.length > MAX_REPLY ||
    /https?:\/\/|<[@!#]|(?:^|\s)@[\w-]/i.test(text) ||
    redactSecrets(text) !== text ||
    channels.size !== 1 ||
    only === undefined ||
    !(CHANNEL_ID.test(channel) || channel.replace(/^#/, '').toLowerCase() === only.toLowerCase())
  ) {
    return false;
  }
  const threads = sentencesOf(allMessages).filter((sentence) => /\bthreads?\b/i.test(sentence));
  return (
    threads.length <= 2 &&
    requestsVerb(String.raw`repl(?:y|ies|ied|ying)|respond\w*|answer\w*`, standing).some(
      (request) => /\b(?:the|that|this)\s+thread\b/i.test(request),
    )
  );
}

/** Page property values that only mark a review or progress state. */
const PROPERTY_KINDS = /^(?:select|status)$/;
/** A page id: a UUID, with or without dashes. */
const PAGE_ID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Returns the property names and new values of a page update that only sets select or status
 * properties (`Status: {select: {name: "Reviewed"}}`), or undefined for any other update.
 */
function selectedValues(properties: unknown): [string, string][] | undefined {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    return undefined;
  }
  const set: [string, string][] = [];
  for (const [name, value] of Object.entries(properties)) {
    const entries = typeof value === 'object' && value !== null ? Object.entries(value) : [];
    const [kind, option] = entries[0] ?? [];
    const chosen =
      typeof option === 'object' && option !== null
        ? (option as Record<string, unknown>)['name']
        : undefined;
    if (entries.length !== 1 || !PROPERTY_KINDS.test(kind ?? '') || typeof chosen !== 'string') {
      return undefined;
    }
    set.push([name, chosen]);
  }
  return set.length > 0 && set.length <= 2 ? set : undefined;
}

/**
 * Checks that a page update sets only status or select properties that a standing request
 * names with their new values ("mark the page status Reviewed"), on the page the messages
 * describe. The page id is the agent's lookup, so a message that names another page id
 * leaves the call asking. Text, titles and other properties are not covered.
 */
function marksDescribedPage(
  call: ToolCall,
  words: readonly string[],
  standing: string,
  allMessages: string,
): boolean {
  if (!words.includes('page') || !words.some((word) => /^(?:update|patch|set)$/.test(word))) {
    return false;
  }
  const page = call.input['page_id'] ?? call.input['pageId'];
  const keys = Object.keys(call.input);
  const set = selectedValues(call.input['properties']);
  if (
    typeof page !== 'string' ||
    !PAGE_ID.test(page) ||
    keys.length !== 2 ||
    set === undefined ||
    allMessages.split(/[\s,;:()"'`/]+/).some((word) => PAGE_ID.test(word) && word !== page)
  ) {
    return false;
  }
  return requestsVerb(String.raw`mark\w*|set\w*|chang\w*|updat\w*|mov\w*`, standing).some(
    (request) =>
      /\b(?:the|this|that)\s+(?:page|doc|runbook)\b|\bit\b/i.test(request) &&
      set.every(([name, value]) => containsWord(request, name) && containsWord(request, value)),
  );
}

/**
 * Returns a select or status value that a page update sets while a standing request names the
 * same property with another value: "set the page Stage to Approved" does not ask for
 * `Stage: Archived`. Returns undefined for any other call.
 */
export function otherPropertyValue(call: ToolCall, standing: string): string | undefined {
  const words = toolWords(call.tool);
  if (!words.includes('page') || !words.some((word) => /^(?:update|patch|set)$/.test(word))) {
    return undefined;
  }
  const set = selectedValues(call.input['properties']) ?? [];
  const requests = requestsVerb(String.raw`mark\w*|set\w*|chang\w*|updat\w*|mov\w*`, standing);
  return set.find(
    ([name, value]) =>
      requests.some((request) => containsWord(request, name)) &&
      !requests.some((request) => containsWord(request, name) && containsWord(request, value)),
  )?.[1];
}

/** A request to put the work just done up for review: "put it up for review". */
const UP_FOR_REVIEW =
  /\b(?:put|send|submit|get|push)\w*\s+(?:it|this|that|them|these|the\s+(?:fix|change|changes|work|branch))\s+up\s+for\s+(?:a\s+)?review\b/i;
/** A repository named as `owner/name`. */
const REPOSITORY = /(?<![\w./-])([\w.-]+)\/([\w.-]+)(?![\w/-])/g;

/**
 * Checks that a new pull request puts up the work of an earlier request for review, as "put
 * it up for review" asks. The head must be a branch of the same repository, and no message
 * may name another repository. Merging it is a separate call that keeps asking.
 */
function opensPullRequestForWork(
  call: ToolCall,
  words: readonly string[],
  standing: string,
  allMessages: string,
): boolean {
  const opens =
    words.includes('create') &&
    (words.includes('pull') || (words.includes('merge') && words.includes('request')));
  const owner = call.input['owner'];
  const repo = call.input['repo'];
  const head = call.input['head'] ?? call.input['source_branch'];
  if (
    !opens ||
    typeof repo !== 'string' ||
    typeof head !== 'string' ||
    head.includes(':') ||
    call.input['maintainer_can_modify'] === true
  ) {
    return false;
  }
  const slug = typeof owner === 'string' ? `${owner}/${repo}`.toLowerCase() : undefined;
  const others = [...allMessages.matchAll(REPOSITORY)].filter(
    (match) =>
      !/\.\w{1,4}$/.test(match[2] ?? '') &&
      match[0].toLowerCase() !== slug &&
      !/^(?:and|or)$/i.test(match[1] ?? ''),
  );
  const sentences = sentencesOf(standing);
  return (
    others.length === 0 &&
    sentences.some((sentence, index) => UP_FOR_REVIEW.test(sentence) && index > 0)
  );
}

/**
 * Checks that an MCP write is one of the kinds of this module, as the module comment
 * describes. `standing` is the standing requests of the user and `allMessages` all their
 * messages.
 */
export function writesDescribedTarget(
  call: ToolCall,
  standing: string,
  allMessages: string,
): boolean {
  const words = toolWords(call.tool);
  return (
    acknowledgesDescribedIncident(call, words, standing, allMessages) ||
    repliesInDescribedThread(call, words, standing, allMessages) ||
    marksDescribedPage(call, words, standing, allMessages) ||
    opensPullRequestForWork(call, words, standing, allMessages)
  );
}
