import type { RunningServer } from '../../src/server/http/server.js';

/**
 * Releases every sandbox of a test server, then closes it. Claimed sandboxes outlive the
 * server, so a failed test must not leave one running.
 */
export async function closeTestServer(server: RunningServer | undefined): Promise<void> {
  if (server === undefined) {
    return;
  }
  for (const record of server.context.stack.controller.list({})) {
    await server.context.stack.controller.release(record.id);
  }
  await server.close();
}
