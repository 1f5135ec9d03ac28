/**
 * Consent to a DNS record change that the user asked for by the record's name and its new
 * value: "point api-staging.acme.com at 198.51.100.24". The zone and record ids that DNS
 * services require are opaque, so the record's name stands for them. The request must name
 * the record and every value the record gets.
 */
import { requestsVerb } from './consent.js';
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

const RECORD_WORDS = new Set(['dns', 'record', 'records']);
const CHANGE_WORDS = new Set([
  'update',
  'edit',
  'patch',
  'set',
  'create',
  'add',
  'upsert',
  'change',
]);
const DNS_VERBS = String.raw`point\w*|repoint\w*|updat\w*|chang\w*|set\w*|mov\w*|switch\w*|creat\w*|add\w*|aim\w*`;
/** Arguments that are opaque ids of the zone and the record. */
const ID_KEY = /^(?:zone_?id|record_?id|id|zone)$/i;
/** Arguments that give the record's name. */
const NAME_KEY = /^(?:name|record_?name|hostname|host|fqdn)$/i;
/** Arguments that give the record's new value. */
const VALUE_KEY = /^(?:content|value|data|target|ip|address|ipv4|ipv6)$/i;
/** Arguments that only set the record's type, lifetime, proxying or note. */
const SETTING_KEY = /^(?:type|ttl|proxied|priority|comment)$/i;

/**
 * Checks that `text` names `value` whole: `acme.com` is not named by `api-staging.acme.com`,
 * because a dot before it makes it a part of another host name.
 */
function namesWhole(text: string, value: string): boolean {
  const quoted = value.replace(/\.$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(String.raw`(?<![\w.-])${quoted}(?![\w-]|\.[\w-])`, 'i').test(text);
}

/** Checks that an MCP DNS record change is one the user asked for, as described above. */
export function requestsDnsUpdate(call: ToolCall, standing: string): boolean {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => RECORD_WORDS.has(word)) ||
    !words.some((word) => CHANGE_WORDS.has(word))
  ) {
    return false;
  }
  const named: string[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    if (NAME_KEY.test(key) || VALUE_KEY.test(key)) {
      if (typeof value !== 'string' || value === '') {
        return false;
      }
      named.push(value);
    } else if (!ID_KEY.test(key) && !SETTING_KEY.test(key)) {
      return false;
    } else if (typeof value === 'object') {
      return false;
    }
  }
  const hasName = Object.keys(call.input).some((key) => NAME_KEY.test(key));
  return (
    hasName &&
    requestsVerb(DNS_VERBS, standing).some((request) =>
      named.every((value) => namesWhole(request, value)),
    )
  );
}
