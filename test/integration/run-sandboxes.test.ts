/**
 * Local `sandstack run` releases the sandboxes an instance still has claimed once it ends,
 * as the server does, so a failed run keeps no sandbox and no slot of the tenant's quota.
 * Real bubblewrap sandboxes on a state folder of the test's own.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkflow } from '../../src/cli/commands/run.js';
import { openStack } from '../../src/server/stack.js';

/** Claims a sandbox of template `bwrap`, then fails or returns without releasing it. */
const KEEP_WORKFLOW = `import { NonRetryableError, WorkflowEntrypoint } from 'sandstack/workflows';
export class Keep extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', { retries: { limit: 0 } }, async () =>
      this.env.SANDBOX.claim({ template: 'bwrap' }),
    );
    if (event.payload.end === 'fail') {
      await step.do('fail', async () => {
        throw new NonRetryableError('failed on purpose');
      });
    }
    return box.id;
  }
}
`;

describe('sandboxes of ended local runs', () => {
  let dir: string;
  let stateDir: string;
  let workflowPath: string;

  /** Returns the states of the sandboxes instance `id` claimed, read from the state folder. */
  const sandboxStates = async (id: string): Promise<string[]> => {
    const stack = await openStack({ stateDir });
    try {
      return stack.controller
        .list({ tenant: 'acme', runId: id, includeReleased: true })
        .map((record) => record.state);
    } finally {
      await stack.close();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-run-sandboxes-'));
    stateDir = join(dir, 'state');
    workflowPath = join(dir, 'keep.js');
    await writeFile(workflowPath, KEEP_WORKFLOW);
    const stack = await openStack({ stateDir });
    try {
      stack.controller.createTemplate({ name: 'bwrap', runtime: 'bubblewrap' });
    } finally {
      await stack.close();
    }
  });

  afterAll(async () => {
    const stack = await openStack({ stateDir });
    try {
      for (const record of stack.controller.list({ tenant: 'acme' })) {
        await stack.controller.release(record.id);
      }
    } finally {
      await stack.close();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('releases after an errored run', async () => {
    const summary = await runWorkflow(workflowPath, {
      tenant: 'acme',
      id: 'failed',
      params: JSON.stringify({ end: 'fail' }),
      json: true,
      stateDir,
    });

    expect(summary.status).toBe('errored');
    expect(summary.error?.message).toContain('failed on purpose');
    expect(await sandboxStates('failed')).toEqual(['released']);
  }, 120_000);

  it('releases after a complete run', async () => {
    const summary = await runWorkflow(workflowPath, {
      tenant: 'acme',
      id: 'returned',
      params: JSON.stringify({ end: 'return' }),
      json: true,
      stateDir,
    });

    expect(summary.status).toBe('complete');
    expect(await sandboxStates('returned')).toEqual(['released']);
  }, 120_000);
});
