/**
 * Access to sandboxes for `sandstack sandbox …` commands: the state folder's controller, or
 * the HTTP API when a server is set.
 */
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import type { SandboxController } from '../../sandbox/controller.js';
import type { SandboxInstance } from '../../sandbox/types.js';
import { openRemote, type Remote } from '../remote.js';
import { openSandboxContext } from './sandbox-context.js';

/** The `--json` flag of a command. */
export interface JsonOption {
  json?: boolean;
}

/** Returns a claimed sandbox of the local controller. @throws SandstackError naming why it is gone */
export async function localSandbox(
  controller: SandboxController,
  id: string,
): Promise<SandboxInstance> {
  const found = await controller.get(id);
  if (found !== undefined) {
    return found.sandbox;
  }
  // A sandbox that a limit ended reports which limit, rather than just "not found".
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
export async function either<T>(
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
