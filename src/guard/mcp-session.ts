/**
 * The default backstop session of the MCP proxy. An MCP client starts the proxy as a child
 * process, and starts a new one when it reconnects, for example after the proxy was killed.
 * No session id of the client reaches the proxy. A new id per start would let an agent clear its run of denials by
 * getting the proxy restarted, so the default id is fixed for one server name in one project.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Returns `mcp-<server>-<hash>`, where the hash covers the project folder (links resolved)
 * and the server name, so every start of that server in that project counts denials in one
 * session. Characters outside `[A-Za-z0-9._-]` in the name become `-` so that the id can be
 * passed to `sandstack guard session reset` without quoting.
 */
export function defaultMcpSessionId(serverName: string, projectDir: string): string {
  const project = realFolder(path.resolve(projectDir));
  const digest = createHash('sha256').update(`${project}\0${serverName}`).digest('hex');
  const name = serverName.replace(/[^A-Za-z0-9._-]/g, '-');
  return `mcp-${name}-${digest.slice(0, 12)}`;
}

function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}
