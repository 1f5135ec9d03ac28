import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import type { SandboxController } from '../../sandbox/controller.js';
import { applyManifests, type AppliedObject } from '../../sandbox/manifests/apply.js';
import { createSpinner, printJson, printLine, printWarning } from '../output.js';
import { openRemote, type Remote } from '../remote.js';
import { openSandboxContext } from './sandbox-context.js';

/** Registers `sandstack apply -f FILE`. */
export function register(program: Command): void {
  program
    .command('apply')
    .description(
      'Create or update sandbox templates, warm pools and claims from agent-sandbox YAML (v1beta1)',
    )
    .requiredOption(
      '-f, --filename <file...>',
      'YAML file of SandboxTemplate, SandboxWarmPool and SandboxClaim documents; "-" reads stdin',
    )
    .option('--json', 'print the applied objects as JSON')
    .action(async (options: { filename: string[]; json?: boolean }, command: Command) => {
      const inputs = options.filename.map((file) => ({
        source: sourceName(file),
        text: readInput(file),
      }));
      await applyAndReport(command, inputs, { json: options.json === true });
    });
}

/** One manifest to apply and the name its errors give it. */
export type ManifestInput = { source: string; text: string };

/**
 * Applies manifests on the local controller or on the server the command targets, then
 * prints each applied object (or all of them as JSON) with the notes of each.
 */
export async function applyAndReport(
  command: Command,
  inputs: ManifestInput[],
  options: { json: boolean },
): Promise<AppliedObject[]> {
  const remote = openRemote(command);
  const spinner = createSpinner(!options.json);
  let applied: AppliedObject[];
  try {
    applied =
      remote === undefined
        ? await applyLocally(openSandboxContext(command).controller, inputs, spinner)
        : await applyRemotely(remote, inputs, spinner);
  } finally {
    spinner.stop();
  }
  if (options.json) {
    printJson(applied);
    return applied;
  }
  for (const item of applied) {
    printLine(describe(item));
    for (const note of item.notes) {
      printWarning(`${item.kind.toLowerCase()}/${item.name}: ${note}`);
    }
  }
  return applied;
}

type Input = ManifestInput;
type Spinner = ReturnType<typeof createSpinner>;

async function applyLocally(
  controller: SandboxController,
  inputs: Input[],
  spinner: Spinner,
): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const input of inputs) {
    applied.push(
      ...(await applyManifests(controller, input.text, {
        source: input.source,
        onPoolProgress: (pools) =>
          spinner.update(
            `Filling ${pools.map((pool) => `${pool.name} ${pool.ready}/${pool.replicas}`).join(', ')}`,
          ),
      })),
    );
  }
  return applied;
}

/** Sends each file to the server's `POST /v1/apply`, which fills pools before it answers. */
async function applyRemotely(
  remote: Remote,
  inputs: Input[],
  spinner: Spinner,
): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const input of inputs) {
    spinner.update(`Applying ${input.source} on ${remote.target.server}`);
    applied.push(
      ...(await remote.call((client) =>
        client.objects.apply(input.text, { filename: input.source }),
      )),
    );
  }
  return applied;
}

function describe(item: AppliedObject): string {
  const line = `${item.kind.toLowerCase()}/${item.name} ${item.action}`;
  if (item.sandbox === undefined) {
    return line;
  }
  return `${line} (sandbox ${item.sandbox.id}, ${item.sandbox.warm ? 'warm' : 'cold'})`;
}

function sourceName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Could not read manifest "${file}": ${(error as Error).message}; give a readable YAML file or "-" for stdin`,
      { cause: error },
    );
  }
}
