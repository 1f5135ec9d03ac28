/**
 * MCP writes that reach a public audience: an incident on a status page, or any call that
 * switches on notifications to subscribers (`deliver_notifications: true`). A request for an
 * internal incident ("open a minor Grafana incident") does not consent to telling every
 * customer, so the user must name the status page, its subscribers or customers.
 */
import { toolWords } from './requested-mcp-writes.js';
import type { ToolCall } from './types.js';

/** Switches that send the item to a page's or list's subscribers. */
const NOTIFY_KEY =
  /^(?:deliver_?notifications|notify_?subscribers|send_?notifications|notify_?customers|email_?subscribers|notify)$/i;
/** Words by which a user asks for something customers or subscribers see. */
const PUBLIC_AUDIENCE =
  /\bstatus\s*page|\bstatuspage\b|\bsubscribers?\b|\bcustomers?\b|\bpublic(?:ly)?\b|\bannounce\w*/i;

/** Checks whether an MCP call writes to a status page: its server names one and its tool writes. */
function writesStatusPage(call: ToolCall): boolean {
  const [, server = ''] = call.tool.split('__');
  const words = toolWords(call.tool);
  return (
    /status_?page/i.test(server) &&
    words.some((word) =>
      /^(?:create|update|post|publish|open|add|incident|maintenance)$/.test(word),
    )
  );
}

/**
 * Returns what makes an MCP call public, as the module comment describes, when the user's
 * consenting `messages` name no public audience, or undefined.
 */
export function unrequestedPublicNotice(call: ToolCall, messages: string): string | undefined {
  const notifies = Object.entries(call.input).some(
    ([key, value]) => NOTIFY_KEY.test(key) && value === true,
  );
  if (!notifies && !writesStatusPage(call)) {
    return undefined;
  }
  if (PUBLIC_AUDIENCE.test(messages)) {
    return undefined;
  }
  return notifies ? 'notifies subscribers' : 'writes to a status page';
}
