/**
 * A separate process that runs one workflow instance, for tests that kill it with SIGKILL.
 * Arguments: state database, side-effect log file, workflow file, instance id. With
 * `HANG=1` in the environment, `env.LOG.hang()` never returns, so the step stays in flight.
 * Prints the run result as JSON on stdout.
 */
import { appendFileSync } from 'node:fs';
import { openDatabase } from '../../src/core/store.js';
import { WorkflowEngine } from '../../src/workflows/engine.js';

const [dbPath, logPath, workflowPath, instanceId] = process.argv.slice(2);
if (
  dbPath === undefined ||
  logPath === undefined ||
  workflowPath === undefined ||
  instanceId === undefined
) {
  throw new Error('Usage: workflow-child <db> <log> <workflow> <instance-id>');
}

const engine = new WorkflowEngine({
  db: openDatabase(dbPath),
  bindings: () => ({
    LOG: {
      append: async (context, line) => {
        appendFileSync(logPath, `${String(line)}\n`);
        return context.stepKey ?? null;
      },
      hang: () =>
        process.env.HANG === '1'
          ? new Promise<undefined>(() => undefined)
          : Promise.resolve(undefined),
    },
  }),
});

const deployed = await engine.deploy('acme', 'counting', { entryPath: workflowPath });
if ((await engine.list('acme')).every((instance) => instance.id !== instanceId)) {
  await engine.create('acme', 'counting', { id: instanceId });
}
const result = await engine.run('acme', instanceId);
process.stdout.write(`${JSON.stringify({ ...result, version: deployed.version })}\n`);
