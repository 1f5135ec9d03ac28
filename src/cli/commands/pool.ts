import type { Command } from 'commander';
import { MAX_POOL_REPLICAS } from '../../sandbox/controller.js';
import { integerOption } from '../options.js';
import { createSpinner, printJson, printLine } from '../output.js';
import { openRemote, rejectRemote } from '../remote.js';
import { SandstackError } from '../../core/errors.js';
import { applyAndReport } from './apply.js';
import { printObjects, withOutputOptions, type GetOptions } from './get.js';
import { openSandboxContext } from './sandbox-context.js';

/** Registers `sandstack pool create|delete|list|get|scale`. */
export function register(program: Command): void {
  const pool = program.command('pool').description('Keep ready sandboxes for fast claims');

  pool
    .command('create <name>')
    .description('Create a warm pool and wait until it is full')
    .option('--template <name>', "template of the pool's sandboxes", 'default')
    .option(
      '--replicas <count>',
      `ready sandboxes to keep, from 0 to ${MAX_POOL_REPLICAS}`,
      integerOption(0, MAX_POOL_REPLICAS),
      2,
    )
    .option('--json', 'print the pool as JSON')
    .action(
      async (
        name: string,
        options: { template: string; replicas: number; json?: boolean },
        command: Command,
      ) => {
        rejectRemote(command, 'pool create');
        const { controller } = openSandboxContext(command);
        const spinner = createSpinner(options.json !== true);
        controller.createPool({ name, template: options.template, replicas: options.replicas });
        const timer = setInterval(() => {
          const ready = controller.listPools().find((item) => item.name === name)?.ready ?? 0;
          spinner.update(`Filling pool ${name}: ${ready}/${options.replicas} ready`);
        }, 200);
        try {
          await controller.waitUntilReady(name);
        } finally {
          clearInterval(timer);
          spinner.stop();
        }
        const created = controller.listPools().find((item) => item.name === name);
        if (options.json === true) {
          printJson(created);
          return;
        }
        printLine(
          `Pool ${name} ready: ${created?.ready ?? 0}/${options.replicas} sandboxes of template ${options.template}`,
        );
      },
    );

  pool
    .command('delete <name>')
    .description('Delete a pool and destroy its ready sandboxes (claimed ones stay)')
    .action(async (name: string, _options: unknown, command: Command) => {
      rejectRemote(command, 'pool delete');
      const { controller } = openSandboxContext(command);
      await controller.deletePool(name);
      printLine(`Pool ${name} deleted`);
    });

  withOutputOptions(
    pool.command('get <name>').description('Show one pool and how many of its sandboxes are ready'),
    'pool',
  ).action((name: string, options: GetOptions, command: Command) =>
    printObjects(command, 'pools', name, options),
  );

  pool
    .command('scale <name>')
    .description(
      'Change how many ready sandboxes a pool keeps: fills up to it, or destroys surplus ready ones (newest first)',
    )
    .requiredOption('--replicas <count>', 'ready sandboxes to keep')
    .option('--json', 'print the applied pool as JSON')
    .action(
      async (name: string, options: { replicas: string; json?: boolean }, command: Command) => {
        const replicas = Number(options.replicas);
        if (!Number.isSafeInteger(replicas) || replicas < 0) {
          throw new SandstackError(
            'INVALID_ARGUMENT',
            `Invalid --replicas "${options.replicas}"; use a whole number of 0 or more`,
          );
        }
        const current = await poolOf(command, name);
        const manifest = {
          apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
          kind: 'SandboxWarmPool',
          metadata: { name },
          spec: {
            replicas,
            sandboxTemplateRef: { name: current.template },
            updateStrategy: { type: current.updateStrategy },
          },
        };
        await applyAndReport(
          command,
          [{ source: `sandstack pool scale ${name}`, text: JSON.stringify(manifest) }],
          { json: options.json === true },
        );
      },
    );

  withOutputOptions(
    pool.command('list').description('List pools, their ready sandboxes and why a pool is short'),
    'pools',
  ).action((options: GetOptions, command: Command) =>
    printObjects(command, 'pools', undefined, options),
  );
}

/** Reads a pool of the state folder or of the server the command targets. */
async function poolOf(
  command: Command,
  name: string,
): Promise<{ template: string; updateStrategy: string }> {
  const remote = openRemote(command);
  if (remote !== undefined) {
    return remote.call((client) => client.objects.getPool(name));
  }
  const pools = openSandboxContext(command).controller.listPools();
  const found = pools.find((item) => item.name === name);
  if (found === undefined) {
    const known = pools.map((item) => item.name).join(', ') || 'none';
    throw new SandstackError(
      'POOL_NOT_FOUND',
      `Pool "${name}" not found; known pools: ${known}. Create it with "sandstack pool create ${name}"`,
    );
  }
  return found;
}
