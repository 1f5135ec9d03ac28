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
  if (context.guardFiles !== undefined) {
    return { ...context, guardFiles: ownFileList(context.guardFiles, own, hasProject, context) };
  }
  // Most callers pass no files of their own, so the list depends only on `own` and the project,
  // which stay the same over a guard's decisions. Nothing changes the list once it is built.
  const projectDir = hasProject ? context.projectDir : undefined;
  if (lastList === undefined || lastList.own !== own || lastList.projectDir !== projectDir) {
    lastList = { own, projectDir, files: ownFileList([], own, hasProject, context) };
  }
  return { ...context, guardFiles: lastList.files };
}

/** The last list {@link withOwnFiles} built for a context without `guardFiles`, and its inputs. */
let lastList:
  { own: readonly string[]; projectDir: string | undefined; files: string[] } | undefined;

function ownFileList(
  given: readonly string[],
  own: readonly string[],
  hasProject: boolean,
  context: GuardContext,
): string[] {
  const files = new Set([...given, ...own]);
  if (hasProject) {
    files.add(path.join(context.projectDir, STATE_DIR_NAME));
  }
  return [...files];
}
