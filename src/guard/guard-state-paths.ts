/**
 * Paths that reach the guard's state folder or its own files by a glob, a loop variable or a
 * socket path. The text rule for `.sandstack` in rules.ts matches the literal name only, so
 * `for d in .*stack; do : > "$d/guard.db"; done` and `nc -U .s?ndstack/guard.sock` get past it.
 * Callers pass paths with loop variables already replaced by their words.
 */
import { finding, type Finding } from './findings.js';
import { globToRegExp, hasGlob } from './globs.js';
import { resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { GuardContext } from './types.js';
import type { CheckGate } from './check-gates.js';

/** The default name of the folder that holds the guard's state, approvals and daemon socket. */
const STATE_FOLDER = '.sandstack';
/** Characters that a glob uses besides literal ones. */
const GLOB_SYNTAX = /[*?]|\[[^\]]*\]/g;
/** `nc`, `ncat` and `netcat` options that take a unix socket path as the destination. */
const NETCAT = new Set(['nc', 'ncat', 'netcat']);
/** A socat address that connects to a unix socket, as `UNIX-CONNECT:path`. */
const SOCAT_UNIX = /^(?:UNIX-CONNECT|UNIX-CLIENT|UNIX-SENDTO|UNIX|ABSTRACT-CONNECT):([^,]+)/i;

/**
 * Judges a write, delete or move of `target`, a path that a loop variable in one of
 * `command`'s operands expanded to, that names the guard's state folder, directly or by a
 * glob (`.*stack/guard.db`), or one of `guardFiles` by a glob: denied. Operands written out
 * in the command are left to the text rule and the glob checks, which name them.
 */
export function guardStateTarget(
  command: SimpleCommand,
  target: string,
  paths: PathContext,
  context: GuardContext,
): Finding | undefined {
  if (target === '' || /[$`]/.test(target) || /^&?\d$/.test(target)) {
    return undefined;
  }
  if (
    command.argv.includes(target) ||
    command.redirects.some((redirect) => redirect.target === target)
  ) {
    return undefined;
  }
  const reached = reachedGuardPath(resolvePath(target, paths), context.guardFiles);
  return reached === undefined
    ? undefined
    : finding(
        'self-modification',
        `The command writes or deletes "${target}", which reaches ${reached}, so later calls would go unchecked`,
        'guard-state-path',
      );
}

/** Gate of {@link checkGuardSockets}, whose socket paths come only from netcat, `socat` and `curl`. */
export const GUARD_SOCKETS_GATE: CheckGate = { programs: new Set([...NETCAT, 'socat', 'curl']) };

/**
 * Finds a connection to a unix socket in the guard's state folder (`nc -U`, `socat
 * UNIX-CONNECT:`, `curl --unix-socket`): the hook daemon's socket, which decides calls and
 * records them in the guard's state for any client that connects.
 */
export function checkGuardSockets(parsed: ParsedShell, context: GuardContext): Finding | undefined {
  const paths: PathContext = { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
  for (const command of parsed.commands) {
    for (const socket of socketPaths(command.name, command.argv)) {
      const reached = reachedGuardPath(resolvePath(socket, paths), context.guardFiles);
      if (reached !== undefined) {
        return finding(
          'self-modification',
          `The command connects to the socket "${socket}", which reaches ${reached}; only the hook may send the guard its events`,
          'guard-socket',
        );
      }
    }
  }
  return undefined;
}

/**
 * Describes the guard's file or folder that the absolute path `resolved` names or may match
 * as a glob, or returns undefined.
 */
export function reachedGuardPath(
  resolved: string,
  guardFiles: readonly string[] | undefined,
): string | undefined {
  if (resolved.split('/').some(namesStateFolder)) {
    return `the guard's state folder "${STATE_FOLDER}"`;
  }
  if (guardFiles === undefined || !hasGlob(resolved)) {
    return undefined;
  }
  const pattern = globToRegExp(resolved);
  const hit = guardFiles.find(
    (file) => pattern.test(file) || pattern.test(`${file}-wal`) || pattern.test(`${file}-shm`),
  );
  return hit === undefined ? undefined : `"${hit}", which the guard runs from or with`;
}

/**
 * Checks whether one path component is the state folder's name, or a glob that matches it
 * and names some part of it (`.*stack`, `.sand*`, `.[s]andstack`). A bare `.*` matches every
 * hidden file and is left to the checks of the command.
 */
function namesStateFolder(component: string): boolean {
  if (component === STATE_FOLDER) {
    return true;
  }
  if (!hasGlob(component) || !component.includes('.')) {
    return false;
  }
  const literal = component.replace(GLOB_SYNTAX, '').replace(/\./g, '');
  return literal !== '' && globToRegExp(component).test(STATE_FOLDER);
}

function socketPaths(name: string, argv: readonly string[]): string[] {
  if (!NETCAT.has(name) && name !== 'socat' && name !== 'curl') {
    return [];
  }
  const found: string[] = [];
  argv.forEach((arg, index) => {
    if (NETCAT.has(name) && /^-[A-Za-z]*U[A-Za-z]*$/.test(arg)) {
      // `nc -U PATH` takes the path as the next operand.
      const operand = argv.slice(index + 1).find((word) => !word.startsWith('-'));
      if (operand !== undefined) {
        found.push(operand);
      }
    }
    if (name === 'socat') {
      const match = SOCAT_UNIX.exec(arg);
      if (match?.[1] !== undefined) {
        found.push(match[1]);
      }
    }
    if (name === 'curl' && (arg === '--unix-socket' || arg === '--abstract-unix-socket')) {
      const operand = argv[index + 1];
      if (operand !== undefined) {
        found.push(operand);
      }
    } else if (name === 'curl' && arg.startsWith('--unix-socket=')) {
      found.push(arg.slice('--unix-socket='.length));
    }
  });
  return found;
}
