/**
 * Commands that run another command or project code in ways the parser does not follow.
 * These are delete tools run through a package runner (`npx rimraf DIR`), a command run in
 * a container (`docker exec NAME CMD`, judged by CMD and by the container's name), inline
 * code that runs decoded text, and a `LD_PRELOAD` or `PATH` prefix that makes a program
 * load code from the project.
 */
import { containerExec } from './container-execs.js';
import { finding, type Finding } from './findings.js';
import { evaluatedAtRunTime } from './inline-evaluators.js';
import { PRODUCTION_PART } from './production-names.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Package runners and the number of words before the package name. */
const PACKAGE_RUNNERS = new Map<string, (argv: string[]) => number | undefined>([
  ['npx', () => 1],
  ['bunx', () => 1],
  ['bun', (argv) => (argv[1] === 'x' ? 2 : undefined)],
  ['pnpx', () => 1],
  ['pnpm', (argv) => (argv[1] === 'dlx' || argv[1] === 'exec' ? 2 : undefined)],
  ['yarn', (argv) => (argv[1] === 'dlx' || argv[1] === 'exec' ? 2 : undefined)],
  ['npm', (argv) => (argv[1] === 'exec' || argv[1] === 'x' ? 2 : undefined)],
]);
/** npm packages whose command deletes or moves to the trash every path it is given. */
const DELETE_PACKAGES = new Set(['rimraf', 'del-cli', 'del', 'trash-cli', 'trash', 'rmrf']);
/** Inline code that decodes text and runs it, as `os.system(base64.b64decode(...))` does. */
const DECODED_RUN =
  /(?:system|popen|exec|eval|spawn\w*|run|call|check_output|execSync)\s*\([^)]*(?:b64decode|base64|fromhex|unhexlify|decode\(|atob|Buffer\.from)/i;
/** Prefix variables that make a program load code: a preload library or a search path. */
const LOADER_VARIABLE = /^(LD_PRELOAD|LD_LIBRARY_PATH|DYLD_INSERT_LIBRARIES|PATH)=(.*)$/s;

/**
 * Adds the commands that package runners and container execs run to `parsed`, and marks it not
 * confident when inline code runs decoded text or a prefix makes a program load project code.
 */
export function followIndirectRuns(parsed: ParsedShell): void {
  for (const command of [...parsed.commands]) {
    const deleted = packageDeletes(command);
    if (deleted !== undefined) {
      parsed.commands.push(buildInnerCommand(command, ['rm', '-rf', ...deleted], command.name));
    }
    const inner = containerCommand(command);
    if (inner !== undefined) {
      parsed.commands.push(
        buildInnerCommand(command, inner.argv, `${command.name} exec ${inner.name}`),
      );
    }
    const loader = projectLoader(command);
    if (loader !== undefined) {
      flag(parsed, `${loader} makes ${command.name} load code from the project`);
    }
  }
  for (const inline of parsed.inlineCode) {
    if (DECODED_RUN.test(inline.code)) {
      flag(parsed, `${inline.interpreter} code runs text it decodes at run time`);
    }
  }
  const evaluator = evaluatedAtRunTime(parsed.inlineCode);
  if (evaluator !== undefined) {
    flag(parsed, `${evaluator} code evaluates text built at run time`);
  }
}

function flag(parsed: ParsedShell, problem: string): void {
  parsed.confident = false;
  parsed.problems.push(problem);
}

/**
 * Builds the command that `command` runs as `argv`, with the wrapper or runner named in `via`.
 * It keeps the other fields of `command`, such as its text and wrappers, but not its
 * assignments and redirects.
 */
export function buildInnerCommand(
  command: SimpleCommand,
  argv: string[],
  via: string,
): SimpleCommand {
  const name = argv[0] ?? '';
  return {
    ...command,
    argv,
    name: name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name,
    assignments: [],
    redirects: [],
    via: [...command.via, via],
  };
}

/** Returns the paths a delete package run through `npx` and similar removes. */
function packageDeletes(command: SimpleCommand): string[] | undefined {
  const skip = PACKAGE_RUNNERS.get(command.name)?.(command.argv);
  if (skip === undefined) {
    return undefined;
  }
  const rest = command.argv.slice(skip).filter((arg) => arg !== '--');
  const packageIndex = rest.findIndex((arg) => !arg.startsWith('-'));
  const packageName = (rest[packageIndex] ?? '').replace(/(?<=.)@[^/]*$/, '');
  if (packageIndex < 0 || !DELETE_PACKAGES.has(packageName)) {
    return undefined;
  }
  return rest.slice(packageIndex + 1).filter((arg) => !arg.startsWith('-'));
}

/** Returns the command `docker exec` or `podman exec` runs, and the container's name. */
function containerCommand(command: SimpleCommand): { name: string; argv: string[] } | undefined {
  if ((command.name !== 'docker' && command.name !== 'podman') || command.argv[1] !== 'exec') {
    return undefined;
  }
  const exec = containerExec(command.argv);
  return exec === undefined ? undefined : { name: exec.container, argv: exec.argv };
}

/** Returns the name of the prefix variable that makes `command` load code from a relative path. */
function projectLoader(command: SimpleCommand): string | undefined {
  for (const assignment of command.assignments) {
    const match = LOADER_VARIABLE.exec(assignment);
    if (match === null) {
      continue;
    }
    const entries = (match[2] ?? '').split(/[:\s]/);
    // An empty entry in PATH means the working directory, as `.` does.
    const relative = entries.some(
      (entry) =>
        (entry === '' && match[1] === 'PATH' && entries.length > 1) ||
        (entry !== '' && !entry.startsWith('/') && !entry.startsWith('$')),
    );
    if (relative) {
      return match[1];
    }
  }
  return undefined;
}

/** Gate of {@link checkProductionContainers}, which judges only `docker exec` and `podman exec`. */
export const PRODUCTION_CONTAINERS_GATE: CheckGate = { programs: new Set(['docker', 'podman']) };

/**
 * Finds `docker exec` or `podman exec` into a container whose name marks production. The
 * other checks judge the inner command as a local one, so the name is what marks its reads
 * and changes as production ones.
 */
export function checkProductionContainers(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    const inner = containerCommand(command);
    if (inner !== undefined && PRODUCTION_PART.test(` ${inner.name} `)) {
      return finding(
        'production-read',
        `The command runs ${inner.argv[0] ?? ''} in the production container ${inner.name}`,
        'production-container',
      );
    }
  }
  return undefined;
}
