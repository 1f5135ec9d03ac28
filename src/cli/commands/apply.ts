import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { applyManifests, type AppliedObject } from '../../sandbox/manifests/apply.js';
import { createSpinner, printJson, printLine, printWarning } from '../output.js';
import { rejectRemote } from '../remote.js';
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
      rejectRemote(command, 'apply');
      const inputs = options.filename.map((file) => ({
        source: sourceName(file),
        text: readInput(file),
      }));
      const { controller } = openSandboxContext(command);
      const spinner = createSpinner(options.json !== true);
      const applied: AppliedObject[] = [];
      try {
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
      } finally {
        spinner.stop();
      }
      if (options.json === true) {
        printJson(applied);
        return;
      }
      for (const item of applied) {
        printLine(describe(item));
        for (const note of item.notes) {
          printWarning(`${item.kind.toLowerCase()}/${item.name}: ${note}`);
        }
      }
    });
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
