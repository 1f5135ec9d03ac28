/**
 * Stage-1 check for a post to the webhook of a chat service other than the one the request
 * names: "check that our Teams alerts arrive" followed by a curl to a Discord webhook. A
 * request to test notifications consents to posting to the team's own service, and the
 * egress-probes check accepts it, but a webhook of another service is someone else's channel.
 */
import { finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell } from './shell.js';

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh']);

/** Gate of {@link checkOtherChatWebhooks}, which judges only the commands of `HTTP_CLIENTS`. */
export const OTHER_CHAT_WEBHOOKS_GATE: CheckGate = { programs: HTTP_CLIENTS };

/** A chat service: how a request names it and how its incoming webhook URLs look. */
interface ChatService {
  name: string;
  words: RegExp;
  webhook: RegExp;
}

const CHAT_SERVICES: readonly ChatService[] = [
  {
    name: 'Slack',
    words: /\bslack\b/i,
    webhook: /^https?:\/\/hooks\.slack\.com\//i,
  },
  {
    name: 'Discord',
    words: /\bdiscord\b/i,
    webhook: /^https?:\/\/(?:[\w-]+\.)?discord(?:app)?\.com\/api\/webhooks\//i,
  },
  {
    name: 'Microsoft Teams',
    words: /\b(?:ms |microsoft )?teams\b/i,
    webhook: /^https?:\/\/(?:[\w-]+\.webhook\.office\.com|outlook\.office\.com\/webhook)\//i,
  },
  {
    name: 'Google Chat',
    words: /\b(?:google chat|gchat|hangouts)\b/i,
    webhook: /^https?:\/\/chat\.googleapis\.com\/v1\/spaces\//i,
  },
  {
    name: 'Telegram',
    words: /\btelegram\b/i,
    webhook: /^https?:\/\/api\.telegram\.org\/bot/i,
  },
  {
    name: 'Mattermost',
    words: /\bmattermost\b/i,
    webhook: /^https?:\/\/mattermost\.[\w.-]+\/hooks\//i,
  },
];

/**
 * Returns a finding for a request to the webhook of one chat service when the request names
 * another chat service and not this one.
 */
export function checkOtherChatWebhooks(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!HTTP_CLIENTS.has(command.name)) {
      continue;
    }
    for (const arg of command.argv.slice(1)) {
      const service = CHAT_SERVICES.find((candidate) => candidate.webhook.test(arg));
      if (service === undefined || service.words.test(messages)) {
        continue;
      }
      const named = CHAT_SERVICES.find((candidate) => candidate.words.test(messages));
      if (named !== undefined) {
        return finding(
          'exfil-scouting',
          `The command sends to a ${service.name} webhook, while the request names ${named.name}`,
          'other-chat-webhook',
        );
      }
    }
  }
  return undefined;
}
