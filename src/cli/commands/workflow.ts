/**
 * `sandstack workflow …`: deploy tenant workflows and list their versions, in the state
 * database or, with a server set, over its HTTP API.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../../core/store.js';
import { WorkflowEngine } from '../../workflows/engine.js';
import type { ParamsManifest } from '../../workflows/stores/store.js';
import { printJson, printLine } from '../output.js';
import { openRemote, rejectLocalOptions, type Remote } from '../remote.js';
import { workflowUploadSource } from '../upload.js';
import { locateWorkflow, paramsManifest } from './run-shared.js';

/** Tenant of local commands that are given none. */
export const DEFAULT_TENANT = 'default';

/** Reason given when `--tenant` is passed to a remote command. */
export const TOKEN_PICKS_TENANT = 'the token decides the tenant';

/** Options every tenant-scoped command takes. */
export interface TenantOptions {
  tenant: string;
  json?: boolean;
}

/** One version of a workflow, as both the engine and the HTTP API list it. */
interface VersionView {
  workflow: string;
  hash: string;
  className: string;
  createdAtMs: number;
}

/** Opens the engine on the state database, runs `action`, and closes the database. */
export async function withEngine<T>(
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

/** Formats a time in milliseconds since the epoch as ISO 8601. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Deploys a workflow file or folder on the server; returns what the route returns. */
export async function deployRemote(
  remote: Remote,
  path: string,
  options: { name: string; className?: string; manifest?: ParamsManifest },
): Promise<{ workflow: string; version: string; className: string; created: boolean }> {
  const source = await workflowUploadSource(path);
  return remote.call((client) =>
    client.workflows.deploy({
      name: options.name,
      source,
      language: 'javascript',
      filename: path,
      ...(options.className === undefined ? {} : { className: options.className }),
      ...(options.manifest === undefined ? {} : { manifest: options.manifest }),
    }),
  );
}

/** Lists every version of every workflow of the token's tenant, newest first. */
async function listRemoteVersions(remote: Remote): Promise<VersionView[]> {
  const workflows = await remote.call((client) => client.workflows.list());
  const versions: VersionView[] = [];
  for (const workflow of workflows) {
    const found = await remote.call((client) => client.workflows.versions(workflow.workflow));
    versions.push(
      ...found.map((item) => ({
        workflow: item.workflow,
        hash: item.version,
        className: item.className,
        createdAtMs: item.createdAtMs,
      })),
    );
  }
  return versions.sort((a, b) => b.createdAtMs - a.createdAtMs);
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
        const remote = openRemote(command);
        const className = options.class === undefined ? {} : { className: options.class };
        const manifest = paramsManifest(await locateWorkflow(path));
        let result;
        if (remote === undefined) {
          result = await withEngine(command, (engine) =>
            engine.deploy(
              options.tenant,
              options.name,
              { entryPath: path, ...className },
              { manifest },
            ),
          );
        } else {
          rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
          result = await deployRemote(remote, path, {
            name: options.name,
            ...className,
            ...(manifest === undefined ? {} : { manifest }),
          });
        }
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
      const remote = openRemote(command);
      if (remote !== undefined) {
        rejectLocalOptions(command, ['tenant'], TOKEN_PICKS_TENANT);
      }
      const versions: VersionView[] =
        remote === undefined
          ? await withEngine(command, (engine) => engine.registry.list(options.tenant))
          : await listRemoteVersions(remote);
      if (options.json === true) {
        printJson(versions);
        return;
      }
      if (versions.length === 0) {
        const owner = remote === undefined ? `tenant "${options.tenant}"` : 'this token';
        printLine(`No workflows for ${owner}; deploy one with "sandstack workflow deploy"`);
        return;
      }
      for (const version of versions) {
        printLine(
          `${version.workflow}  ${version.hash.slice(0, 12)}  ${version.className}  ${formatTime(version.createdAtMs)}`,
        );
      }
    });
}

/** Registers `sandstack workflow`. */
export function register(program: Command): void {
  registerWorkflow(program);
}
