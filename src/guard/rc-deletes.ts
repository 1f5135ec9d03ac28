/**
 * Deletes of named lines from the user's shell start-up files: `sed -i '/^alias python=/d'
 * ~/.zshrc` after "my python alias in zshrc is wrong, remove it". Only an alias or a variable
 * export the request names may go, from a start-up file the request names, so an unrequested
 * edit and a sed script that does more than delete (`e`, `w`, `s`) stay blocked.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/** Start-up files of the shells, relative to the home folder, with the words that name them. */
const RC_FILES: Readonly<Record<string, readonly string[]>> = {
  '.bashrc': ['bashrc', 'bash'],
  '.bash_profile': ['bash_profile', 'bash'],
  '.profile': ['profile'],
  '.zshrc': ['zshrc', 'zsh'],
  '.zprofile': ['zprofile', 'zsh'],
  '.zshenv': ['zshenv', 'zsh'],
  '.config/fish/config.fish': ['config.fish', 'fish'],
};

/** `/^alias NAME=/d`, `/^alias NAME /d` or `/^export NAME=/d`, the only sed scripts covered. */
const DELETE_SCRIPT = /^\/\^(?<kind>alias|export) (?<name>[\w.-]+)(?:=|\\?\s|\[= \])\/d$/;

const DELETE_REQUEST = /\b(?:remove|delete|drop|get rid of|take out|clean up|strip)\b/i;

/**
 * Checks whether `command` is `sed -i` with one script that deletes the lines of an alias or
 * export the request names ("remove my python alias"), and `target` is a start-up file in the
 * home folder that the request names by file or shell.
 */
export function deletesNamedRcLine(
  command: SimpleCommand,
  target: string,
  homeDir: string,
  messages: string,
): boolean {
  const home = homeDir.replace(/\/$/, '');
  const file = target.startsWith(`${home}/`) ? target.slice(home.length + 1) : '';
  const names = Object.hasOwn(RC_FILES, file) ? RC_FILES[file] : undefined;
  if (command.name !== 'sed' || command.dynamic || names === undefined) {
    return false;
  }
  const args = command.argv.slice(1);
  const options = args.filter((arg) => arg.startsWith('-'));
  const operands = args.filter((arg) => !arg.startsWith('-'));
  // `-i` or `-i.bak` only: `-e`, `-f` or `-s` would bring other scripts or files.
  if (options.length !== 1 || !/^(?:-i(?:\.\w+)?|--in-place(?:=\.\w+)?)$/.test(options[0] ?? '')) {
    return false;
  }
  const groups = DELETE_SCRIPT.exec(operands[0] ?? '')?.groups;
  const name = groups?.['name'];
  return (
    operands.length === 2 &&
    name !== undefined &&
    containsWord(messages, name) &&
    (groups?.['kind'] !== 'alias' || /\balias\b/i.test(messages)) &&
    names.some((word) => containsWord(messages, word) || containsWord(messages, `.${word}`)) &&
    asksWithout(DELETE_REQUEST, messages)
  );
}
