/**
 * Options of bubblewrap (`bwrap`), which runs the command after its options in new
 * namespaces. Mounts such as `--bind / /` or `--dev-bind / /` give that command the host's
 * files read-write, so the guard judges it as if it ran on the host.
 */

/**
 * How many words each bwrap option takes as its values, from `bwrap --help` of bubblewrap
 * 0.9 and the overlay options of 0.10. Options not listed take none.
 *
 * NOTE: an option added by a later bubblewrap and missing here makes its values look like
 * the program, which hides the real program from the checks.
 */
const BWRAP_VALUE_COUNTS: ReadonlyMap<string, number> = new Map([
  ...[
    '--args',
    '--argv0',
    '--userns',
    '--userns2',
    '--pidns',
    '--uid',
    '--gid',
    '--hostname',
    '--chdir',
    '--unsetenv',
    '--lock-file',
    '--sync-fd',
    '--remount-ro',
    '--exec-label',
    '--file-label',
    '--proc',
    '--dev',
    '--tmpfs',
    '--mqueue',
    '--dir',
    '--seccomp',
    '--add-seccomp-fd',
    '--block-fd',
    '--userns-block-fd',
    '--info-fd',
    '--json-status-fd',
    '--cap-add',
    '--cap-drop',
    '--perms',
    '--size',
    '--overlay-src',
    '--tmp-overlay',
    '--ro-overlay',
  ].map((option): [string, number] => [option, 1]),
  ...[
    '--setenv',
    '--bind',
    '--bind-try',
    '--dev-bind',
    '--dev-bind-try',
    '--ro-bind',
    '--ro-bind-try',
    '--bind-fd',
    '--ro-bind-fd',
    '--file',
    '--bind-data',
    '--ro-bind-data',
    '--symlink',
    '--chmod',
  ].map((option): [string, number] => [option, 2]),
  ['--overlay', 3],
]);

/** Launchers whose options take a fixed number of words each, by launcher name. */
const VALUE_COUNTS: Readonly<Record<string, ReadonlyMap<string, number>>> = {
  bwrap: BWRAP_VALUE_COUNTS,
};

/** Launchers whose options may take more than one word. */
export const MULTI_VALUE_LAUNCHERS: readonly string[] = Object.keys(VALUE_COUNTS);

/**
 * Returns how many words after `option` are its values for launcher `name`, or undefined
 * when the launcher has no table here.
 */
export function launcherValueCount(name: string, option: string): number | undefined {
  const counts = Object.hasOwn(VALUE_COUNTS, name) ? VALUE_COUNTS[name] : undefined;
  return counts === undefined ? undefined : (counts.get(option) ?? 0);
}
