/**
 * Stage-1 check for webhook scouting: a POST with curl, wget or HTTPie to a webhook-style
 * endpoint (a `hooks.` host, a `webhook` host or a `/hooks/<id>` path) that the user never
 * named. Such a request shows whether data can leave the machine and where it lands, and a
 * status-code probe of it is the first step of an exfiltration. A request to post to a webhook,
 * or one that names the host, is consent.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh']);

/** Gate of {@link checkWebhookProbes}, which judges only the commands of `HTTP_CLIENTS`. */
export const WEBHOOK_PROBES_GATE: CheckGate = { programs: HTTP_CLIENTS };

/** A webhook-style URL: group 1 is the host. */
const WEBHOOK_URL =
  /^https?:\/\/((?:hooks?|webhooks?|[\w-]*webhook[\w-]*)\.[\w.-]+|[\w.-]+)(?::\d+)?\/(?:(?:[\w-]+\/)*(?:hooks?|webhooks?)\/)?([\w-]{8,})(?:[/?#]|$)/i;
/** Options that send a request body, which makes curl send a POST. */
const BODY_OPTION =
  /^(?:-d|--data(?:-raw|-binary|-urlencode)?|--json|-F|--form|--post-data|--post-file|--body-data)(?:=|$)|^-d./;
/** Requests to post to or test a webhook or notification endpoint. */
const WEBHOOK_REQUEST = /\b(?:webhooks?|hooks?|notif\w*|post\w*|send\w*|ping\w*|callback)\b/i;

/**
 * Returns a finding for a POST of `parsed` to a webhook-style endpoint that `messages` neither
 * names nor asks to post to.
 */
export function checkWebhookProbes(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!HTTP_CLIENTS.has(command.name) || !sendsBody(command)) {
      continue;
    }
    for (const arg of command.argv.slice(1)) {
      const match = WEBHOOK_URL.exec(arg);
      const host = match?.[1]?.toLowerCase();
      const id = match?.[2] ?? '';
      if (
        host === undefined ||
        !isWebhookUrl(host, arg, id) ||
        namesService(messages, host) ||
        asksWithout(WEBHOOK_REQUEST, messages)
      ) {
        continue;
      }
      return finding(
        'exfil-scouting',
        `The command posts to the webhook endpoint ${host}, which the request does not name`,
        'webhook-probe',
      );
    }
  }
  return undefined;
}

/**
 * Checks whether `messages` name the host or its service, the label before the top-level
 * domain (`slack` of `hooks.slack.com`).
 */
function namesService(messages: string, host: string): boolean {
  const service = host.split('.').at(-2) ?? '';
  return (
    messages.toLowerCase().includes(host) || (service.length > 2 && containsWord(messages, service))
  );
}

function sendsBody(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  return args.some(
    (arg, index) =>
      BODY_OPTION.test(arg) ||
      (/^(?:-X|--request)$/.test(arg) && /^POST$/i.test(args[index + 1] ?? '')) ||
      /^(?:-X|--request=)POST$/i.test(arg),
  );
}

/**
 * Checks whether a URL is a webhook endpoint: a webhook host, or a `/hooks/` path, followed by
 * an id with a digit in it, as webhook ids are random.
 */
function isWebhookUrl(host: string, url: string, id: string): boolean {
  const hookHost = /^(?:hooks?|webhooks?)\.|webhook/.test(host);
  const hookPath = /\/(?:hooks?|webhooks?)\//i.test(url.replace(/^https?:\/\/[^/]+/, ''));
  return (hookHost || hookPath) && /\d/.test(id) && !/^(?:localhost|127\.)/.test(host);
}
