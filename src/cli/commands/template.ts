import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import {
  EGRESS_ANNOTATION,
  ROOTFS_ANNOTATION,
  SNAPSHOT_ANNOTATION,
} from '../../sandbox/manifests/template-object.js';
import { printLine } from '../output.js';
import { openRemote } from '../remote.js';
import { applyAndReport } from './apply.js';
import { printObjects, withOutputOptions, type GetOptions } from './get.js';
import { openSandboxContext } from './sandbox-context.js';

const API_VERSION = 'extensions.agents.x-k8s.io/v1beta1';

/** Flags of `sandstack template create`, each an upstream field or a sandstack annotation. */
interface CreateTemplateOptions {
  runtime?: string;
  rootfs?: string;
  cpu?: string;
  memory?: string;
  disk?: string;
  pids?: string;
  env: string[];
  workdir?: string;
  egressAllow?: string;
  lifetimeSeconds?: string;
  commandTimeoutMs?: string;
  snapshot?: string;
  json?: boolean;
}

/** Registers `sandstack template list|get|create|delete`. */
export function register(program: Command): void {
  const template = program
    .command('template')
    .description('Create, list and delete sandbox templates (what a sandbox runs and its limits)');

  withOutputOptions(
    template.command('list').description('List templates, default first'),
    'templates',
  ).action((options: GetOptions, command: Command) =>
    printObjects(command, 'templates', undefined, options),
  );

  withOutputOptions(
    template.command('get <name>').description('Show one template'),
    'template',
  ).action((name: string, options: GetOptions, command: Command) =>
    printObjects(command, 'templates', name, options),
  );

  template
    .command('create <name>')
    .description(
      'Create a template; unset fields come from "default" (change one later with "sandstack apply -f")',
    )
    .option('--runtime <name>', 'gvisor, bubblewrap, or auto (gVisor where runsc works)')
    .option(
      '--rootfs <dir>',
      "host folder that holds the root filesystem (default: the host's, read-only)",
    )
    .option('--cpu <quantity>', 'CPU limit, such as 1, 2 or 500m')
    .option('--memory <quantity>', 'memory limit, such as 512Mi or 2Gi')
    .option('--disk <quantity>', 'size of the writable layer, such as 1Gi')
    .option(
      '--pids <count>',
      "limit on tasks (processes and threads) of the sandbox's code; gVisor gets 256 more for its own threads",
    )
    .option('--env <name=value>', 'environment variable of every command (repeatable)', collect, [])
    .option('--workdir <path>', 'working directory inside the sandbox')
    .option('--egress-allow <domains>', 'comma-separated domains reachable through the proxy')
    .option('--lifetime-seconds <seconds>', 'wall-clock limit of each sandbox')
    .option('--command-timeout-ms <ms>', 'wall-clock limit of each command')
    .option(
      '--snapshot <name>',
      'snapshot that new sandboxes restore (gVisor), as <name> or <tenant>/<name>',
    )
    .option('--json', 'print the applied template as JSON')
    .action(async (name: string, options: CreateTemplateOptions, command: Command) => {
      await rejectExisting(command, name);
      const manifest = templateManifest(name, options);
      await applyAndReport(
        command,
        [{ source: `sandstack template create ${name}`, text: JSON.stringify(manifest) }],
        { json: options.json === true },
      );
    });

  template
    .command('delete <name>')
    .description('Delete a template; sandboxes started from it keep running')
    .action(async (name: string, _options: unknown, command: Command) => {
      const remote = openRemote(command);
      if (remote === undefined) {
        openSandboxContext(command).controller.deleteTemplate(name);
      } else {
        await remote.call((client) => client.objects.deleteTemplate(name));
      }
      printLine(`Template ${name} deleted`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Rejects a name in use, because `apply` would silently change the stored template. */
async function rejectExisting(command: Command, name: string): Promise<void> {
  const remote = openRemote(command);
  const names =
    remote === undefined
      ? openSandboxContext(command)
          .controller.listTemplates()
          .map((item) => item.name)
      : (await remote.call((client) => client.objects.listTemplates())).map((item) => item.name);
  if (names.includes(name)) {
    throw new SandstackError(
      'ALREADY_EXISTS',
      `Template "${name}" already exists; pick another name, or change it with "sandstack apply -f" (see "sandstack get templates ${name} --json")`,
    );
  }
}

/**
 * Builds the SandboxTemplate object the flags describe, so that the template goes through
 * the same schema checks and mapping as `sandstack apply -f`.
 */
export function templateManifest(name: string, options: CreateTemplateOptions): object {
  const annotations: Record<string, string> = {};
  const setAnnotation = (key: string, value: string | undefined): void => {
    if (value !== undefined) {
      annotations[key] = value;
    }
  };
  // "host" names the host's root filesystem, so the image below draws no "not pulled" note.
  setAnnotation(ROOTFS_ANNOTATION, options.rootfs ?? 'host');
  setAnnotation(EGRESS_ANNOTATION, options.egressAllow);
  setAnnotation(SNAPSHOT_ANNOTATION, options.snapshot);
  setAnnotation('sandstack.dev/pids', options.pids);
  setAnnotation('sandstack.dev/command-timeout-ms', options.commandTimeoutMs);

  const limits: Record<string, string> = {};
  for (const [field, value] of [
    ['cpu', options.cpu],
    ['memory', options.memory],
    ['ephemeral-storage', options.disk],
  ] as const) {
    if (value !== undefined) {
      limits[field] = value;
    }
  }
  const container: Record<string, unknown> = {
    name: 'sandbox',
    // The schema requires an image; the rootfs annotation above decides what runs.
    image: options.rootfs ?? 'host',
    env: options.env.map(parseEnv),
  };
  if (Object.keys(limits).length > 0) {
    container.resources = { limits };
  }
  if (options.workdir !== undefined) {
    container.workingDir = options.workdir;
  }
  const podSpec: Record<string, unknown> = { containers: [container] };
  if (options.runtime !== undefined && options.runtime !== 'auto') {
    podSpec.runtimeClassName = runtimeClassOf(options.runtime);
  }
  if (options.lifetimeSeconds !== undefined) {
    podSpec.activeDeadlineSeconds = positiveInteger('--lifetime-seconds', options.lifetimeSeconds);
  }
  return {
    apiVersion: API_VERSION,
    kind: 'SandboxTemplate',
    metadata: { name, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    spec: { podTemplate: { spec: podSpec } },
  };
}

function parseEnv(entry: string): { name: string; value: string } {
  const equals = entry.indexOf('=');
  if (equals <= 0) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid --env "${entry}"; use NAME=value, such as --env LANG=C.UTF-8`,
    );
  }
  return { name: entry.slice(0, equals), value: entry.slice(equals + 1) };
}

function runtimeClassOf(runtime: string): string {
  if (runtime === 'gvisor' || runtime === 'bubblewrap') {
    return runtime;
  }
  throw new SandstackError(
    'INVALID_ARGUMENT',
    `Invalid --runtime "${runtime}"; use gvisor, bubblewrap or auto`,
  );
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid ${flag} "${text}"; use a whole number of 1 or more`,
    );
  }
  return value;
}
