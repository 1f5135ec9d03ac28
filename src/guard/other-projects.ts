/**
 * Reads of secret files in folders outside the project: every sibling project's `.env`
 * through a glob (`cat ~/code/*\/.env`), a loop (`for d in ~/src/*; do cat $d/.env; done`),
 * an `xargs` over a listing (`cd ~/code && ls | xargs -I{} cat {}/.env`), or one named file
 * of another project (`cat ../billing/.env`). Each is a hunt for credentials the task was not
 * given. A single file outside the project runs when the user names its folder or file.
 */
import path from 'node:path';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { afterCd } from './working-folders.js';

/** Env files other than examples, by name. */
const ENV_FILE =
  /^\.env(?:\.(?!example$|sample$|template$|dist$|defaults?$|schema$)[\w.*-]+)?$|^\.envrc$|^\.env\*$/;

/** Programs that print or search the files they are given. */
const READERS = new Set([
  'cat',
  'tac',
  'head',
  'tail',
  'less',
  'more',
  'bat',
  'batcat',
  'nl',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'sed',
  'awk',
  'cut',
  'sort',
  'strings',
  'xxd',
  'od',
  'source',
  '.',
  'dotenv',
]);

/** A variable or an `xargs -I{}` placeholder at the start of a folder part. */
const COMPUTED_PART = /^(?:"?\$\{?(\w+)\}?"?|\{\})/;

/** Returns the folders a secret-file operand may be in, with `computed` when unknown. */
function operandFolders(
  operand: string,
  parsed: ParsedShell,
  paths: PathContext,
): { folders: string[]; computed: boolean; globbed: boolean } {
  const folder = path.posix.dirname(operand);
  const computed = COMPUTED_PART.exec(folder);
  if (computed === null) {
    return {
      folders: [resolvePath(folder, paths)],
      computed: false,
      globbed: /[*?[]/.test(folder),
    };
  }
  const loop = parsed.loopVariables.find((variable) => variable.name === computed[1]);
  const rest = folder.slice(computed[0].length);
  if (loop === undefined || !loop.complete) {
    return { folders: [], computed: true, globbed: false };
  }
  const folders = loop.words.map((word) => resolvePath(`${word}${rest}`, paths));
  return { folders, computed: false, globbed: folders.some((entry) => /[*?[]/.test(entry)) };
}

/** Checks whether the user's messages name the folder, its project or the file. */
function namesFolder(folder: string, operand: string, messages: string): boolean {
  const project = path.posix.basename(folder);
  return (
    (project !== '' && project !== '.' && containsWord(messages, project)) ||
    containsWord(messages, operand)
  );
}

function otherProjectFinding(operand: string, many: boolean): Finding {
  return finding(
    'credential-exploration',
    many
      ? `The command reads the secret file "${operand}" of every project in a folder outside this one`
      : `The command reads "${operand}", a secret file of another project that the user did not name`,
    'other-project-secrets',
  );
}

/**
 * Finds a read of env files outside the project: over many folders (a glob, a loop word
 * list, or a computed folder while the working folder is outside the project), or of one
 * file the user did not name.
 */
export function checkOtherProjectSecrets(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
  messages: string,
): Finding | undefined {
  // Every env file name contains `.env`, so most command lines skip the folder tracking.
  const readsEnvFile = parsed.commands.some(
    (command) =>
      READERS.has(command.name) &&
      (command.argv.some((arg) => arg.includes('.env')) ||
        command.redirects.some((redirect) => redirect.target.includes('.env'))),
  );
  if (!readsEnvFile) {
    return undefined;
  }
  let current = paths;
  for (const command of parsed.commands) {
    current = afterCd(command, current, { projectDir, tempVariables: () => new Set() });
    if (!READERS.has(command.name)) {
      continue;
    }
    const found = readsOtherProjectEnv(command, parsed, current, projectDir, messages);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

function readsOtherProjectEnv(
  command: SimpleCommand,
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
  messages: string,
): Finding | undefined {
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const inputs = command.redirects
    .filter((redirect) => redirect.operator.includes('<'))
    .map((redirect) => redirect.target);
  for (const operand of [...operands, ...inputs]) {
    if (!ENV_FILE.test(path.posix.basename(operand).replace(/"/g, ''))) {
      continue;
    }
    const { folders, computed, globbed } = operandFolders(operand, parsed, paths);
    const outside = folders.filter((folder) => !isInside(folder, projectDir));
    if (computed && !isInside(paths.cwd, projectDir)) {
      return otherProjectFinding(operand, true);
    }
    if (outside.length > 0 && (globbed || folders.length > 1)) {
      return otherProjectFinding(operand, true);
    }
    if (outside.length === 1 && !namesFolder(outside[0] ?? '', operand, messages)) {
      return otherProjectFinding(operand, false);
    }
  }
  return undefined;
}
