/**
 * The guard's own files that every guard protects, whatever surface created it: the policy
 * files its rules came from, the files its caller names in {@link GuardOptions.guardFiles},
 * its installed package, and the project's `.sandstack` folder. The hook, the daemon and the
 * MCP proxy keep their state databases, approval queue and socket in that folder unless
 * configured otherwise, so a library caller or `sandstack guard check` that passes no `guardFiles` still
 * gets the same protection as the hook.
 */
import path from 'node:path';
import { guardFilesOf } from './guard-files.js';
import type { Policy } from './policy.js';
import type { GuardContext } from './types.js';

/** Name of the state folder that the hook, daemon and MCP proxy create in the project. */
export const STATE_DIR_NAME = '.sandstack';

/**
 * Lists the files a guard protects on every call: `policy.files`, the `extra` files, and the
 * installed package folder with its `.bin` link, all as absolute paths.
 */
export function ownGuardFiles(policy: Policy, extra: readonly string[] = []): string[] {
  return guardFilesOf([...(policy.files ?? []), ...extra]);
}

/**
 * Returns `context` with its `guardFiles` extended by `own` and the project's state folder,
 * without duplicates. A context with no project (`projectDir` of `/`) gets no state folder.
 */
export function withOwnFiles(
  context: GuardContext,
  own: readonly string[],
  hasProject: boolean,
): GuardContext {
  const files = new Set([...(context.guardFiles ?? []), ...own]);
  if (hasProject) {
    files.add(path.join(context.projectDir, STATE_DIR_NAME));
  }
  return { ...context, guardFiles: [...files] };
}
