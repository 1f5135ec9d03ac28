import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import type { ExecRequest, ExecResult, SandboxInstance } from '../../sandbox/types.js';
import { printJson, printLine, printWarning, writeRaw } from '../output.js';
import { openSandboxContext } from './sandbox-context.js';

interface JsonOption {
  json?: boolean;
}

/** Registers `sandstack sandbox claim|exec|release|suspend|resume|snapshot|snapshots|list`. */
export function register(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('Claim sandboxes and run commands in them');

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
        const { controller } = openSandboxContext(command);
        const { record } = await controller.claim({
          tenant: options.tenant,
          ...(options.pool === undefined ? { template: options.template } : { pool: options.pool }),
          ...(options.runId === undefined ? {} : { runId: options.runId }),
        });
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

  sandbox
    .command('exec <id> <command...>')
    .description(
      "Run a shell command in a claimed sandbox, printing its output as it comes, and exit with the command's exit code; standard input is passed with --stdin",
    )
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
        const { controller } = openSandboxContext(command);
        const found = await controller.get(id);
        if (found === undefined) {
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
        const result = await execPrinting(found.sandbox, {
          command: words.join(' '),
          ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
          ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
          ...(options.stdin === undefined ? {} : { stdin: readFileSync(options.stdin) }),
          json: options.json === true,
        });
        if (result === undefined) {
          // Interrupted, as a shell reports a command that SIGINT ended.
          process.exitCode = 130;
          return;
        }
        if (options.json === true) {
          printJson(result);
        }
        process.exitCode = result.exitCode;
      },
    );

  sandbox
    .command('release <id>')
    .description('Destroy a sandbox and store its final usage')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: JsonOption, command: Command) => {
      const { controller } = openSandboxContext(command);
      const record = await controller.release(id);
      if (options.json === true) {
        printJson(record);
        return;
      }
      const usage = record.usage ?? { cpuSeconds: 0, memoryPeakBytes: 0 };
      printLine(
        `${id} released (cpu ${usage.cpuSeconds.toFixed(3)} s, peak memory ${Math.round(usage.memoryPeakBytes / 1024 / 1024)} MiB)`,
      );
    });

  registerCheckpointCommands(sandbox);

  sandbox
    .command('list')
    .description('List warm and claimed sandboxes')
    .option('--tenant <name>', "only this tenant's sandboxes")
    .option('--all', 'include released sandboxes')
    .option('--json', 'print the records as JSON')
    .action((options: { tenant?: string; all?: boolean } & JsonOption, command: Command) => {
      const { controller } = openSandboxContext(command);
      const records = controller.list({
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        includeReleased: options.all === true,
      });
      if (options.json === true) {
        printJson(records);
        return;
      }
      if (records.length === 0) {
        printLine('No sandboxes');
        return;
      }
      for (const record of records) {
        printLine(
          `${record.id}  ${record.state.padEnd(8)} ${record.runtime.padEnd(10)} ${record.template}  tenant=${record.tenant ?? '-'}  pool=${record.pool ?? '-'}  mode=${record.operatingMode}`,
        );
      }
    });
}

/**
 * Runs one command, copying its stdout and stderr to this process's as they arrive unless
 * `json` is set. Ctrl-C kills the command in the sandbox, and the result is then undefined.
 */
async function execPrinting(
  sandbox: SandboxInstance,
  request: ExecRequest & { json: boolean },
): Promise<ExecResult | undefined> {
  const { json, ...exec } = request;
  const interrupt = new AbortController();
  const onInterrupt = (): void => interrupt.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await sandbox.exec({
      ...exec,
      signal: interrupt.signal,
      ...(json ? {} : { onOutput: (chunk) => writeRaw(chunk.stream, chunk.data) }),
    });
  } catch (error) {
    if (!interrupt.signal.aborted) {
      throw error;
    }
    printWarning('Interrupted; the command was killed in the sandbox');
    return undefined;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** Registers `sandstack sandbox suspend|resume|snapshot <id>` and `sandbox snapshots`. */
function registerCheckpointCommands(sandbox: Command): void {
  sandbox
    .command('suspend <id>')
    .description(
      "Checkpoint a gVisor sandbox's processes to disk and stop them until it is resumed",
    )
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: JsonOption, command: Command) => {
      const { controller } = openSandboxContext(command);
      const record = await controller.suspend(id);
      printRecordOr(
        options,
        record,
        `${id} suspended; resume it with "sandstack sandbox resume ${id}"`,
      );
    });

  sandbox
    .command('resume <id>')
    .description('Restore a suspended sandbox; its processes continue where they stopped')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: JsonOption, command: Command) => {
      const { controller } = openSandboxContext(command);
      const record = await controller.resume(id);
      printRecordOr(options, record, `${id} resumed`);
    });

  sandbox
    .command('snapshot <id>')
    .description(
      'Store the processes and files of a gVisor sandbox under a name, without ending it',
    )
    .requiredOption('--name <name>', "snapshot name, for a template's snapshot field")
    .option('--json', 'print the snapshot record as JSON')
    .action(async (id: string, options: { name: string } & JsonOption, command: Command) => {
      const { controller } = openSandboxContext(command);
      const snapshot = await controller.snapshot(id, options.name);
      const mib = (snapshot.imageBytes + snapshot.filesBytes) / 1024 / 1024;
      printRecordOr(
        options,
        snapshot,
        `Snapshot "${snapshot.name}" of ${id} stored (${mib.toFixed(1)} MiB); start sandboxes from it with a template whose snapshot is "${snapshot.name}"`,
      );
    });

  sandbox
    .command('snapshots')
    .description('List stored snapshots, or delete one with --delete')
    .option('--tenant <name>', "only this tenant's snapshots")
    .option('--delete <name>', 'delete this snapshot and its files')
    .option('--json', 'print the records as JSON')
    .action((options: { tenant?: string; delete?: string } & JsonOption, command: Command) => {
      const { controller } = openSandboxContext(command);
      if (options.delete !== undefined) {
        controller.deleteSnapshot(options.delete);
        printLine(`Snapshot "${options.delete}" deleted`);
        return;
      }
      const snapshots = controller.listSnapshots(
        options.tenant === undefined ? {} : { tenant: options.tenant },
      );
      if (options.json === true) {
        printJson(snapshots);
        return;
      }
      if (snapshots.length === 0) {
        printLine('No snapshots');
        return;
      }
      for (const item of snapshots) {
        const mib = (item.imageBytes + item.filesBytes) / 1024 / 1024;
        printLine(
          `${item.name}  from ${item.sandboxId}  template=${item.template}  tenant=${item.tenant ?? '-'}  ${mib.toFixed(1)} MiB`,
        );
      }
    });
}

function printRecordOr(options: JsonOption, record: unknown, line: string): void {
  if (options.json === true) {
    printJson(record);
    return;
  }
  printLine(line);
}
