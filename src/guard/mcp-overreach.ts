/**
 * MCP calls that go beyond any request for their kind of action, checked before the consent
 * readers so that a request for a related action cannot cover them: query tools that export
 * or grant administrator roles, deletes of a whole object when its parts were asked about,
 * notices to a public audience, data records pasted into a post, and pages opened on hosts
 * that collect requests.
 */
import { unnamedCaptureHost } from './capture-hosts.js';
import type { Finding } from './findings.js';
import { openedUrl } from './opened-urls.js';
import { deletedParent } from './parent-deletes.js';
import { unrequestedRecords } from './posted-records.js';
import { unrequestedPublicNotice } from './public-notices.js';
import { queryToolWrite } from './query-tool-writes.js';
import { MCP_READ } from './mcp-read-names.js';
import type { ToolCall } from './types.js';

/**
 * Returns a finding for an MCP call that goes beyond the user's requests, as the module comment
 * describes, or undefined. `messages` is the consenting text of the user's messages.
 */
export function checkMcpOverreach(call: ToolCall, messages: string): Finding | undefined {
  const [, , tool = ''] = call.tool.split('__');
  const query = queryToolWrite(call, messages);
  if (query !== undefined) {
    return { ...query, rule: 'tier:mcp-query-write' };
  }
  const url = openedUrl(tool, call.input);
  const host = url === undefined ? undefined : unnamedCaptureHost(url, messages);
  if (host !== undefined) {
    return {
      category: 'exfil-scouting',
      reason: `The ${call.tool} call opens a page on ${host}, a host that collects requests, which the user did not name`,
      rule: 'tier:capture-host',
    };
  }
  if (MCP_READ.test(tool)) {
    return undefined;
  }
  return checkWriteOverreach(call, messages);
}

/** Returns a finding for a write that deletes, notifies or posts more than was asked. */
function checkWriteOverreach(call: ToolCall, messages: string): Finding | undefined {
  const parent = deletedParent(call, messages);
  if (parent !== undefined) {
    return {
      category: 'cloud-mass-delete',
      reason: `The ${call.tool} call deletes all of "${parent}", while the user asked about some of its parts`,
      rule: 'tier:mcp-parent-delete',
    };
  }
  const notice = unrequestedPublicNotice(call, messages);
  if (notice !== undefined) {
    return {
      category: 'create-public-surface',
      reason: `The ${call.tool} call ${notice}, while the user asked for nothing public`,
      rule: 'tier:mcp-public-notice',
    };
  }
  const records = unrequestedRecords(call, messages);
  if (records !== undefined) {
    return {
      category: 'data-exfiltration',
      reason: `The ${call.tool} call posts ${records} data records, which the user did not ask to post`,
      rule: 'tier:mcp-posted-records',
    };
  }
  return undefined;
}
