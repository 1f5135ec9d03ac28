/**
 * Symbolic links, the two ways they move a path out of the project:
 * - `ln -s TARGET LINK` is judged by its target, because every later call through the link
 *   reaches the target.
 * - When the guard runs on the host that holds the files, the paths a call names are
 *   resolved through existing links before they are judged, so `cat rootfs/etc/shadow` after
 *   `ln -s / rootfs` reads as `cat /etc/shadow`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CREDENTIAL_PATH, finding, type Finding } from './findings.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { afterCd } from './working-folders.js';
import type { GuardContext, ToolCall } from './types.js';
import type { CheckGate } from './check-gates.js';

/** Folders under the home directory that hold keys and tokens, so a link to them is a read of them. */
const CREDENTIAL_FOLDERS = [
  '.ssh',
  '.aws',
  '.gnupg',
  '.kube',
  '.docker',
  '.config/gcloud',
  '.azure',
  '.password-store',
];

/** Gate of {@link checkSymlinkTargets}, which judges only `ln` commands. */
export const SYMLINK_TARGETS_GATE: CheckGate = { programs: new Set(['ln']) };

/**
 * Finds `ln -s` links whose target is outside the project. A target that is, contains or
 * lies below a credential location is a credential read, and any other outside target gets `ask`.
 */
export function checkSymlinkTargets(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (command.name !== 'ln' || !isSymbolic(command)) {
      continue;
    }
    for (const target of linkTargets(command)) {
      if (/[$`]/.test(target)) {
        return finding(
          'outside-project',
          `The command makes a symbolic link to "${target}", a path known only at run time`,
          'symlink-outside-project',
        );
      }
      const resolved = resolvePath(target, linkFolder(command, target, paths));
      if (isInside(resolved, projectDir)) {
        continue;
      }
      if (reachesCredentials(resolved, paths.homeDir)) {
        return finding(
          'credential-exploration',
          `The command makes a symbolic link to "${resolved}", which holds credentials`,
          'symlink-credentials',
        );
      }
      if (requestsLink(messages, target, resolved)) {
        continue;
      }
      return finding(
        'outside-project',
        `The command makes a symbolic link to "${resolved}", outside the project, so later calls through the link leave it`,
        'symlink-outside-project',
      );
    }
  }
  return undefined;
}

/**
 * Returns where a relative link target resolves: the folder of the link when the command
 * names one, else the working directory.
 */
function linkFolder(command: SimpleCommand, target: string, paths: PathContext): PathContext {
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const link = operands.length === 2 ? operands[1] : undefined;
  if (target.startsWith('/') || link === undefined || link.endsWith('/')) {
    return paths;
  }
  return { ...paths, cwd: path.posix.dirname(resolvePath(link, paths)) };
}

/**
 * Checks whether the user asked for a link and named its target: the target as written, its
 * absolute path, or the folder it lies in (`../shared-config` for `../shared-config/x.js`).
 */
function requestsLink(messages: string, target: string, resolved: string): boolean {
  if (!/\b(?:sym)?link/i.test(messages)) {
    return false;
  }
  const folder = path.posix.basename(path.posix.dirname(resolved));
  const names = [target, resolved, path.posix.basename(resolved)];
  if (folder !== '' && folder !== '..') {
    names.push(folder);
  }
  return names.some((name) => name.length > 2 && messages.includes(name));
}

function isSymbolic(command: SimpleCommand): boolean {
  return command.argv.some((arg) => arg === '--symbolic' || /^-[a-zA-Z]*s[a-zA-Z]*$/.test(arg));
}

/** Returns the targets of an `ln`: every operand but the last, or the only one. */
function linkTargets(command: SimpleCommand): string[] {
  const args = command.argv.slice(1);
  // `-t DIR` names the link folder, so every operand is a target.
  const folderIndex = args.findIndex((arg) => arg === '-t' || arg === '--target-directory');
  const operands = args.filter(
    (arg, index) => !arg.startsWith('-') && (folderIndex < 0 || index !== folderIndex + 1),
  );
  if (folderIndex >= 0 || args.some((arg) => arg.startsWith('--target-directory='))) {
    return operands;
  }
  return operands.length === 1 ? operands : operands.slice(0, -1);
}

/**
 * Checks whether `target` is or lies below a credential location. A folder that only contains
 * one, such as `/` or the home folder, gets `ask` instead, because calls through the link
 * are judged by their resolved paths where the guard runs on the files' host.
 */
function reachesCredentials(target: string, homeDir: string): boolean {
  if (CREDENTIAL_PATH.test(target)) {
    return true;
  }
  return CREDENTIAL_FOLDERS.some((folder) => isInside(target, path.posix.join(homeDir, folder)));
}

/**
 * Resolves the existing part of paths through symbolic links, once per path for one decision.
 * The longest prefix that exists is replaced by its real path, and a missing tail stays as
 * written. A path that cannot be resolved (no permission, a link loop) stays as written.
 */
export class RealPaths {
  private readonly cache = new Map<string, string>();

  /** Number of distinct paths resolved so far. */
  get size(): number {
    return this.cache.size;
  }

  /** Returns the real form of the absolute path `value`. */
  resolve(value: string): string {
    let result = this.cache.get(value);
    if (result === undefined) {
      result = realPrefix(value);
      this.cache.set(value, result);
    }
    return result;
  }
}

function realPrefix(value: string): string {
  const tail: string[] = [];
  let current = value;
  for (;;) {
    try {
      const real = fs.realpathSync.native(current);
      return tail.length === 0 ? real : path.posix.join(real, ...tail.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || current === '/') {
        return value;
      }
      tail.push(path.posix.basename(current));
      current = path.posix.dirname(current);
    }
  }
}

/** Returns `context` with its project, working and home folders resolved through links. */
export function realContext(context: GuardContext, real: RealPaths): GuardContext {
  const resolved = { ...context, projectDir: real.resolve(context.projectDir) };
  resolved.cwd = real.resolve(context.cwd);
  if (context.homeDir !== undefined) {
    resolved.homeDir = real.resolve(context.homeDir);
  }
  return resolved;
}

/**
 * Maximum number of distinct shell words resolved through links for one decision. Each costs
 * a few system calls (about 50 µs measured on a loaded 2-core machine), so this bounds the
 * added time near 50 ms. A command with more paths gets `ask`.
 */
const MAX_SHELL_PATHS = 1024;

/** Programs that remove a link named without a trailing slash, not what it points to. */
const LINK_REMOVERS = new Set(['rm', 'unlink', 'mv']);

/** Input fields of the file tools that name a path. */
const PATH_FIELDS = ['file_path', 'path', 'notebook_path'];

/** Returns `call` with the paths of a Read, Write, Edit, Glob or Grep resolved through links. */
export function realCall(call: ToolCall, context: GuardContext, real: RealPaths): ToolCall {
  const paths = { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
  let input = call.input;
  for (const field of PATH_FIELDS) {
    const value = input[field];
    if (typeof value !== 'string' || value === '' || /[$`*?[]/.test(value)) {
      continue;
    }
    const absolute = resolvePath(value, paths);
    const resolved = real.resolve(absolute);
    if (resolved !== absolute) {
      input = { ...input, [field]: withTrailingSlash(value, resolved) };
    }
  }
  return input === call.input ? call : { ...call, input };
}

/**
 * Replaces the path arguments and redirection targets of every parsed command that lead
 * through a symbolic link with their real paths. Words with expansions, options and words
 * that resolve to themselves are left alone.
 */
// NOTE: words resolve against the call's working directory, so a path after `cd DIR` in the
// same command line is resolved from the wrong folder and may keep an unresolved link.
export function realShellPaths(parsed: ParsedShell, paths: PathContext, real: RealPaths): void {
  let exceeded = false;
  const rewrite = (word: string, keepLast = false): string => {
    if (real.size >= MAX_SHELL_PATHS) {
      exceeded = true;
      return word;
    }
    if (word === '' || word.startsWith('-') || /[$`*?[\]{}]/.test(word) || word.includes('://')) {
      return word;
    }
    const absolute = resolvePath(word, paths);
    // `rm link` deletes the link itself, so only its folder is resolved.
    const resolved =
      keepLast && !word.endsWith('/')
        ? path.posix.join(real.resolve(path.posix.dirname(absolute)), path.posix.basename(absolute))
        : real.resolve(absolute);
    return resolved === absolute ? word : withTrailingSlash(word, resolved);
  };
  for (const command of parsed.commands) {
    if (command.name === 'ln') {
      // A link target is text stored in the link, resolved from the link's folder, and
      // checkSymlinkTargets judges it as written.
      continue;
    }
    const keepLast = LINK_REMOVERS.has(command.name);
    // The program word is left alone: `./tool` runs whatever it points to either way.
    const args = command.argv.slice(1).map((word) => rewrite(word, keepLast));
    command.argv = [command.argv[0] ?? '', ...args];
    command.redirects = command.redirects.map((redirect) =>
      redirect.target.startsWith('&') || /^\d$/.test(redirect.target)
        ? redirect
        : { ...redirect, target: rewrite(redirect.target) },
    );
  }
  if (exceeded) {
    parsed.confident = false;
    parsed.problems.push(
      `the command names over ${MAX_SHELL_PATHS} paths, more than the guard resolves through symbolic links`,
    );
  }
}

function withTrailingSlash(written: string, resolved: string): string {
  return written.endsWith('/') && !resolved.endsWith('/') ? `${resolved}/` : resolved;
}

/** A symbolic link made on the command line: the link's path and the target it points to. */
interface LineLink {
  link: string;
  target: string;
  /** Index of the `ln` in the parsed commands, or -1 for a link made by inline code. */
  from: number;
}

/**
 * Rewrites the paths that lead through a symbolic link made earlier on the same command line
 * to the link's target, so `ln -s / r && cat r/root/.ssh/id_rsa` is judged as
 * `cat /root/.ssh/id_rsa`. Links made by inline code count for every command, because their
 * `ln` is added after the command that runs the code. A target known only at run time is
 * left to the link check, which sends it to a human.
 */
export function followLineLinks(parsed: ParsedShell, context: GuardContext): void {
  const links = lineLinks(parsed, context);
  if (links.length === 0) {
    return;
  }
  let here: PathContext = { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
  const cdContext = { projectDir: context.projectDir, tempVariables: () => new Set<string>() };
  for (const [index, command] of parsed.commands.entries()) {
    if (command.name !== 'ln') {
      const active = links.filter((link) => link.from < index);
      const paths = here;
      const rewrite = (word: string): string => throughLink(word, paths, active);
      command.argv = [command.argv[0] ?? '', ...command.argv.slice(1).map(rewrite)];
      command.redirects = command.redirects.map((redirect) => ({
        ...redirect,
        target: rewrite(redirect.target),
      }));
    }
    here = afterCd(command, here, cdContext);
  }
}

/** Lists the links of `ln -s` commands whose target and link name are literal. */
function lineLinks(parsed: ParsedShell, context: GuardContext): LineLink[] {
  const links: LineLink[] = [];
  // Most lines make no link, and then no working folder needs following.
  if (!parsed.commands.some((command) => command.name === 'ln')) {
    return links;
  }
  let here: PathContext = { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
  const cdContext = { projectDir: context.projectDir, tempVariables: () => new Set<string>() };
  for (const [index, command] of parsed.commands.entries()) {
    if (command.name === 'ln' && isSymbolic(command) && !command.dynamic) {
      const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
      const [target, link] = operands;
      if (operands.length === 2 && target !== undefined && link !== undefined) {
        const linkPath = resolvePath(link, here);
        const from = command.via[0] === 'embedded' ? -1 : index;
        const targetPath = resolvePath(target, { ...here, cwd: path.posix.dirname(linkPath) });
        if (!/[$`*?[]/.test(target + link)) {
          links.push({ link: linkPath, target: targetPath, from });
        }
      }
    }
    here = afterCd(command, here, cdContext);
  }
  return links;
}

/** Returns `word` with a leading path through one of `links` replaced by the link's target. */
function throughLink(word: string, paths: PathContext, links: readonly LineLink[]): string {
  if (word === '' || word.startsWith('-') || /^[$`&]|^\d$|:\/\//.test(word)) {
    return word;
  }
  const absolute = resolvePath(word, paths);
  for (const { link, target } of links) {
    // The link itself (`rm r`) is the link, not what it points to.
    if (absolute !== link && isInside(absolute, link)) {
      return path.posix.join(target, path.posix.relative(link, absolute));
    }
  }
  return word;
}
