/**
 * Consent to writes on a monitoring service that the user asked for: a mute of a named
 * monitor for a stated time ("mute monitor 4410 for db-staging-2 for an hour"), and an event
 * or annotation that marks what happened ("mark the staging deploy in Datadog"). A mute must
 * end, and its scope must name only hosts and environments the messages give. An event must
 * mention and link nobody, because monitoring services notify the `@handle` in an event's text.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import { redactSecrets } from './redact.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

const MUTE_WORDS = new Set(['mute', 'silence', 'snooze', 'downtime', 'quiet']);
const MUTE_VERBS = String.raw`mut\w*|silenc\w*|snooz\w*|quiet\w*|hush\w*`;
/** Arguments that pick the monitor muted. */
const MONITOR_KEY = /^(?:monitor_?id|alert_?id|rule_?id|check_?id|id)$/i;
/** Arguments that end a mute: an end time or a duration. */
const END_KEY = /^(?:end|end_?time|end_?ts|until|expires?(?:_?at)?|duration\w*|timeout)$/i;
/** Arguments that narrow a mute to hosts or tags. */
const SCOPE_KEY = /^(?:scope|scopes|tags?|hosts?)$/i;
/** Arguments that carry a note shown with the item. */
const TEXT_KEY = /^(?:message|text|title|description|comment|reason|note)$/i;
/** Words of a request that bound a mute in time. */
const BOUNDED =
  /\bfor\s+(?:an?|one|two|half\s+an|\d+|a\s+few|the\s+next)\s*(?:\w+\s+)?(?:min\w*|hours?|hrs?|h|days?)\b|\buntil\b|\bwhile\b|\bduring\b/i;

const EVENT_WORDS = new Set(['event', 'events', 'annotation', 'annotations', 'marker', 'markers']);
const CREATE_WORDS = new Set(['create', 'add', 'post', 'send', 'record', 'submit', 'new']);
const EVENT_VERBS = String.raw`mark\w*|annotat\w*|record\w*|log\w*|creat\w*|add\w*|post\w*|not\w*|flag\w*`;
/** Event arguments that only describe it: its kind, time, priority and grouping. */
const EVENT_SETTING_KEY =
  /^(?:alert_?type|priority|date_?happened|timestamp|time|source_?type_?name|aggregation_?key|related_?event_?id|device_?name)$/i;
/** Tag names that pick an environment, whose values the messages must give. */
const ENVIRONMENT_TAG = /^(?:env|environment|stage)$/i;

/** Returns the facet values of a scope such as `env:staging,host:db-staging-2`. */
function scopeValues(value: unknown): string[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (!items.every((item) => typeof item === 'string')) {
    return undefined;
  }
  return (items as string[])
    .flatMap((item) => item.split(/[,\s]+/))
    .filter((item) => item !== '')
    .map((item) => item.replace(/^[\w.-]+:/, ''));
}

/**
 * Checks whether `messages` give a facet value: as a word, or as a part of a named host
 * (`staging` of `db-staging-2`).
 */
function givesFacet(messages: string, value: string): boolean {
  if (value === '*' || value === '') {
    return false;
  }
  return (
    containsWord(messages, value) ||
    (messages.toLowerCase().match(/[a-z0-9][\w.-]*/g) ?? []).some((word) =>
      word.split(/[-_.]+/).includes(value.toLowerCase()),
    )
  );
}

/** Checks that a note mentions nobody, links nowhere and holds no secret. */
function isQuietText(text: string): boolean {
  return !/(?:^|\s)@[\w-]|https?:\/\/|<[@!#]/.test(text) && redactSecrets(text) === text;
}

/** Checks that an MCP mute of a named monitor is one the user asked for. */
function requestsMute(
  call: ToolCall,
  words: readonly string[],
  standing: string,
  all: string,
): boolean {
  if (!words.some((word) => MUTE_WORDS.has(word)) || words.includes('all')) {
    return false;
  }
  const monitors: string[] = [];
  let ends = false;
  for (const [key, value] of Object.entries(call.input)) {
    if (MONITOR_KEY.test(key) && (typeof value === 'string' || typeof value === 'number')) {
      monitors.push(String(value));
    } else if (END_KEY.test(key) && (typeof value === 'number' || typeof value === 'string')) {
      ends = true;
    } else if (SCOPE_KEY.test(key)) {
      const values = scopeValues(value);
      if (values === undefined || !values.every((each) => givesFacet(all, each))) {
        return false;
      }
    } else if (!(TEXT_KEY.test(key) && typeof value === 'string' && isQuietText(value))) {
      return false;
    }
  }
  return (
    ends &&
    monitors.length > 0 &&
    requestsVerb(MUTE_VERBS, standing).some(
      (request) =>
        BOUNDED.test(request) && monitors.every((monitor) => containsWord(request, monitor)),
    )
  );
}

/**
 * Checks that an MCP event or annotation is one the user asked for: a request asks to mark or
 * record it and names the service or the kind of item, its environment tags are named, and its
 * text is quiet (see {@link isQuietText}).
 */
function requestsEvent(
  call: ToolCall,
  words: readonly string[],
  standing: string,
  all: string,
): boolean {
  if (
    !words.some((word) => EVENT_WORDS.has(word)) ||
    !words.some((word) => CREATE_WORDS.has(word))
  ) {
    return false;
  }
  for (const [key, value] of Object.entries(call.input)) {
    if (TEXT_KEY.test(key) && typeof value === 'string') {
      if (!isQuietText(value)) {
        return false;
      }
    } else if (SCOPE_KEY.test(key)) {
      const tags = Array.isArray(value) ? value : [value];
      const named = tags.every((tag) => {
        if (typeof tag !== 'string') {
          return false;
        }
        const [name = '', tagValue = ''] = tag.split(':');
        return !ENVIRONMENT_TAG.test(name) || givesFacet(all, tagValue);
      });
      if (!named) {
        return false;
      }
    } else if (!EVENT_SETTING_KEY.test(key) || typeof value === 'object') {
      return false;
    }
  }
  const [, server = ''] = call.tool.split('__');
  const strings = JSON.stringify(call.input);
  return (
    (!PRODUCTION_PART.test(strings.replace(/"/g, ' ')) || /\bprod(?:uction)?\b/i.test(standing)) &&
    requestsVerb(EVENT_VERBS, standing).some(
      (request) =>
        containsWord(request, server) ||
        words.some(
          (word) => EVENT_WORDS.has(word) && containsWord(request, word.replace(/s$/, '')),
        ),
    )
  );
}

/** Checks that an MCP mute or event on a monitoring service is one the user asked for. */
export function requestsMonitorWrite(
  call: ToolCall,
  standing: string,
  allMessages: string,
): boolean {
  const words = toolWords(call.tool);
  return (
    requestsMute(call, words, standing, allMessages) ||
    requestsEvent(call, words, standing, allMessages)
  );
}
