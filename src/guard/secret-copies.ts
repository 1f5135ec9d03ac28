/**
 * Secret files copied into files that get committed or published: `cat .env >> docs/setup.md`,
 * `cp .env docs/`, `grep -v '^#' .env | tee README.md`, `cp .env .env.example`. The secret
 * values then sit in a tracked file, a docs site or a public folder.
 *
 * Copies that stay private pass: into another secret file (`cp .env .env.bak`,
 * `cp .env services/api/.env`), to `/dev/null`, or outside the project, which other checks
 * judge. So do filters that drop the values and keep only the names (`cut -d= -f1 .env`, or
 * a `sed` substitution that deletes from the `=` to the end of the line).
 */
import path from 'node:path';
import { finding, type Finding } from './findings.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import { outputTargets } from './shell-writes.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Env files other than examples, key files, and files named for the secrets they hold. */
const SECRET_FILE =
  /^\.env(?:\.(?!example$|sample$|template$|dist$|defaults?$|schema$)[\w.-]+)?$|^\.envrc$|\.(?:pem|key|p12|pfx)$|^id_(?:rsa|ed25519|ecdsa|dsa)$|^credentials(?:\.json)?$|^secrets?\.(?:ya?ml|json|toml)$|^\.(?:npmrc|pypirc|netrc)$/;

/**
 * Folders whose files are served or shipped as they are: docs sites, static and public
 * folders, and build output.
 */
const PUBLISHED_FOLDER =
  /^(?:docs?|public|static|dist|build|out|www|wwwroot|site|_site|assets|website)$/;

/** Programs that print what they read, so their output contains the secret file's lines. */
const PRINTERS = new Set([
  'cat',
  'tac',
  'head',
  'tail',
  'nl',
  'sort',
  'uniq',
  'grep',
  'egrep',
  'fgrep',
  'sed',
  'awk',
  'gawk',
  'cut',
  'paste',
  'column',
  'strings',
  'envsubst',
  'tr',
]);

const COPIERS = new Set(['cp', 'mv', 'install', 'rsync', 'ditto']);

/** Text that every name {@link SECRET_FILE} matches contains, checked first. */
const SECRET_FILE_HINT =
  /\.env|\.pem|\.key|\.p12|\.pfx|id_|credentials|secret|\.npmrc|\.pypirc|\.netrc/;

/** Checks whether `file` is a secret file by its name. */
function isSecretFile(file: string): boolean {
  return SECRET_FILE_HINT.test(file) && SECRET_FILE.test(path.posix.basename(file));
}

/**
 * Checks whether `command` keeps only the names of `NAME=value` lines: `cut -d= -f1`,
 * `awk -F= '{print $1}'`, a `sed` substitution of `=` and all after it by text without
 * `&` or a back reference, and `grep -o`, `-c` or `-l` of a pattern without `=`.
 */
function dropsValues(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  const text = args.join(' ');
  switch (command.name) {
    case 'cut':
      return /(?:^|\s)-d\s*['"]?=/.test(text) && /(?:^|\s)-f\s*1(?:\s|$)/.test(text);
    case 'awk':
    case 'gawk':
      return (
        /(?:^|\s)-F\s*['"]?=/.test(text) &&
        args.some((arg) => /print\s+\$1\s*[;}]/.test(arg) && !/\$(?:[2-9]|0|NF)/.test(arg))
      );
    case 'sed':
      return args.some((arg) => /^s(.)=\.\*\1([^&\\]*)\1\w*$/.test(arg));
    case 'grep':
    case 'egrep':
      return (
        args.some((arg) => /^-\w*[ocl]\w*$/.test(arg)) &&
        args.every((arg) => arg.startsWith('-') || !arg.includes('=') || isSecretFile(arg))
      );
    case 'wc':
      return true;
    default:
      return false;
  }
}

/** Checks whether a file written by the command line keeps the secret off git and out of sites. */
function staysPrivate(target: string, paths: PathContext, projectDir: string): boolean {
  if (target.startsWith('/dev/')) {
    return true;
  }
  const resolved = resolvePath(target, paths);
  if (!isInside(resolved, projectDir)) {
    return true;
  }
  const folders = path.posix.relative(projectDir, path.posix.dirname(resolved)).split('/');
  return isSecretFile(resolved) && !folders.some((folder) => PUBLISHED_FOLDER.test(folder));
}

/** Returns the secret file a printing command reads, from its operands or `<` redirects. */
function secretInput(command: SimpleCommand): string | undefined {
  if (!PRINTERS.has(command.name)) {
    return undefined;
  }
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const inputs = command.redirects
    .filter((redirect) => redirect.operator.includes('<'))
    .map((redirect) => redirect.target);
  return [...operands, ...inputs].find(isSecretFile);
}

/** Returns the stages of the pipeline `command` starts, itself included, in order. */
function laterStages(command: SimpleCommand, parsed: ParsedShell): SimpleCommand[] {
  const position = command.pipeline;
  if (position === undefined) {
    return [command];
  }
  return parsed.commands.filter(
    (other) => other.pipeline?.id === position.id && other.pipeline.index >= position.index,
  );
}

/** Returns the path a copy writes for `source`: into the folder when the target is one. */
function copyDestination(command: SimpleCommand): string | undefined {
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const folderOption = command.argv.findIndex(
    (arg) => arg === '-t' || arg === '--target-directory',
  );
  if (folderOption >= 0) {
    return `${command.argv[folderOption + 1] ?? ''}/`;
  }
  return operands.length >= 2 ? operands[operands.length - 1] : undefined;
}

function copyFinding(source: string, target: string): Finding {
  return finding(
    'credential-leakage',
    `The command copies the secrets in "${source}" into "${target}", a file that gets committed or published`,
    'secret-file-copy',
  );
}

/**
 * Finds a command line that copies a secret file, or prints it through filters that keep
 * its values, into a project file that is not itself a secret file.
 */
export function checkSecretCopies(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (COPIERS.has(command.name)) {
      const destination = copyDestination(command);
      const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
      const source = operands.slice(0, -1).find(isSecretFile);
      if (source === undefined || destination === undefined) {
        continue;
      }
      const written = /\/$/.test(destination)
        ? `${destination}${path.posix.basename(source)}`
        : destination;
      if (!staysPrivate(written, paths, projectDir)) {
        return copyFinding(source, written);
      }
      continue;
    }
    const source = secretInput(command);
    if (source === undefined) {
      continue;
    }
    const stages = laterStages(command, parsed);
    const filtered = stages.findIndex(dropsValues);
    const carrying = filtered < 0 ? stages : stages.slice(0, filtered);
    const target = carrying
      .flatMap(outputTargets)
      .find((file) => !staysPrivate(file, paths, projectDir));
    if (target !== undefined) {
      return copyFinding(source, target);
    }
  }
  return undefined;
}
