/**
 * `sandstack workflow …` and `sandstack instance …`: deploy tenant workflows and inspect,
 * upgrade or terminate their instances in the state database.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { openDatabase } from '../../core/store.js';
import { inputsDir } from '../../server/http/runner.js';
import { createRunBindings } from '../../server/run-bindings.js';
import { openStack } from '../../server/stack.js';
import { WorkflowEngine } from '../../workflows/engine.js';
import { openRunInputs } from '../../workflows/inputs.js';
import type { InstanceStatus } from '../../workflows/types.js';
import { printJson, printLine } from '../output.js';
import { openSandboxContext } from './sandbox-context.js';

const DEFAULT_TENANT = 'default';

interface TenantOptions {
  tenant: string;
  json?: boolean;
}

/** Opens the engine on the state database, runs `action`, and closes the database. */
async function withEngine<T>(
  command: Command,
  action: (engine: WorkflowEngine) => Promise<T> | T,
): Promise<T> {
  const { stateDir } = command.optsWithGlobals<{ stateDir: string }>();
  const db = openDatabase(join(resolve(stateDir), 'state.db'));
  try {
    return await action(new WorkflowEngine({ db }));
  } finally {
    db.close();
  }
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

function registerWorkflow(program: Command): void {
  const workflow = program.command('workflow').description('Deploy and list tenant workflows');

  workflow
    .command('deploy')
    .description('Bundle a workflow file or folder and store it as a new version')
    .argument(
      '<path>',
      'workflow file, or a folder with workflow.ts, index.ts, workflow.js or index.js',
    )
    .requiredOption('--name <name>', 'workflow name that instances are created from')
    .option('--tenant <tenant>', 'tenant that owns the workflow', DEFAULT_TENANT)
    .option(
      '--class <className>',
      'exported WorkflowEntrypoint subclass to run (default: the first)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (
        path: string,
        options: TenantOptions & { name: string; class?: string },
        command: Command,
      ) => {
        const result = await withEngine(command, (engine) =>
          engine.deploy(options.tenant, options.name, {
            entryPath: path,
            ...(options.class === undefined ? {} : { className: options.class }),
          }),
        );
        if (options.json === true) {
          printJson(result);
          return;
        }
        const verb = result.created ? 'deployed' : 'unchanged';
        printLine(
          `${verb} ${result.workflow} version ${result.version.slice(0, 12)} (class ${result.className})`,
        );
      },
    );

  workflow
    .command('list')
    .description("List a tenant's workflow versions, newest first")
    .option('--tenant <tenant>', 'tenant whose workflows to list', DEFAULT_TENANT)
    .option('--json', 'print the versions as JSON')
    .action(async (options: TenantOptions, command: Command) => {
      const versions = await withEngine(command, (engine) => engine.registry.list(options.tenant));
      if (options.json === true) {
        printJson(versions);
        return;
      }
      if (versions.length === 0) {
        printLine(
          `No workflows for tenant "${options.tenant}"; deploy one with "sandstack workflow deploy"`,
        );
        return;
      }
      for (const version of versions) {
        printLine(
          `${version.workflow}  ${version.hash.slice(0, 12)}  ${version.className}  ${formatTime(version.createdAtMs)}`,
        );
      }
    });
}

function registerInstance(program: Command): void {
  const instance = program
    .command('instance')
    .description('Inspect, upgrade and terminate workflow instances');

  instance
    .command('list')
    .description("List a tenant's instances, newest first")
    .option('--tenant <tenant>', 'tenant whose instances to list', DEFAULT_TENANT)
    .option('--workflow <name>', 'only instances of this workflow')
    .option('--status <status>', 'only instances in this status')
    .option('--json', 'print the instances as JSON')
    .action(
      async (options: TenantOptions & { workflow?: string; status?: string }, command: Command) => {
        const instances = await withEngine(command, (engine) =>
          engine.list(options.tenant, {
            ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
            ...(options.status === undefined ? {} : { status: options.status as InstanceStatus }),
          }),
        );
        if (options.json === true) {
          printJson(instances.map(({ params: _params, ...rest }) => rest));
          return;
        }
        if (instances.length === 0) {
          printLine(`No instances for tenant "${options.tenant}"`);
          return;
        }
        for (const item of instances) {
          printLine(
            `${item.id}  ${item.workflow}  ${item.status}  ${formatTime(item.createdAtMs)}`,
          );
        }
      },
    );

  instance
    .command('get')
    .description("Show an instance's status, output, error and steps")
    .argument('<id>', 'instance id')
    .option('--tenant <tenant>', 'tenant that owns the instance', DEFAULT_TENANT)
    .option('--json', 'print the instance as JSON')
    .action(async (id: string, options: TenantOptions, command: Command) => {
      const result = await withEngine(command, (engine) => engine.get(options.tenant, id));
      if (options.json === true) {
        printJson(result);
        return;
      }
      printLine(
        `${result.id}  ${result.info.workflow}  ${result.status}  version ${result.info.version.slice(0, 12)}`,
      );
      for (const step of result.steps) {
        const duration = step.durationMs === undefined ? '' : `  ${step.durationMs} ms`;
        printLine(
          `  ${step.key}  ${step.kind}  ${step.status}  attempt ${step.attempt}${duration}`,
        );
      }
      if (result.error !== undefined) {
        printLine(`error [${result.error.code}] ${result.error.message}`);
      }
      if (result.output !== undefined) {
        printLine(`output ${JSON.stringify(result.output)}`);
      }
    });

  instance
    .command('terminate')
    .description('End an instance for good')
    .argument('<id>', 'instance id')
    .option('--tenant <tenant>', 'tenant that owns the instance', DEFAULT_TENANT)
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: TenantOptions, command: Command) => {
      await withEngine(command, (engine) => engine.terminate(options.tenant, id));
      // The instance's release step never runs now, so its sandboxes are released here.
      const released = await releaseRunSandboxes(command, options.tenant, id);
      if (options.json === true) {
        printJson({ id, status: 'terminated', releasedSandboxes: released });
        return;
      }
      printLine(`terminated ${id}`);
      for (const sandboxId of released) {
        printLine(`released sandbox ${sandboxId}`);
      }
    });

  registerUpgrade(instance);
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

/** Registers `sandstack workflow` and `sandstack instance`. */
export function register(program: Command): void {
  registerWorkflow(program);
  registerInstance(program);
}
