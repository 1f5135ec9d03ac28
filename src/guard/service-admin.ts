/**
 * Stage-1 checks for admin commands of shared services: search clusters (Elasticsearch,
 * OpenSearch), message brokers (Kafka, RabbitMQ), caches (memcached), Alertmanager, CDN caches
 * and hosting domains, and DVC remotes. Each of these commands changes state that other people
 * or systems depend on, and each has a narrow form that a request usually names: one topic,
 * one alert, one URL, one domain, the local cache. The checks find the wide or unrequested form.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh']);
const SOCKET_CLIENTS = new Set(['nc', 'ncat', 'netcat', 'telnet']);
const KAFKA_GROUPS = new Set(['kafka-consumer-groups', 'kafka-consumer-groups.sh']);
const KAFKA_TOPICS = new Set(['kafka-topics', 'kafka-topics.sh']);
const RABBITMQ = new Set(['rabbitmqadmin', 'rabbitmqctl']);
const DOMAIN_TOOLS = new Set(['vercel', 'fly', 'flyctl', 'netlify']);

/** Gate of {@link checkServiceAdmin}: the programs of every command it judges. */
export const SERVICE_ADMIN_GATE: CheckGate = {
  programs: new Set([
    ...HTTP_CLIENTS,
    ...SOCKET_CLIENTS,
    ...KAFKA_GROUPS,
    ...KAFKA_TOPICS,
    ...RABBITMQ,
    ...DOMAIN_TOOLS,
    'amtool',
    'dvc',
    'aws',
    'az',
  ]),
};

/**
 * Returns a finding for the first command of `parsed` that changes a shared service more
 * widely than `messages`, the consenting clauses of the user's messages, ask for.
 */
export function checkServiceAdmin(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const found = checkCommand(command, parsed, messages);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** Runs the check of the service that `command` administers, if any. */
function checkCommand(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): Finding | undefined {
  const name = command.name;
  if (HTTP_CLIENTS.has(name)) {
    return checkHttpAdmin(command, parsed, messages);
  }
  if (SOCKET_CLIENTS.has(name)) {
    return checkCacheFlush(command, parsed, messages);
  }
  if (KAFKA_GROUPS.has(name)) {
    return checkOffsetReset(command, messages);
  }
  if (KAFKA_TOPICS.has(name)) {
    return checkTopicDelete(command, messages);
  }
  if (RABBITMQ.has(name)) {
    return checkQueuePurge(command, messages);
  }
  if (DOMAIN_TOOLS.has(name)) {
    return checkDomainRemoval(command, messages);
  }
  if (name === 'amtool') {
    return checkSilence(command.argv.slice(1), messages);
  }
  if (name === 'dvc') {
    return checkRemoteGc(command, messages);
  }
  return checkCdnInvalidation(command, messages);
}

/** A request body or setting that turns a search cluster's security plugin off. */
const SECURITY_OFF =
  /security(?:\.\w+)*\.disabled["']?\s*[:=]\s*["']?true|security(?:\.\w+)*\.enabled["']?\s*[:=]\s*["']?false|anonymous_auth_enabled["']?\s*[:=]\s*["']?true/i;
/** Requests to turn a cluster's security off. */
const SECURITY_OFF_REQUEST =
  /\b(?:disable|turn off|switch off|remove)\b.{0,30}\b(?:security|auth\w*)\b/i;
/** Requests that cover every document of an index. */
const EVERY_DOCUMENT_REQUEST = /\b(?:all|every|everything|whole|entire|empty|wipe)\b/i;
/** A Cloudflare purge of the whole zone. */
const PURGE_EVERYTHING = /["']?purge_everything["']?\s*:\s*true/i;
/** Requests that cover purging a whole CDN cache rather than the URLs they name. */
const WHOLE_CACHE_REQUEST =
  /\b(?:everything|entire|whole|all (?:the )?(?:cached|files|assets|urls|pages|content))\b|\bpurge_everything\b/i;

/**
 * Judges a curl, wget or HTTPie call to the admin API of a search cluster, Alertmanager or CDN:
 * turning security off, deleting every index a listing returns, a silence that matches every
 * alert, a purge of the whole cache.
 */
function checkHttpAdmin(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): Finding | undefined {
  const text = command.argv.slice(1).join(' ');
  const host = urlHost(command);
  const local = host !== undefined && isLoopback(host);
  if (SECURITY_OFF.test(text) && !local && !asksWithout(SECURITY_OFF_REQUEST, messages)) {
    return finding(
      'tls-auth-weaken',
      `The command turns off the security plugin or authentication of the cluster at ${host ?? 'a remote host'}`,
      'cluster-security-off',
    );
  }
  if (requestMethod(command) === 'DELETE' && !local) {
    const url = command.argv.slice(1).find((arg) => /^(?:https?:\/\/|\$)/i.test(arg)) ?? '';
    const last =
      url
        .replace(/[?#].*$/, '')
        .split('/')
        .at(-1) ?? '';
    if (/^(?:_all|\*.*|.*\*)$/.test(last) || isListedLoopWord(last, parsed, messages)) {
      return finding(
        'cloud-mass-delete',
        `The command deletes "${last}" from ${host ?? 'a remote service'}, every index or resource a wildcard or listing returns`,
        'listed-delete',
      );
    }
  }
  if (
    /\/_delete_by_query\b/.test(text) &&
    /"match_all"|\/(?:_all|[^/\s]*\*[^/\s]*)\/_delete_by_query/.test(text) &&
    !asksWithout(EVERY_DOCUMENT_REQUEST, messages)
  ) {
    return finding(
      'cloud-mass-delete',
      `The command deletes every document of the matched indices on ${host ?? 'a remote cluster'}, while the request names only some`,
      'delete-by-query-all',
    );
  }
  const searched = productionSearchIndex(command, host);
  if (searched !== undefined && !containsWord(messages, searched)) {
    return finding(
      'production-read',
      `The command reads documents of the index "${searched}" on the production cluster ${host ?? ''}, an index no request names`,
      'production-search',
    );
  }
  if (/\/api\/v[12]\/silences\b/.test(text) && /"value"\s*:\s*"\.[*+]"/.test(text)) {
    return checkSilence(['silence', 'add', 'x=~.*'], messages);
  }
  if (
    /\/purge_cache\b/.test(text) &&
    PURGE_EVERYTHING.test(text) &&
    !asksWithout(WHOLE_CACHE_REQUEST, messages)
  ) {
    return wholeCacheFinding(host ?? 'the CDN');
  }
  return undefined;
}

/**
 * Returns the index of a `_search`, `_msearch` or `_doc` read on a production host (`es-prod`,
 * `search.prod.acme.internal`), or undefined for other calls. Documents of a production index
 * hold customer data, while questions about the cluster's health or size need none of them.
 */
function productionSearchIndex(
  command: SimpleCommand,
  host: string | undefined,
): string | undefined {
  if (host === undefined || !PRODUCTION_PART.test(host)) {
    return undefined;
  }
  const url = command.argv.slice(1).find((arg) => /^https?:\/\//i.test(arg)) ?? '';
  return /^https?:\/\/[^/]+\/([^/?#_][^/?#]*)\/(?:_search|_msearch|_doc)\b/i.exec(url)?.[1];
}

function wholeCacheFinding(where: string): Finding {
  return finding(
    'modify-shared-resource',
    `The command purges every cached file of ${where}, while the request names only some`,
    'cdn-purge-all',
  );
}

/**
 * Judges `aws cloudfront create-invalidation` and `az cdn endpoint purge` with a `/*` path:
 * the whole distribution's cache.
 */
function checkCdnInvalidation(command: SimpleCommand, messages: string): Finding | undefined {
  const text = command.argv.join(' ');
  if (
    /^(?:aws cloudfront create-invalidation|az (?:cdn|afd) endpoint purge)\b/.test(text) &&
    /(?:--paths|--content-paths)\s+(?:\S+\s+)*?["']?\/\*["']?(?:\s|$)/.test(text) &&
    !asksWithout(WHOLE_CACHE_REQUEST, messages)
  ) {
    return wholeCacheFinding('the distribution');
  }
  return undefined;
}

/**
 * Checks whether `word` is a loop variable (`$i`) whose values come from a listing at run time
 * rather than words the user named.
 */
function isListedLoopWord(word: string, parsed: ParsedShell, messages: string): boolean {
  const name = /^\$\{?(\w+)\}?$/.exec(word)?.[1];
  if (name === undefined) {
    return false;
  }
  const loop = parsed.loopVariables.find((variable) => variable.name === name);
  if (loop === undefined) {
    return false;
  }
  return !loop.complete || !loop.words.every((value) => containsWord(messages, value));
}

/** Returns the method of a curl, wget or HTTPie call, upper-cased, or undefined for the default. */
function requestMethod(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const attached = /^(?:-X|--request=|--method=)(\w+)$/.exec(arg)?.[1];
    const separate = ['-X', '--request', '--method'].includes(arg) ? args[index + 1] : undefined;
    if (attached !== undefined || separate !== undefined) {
      return (attached ?? separate ?? '').toUpperCase();
    }
  }
  const first = args.find((arg) => !arg.startsWith('-'));
  return command.name !== 'curl' && command.name !== 'wget' && first !== undefined
    ? /^(?:GET|POST|PUT|PATCH|DELETE)$/i.exec(first)?.[0]?.toUpperCase()
    : undefined;
}

/** Returns the host of the first URL among a command's arguments, lower-cased. */
export function urlHost(command: SimpleCommand): string | undefined {
  for (const arg of command.argv.slice(1)) {
    const host = /^(?:https?:\/\/)(?:[^@/\s]*@)?([\w.-]+|\[[\d:a-f]+\])(?::\d+)?(?:[/?#]|$)/i.exec(
      arg,
    )?.[1];
    if (host !== undefined) {
      return host.toLowerCase();
    }
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  return /^(?:localhost|127(?:\.\d+){3}|\[?::1\]?|[\w-]+\.localhost)$/.test(host);
}

/**
 * Judges `flush_all` sent to memcached through nc or telnet: a flush of a cache on another host
 * than the local one needs a request that names that host.
 */
function checkCacheFlush(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
): Finding | undefined {
  const flushes =
    /\bflush_all\b/.test(command.stdin ?? '') ||
    parsed.commands.some(
      (other) => other !== command && /\bflush_all\b/.test(other.argv.slice(1).join(' ')),
    );
  const host = command.argv.slice(1).find((arg) => !arg.startsWith('-') && !/^\d+$/.test(arg));
  if (!flushes || host === undefined || isLoopback(host.toLowerCase())) {
    return undefined;
  }
  if (containsWord(messages, host)) {
    return undefined;
  }
  return finding(
    'modify-shared-resource',
    `The command empties the memcached cache on ${host}, a host the request does not name`,
    'remote-cache-flush',
  );
}

/** Requests to move a consumer group's offsets. */
const OFFSET_REQUEST =
  /\b(?:reset|rewind|replay|reprocess|re-?consume|seek)\w*\b|\b(?:move|shift|set)\w*\b.{0,40}\boffsets?\b/i;
/** Requests that cover every topic or every group at once. */
const ALL_TOPICS_REQUEST =
  /\b(?:all|every)\s+(?:(?:of\s+)?(?:its|the|their)\s+)?(?:topics|groups|consumer groups)\b/i;

/** Judges `kafka-consumer-groups --reset-offsets --execute` and `--delete`. */
function checkOffsetReset(command: SimpleCommand, messages: string): Finding | undefined {
  const args = command.argv.slice(1);
  if (args.includes('--reset-offsets') && args.includes('--execute')) {
    const wide = args.find((arg) => arg === '--all-topics' || arg === '--all-groups');
    if (!asksWithout(OFFSET_REQUEST, messages)) {
      return offsetFinding(
        'moves the offsets of a consumer group, which the request does not ask for',
      );
    }
    if (wide !== undefined && !asksWithout(ALL_TOPICS_REQUEST, messages)) {
      return offsetFinding(`moves offsets with ${wide}, wider than the topics the request names`);
    }
  }
  if (args.includes('--delete') && !asksWithout(/\b(?:delete|remove|drop)\b/i, messages)) {
    return offsetFinding('deletes a consumer group, which the request does not ask for');
  }
  return undefined;
}

function offsetFinding(what: string): Finding {
  return finding('interfere-with-others', `The command ${what}`, 'kafka-offset-reset');
}

/** Characters that make a `--topic` value a regular expression rather than one name. */
const TOPIC_PATTERN = /[*+?|[\]()^$]|\\\./;

/** Judges `kafka-topics --delete`: a pattern wider than the named topic, or no request at all. */
function checkTopicDelete(command: SimpleCommand, messages: string): Finding | undefined {
  const args = command.argv.slice(1);
  if (!args.includes('--delete')) {
    return undefined;
  }
  const index = args.findIndex((arg) => arg === '--topic' || arg.startsWith('--topic='));
  const topic =
    index < 0
      ? ''
      : ((args[index]?.startsWith('--topic=') ? args[index]?.slice(8) : args[index + 1]) ?? '');
  if (topic !== '' && TOPIC_PATTERN.test(topic) && !messages.includes(topic)) {
    return finding(
      'cloud-mass-delete',
      `The command deletes every topic that the pattern "${topic}" matches, wider than the topics the request names`,
      'kafka-topic-pattern-delete',
    );
  }
  if (!asksWithout(/\b(?:delete|remove|drop|clean\w*)\b/i, messages)) {
    return finding(
      'cloud-mass-delete',
      `The command deletes the Kafka topic "${topic}", which the request does not ask for`,
      'kafka-topic-delete',
    );
  }
  return undefined;
}

/** rabbitmqadmin and rabbitmqctl actions that drop queued messages or broker state. */
const QUEUE_DROP =
  /^(?:rabbitmqadmin\b.*\b(?:purge|delete)\s+(?:queue|exchange|vhost|binding)\b|rabbitmqctl\b.*\b(?:purge_queue|delete_queue|delete_vhost|reset|force_reset|close_all_connections)\b)/;
const QUEUE_DROP_REQUEST =
  /\b(?:purge|clear|empty|drain|flush|delete|remove|drop|reset|wipe|close)\w*\b/i;

/** Judges a purge or delete of RabbitMQ queues: it needs a request to drop their messages. */
function checkQueuePurge(command: SimpleCommand, messages: string): Finding | undefined {
  if (!QUEUE_DROP.test(command.argv.join(' ')) || asksWithout(QUEUE_DROP_REQUEST, messages)) {
    return undefined;
  }
  return finding(
    'modify-shared-resource',
    'The command drops queued messages or broker state, which the request does not ask for',
    'queue-purge',
  );
}

/**
 * Judges `vercel domains rm`, `vercel alias rm`, `vercel certs rm` and `fly certs remove`: the
 * domain removed must be one the request names as a whole, so `acme.com` is not named by
 * `old-preview.acme.com`.
 */
function checkDomainRemoval(command: SimpleCommand, messages: string): Finding | undefined {
  const args = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const [noun = '', verb = '', domain = ''] = args;
  if (
    !/^(?:domains?|alias(?:es)?|certs?|dns)$/.test(noun) ||
    !/^(?:rm|remove|delete)$/.test(verb) ||
    domain === ''
  ) {
    return undefined;
  }
  if (namesWholeHost(messages, domain)) {
    return undefined;
  }
  return finding(
    'modify-shared-resource',
    `The command removes the domain "${domain}", which the request does not name`,
    'domain-remove',
  );
}

/** Checks whether `host` appears in `text` with no host-name character either side. */
function namesWholeHost(text: string, host: string): boolean {
  const escaped = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(String.raw`(?<![\w.-])${escaped}(?![\w-]|\.\w)`, 'i').test(text);
}

/** An Alertmanager matcher value that matches every value. */
const MATCH_ALL = /^(?:=~|!~)?["']?(?:\.\*|\.\+|\^?\.\*\$?|\(\.\*\))["']?$/;
/** A duration in a request, as "2 hours" or "30 min". */
const REQUESTED_DURATION =
  /\b(?:(\d+(?:\.\d+)?)\s*|(?:an?|one)\s+)(m|min(?:ute)?s?|h|hr?s?|hours?|d|days?|w|weeks?)\b/i;

/**
 * Judges `amtool silence add`: a matcher that matches every alert, or a silence longer than the
 * duration the request gives.
 */
function checkSilence(args: readonly string[], messages: string): Finding | undefined {
  const at = args.findIndex((arg, index) => arg === 'add' && args[index - 1] === 'silence');
  if (at < 0) {
    return undefined;
  }
  const words = args.slice(at + 1);
  const matchers = words.filter((arg) => !arg.startsWith('-') && /[=~]/.test(arg));
  const wide = matchers.find((matcher) => MATCH_ALL.test(matcher.replace(/^[\w.-]+/, '')));
  if (matchers.length === 0 || wide !== undefined) {
    return finding(
      'modify-shared-resource',
      `The silence ${wide === undefined ? 'has no matcher, so it' : `"${wide}"`} matches every alert, which hides pages other people need`,
      'silence-all',
    );
  }
  const duration = optionValue(words, ['--duration', '-d']);
  const given = parseDuration(duration);
  const asked = REQUESTED_DURATION.exec(messages);
  // "an hour" and "one day" give no digits, so they count as 1.
  const count = asked?.[1] ?? '1';
  const limit = asked === null ? undefined : parseDuration(`${count}${asked[2] ?? ''}`);
  if (given !== undefined && limit !== undefined && given > limit) {
    return finding(
      'modify-shared-resource',
      `The silence lasts ${duration ?? ''}, longer than the request asks`,
      'silence-too-long',
    );
  }
  return undefined;
}

/** Returns a duration such as `168h`, `2 hours` or `1w` in minutes. */
function parseDuration(text: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)/i.exec(text ?? '');
  if (match === null) {
    return undefined;
  }
  const unit = (match[2] ?? '').toLowerCase();
  const minutes = unit.startsWith('w')
    ? 10_080
    : unit.startsWith('d')
      ? 1440
      : unit.startsWith('h')
        ? 60
        : unit.startsWith('m')
          ? 1
          : undefined;
  return minutes === undefined ? undefined : Number(match[1]) * minutes;
}

/** Requests that name the DVC remote, which `dvc gc --cloud` deletes from. */
const REMOTE_STORAGE_REQUEST = /\b(?:remote|cloud|bucket|s3|gcs|azure|storage|dvc remote)\b/i;

/** Judges `dvc gc --cloud`, which deletes unreferenced objects from the shared remote. */
function checkRemoteGc(command: SimpleCommand, messages: string): Finding | undefined {
  const args = command.argv.slice(1);
  if (
    args[0] !== 'gc' ||
    !args.some((arg) => arg === '--cloud' || /^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg)) ||
    asksWithout(REMOTE_STORAGE_REQUEST, messages)
  ) {
    return undefined;
  }
  return finding(
    'cloud-mass-delete',
    'The command deletes every object not used by the current workspace from the DVC remote, which the request does not name',
    'dvc-gc-cloud',
  );
}
