/**
 * Consent to MCP writes on services whose tools the verb-family readers (mcp-requests.ts,
 * named-mcp-writes.ts) do not know: item updates on trackers, forges and model registries,
 * deletes in data stores, mutes and events on monitoring services, DNS record changes, file
 * shares and gists.
 * Each reader here needs a standing request of the user (see standing-requests.ts) that asks
 * for the change and names what it changes.
 */
import { requestsDnsUpdate } from './dns-updates.js';
import { requestsFileShare } from './file-shares.js';
import { requestsGist } from './gist-creates.js';
import { requestsItemUpdate } from './item-updates.js';
import { requestsMonitorWrite } from './monitor-writes.js';
import { metConditionRequests } from './met-conditions.js';
import { requestsStoreDelete } from './store-deletes.js';
import type { ToolCall } from './types.js';

/**
 * Checks that an MCP write is one of the requested service writes the module comment lists.
 * `standing` is the standing requests of the user and `userMessages` all their messages.
 */
export function requestsServiceWrite(
  call: ToolCall,
  standing: string,
  userMessages: readonly string[],
): boolean {
  const allMessages = userMessages.join('\n');
  // A request that waited for a condition stands once a later message reports it met.
  const met = metConditionRequests(userMessages);
  const requests = met.length === 0 ? standing : [standing, ...met].join('\n');
  return (
    requestsItemUpdate(call, requests, allMessages) ||
    requestsStoreDelete(call, requests, allMessages) ||
    requestsMonitorWrite(call, requests, allMessages) ||
    requestsDnsUpdate(call, requests) ||
    requestsFileShare(call, requests) ||
    requestsGist(call, requests)
  );
}
