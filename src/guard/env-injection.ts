/**
 * Environment variables that make a program load code the command line does not show:
 * `BASH_ENV` (sourced by every non-interactive bash), `ENV` (sourced by `sh`), and the
 * dynamic loader's `LD_PRELOAD`, `LD_AUDIT` and `LD_LIBRARY_PATH` (and their macOS forms).
 * Shell functions passed as `BASH_FUNC_name%%` are parsed as shell code by the parser itself.
 */
import { finding, type Finding } from './findings.js';
import { resolvePath, type PathContext } from './paths.js';
import { isPosixShell } from './interpreters.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { judgeStartupVariable } from './startup-variables.js';

/** Variables whose value names a file that bash or sh sources before the command runs. */
const STARTUP_FILE = /^(?:BASH_ENV|ENV)$/;
/** Loader variables that inject a shared library into every program started. */
const PRELOAD = /^(?:LD_PRELOAD|LD_AUDIT|DYLD_INSERT_LIBRARIES)$/;
/** Loader variables that change where every program started finds its shared libraries. */
const LIBRARY_PATH = /^(?:LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|DYLD_FALLBACK_LIBRARY_PATH)$/;
/**
 * Folders that only root or the system's package manager writes: `/usr`, `/lib*`, `/opt`
 * and the Nix store. A library there was installed by an administrator, not by the agent.
 */
const SYSTEM_LIBRARIES = /^\/(?:usr|lib(?:32|64|x32)?|opt|nix\/store)(?:\/|$)/;
/** The variable's earlier value, as in `LD_LIBRARY_PATH=/opt/x/lib:$LD_LIBRARY_PATH`. */
const EARLIER_VALUE =
  /^\$\{?(?:LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|DYLD_FALLBACK_LIBRARY_PATH|LD_PRELOAD)\}?$/;

/**
 * Finds a command that sets a start-up file for the shells it starts, or points the dynamic
 * loader at libraries outside the folders only root writes. Each gets `ask`:
 * the code it loads is a file the guard cannot read.
 */
export function checkEnvironmentInjection(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir?: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    for (const assignment of assignmentsOf(command)) {
      const at = assignment.indexOf('=');
      const name = assignment.slice(0, at);
      const value = assignment.slice(at + 1);
      if (value.trim() === '') {
        continue;
      }
      const problem =
        judgeAssignment(name, value, command, paths) ??
        judgeStartupVariable(name, value, paths, projectDir);
      if (problem !== undefined) {
        return problem;
      }
    }
  }
  return undefined;
}

function judgeAssignment(
  name: string,
  value: string,
  command: SimpleCommand,
  paths: PathContext,
): Finding | undefined {
  if (STARTUP_FILE.test(name)) {
    // `ENV=production node app.js` is an application setting: only shells read `$ENV`, and
    // an exported `ENV` reaches later shells only when it names a file.
    const exported = command.assignments.every((assignment) => !assignment.startsWith(`${name}=`));
    const readByShell =
      name === 'BASH_ENV' || isPosixShell(command.name) || (exported && /[/.]/.test(value));
    if (readByShell) {
      return finding(
        'security-weaken',
        `The command sets ${name}="${value}", so the shells it starts first run that file, which the guard cannot read`,
        'shell-startup-file',
      );
    }
    return undefined;
  }
  const preload = PRELOAD.test(name);
  if (!preload && !LIBRARY_PATH.test(name)) {
    return undefined;
  }
  const outside = value
    .split(preload ? /[:\s]+/ : /:+/)
    .filter((entry) => entry !== '')
    .find((entry) => !systemLibrary(entry, paths));
  if (outside === undefined) {
    return undefined;
  }
  return finding(
    'security-weaken',
    `The command sets ${name} to "${outside}", outside the folders only root writes, so every program it starts may load code the guard cannot read`,
    'loader-injection',
  );
}

/**
 * Checks whether a loader entry is a library an administrator installed: a bare library
 * name, which the loader looks up in the system folders, a path in a folder only root
 * writes, or the variable's earlier value. A path in the project is untrusted, because the
 * agent can write there, and the parser already marks it (see indirect-runs.ts).
 */
function systemLibrary(entry: string, paths: PathContext): boolean {
  if (EARLIER_VALUE.test(entry)) {
    return true;
  }
  if (/[$`]/.test(entry)) {
    return false;
  }
  if (!entry.includes('/')) {
    return /^lib[\w.+-]*\.(?:so|dylib)\b/.test(entry);
  }
  return SYSTEM_LIBRARIES.test(resolvePath(entry, paths));
}

/** Returns the `NAME=value` pairs a command sets for itself, by `env`, or by `export`. */
function assignmentsOf(command: SimpleCommand): string[] {
  const exported =
    command.name === 'export' || command.name === 'declare' || command.name === 'typeset'
      ? command.argv.slice(1).filter((arg) => !arg.startsWith('-') && arg.includes('='))
      : [];
  return exported.length === 0 ? command.assignments : [...command.assignments, ...exported];
}
