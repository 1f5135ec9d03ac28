/**
 * `sandstack sandbox …`: claim sandboxes, run commands and move files in them, and release
 * them, through the local controller or, with a server set, over its HTTP API.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import type { SandboxController } from '../../sandbox/controller.js';
import type { SandboxInstance } from '../../sandbox/types.js';
import { printJson, printLine } from '../output.js';
import { openRemote, rejectLocalOptions, type Remote } from '../remote.js';
import { openSandboxContext } from './sandbox-context.js';
import { TOKEN_PICKS_TENANT } from './workflow.js';

interface JsonOption {
  json?: boolean;
}

/** Fields of a sandbox that `sandbox claim`, `release` and `list` print, local or remote. */
interface SandboxView {
  id: string;
  state: string;
  runtime: string;
  template: string;
  pool: string | null;
  warm: boolean;
  claimLatencyMs: number | null;
  usage: { cpuSeconds: number; memoryPeakBytes: number } | null;
  tenant?: string | null;
}

/** Returns a claimed sandbox of the local controller. @throws SandstackError naming why it is gone */
async function localSandbox(controller: SandboxController, id: string): Promise<SandboxInstance> {
  const found = await controller.get(id);
  if (found !== undefined) {
    return found.sandbox;
  }
  // A sandbox that a limit ended says which limit, rather than just "not found".
  const ended = controller.endError(id);
  if (ended !== undefined) {
    throw ended;
  }
  throw new SandstackError(
    'SANDBOX_NOT_FOUND',
    `Sandbox "${id}" not found or released; claim one with "sandstack sandbox claim"`,
  );
}

/** Runs `local` on the state folder's controller, or `remote` on the server when one is set. */
async function either<T>(
  command: Command,
  local: (controller: SandboxController) => Promise<T> | T,
  remote: (remote: Remote) => Promise<T>,
): Promise<T> {
  const target = openRemote(command);
  if (target !== undefined) {
    return remote(target);
  }
  return local(openSandboxContext(command).controller);
}

function registerClaim(sandbox: Command): void {
  sandbox
    .command('claim')
    .description('Claim a sandbox (warm from a pool when one is ready, else cold)')
    .option('--template <name>', 'template to start', 'default')
    .option('--pool <name>', 'pool to take a ready sandbox from')
    .option('--tenant <name>', 'tenant that owns the sandbox', 'default')
    .option('--run-id <id>', 'run the sandbox belongs to, for metering')
    .option('--json', 'print the record as JSON')
    .action(
      async (
        options: { template: string; pool?: string; tenant: string; runId?: string } & JsonOption,
        command: Command,
      ) => {
        const from =
          options.pool === undefined ? { template: options.template } : { pool: options.pool };
        const record: SandboxView = await either(
          command,
          async (controller) =>
            (
              await controller.claim({
                tenant: options.tenant,
                ...from,
                ...(options.runId === undefined ? {} : { runId: options.runId }),
              })
            ).record,
          (remote) => {
            rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
            rejectLocalOptions(command, ['runId'], 'runs claim their own sandboxes on the server');
            return remote.call((client) => client.sandboxes.claim(from));
          },
        );
        if (options.json === true) {
          printJson(record);
          return;
        }
        const start = record.warm ? 'warm' : 'cold';
        printLine(
          `${record.id} claimed (${record.runtime}, ${start}, ${record.claimLatencyMs ?? 0} ms)`,
        );
      },
    );
}

function registerExec(sandbox: Command): void {
  sandbox
    .command('exec <id> <command...>')
    .description('Run a shell command in a claimed sandbox; standard input is passed with --stdin')
    .option('--cwd <dir>', 'working directory inside the sandbox (default: the workdir)')
    .option('--timeout <ms>', "time limit in milliseconds (default: the template's)", Number)
    .option('--stdin <file>', "host file fed to the command's standard input")
    .option('--json', 'print the result as JSON')
    .action(
      async (
        id: string,
        words: string[],
        options: { cwd?: string; timeout?: number; stdin?: string } & JsonOption,
        command: Command,
      ) => {
        const request = {
          command: words.join(' '),
          ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
          ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
        };
        const stdin = options.stdin === undefined ? undefined : readFileSync(options.stdin);
        const result = await either(
          command,
          async (controller) =>
            (await localSandbox(controller, id)).exec({
              ...request,
              ...(stdin === undefined ? {} : { stdin }),
            }),
          (remote) =>
            remote.call((client) =>
              client.sandboxes.exec(id, {
                ...request,
                ...(stdin === undefined ? {} : { stdin: stdin.toString('utf8') }),
              }),
            ),
        );
        if (options.json === true) {
          printJson(result);
        } else {
          printLine(result.stdout.replace(/\n$/, ''));
          if (result.stderr !== '') {
            printLine(result.stderr.replace(/\n$/, ''));
          }
        }
        process.exitCode = result.exitCode === 0 ? 0 : 1;
      },
    );
}

function registerFiles(sandbox: Command): void {
  const files = sandbox.command('files').description('Copy files into and out of a sandbox');

  files
    .command('get <id> <path>')
    .description('Read a file from a sandbox (relative to its workdir, or absolute)')
    .option('-o, --output <file>', 'host file to write it to (default: standard output)')
    .action(async (id: string, path: string, options: { output?: string }, command: Command) => {
      const data = await either(
        command,
        async (controller) => (await localSandbox(controller, id)).readFile(path),
        (remote) => remote.call((client) => client.sandboxes.readFile(id, path)),
      );
      if (options.output === undefined) {
        process.stdout.write(data);
        return;
      }
      writeFileSync(options.output, data);
    });

  files
    .command('put <id> <path> <file>')
    .description('Write a host file into a sandbox, creating parent folders')
    .option('--json', 'print the result as JSON')
    .action(
      async (id: string, path: string, file: string, options: JsonOption, command: Command) => {
        const data = new Uint8Array(readFileSync(file));
        const result = await either(
          command,
          async (controller) => {
            await (await localSandbox(controller, id)).writeFile(path, data);
            return { path, bytes: data.byteLength };
          },
          (remote) => remote.call((client) => client.sandboxes.writeFile(id, path, data)),
        );
        if (options.json === true) {
          printJson(result);
          return;
        }
        printLine(`wrote ${result.bytes} bytes to ${result.path} in ${id}`);
      },
    );
}

function registerRelease(sandbox: Command): void {
  sandbox
    .command('release <id>')
    .description('Destroy a sandbox and store its final usage')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: JsonOption, command: Command) => {
      const record: SandboxView = await either(
        command,
        (controller) => controller.release(id),
        (remote) => remote.call((client) => client.sandboxes.release(id)),
      );
      if (options.json === true) {
        printJson(record);
        return;
      }
      const usage = record.usage ?? { cpuSeconds: 0, memoryPeakBytes: 0 };
      printLine(
        `${id} released (cpu ${usage.cpuSeconds.toFixed(3)} s, peak memory ${Math.round(usage.memoryPeakBytes / 1024 / 1024)} MiB)`,
      );
    });
}

function registerList(sandbox: Command): void {
  sandbox
    .command('list')
    .description('List warm and claimed sandboxes')
    .option('--tenant <name>', "only this tenant's sandboxes")
    .option('--all', 'include released sandboxes')
    .option('--json', 'print the records as JSON')
    .action(async (options: { tenant?: string; all?: boolean } & JsonOption, command: Command) => {
      const includeReleased = options.all === true;
      const records: SandboxView[] = await either(
        command,
        (controller) =>
          controller.list({
            ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
            includeReleased,
          }),
        (remote) => {
          rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
          return remote.call((client) => client.sandboxes.list({ includeReleased }));
        },
      );
      if (options.json === true) {
        printJson(records);
        return;
      }
      if (records.length === 0) {
        printLine('No sandboxes');
        return;
      }
      for (const record of records) {
        const tenant = record.tenant === undefined ? '' : `  tenant=${record.tenant ?? '-'}`;
        printLine(
          `${record.id}  ${record.state.padEnd(8)} ${record.runtime.padEnd(10)} ${record.template}${tenant}  pool=${record.pool ?? '-'}`,
        );
      }
    });
}

/** Registers `sandstack sandbox claim|exec|files|release|list`. */
export function register(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('Claim sandboxes and run commands in them');
  registerClaim(sandbox);
  registerExec(sandbox);
  registerFiles(sandbox);
  registerRelease(sandbox);
  registerList(sandbox);
}
