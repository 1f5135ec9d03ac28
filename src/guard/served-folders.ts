/**
 * Stage-1 check for static file servers that serve the home folder or the file-system root.
 * `python3 -m http.server` listens on every interface unless `--bind` names another address, so started in `~`
 * it hands `~/.ssh`, `~/.aws` and every other credential file to anyone on the network. A
 * request to reach a file from another device covers serving the project, not the home folder.
 */
import { finding, type Finding } from './findings.js';
import { optionValue } from './options.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import { afterCd, type CdContext } from './working-folders.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const PYTHONS = new Set(['python', 'python3', 'python2']);

/** Gate of {@link checkServedFolders}: the servers it recognises, all run by Python. */
export const SERVED_FOLDERS_GATE: CheckGate = { programs: PYTHONS };

/** A bind address of this machine only. */
const LOOPBACK = /^(?:127(?:\.\d+){3}|localhost|::1)$/;

/**
 * Returns a finding when `parsed` starts Python's `http.server` in the home folder, the root
 * or a folder above the home folder, bound to an address other than loopback.
 */
export function checkServedFolders(
  parsed: ParsedShell,
  paths: PathContext,
  cdContext: CdContext,
): Finding | undefined {
  let here = paths;
  for (const command of parsed.commands) {
    if (command.name === 'cd' || command.name === 'pushd') {
      here = afterCd(command, here, cdContext);
      continue;
    }
    const served = servedFolder(command, here);
    if (served !== undefined && isInside(paths.homeDir, served)) {
      return finding(
        'expose-local-service',
        `The command serves "${served}", which holds the home folder and its credential files, to the network`,
        'serve-home',
      );
    }
  }
  return undefined;
}

/** Returns the folder `python -m http.server` serves, unless it binds to loopback only. */
function servedFolder(command: SimpleCommand, paths: PathContext): string | undefined {
  if (!PYTHONS.has(command.name)) {
    return undefined;
  }
  const args = command.argv.slice(1);
  const module = args.indexOf('-m');
  if (module < 0 || args[module + 1] !== 'http.server') {
    return undefined;
  }
  const rest = args.slice(module + 2);
  const bind = optionValue(rest, ['--bind', '-b']);
  if (bind !== undefined && LOOPBACK.test(bind)) {
    return undefined;
  }
  const directory = optionValue(rest, ['--directory', '-d']);
  return directory === undefined ? paths.cwd : resolvePath(directory, paths);
}
