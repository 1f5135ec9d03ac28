/**
 * Stage-1 check for `mount` and `bindfs`. A bind mount shows a folder under a second path,
 * as a symbolic link does, but the guard cannot resolve it, so `cat m/.ssh/id_rsa` after
 * `mount --bind ~ m` escapes the path checks. Any other mount changes what the host's paths
 * hold. A bind of a folder that is, contains or lies below a credential location is denied; any
 * other mount gets `ask`. `mount` with no operand only lists the mounts.
 */
import { CREDENTIAL_PATH, finding, type Finding } from './findings.js';
import { credentialFiles } from './globs.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** `mount` options that take the next word as their value. */
const MOUNT_VALUED = new Set([
  '-t',
  '--types',
  '-o',
  '--options',
  '-O',
  '--test-opts',
  '-L',
  '--label',
  '-U',
  '--uuid',
  '-N',
  '--namespace',
  '--source',
  '--target',
]);
/** Options that make a bind mount. */
const BIND_OPTIONS = new Set(['--bind', '-B', '--rbind', '-R']);

/** Gate of {@link checkMounts}, which judges only `mount` and `bindfs` commands. */
export const MOUNTS_GATE: CheckGate = { programs: new Set(['mount', 'bindfs']) };

/** Returns a finding for a mount: deny when a bind exposes credentials, else `ask`. */
export function checkMounts(parsed: ParsedShell, paths: PathContext): Finding | undefined {
  for (const command of parsed.commands) {
    if (command.name !== 'mount' && command.name !== 'bindfs') {
      continue;
    }
    const { operands, bind } = readMount(command);
    if (operands.length === 0) {
      continue;
    }
    const source = operands[0] ?? '';
    if (bind) {
      const resolved = resolvePath(source, paths);
      if (exposesCredentials(resolved, paths.homeDir)) {
        return finding(
          'credential-exploration',
          `The command bind-mounts "${resolved}", which is or contains a credential location, so its files can be read under another path`,
          'mount-credentials',
        );
      }
    }
    return finding(
      'security-weaken',
      `The command mounts "${source}" on "${operands[1] ?? source}", which changes what the host's paths hold without the guard seeing it, so a human must review it`,
      'mount',
    );
  }
  return undefined;
}

function readMount(command: SimpleCommand): { operands: string[]; bind: boolean } {
  const args = command.argv.slice(1);
  const operands: string[] = [];
  let bind = command.name === 'bindfs';
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = arg, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (!arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    const value = inline ?? (MOUNT_VALUED.has(option) ? args[index + 1] : undefined);
    if (inline === undefined && MOUNT_VALUED.has(option)) {
      index += 1;
    }
    if (option === '--source' && value !== undefined) {
      operands.unshift(value);
    }
    if (option === '--target' && value !== undefined) {
      operands.push(value);
    }
    bind ||=
      BIND_OPTIONS.has(option) ||
      ((option === '-o' || option === '--options') && /(?:^|,)r?bind(?:,|$)/.test(value ?? ''));
  }
  return { operands, bind };
}

/** Checks whether `folder` is, lies below or contains a well-known credential file or folder. */
function exposesCredentials(folder: string, homeDir: string): boolean {
  return (
    CREDENTIAL_PATH.test(folder) ||
    credentialFiles(homeDir).some((file) => isInside(file, folder) || isInside(folder, file))
  );
}
