/**
 * `chmod` calls that only take permissions away from others. Removing group and other bits
 * reads nothing, writes no file content and grants no one access, so it is no destructive
 * write even on a key file outside the project ("chmod 600 ~/.ssh/id_ed25519").
 */
import type { SimpleCommand } from './shell.js';

/** Octal modes with no setuid, setgid or sticky bit and no group or other permission. */
const PRIVATE_OCTAL = /^0?[0-7]00$/;
/** Symbolic modes that only remove bits from group, other or all (`go-rwx`, `o-r,g-w`). */
const REMOVING_SYMBOLIC = /^(?:[goa]+-[rwxXst]+)(?:,[goa]+-[rwxXst]+)*$/;

/**
 * Checks whether `command` is a non-recursive `chmod` whose mode leaves group and other with
 * no permission or only removes bits from them.
 */
export function onlyTightensPermissions(command: SimpleCommand): boolean {
  if (command.name !== 'chmod' || command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const args = command.argv.slice(1);
  // A recursive mode would also strip the execute bit that lets the owner enter folders.
  if (args.some((arg) => /^-\w*R|^--recursive$|^--reference/.test(arg))) {
    return false;
  }
  const mode = args.find((arg) => !arg.startsWith('-'));
  return mode !== undefined && (PRIVATE_OCTAL.test(mode) || REMOVING_SYMBOLIC.test(mode));
}
