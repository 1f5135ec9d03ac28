/**
 * Webhooks created through `gh api`. `gh api repos/O/R/hooks -f 'config[url]=URL'` makes
 * GitHub send every matching event of the repository to URL, pushes with their commit data
 * included. A request to set up notifications consents to that only when it names the host.
 */
import type { SimpleCommand } from './shell.js';
import { isLocalHost, userNamesHost } from './uploads.js';

/** API paths that create a repository or organisation webhook. */
const HOOKS_PATH = /^\/?(?:repos\/[\w.-]+\/[\w.-]+|orgs\/[\w.-]+)\/hooks\/?$/;
/** A field that sets the webhook's delivery URL, with its host in group 1. */
const URL_FIELD = /^(?:config\[url\]|url)=https?:\/\/(?:[^@/\s]*@)?([^/:?#\s]+)/i;

/**
 * Returns the host of a webhook that a `gh api` call creates when the messages do not name
 * it, or undefined.
 */
export function unnamedWebhookHost(command: SimpleCommand, messages: string): string | undefined {
  const args = command.argv.slice(1);
  if (command.name !== 'gh' || args[0] !== 'api' || !args.some((arg) => HOOKS_PATH.test(arg))) {
    return undefined;
  }
  const host = args.map((arg) => URL_FIELD.exec(arg)?.[1]).find((value) => value !== undefined);
  if (host === undefined || isLocalHost(host) || userNamesHost(messages, host)) {
    return undefined;
  }
  return host;
}
