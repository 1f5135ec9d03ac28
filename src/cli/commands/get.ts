import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import type { SandboxController } from '../../sandbox/controller.js';
import { printJson, printLine } from '../output.js';
import { openRemote, type Remote } from '../remote.js';
import { openSandboxContext } from './sandbox-context.js';

const MIB = 1024 * 1024;

/** Resource names `sandstack get` accepts, with kubectl-style singular and kind aliases. */
const RESOURCES: Record<string, Resource> = {
  template: 'templates',
  templates: 'templates',
  sandboxtemplate: 'templates',
  sandboxtemplates: 'templates',
  pool: 'pools',
  pools: 'pools',
  swp: 'pools',
  sandboxwarmpool: 'pools',
  sandboxwarmpools: 'pools',
  sandbox: 'sandboxes',
  sandboxes: 'sandboxes',
  claim: 'claims',
  claims: 'claims',
  sandboxclaim: 'claims',
  sandboxclaims: 'claims',
};

type Resource = 'templates' | 'pools' | 'sandboxes' | 'claims';

/** Options of `sandstack get` and of the nouns that list through it. */
export interface GetOptions {
  all?: boolean;
  json?: boolean;
  /** `table` (the default) or `json`, as kubectl's `-o`. */
  output?: string;
  /** With sandboxes on the local state folder: only this tenant's. Callers reject it remotely. */
  tenant?: string;
}

/** Output formats of list and get commands. */
const OUTPUT_FORMATS = ['table', 'json'];

/**
 * Adds the output options every list and get command shares: `--json` and `-o, --output`.
 * The JSON form is the one for scripts: an array of the objects for a list, one object for
 * a get by name, with the same fields whichever command prints them.
 */
export function withOutputOptions(command: Command, what: string): Command {
  return command
    .option('--json', `print the ${what} as JSON (the same as -o json)`)
    .option('-o, --output <format>', 'output format: table (default) or json');
}

/** Registers `sandstack get templates|pools|sandboxes|claims [name]`. */
export function register(program: Command): void {
  withOutputOptions(
    program
      .command('get <resource> [name]')
      .description(
        'List templates, pools, sandboxes or claims (kubectl-style), or show one by name',
      )
      .option('--all', 'with sandboxes: include released ones'),
    'objects',
  ).action(
    (resourceName: string, name: string | undefined, options: GetOptions, command: Command) =>
      printObjects(command, resourceName, name, options),
  );
}

/**
 * Returns whether the options ask for JSON.
 * @throws SandstackError `INVALID_ARGUMENT` for an unknown `--output` format
 */
function wantsJson(options: GetOptions): boolean {
  if (options.output !== undefined && !OUTPUT_FORMATS.includes(options.output)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid --output "${options.output}"; use ${OUTPUT_FORMATS.join(' or ')}`,
    );
  }
  return options.json === true || options.output === 'json';
}

/**
 * Prints templates, pools, sandboxes or claims of the state folder or the server the
 * command targets: a table, or JSON with `json`; one object when `name` is given.
 * @throws SandstackError `INVALID_ARGUMENT` for an unknown resource, `NOT_FOUND` for a name
 */
export async function printObjects(
  command: Command,
  resourceName: string,
  name: string | undefined,
  options: GetOptions,
): Promise<void> {
  const resource = RESOURCES[resourceName.toLowerCase()];
  if (resource === undefined) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Unknown resource "${resourceName}"; use templates, pools, sandboxes or claims`,
    );
  }
  const json = wantsJson(options);
  const remote = openRemote(command);
  const objects =
    remote === undefined
      ? localObjects(openSandboxContext(command).controller, resource, options)
      : await remoteObjects(remote, resource, options);
  const rows = pick(rowsOf(objects), name, resource);
  if (json) {
    printJson(name === undefined ? rows.map((row) => row.value) : rows[0]?.value);
    return;
  }
  if (rows.length === 0) {
    printLine(`No ${resource}`);
    return;
  }
  printTable(rows.map((row) => row.columns));
}

type Row = { name?: string; id?: string; columns: Record<string, string>; value: unknown };

type TemplateValue = Pick<
  ReturnType<SandboxController['listTemplates']>[number],
  'name' | 'runtime' | 'rootfs' | 'resources' | 'lifetimeSeconds'
> & { tenant?: string | null };
type PoolValue = Omit<
  ReturnType<SandboxController['listPools']>[number],
  'createdAt' | 'conditions'
> & {
  tenant?: string | null;
  /** Left out by servers older than the Ready condition of pools. */
  conditions?: ReturnType<SandboxController['listPools']>[number]['conditions'];
};
type SandboxValue = Pick<
  ReturnType<SandboxController['list']>[number],
  'id' | 'state' | 'template' | 'pool'
> & { runtime: string } & Partial<
    Pick<
      ReturnType<SandboxController['list']>[number],
      'tenant' | 'claimName' | 'expiresAt' | 'endReason' | 'operatingMode'
    >
  >;
type ClaimValue = Pick<
  ReturnType<SandboxController['claimObjects']['list']>[number],
  'name' | 'tenant' | 'pool' | 'sandboxId' | 'conditions'
>;

/** Objects of one resource, from the local controller or a server. */
type Objects =
  | { resource: 'templates'; items: TemplateValue[] }
  | { resource: 'pools'; items: PoolValue[] }
  | { resource: 'sandboxes'; items: SandboxValue[] }
  | { resource: 'claims'; items: ClaimValue[] };

function localObjects(
  controller: SandboxController,
  resource: Resource,
  options: GetOptions,
): Objects {
  switch (resource) {
    case 'templates':
      return { resource, items: controller.listTemplates() };
    case 'pools':
      return { resource, items: controller.listPools() };
    case 'sandboxes': {
      const includeReleased = options.all === true;
      const tenant = options.tenant === undefined ? {} : { tenant: options.tenant };
      return { resource, items: controller.list({ includeReleased, ...tenant }) };
    }
    case 'claims':
      return { resource, items: controller.claimObjects.list() };
  }
}

async function remoteObjects(
  remote: Remote,
  resource: Resource,
  options: GetOptions,
): Promise<Objects> {
  switch (resource) {
    case 'templates':
      return { resource, items: await remote.call((client) => client.objects.listTemplates()) };
    case 'pools':
      return { resource, items: await remote.call((client) => client.objects.listPools()) };
    case 'sandboxes': {
      const items: SandboxValue[] = await remote.call((client) =>
        client.sandboxes.list({ includeReleased: options.all === true }),
      );
      return { resource, items };
    }
    case 'claims':
      return { resource, items: await remote.call((client) => client.objects.listClaims()) };
  }
}

/** The TENANT column, shown for objects a server returned with their owner. */
function tenantColumn(value: { tenant?: string | null }): Record<string, string> {
  return value.tenant === undefined ? {} : { TENANT: value.tenant ?? '(shared)' };
}

function rowsOf(objects: Objects): Row[] {
  switch (objects.resource) {
    case 'templates':
      return objects.items.map((value) => ({
        name: value.name,
        value,
        columns: {
          NAME: value.name,
          ...tenantColumn(value),
          RUNTIME: value.runtime,
          ROOTFS: value.rootfs.kind === 'host' ? 'host' : value.rootfs.path,
          CPU: String(value.resources.cpu),
          MEMORY: `${Math.round(value.resources.memoryBytes / MIB)}Mi`,
          DISK: `${Math.round(value.resources.diskBytes / MIB)}Mi`,
          PIDS: String(value.resources.pids),
          LIFETIME: `${value.lifetimeSeconds}s`,
        },
      }));
    case 'pools':
      return objects.items.map((value) => ({
        name: value.name,
        value,
        columns: {
          NAME: value.name,
          ...tenantColumn(value),
          TEMPLATE: value.template,
          READY: `${value.ready}/${value.replicas}`,
          STRATEGY: value.updateStrategy,
          STATUS: value.conditions?.[0]?.reason ?? '-',
        },
      }));
    case 'sandboxes':
      return objects.items.map((value) => ({
        id: value.id,
        value,
        columns: {
          ID: value.id,
          STATE: value.state,
          MODE: value.operatingMode ?? '-',
          RUNTIME: value.runtime,
          TEMPLATE: value.template,
          TENANT: value.tenant ?? '-',
          POOL: value.pool ?? '-',
          CLAIM: value.claimName ?? '-',
          EXPIRES:
            value.expiresAt === null || value.expiresAt === undefined
              ? '-'
              : new Date(value.expiresAt).toISOString(),
          ENDED: value.endReason ?? '-',
        },
      }));
    case 'claims':
      return objects.items.map((value) => ({
        name: value.name,
        value,
        columns: {
          NAME: value.name,
          NAMESPACE: value.tenant,
          POOL: value.pool,
          SANDBOX: value.sandboxId ?? '-',
          READY: value.conditions[0]?.status ?? 'Unknown',
          REASON: value.conditions[0]?.reason ?? '-',
        },
      }));
  }
}

function pick(rows: Row[], name: string | undefined, resource: Resource): Row[] {
  if (name === undefined) {
    return rows;
  }
  const found = rows.filter((row) => row.name === name || row.id === name);
  if (found.length === 0) {
    const known = rows.map((row) => row.name ?? row.id).join(', ') || 'none';
    throw new SandstackError('NOT_FOUND', `No ${resource} named "${name}"; known: ${known}`);
  }
  return found;
}

function printTable(rows: Record<string, string>[]): void {
  const headers = Object.keys(rows[0] ?? {});
  const widths = headers.map((header) =>
    Math.max(header.length, ...rows.map((row) => (row[header] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  printLine(line(headers));
  for (const row of rows) {
    printLine(line(headers.map((header) => row[header] ?? '')));
  }
}
