/**
 * Release of the sandboxes an ended instance still has claimed, shared by the server's
 * runner and the local `sandstack run`.
 */
import type { Stack } from './stack.js';

/**
 * Releases every sandbox that instance `id` of `tenant` still has claimed, because a run
 * that fails or returns before its release step would otherwise keep them, and the
 * tenant's sandbox quota, until their lifetime ends. A failed release is logged and the
 * rest still go; the sandbox's lifetime ends it later.
 */
export async function releaseClaimedSandboxes(
  stack: Stack,
  tenant: string,
  id: string,
): Promise<void> {
  const controller = stack.controller;
  const claimed = controller
    .list({ tenant, runId: id })
    .filter((record) => record.state === 'claimed');
  for (const record of claimed) {
    try {
      await controller.release(record.id);
      stack.logger.info('Released sandbox of ended instance', {
        tenant,
        instanceId: id,
        sandboxId: record.id,
      });
    } catch (error) {
      stack.logger.error('Releasing sandbox of ended instance failed', {
        tenant,
        instanceId: id,
        sandboxId: record.id,
        error: String(error),
      });
    }
  }
}
