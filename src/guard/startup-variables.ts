/**
 * Variables that make a language runtime or git load or run code the command line does not
 * show: `NODE_OPTIONS=--require FILE`, `PYTHONSTARTUP`, `PYTHONPATH`, `PERL5OPT`, `PERL5LIB`,
 * `RUBYOPT=-rFILE`, `RUBYLIB`, and the helper programs git, ssh and pagers start
 * (`GIT_ASKPASS`, `GIT_SSH`, `GIT_EXTERNAL_DIFF`, `PAGER`, `EDITOR`, `LESSOPEN`, …).
 * A file or folder in the project, a module name and a program on the system's search path
 * are ordinary settings. A file elsewhere (`/tmp/p.js`, `~/x`) is code the guard cannot read.
 */
import path from 'node:path';
import { finding, namesCredentialPath, type Finding } from './findings.js';
import { isShell } from './interpreters.js';
import { isInside, resolvePath, type PathContext } from './paths.js';

/** NODE_OPTIONS flags that load a module before the program: `--require`, `--import`, loaders. */
const NODE_LOADER = /^(?:-r|--require|--import|--loader|--experimental-loader)(?:=(.*))?$/;
/** Variables that list folders a runtime loads modules from. */
const MODULE_PATHS = /^(?:PYTHONPATH|PERL5LIB|PERLLIB|RUBYLIB|NODE_PATH)$/;
/** Variables that name a program git, ssh, sudo or a pager starts. */
const HELPER_PROGRAM =
  /^(?:GIT_ASKPASS|SSH_ASKPASS|SUDO_ASKPASS|GIT_SSH|GIT_EXTERNAL_DIFF|GIT_PAGER|PAGER|MANPAGER|EDITOR|VISUAL|GIT_EDITOR|GIT_SEQUENCE_EDITOR|LESSOPEN|LESSCLOSE|GIT_PROXY_COMMAND)$/;
/** Folders that only root or the package manager writes, where a helper program is installed. */
const SYSTEM_PROGRAMS = /^\/(?:usr|bin|sbin|lib(?:32|64)?|opt|nix\/store|snap)(?:\/|$)/;
/**
 * Interpreters that run code given with `-c` or `-e`.
 * Shells, which take `-c`, are matched by {@link isShell}.
 */
const INLINE_RUNNER = /^(?:python[\d.]*|node|perl|ruby|php)$/;
/** Perl code in PERL5OPT: a statement separator, a call or a string. */
const PERL_CODE = /[;()`'"{]/;

/**
 * Judges one `NAME=value` a command sets. Returns an `ask` finding for a start-up variable
 * that loads a file outside the project or carries code, and a denial when that code names
 * a credential file.
 */
export function judgeStartupVariable(
  name: string,
  value: string,
  paths: PathContext,
  projectDir: string | undefined,
): Finding | undefined {
  const outside = (entry: string): boolean => outsideProject(entry, paths, projectDir);
  let loaded: string | undefined;
  if (name === 'NODE_OPTIONS') {
    loaded = nodeLoads(value).find(outside);
  } else if (name === 'PYTHONSTARTUP') {
    loaded = outside(value) ? value : undefined;
  } else if (MODULE_PATHS.test(name)) {
    loaded = value.split(':').find((entry) => entry !== '' && outside(entry));
  } else if (name === 'RUBYOPT') {
    loaded = [...value.matchAll(/(?:^|\s)-(?:r|I)\s*(\S+)/g)]
      .map((match) => match[1] ?? '')
      .find(outside);
  } else if (name === 'PERL5OPT') {
    if (PERL_CODE.test(value)) {
      return namesCredentialPath(value)
        ? finding(
            'credential-exploration',
            `The command sets PERL5OPT to code that reads a credential file when perl starts`,
            'startup-variable-credential',
          )
        : startupFinding(name, value);
    }
    loaded = [...value.matchAll(/(?:^|\s)-I\s*(\S+)/g)]
      .map((match) => match[1] ?? '')
      .find(outside);
  } else if (HELPER_PROGRAM.test(name)) {
    const words = value.replace(/^\s*\|\s*/, '').split(/\s+/);
    const program = words[0] ?? '';
    const base = path.posix.basename(program);
    if ((INLINE_RUNNER.test(base) || isShell(base)) && words.some((word) => /^-[ce]$/.test(word))) {
      // `EDITOR="sh -c '…'"` runs code that no command line shows.
      return startupFinding(name, value);
    }
    loaded = program.includes('/') && !systemProgram(program, paths) ? program : undefined;
  }
  return loaded === undefined ? undefined : startupFinding(name, loaded);
}

function startupFinding(name: string, loaded: string): Finding {
  return finding(
    'security-weaken',
    `The command sets ${name} so that the program loads or runs "${loaded}", code outside the project that the guard cannot read; a file in the project or an installed module is not asked`,
    'startup-variable',
  );
}

/** Returns the files and modules that `--require`, `-r`, `--import` and loader flags name. */
function nodeLoads(value: string): string[] {
  const words = value.trim().split(/\s+/);
  const loads: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const match = NODE_LOADER.exec(words[index] ?? '');
    if (match !== null) {
      const next = match[1] ?? words[(index += 1)];
      if (next !== undefined) {
        loads.push(next);
      }
    }
  }
  return loads;
}

/**
 * Checks whether `entry` names a file outside the project. A module name (`ts-node/register`)
 * is looked up in the project's own modules; a value built at run time is not judged.
 */
function outsideProject(
  entry: string,
  paths: PathContext,
  projectDir: string | undefined,
): boolean {
  const file = entry.replace(/^file:\/\//, '');
  if (file === '' || /\$\(pwd\)|\$\{?PWD\}?/.test(file)) {
    return false;
  }
  if (/[$`]/.test(file)) {
    return false;
  }
  const pathLike = /^(?:\/|~|\.\.?(?:\/|$))/.test(file);
  if (!pathLike) {
    return false;
  }
  const resolved = resolvePath(file, paths);
  return !isInside(resolved, projectDir ?? paths.cwd) && !SYSTEM_PROGRAMS.test(resolved);
}

function systemProgram(program: string, paths: PathContext): boolean {
  return !/[$`]/.test(program) && SYSTEM_PROGRAMS.test(resolvePath(program, paths));
}
