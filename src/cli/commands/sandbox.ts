/**
 * `sandstack sandbox …`: claim sandboxes, run commands and move files in them, and release
 * them, through the local controller or, with a server set, over its HTTP API.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ExecRequest, ExecResult, SandboxInstance } from '../../sandbox/types.js';
import { MAX_OUTPUT_BYTES } from '../../sandbox/process.js';
import { MAX_COMMAND_TIMEOUT_MS } from '../../sandbox/timers.js';
import { integerOption } from '../options.js';
import { printJson, printLine, printWarning, writeRaw } from '../output.js';
import { openRemote, rejectLocalOptions, type Remote } from '../remote.js';
import { printObjects, withOutputOptions, type GetOptions } from './get.js';
import { either, localSandbox, type JsonOption } from './sandbox-access.js';
import { openSandboxContext } from './sandbox-context.js';
import { registerCopy, registerFiles } from './sandbox-files.js';
import { TOKEN_PICKS_TENANT } from './workflow.js';

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
  /** `Running` or `Suspended`; remote records leave it out. */
  operatingMode?: string;
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
        const record = await either<SandboxView>(
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
    .description(
      "Run a shell command in a claimed sandbox, printing its output as it comes, and exit with the command's exit code; standard input is passed with --stdin",
    )
    .option('--cwd <dir>', 'working directory inside the sandbox (default: the workdir)')
    .option(
      '--timeout <ms>',
      "time limit in milliseconds (default: the template's)",
      integerOption(1, MAX_COMMAND_TIMEOUT_MS),
    )
    .option(
      '--max-output-bytes <bytes>',
      "bytes kept of each of stdout and stderr, at most the template's limit (default: the template's)",
      integerOption(1, MAX_OUTPUT_BYTES),
    )
    .option('--stdin <file>', "host file fed to the command's standard input")
    .option('--json', 'print the result as JSON')
    .action(
      async (
        id: string,
        words: string[],
        options: {
          cwd?: string;
          timeout?: number;
          maxOutputBytes?: number;
          stdin?: string;
        } & JsonOption,
        command: Command,
      ) => {
        const request = {
          command: words.join(' '),
          ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
          ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
          ...(options.maxOutputBytes === undefined
            ? {}
            : { maxOutputBytes: options.maxOutputBytes }),
        };
        const stdin = options.stdin === undefined ? undefined : readFileSync(options.stdin);
        const json = options.json === true;
        const result = await either<ExecOutcome | undefined>(
          command,
          async (controller) =>
            execPrinting(await localSandbox(controller, id), {
              ...request,
              ...(stdin === undefined ? {} : { stdin }),
              json,
            }),
          (remote) => execRemotePrinting(remote, id, { ...request, stdin, json }),
        );
        if (result === undefined) {
          // Interrupted, as a shell reports a command that SIGINT ended.
          process.exitCode = 130;
          return;
        }
        if (options.json === true) {
          printJson(result);
        } else {
          warnIfTruncated(id, result);
        }
        process.exitCode = result.exitCode;
      },
    );
}

function registerRelease(sandbox: Command): void {
  sandbox
    .command('release <id>')
    .description('Destroy a sandbox and store its final usage')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: JsonOption, command: Command) => {
      const record = await either<SandboxView>(
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
  withOutputOptions(
    sandbox
      .command('list')
      .description('List warm and claimed sandboxes')
      .option('--tenant <name>', "only this tenant's sandboxes")
      .option('--all', 'include released sandboxes'),
    'records',
  ).action(async (options: GetOptions, command: Command) => {
    if (openRemote(command) !== undefined) {
      rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
    }
    await printObjects(command, 'sandboxes', undefined, options);
  });

  withOutputOptions(
    sandbox
      .command('get <id>')
      .description('Show one sandbox')
      .option('--all', 'find released sandboxes too'),
    'record',
  ).action((id: string, options: GetOptions, command: Command) =>
    printObjects(command, 'sandboxes', id, options),
  );
}

/** Registers `sandstack sandbox claim|exec|files|cp|release|list|get|suspend|resume|snapshot|snapshots`. */
export function register(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('Claim sandboxes and run commands in them');
  registerClaim(sandbox);
  registerExec(sandbox);
  registerFiles(sandbox);
  registerCopy(sandbox);
  registerRelease(sandbox);
  registerList(sandbox);
  registerCheckpointCommands(sandbox);
}

/** The fields of a local or remote exec result that the command reports on. */
type ExecOutcome = Pick<ExecResult, 'exitCode' | 'stdoutTruncated' | 'stderrTruncated'>;

/**
 * Prints one warning on stderr that names each stream that went past its limit, because the
 * printed output then ends early without a sign of it.
 */
function warnIfTruncated(id: string, result: ExecOutcome): void {
  const streams = [
    ...(result.stdoutTruncated ? ['stdout (maxStdoutBytes)'] : []),
    ...(result.stderrTruncated ? ['stderr (maxStderrBytes)'] : []),
  ];
  if (streams.length === 0) {
    return;
  }
  printWarning(
    `output cut: ${streams.join(' and ')} went past its limit (the template's, or a lower --max-output-bytes), so the rest was not kept; redirect long output to a file in the sandbox and copy it out with "sandstack sandbox files get ${id} <path>", or raise the limit (annotation sandstack.dev/max-output-bytes)`,
  );
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

/**
 * Runs one command on the server, streaming its output to this process's, or with `json`
 * returning the whole result. Ctrl-C kills the command, and the result is then undefined.
 */
async function execRemotePrinting(
  remote: Remote,
  id: string,
  request: { command: string; cwd?: string; timeoutMs?: number; maxOutputBytes?: number } & {
    stdin: Buffer | undefined;
    json: boolean;
  },
): Promise<ExecOutcome | undefined> {
  const { stdin, json, ...rest } = request;
  const body = { ...rest, ...(stdin === undefined ? {} : { stdin: stdin.toString('utf8') }) };
  if (json) {
    return remote.call((client) => client.sandboxes.exec(id, body));
  }
  return remote.call(async (client) => {
    const interrupt = new AbortController();
    const onInterrupt = (): void => interrupt.abort();
    process.once('SIGINT', onInterrupt);
    const run = client.sandboxes.execStream(id, body, { signal: interrupt.signal });
    try {
      for await (const chunk of run) {
        writeRaw(chunk.stream, Buffer.from(chunk.data, 'utf8'));
      }
      return await run.result;
    } catch (error) {
      if (!interrupt.signal.aborted) {
        throw error;
      }
      printWarning('Interrupted; the command was killed in the sandbox');
      return undefined;
    } finally {
      process.removeListener('SIGINT', onInterrupt);
    }
  });
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
    .option('--tenant <name>', "only this tenant's snapshots, or the tenant of --delete")
    .option(
      '--delete <name>',
      'delete this snapshot and its files; give <tenant>/<name> or --tenant when several tenants use the name',
    )
    .option('--json', 'print the records as JSON')
    .action(
      async (options: { tenant?: string; delete?: string } & JsonOption, command: Command) => {
        if (options.delete !== undefined) {
          const name = options.delete;
          const ref = await either(
            command,
            (controller) => {
              // With --tenant, a bare name is that tenant's snapshot; names are unique per tenant.
              const local =
                options.tenant === undefined || name.includes('/')
                  ? name
                  : `${options.tenant}/${name}`;
              controller.deleteSnapshot(local);
              return local;
            },
            async (remote) => {
              rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
              await remote.call((client) => client.sandboxes.deleteSnapshot(name));
              return name;
            },
          );
          printLine(`Snapshot "${ref}" deleted`);
          return;
        }
        const snapshots = await either<SnapshotLine[]>(
          command,
          (controller) =>
            controller.listSnapshots(
              options.tenant === undefined ? {} : { tenant: options.tenant },
            ),
          async (remote) => {
            rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
            return remote.call((client) => client.sandboxes.listSnapshots());
          },
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
      },
    );
}

/** The fields of a local or remote snapshot record that `sandbox snapshots` prints. */
interface SnapshotLine {
  name: string;
  sandboxId: string;
  template: string;
  /** Missing from the server's records, which are all the caller's own. */
  tenant?: string | null;
  imageBytes: number;
  filesBytes: number;
}

function printRecordOr(options: JsonOption, record: unknown, line: string): void {
  if (options.json === true) {
    printJson(record);
    return;
  }
  printLine(line);
}
