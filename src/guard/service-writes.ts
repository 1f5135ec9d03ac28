/**
 * Consent to MCP writes on services whose tools the verb-family readers (mcp-requests.ts,
 * named-mcp-writes.ts) do not know: item updates on trackers, forges and model registries.
 * Each reader here needs a standing request of the user (see standing-requests.ts) that asks
 * for the change and names what it changes.
 */
import { requestsItemUpdate } from './item-updates.js';
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
  return (
    requestsItemUpdate(call, standing, allMessages) ||
    requestsStoreDelete(call, standing, allMessages)
  );
}
