/**
 * `sandstack instance …`: inspect, pause, resume, restart, signal, upgrade and terminate
 * workflow instances, in the state database or, with a server set, over its HTTP API.
 */
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { deleteRunInputs, inputsDir } from '../../server/http/runner.js';
import { createRunBindings } from '../../server/run-bindings.js';
import { openStack } from '../../server/stack.js';
import { WorkflowEngine } from '../../workflows/engine.js';
import { openRunInputs } from '../../workflows/inputs.js';
import type { PruneResult } from '../../workflows/retention.js';
import type { InstanceStatus, JsonValue } from '../../workflows/types.js';
import { printJson, printLine } from '../output.js';
import { openRemote, rejectLocalOptions, rejectRemote, type Remote } from '../remote.js';
import type { RetentionFlags } from './retention-options.js';
import { addRetentionFlags, retentionFromFlags } from './retention-options.js';
import { openSandboxContext } from './sandbox-context.js';
import {
  DEFAULT_TENANT,
  TOKEN_PICKS_TENANT,
  formatTime,
  withEngine,
  type TenantOptions,
} from './workflow.js';

/** An instance as `instance get` prints it, from the engine or from the HTTP API. */
interface InstanceView {
  id: string;
  workflow: string;
  version: string;
  status: string;
  steps: {
    key: string;
    kind: string;
    status: string;
    attempt: number;
    durationMs?: number | null | undefined;
  }[];
  error: { code: string; message: string } | null | undefined;
  output: unknown;
}

type LifecycleChange = 'pause' | 'resume' | 'restart';

const CHANGES: Record<LifecycleChange, { past: string; description: string }> = {
  pause: {
    past: 'paused',
    description: 'Pause an instance until it is resumed; a running one stops',
  },
  resume: { past: 'resumed', description: 'Make a paused instance runnable again' },
  restart: {
    past: 'restarted',
    description: 'Start an instance over on its version; finished steps run again',
  },
};

/**
 * Returns the remote of a tenant-scoped command, rejecting `--tenant` for it, or undefined
 * for the local state folder.
 */
function remoteFor(command: Command): Remote | undefined {
  const remote = openRemote(command);
  if (remote !== undefined) {
    rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
  }
  return remote;
}

function printInstance(view: InstanceView): void {
  printLine(`${view.id}  ${view.workflow}  ${view.status}  version ${view.version.slice(0, 12)}`);
  for (const step of view.steps) {
    const duration =
      step.durationMs === undefined || step.durationMs === null ? '' : `  ${step.durationMs} ms`;
    printLine(`  ${step.key}  ${step.kind}  ${step.status}  attempt ${step.attempt}${duration}`);
  }
  if (view.error !== undefined && view.error !== null) {
    printLine(`error [${view.error.code}] ${view.error.message}`);
  }
  if (view.output !== undefined && view.output !== null) {
    printLine(`output ${JSON.stringify(view.output)}`);
  }
}

function registerList(instance: Command): void {
  instance
    .command('list')
    .description("List a tenant's instances, newest first")
    .option('--tenant <tenant>', 'tenant whose instances to list', DEFAULT_TENANT)
    .option('--workflow <name>', 'only instances of this workflow')
    .option('--status <status>', 'only instances in this status')
    .option('--json', 'print the instances as JSON')
    .action(
      async (options: TenantOptions & { workflow?: string; status?: string }, command: Command) => {
        const filter = {
          ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
          ...(options.status === undefined ? {} : { status: options.status as InstanceStatus }),
        };
        const remote = remoteFor(command);
        const instances =
          remote === undefined
            ? await withEngine(command, (engine) => engine.list(options.tenant, filter))
            : await remote.call((client) => client.instances.list(filter));
        if (options.json === true) {
          printJson(instances.map(({ params: _params, ...rest }) => rest));
          return;
        }
        if (instances.length === 0) {
          printLine(
            remote === undefined
              ? `No instances for tenant "${options.tenant}"`
              : 'No instances for this token',
          );
          return;
        }
        for (const item of instances) {
          printLine(
            `${item.id}  ${item.workflow}  ${item.status}  ${formatTime(item.createdAtMs)}`,
          );
        }
      },
    );
}

function registerGet(instance: Command): void {
  instance
    .command('get')
    .description("Show an instance's status, output, error and steps")
    .argument('<id>', 'instance id')
    .option('--tenant <tenant>', 'tenant that owns the instance', DEFAULT_TENANT)
    .option('--json', 'print the instance as JSON')
    .action(async (id: string, options: TenantOptions, command: Command) => {
      const remote = remoteFor(command);
      if (remote !== undefined) {
        const detail = await remote.call((client) => client.instances.get(id));
        if (options.json === true) {
          printJson(detail);
          return;
        }
        printInstance(detail);
        return;
      }
      const result = await withEngine(command, (engine) => engine.get(options.tenant, id));
      if (options.json === true) {
        printJson(result);
        return;
      }
      printInstance({
        ...result,
        workflow: result.info.workflow,
        version: result.info.version,
        output: result.output,
        error: result.error,
      });
    });
}

function registerTerminate(instance: Command): void {
  instance
    .command('terminate')
    .description('End an instance for good')
    .argument('<id>', 'instance id')
    .option('--tenant <tenant>', 'tenant that owns the instance', DEFAULT_TENANT)
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: TenantOptions, command: Command) => {
      const remote = remoteFor(command);
      let released: string[];
      if (remote === undefined) {
        await withEngine(command, (engine) => engine.terminate(options.tenant, id));
        // The instance's release step never runs now, so its sandboxes are released here.
        released = await releaseRunSandboxes(command, options.tenant, id);
      } else {
        released = await terminateRemote(remote, id);
      }
      if (options.json === true) {
        printJson({ id, status: 'terminated', releasedSandboxes: released });
        return;
      }
      printLine(`terminated ${id}`);
      for (const sandboxId of released) {
        printLine(`released sandbox ${sandboxId}`);
      }
    });
}

function registerChanges(instance: Command): void {
  for (const change of Object.keys(CHANGES) as LifecycleChange[]) {
    instance
      .command(change)
      .description(CHANGES[change].description)
      .argument('<id>', 'instance id')
      .option('--tenant <tenant>', 'tenant that owns the instance', DEFAULT_TENANT)
      .option('--json', 'print the instance as JSON')
      .action(async (id: string, options: TenantOptions, command: Command) => {
        const remote = remoteFor(command);
        const status =
          remote === undefined
            ? await withEngine(command, async (engine) => {
                await engine[change](options.tenant, id);
                return (await engine.get(options.tenant, id)).status;
              })
            : (await remote.call((client) => client.instances[change](id))).status;
        if (options.json === true) {
          printJson({ id, status });
          return;
        }
        printLine(`${CHANGES[change].past} ${id} (status ${status})`);
        if (remote === undefined && status === 'queued') {
          printLine(`  continue it with "sandstack run <workflow> --id ${id}"`);
        }
      });
  }
}

function registerSendEvent(instance: Command): void {
  instance
    .command('send-event')
    .description("Send an event to an instance's step.waitForEvent; it is stored until then")
    .argument('<id>', 'instance id')
    .requiredOption('--type <type>', 'event type that step.waitForEvent waits for')
    .option('--payload <json>', 'event payload as JSON', 'null')
    .option('--tenant <tenant>', 'tenant that owns the instance', DEFAULT_TENANT)
    .option('--json', 'print the result as JSON')
    .action(
      async (
        id: string,
        options: TenantOptions & { type: string; payload: string },
        command: Command,
      ) => {
        const event = { type: options.type, payload: parsePayload(options.payload) };
        const remote = remoteFor(command);
        const status =
          remote === undefined
            ? await withEngine(command, async (engine) => {
                await engine.sendEvent(options.tenant, id, event);
                return (await engine.get(options.tenant, id)).status;
              })
            : (await remote.call((client) => client.instances.sendEvent(id, event))).status;
        if (options.json === true) {
          printJson({ id, type: event.type, status });
          return;
        }
        printLine(`sent event "${event.type}" to ${id} (status ${status})`);
      },
    );
}

function parsePayload(raw: string): JsonValue {
  try {
    return JSON.parse(raw) as JsonValue;
  } catch (error) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `--payload is not valid JSON (${(error as Error).message}); pass JSON such as '{"approved": true}'`,
    );
  }
}
function registerUpgrade(instance: Command): void {
  instance
    .command('upgrade')
    .description(
      'Move a paused, waiting or errored instance to another deployed version of its workflow, after checking that the new code replays its finished steps',
    )
    .argument('<id>', 'instance id')
    // The option is --to, not --version, because the program's own --version takes that name.
    .requiredOption('--to <hash>', 'version hash, or a unique prefix of it, from "workflow list"')
    .option('--tenant <tenant>', 'tenant that owns the instance', DEFAULT_TENANT)
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: TenantOptions & { to: string }, command: Command) => {
      rejectRemote(command, 'instance upgrade');
      const result = await withRunEngine(command, async (engine) => {
        const { workflow } = (await engine.get(options.tenant, id)).info;
        const version = await resolveVersion(engine, options.tenant, workflow, options.to);
        return engine.upgrade(options.tenant, id, version);
      });
      if (options.json === true) {
        printJson(result);
        return;
      }
      printLine(
        `upgraded ${id} from version ${result.from.slice(0, 12)} to ${result.to.slice(0, 12)} (${result.replayedSteps} steps kept)`,
      );
      for (const key of result.droppedSteps) {
        printLine(`  dropped failed step ${key}; it runs again on the new version`);
      }
    });
}

/**
 * Opens the engine with the bindings `sandstack run` grants, runs `action`, and closes the
 * stack. The upgrade check needs the binding names, so that a binding call outside any step
 * is reported as such, but it never calls a binding.
 */
async function withRunEngine<T>(
  command: Command,
  action: (engine: WorkflowEngine) => Promise<T>,
): Promise<T> {
  const { stateDir } = command.optsWithGlobals<{ stateDir: string }>();
  const stack = await openStack({ stateDir });
  try {
    const engine = new WorkflowEngine({
      db: stack.db,
      logger: stack.logger,
      bindings: (tenant, instanceId) =>
        createRunBindings({
          stack,
          tenant,
          instanceId,
          inputs: openRunInputs(inputsDir(stack, tenant, instanceId)),
          startSpan: () => {
            throw new SandstackError('INTERNAL', 'The upgrade check does not trace binding calls');
          },
          onAction: () => undefined,
        }),
    });
    return await action(engine);
  } finally {
    await stack.close();
  }
}

/** Returns the one version hash of `workflow` that starts with `prefix`. */
async function resolveVersion(
  engine: WorkflowEngine,
  tenant: string,
  workflow: string,
  prefix: string,
): Promise<string> {
  const versions = await engine.registry.list(tenant, workflow);
  const matches = versions.filter((version) => version.hash.startsWith(prefix.toLowerCase()));
  if (prefix.length === 0 || matches.length === 0) {
    throw new SandstackError(
      'NOT_FOUND',
      `Version "${prefix}" of workflow "${workflow}" not found for tenant "${tenant}"; list versions with "workflow list"`,
    );
  }
  if (matches.length > 1) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Version prefix "${prefix}" matches ${matches.length} versions of workflow "${workflow}"; give more characters of the hash`,
    );
  }
  return (matches[0] as { hash: string }).hash;
}

/** Releases the claimed sandboxes of one instance; returns their ids. */
async function releaseRunSandboxes(
  command: Command,
  tenant: string,
  instanceId: string,
): Promise<string[]> {
  const { db, controller } = openSandboxContext(command);
  try {
    const claimed = controller
      .list({ tenant, runId: instanceId })
      .filter((record) => record.state === 'claimed');
    for (const record of claimed) {
      await controller.release(record.id);
    }
    return claimed.map((record) => record.id);
  } finally {
    await controller.close();
    db.close();
  }
}

/**
 * Terminates an instance on the server and returns the ids of the sandboxes it had claimed.
 * The server releases them itself; any still claimed after the call, as on a server
 * without that release, are released here.
 */
async function terminateRemote(remote: Remote, instanceId: string): Promise<string[]> {
  const claimedByRun = async () =>
    (await remote.call((client) => client.sandboxes.list())).filter(
      (sandbox) => sandbox.runId === instanceId && sandbox.state === 'claimed',
    );
  const before = await claimedByRun();
  await remote.call((client) => client.instances.terminate(instanceId));
  for (const sandbox of await claimedByRun()) {
    await remote.call((client) => client.sandboxes.release(sandbox.id));
  }
  return before.map((sandbox) => sandbox.id);
}

function registerPrune(instance: Command): void {
  const prune = instance
    .command('prune')
    .description(
      'Delete ended (complete, errored, terminated) instances past their retention, with their steps, events and run inputs; unfinished instances are never deleted',
    )
    .option('--tenant <tenant>', "only this tenant's instances (default: every tenant)")
    .option('--dry-run', 'list what would be deleted without deleting it')
    .option(
      '--store <url>',
      'workflow store: "sqlite" (the state folder) or a postgres:// URL (default: $SANDSTACK_STORE, else sqlite)',
    )
    .option('--json', 'print the result as JSON');
  addRetentionFlags(prune).action(
    async (
      options: RetentionFlags & {
        tenant?: string;
        dryRun?: boolean;
        store?: string;
        json?: boolean;
      },
      command: Command,
    ) => {
      rejectRemote(command, 'instance prune');
      const retention = retentionFromFlags(options);
      const { stateDir } = command.optsWithGlobals<{ stateDir: string }>();
      const store = options.store ?? process.env.SANDSTACK_STORE;
      const stack = await openStack({
        stateDir,
        ...(store === undefined || store === '' ? {} : { store }),
      });
      let result: PruneResult;
      try {
        const engine = new WorkflowEngine({ store: stack.workflows, retention });
        result = await engine.prune({
          ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
          dryRun: options.dryRun === true,
        });
        if (options.dryRun !== true) {
          await deleteRunInputs(stack, result.instances);
        }
      } finally {
        await stack.close();
      }
      if (options.json === true) {
        printJson({ dryRun: options.dryRun === true, ...result });
        return;
      }
      const { complete, errored, terminated } = result.deleted;
      const verb = options.dryRun === true ? 'would delete' : 'deleted';
      printLine(
        `${verb} ${result.instances.length} ended instances (${complete} complete, ${errored} errored, ${terminated} terminated)`,
      );
      if (result.releasedIds > 0) {
        printLine(`released ${result.releasedIds} reserved ids of instances deleted earlier`);
      }
    },
  );
}

/** Registers `sandstack instance`. */
export function register(program: Command): void {
  const instance = program
    .command('instance')
    .description(
      'Inspect, pause, resume, restart, upgrade, terminate and prune workflow instances',
    );
  registerList(instance);
  registerGet(instance);
  registerChanges(instance);
  registerSendEvent(instance);
  registerTerminate(instance);
  registerUpgrade(instance);
  registerPrune(instance);
}
