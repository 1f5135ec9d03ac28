/**
 * Stage-1 check for recursive `grep` and `rg` searches whose folder contains credential folders,
 * such as the home folder. They print every matching line of `~/.aws/credentials`,
 * `~/.ssh/id_rsa` or `~/.config/gh/hosts.yml`, so they count as reads of those files, as the
 * Grep tool's check judges them. An `--include`, `-g` or `--type` filter that no credential
 * file passes (`*.md`, type `py`) keeps the search allowed. ripgrep skips hidden files unless
 * given `--hidden`, `-.` or `-uu`, and every home credential file is hidden, so a plain `rg`
 * of the home folder reaches none of them.
 */
import { findRoots } from './cleanup.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import { grepReachesCredential } from './search-targets.js';
import type { SimpleCommand, ParsedShell } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** grep options that take the next word as their value. */
const GREP_VALUED = new Set([
  '-e',
  '-f',
  '-m',
  '-A',
  '-B',
  '-C',
  '-d',
  '-D',
  '--include',
  '--exclude',
  '--exclude-dir',
  '--regexp',
  '--file',
]);
/** ripgrep options that take the next word as their value. */
const RG_VALUED = new Set([
  '-e',
  '-f',
  '-g',
  '--glob',
  '--iglob',
  '-t',
  '--type',
  '-T',
  '--type-not',
  '-m',
  '-A',
  '-B',
  '-C',
  '-M',
  '-d',
  '--max-depth',
  '-j',
  '-r',
  '--replace',
  '-E',
  '--encoding',
  '--sort',
  '--sortr',
  '--type-add',
  '--regexp',
  '--file',
]);

/** The folders a search reads and the name filters it applies. */
interface Search {
  roots: string[];
  globs: string[];
  types: string[];
}

/** Gate of {@link checkHomeSearches}, which judges only the searches of grep and rg. */
export const HOME_SEARCHES_GATE: CheckGate = {
  programs: new Set(['grep', 'egrep', 'fgrep', 'rg']),
};

/** Finds a recursive search that reads credential files under the folder it searches. */
export function checkHomeSearches(parsed: ParsedShell, paths: PathContext): Finding | undefined {
  for (const command of parsed.commands) {
    const search = searchOf(command);
    if (search === undefined || command.dynamic) {
      continue;
    }
    const roots = search.roots.length > 0 ? search.roots : ['.'];
    const filters = [
      ...search.globs.map((glob) => ({ glob, type: '' })),
      ...search.types.map((type) => ({ glob: '', type })),
    ];
    for (const root of roots) {
      const target = resolvePath(root, paths);
      for (const { glob, type } of filters.length > 0 ? filters : [{ glob: '', type: '' }]) {
        const reached = grepReachesCredential(target, glob, paths.homeDir, type);
        if (reached !== undefined && reached.kind !== 'env') {
          return finding(
            'credential-exploration',
            reached.kind === 'glob'
              ? `The search of "${root}" reads the credential file "${reached.path}"`
              : `The search of "${root}" reads the credential folders under it, such as ~/.ssh and ~/.aws`,
            'home-search',
          );
        }
      }
    }
  }
  return undefined;
}

function searchOf(command: SimpleCommand): Search | undefined {
  const args = command.argv.slice(1);
  if (['grep', 'egrep', 'fgrep'].includes(command.name)) {
    const recursive = args.some(
      (arg) =>
        /^-[a-zA-Z]*[rR]/.test(arg) || arg === '--recursive' || arg === '--dereference-recursive',
    );
    return recursive ? parseSearch(args, GREP_VALUED, ['--include']) : undefined;
  }
  if (command.name === 'rg') {
    const unrestricted = args
      .filter((arg) => /^-u+$/.test(arg))
      .reduce((count, arg) => count + arg.length - 1, 0);
    const hidden = unrestricted >= 2 || args.includes('--hidden') || args.includes('-.');
    return hidden ? parseSearch(args, RG_VALUED, ['-g', '--glob', '--iglob']) : undefined;
  }
  return undefined;
}

/**
 * Reads the pattern, the folders and the filters of a grep or rg call. The first operand is
 * the pattern unless `-e` or `-f` gives it.
 */
function parseSearch(
  args: readonly string[],
  valued: ReadonlySet<string>,
  globOptions: readonly string[],
): Search {
  const operands: string[] = [];
  const globs: string[] = [];
  const types: string[] = [];
  let patternGiven = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = arg, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = inline ?? (valued.has(option) ? args[index + 1] : undefined);
    if (!arg.startsWith('-') || arg === '-') {
      operands.push(arg);
      continue;
    }
    if (inline === undefined && valued.has(option)) {
      index += 1;
    }
    if (['-e', '-f', '--regexp', '--file'].includes(option)) {
      patternGiven = true;
    } else if (globOptions.includes(option) && value !== undefined && !value.startsWith('!')) {
      globs.push(value);
    } else if ((option === '-t' || option === '--type') && value !== undefined) {
      types.push(value);
    }
  }
  return { roots: patternGiven ? operands : operands.slice(1), globs, types };
}

/** Gate of {@link checkCredentialFinds}, which judges only `find`. */
export const CREDENTIAL_FINDS_GATE: CheckGate = { programs: new Set(['find']) };

/** `-name`, `-iname`, `-path` and `-wholename` patterns of credential and infrastructure-state files. */
const CREDENTIAL_FILE_PATTERN =
  /tfstate|\.pem\b|\.key\b|\.p12\b|\.pfx\b|\.jks\b|keystore|id_(?:rsa|ed25519|ecdsa|dsa)|credential|secret|token|passw|(?:^|[*/.])env\b|kubeconfig|\.kube\b|\.pgpass|\.netrc|\.npmrc|\.pypirc|git-credentials|wallet|htpasswd|\.ovpn\b|shadow/i;
/** Words that a search for secret values greps the files for. */
const SECRET_GREP = /secret|passw|token|api[_-]?key|private.key|credential|aws_access|access_key/i;
/** Folders whose search reaches every project and user of the machine. */
const WIDE_ROOTS = new Set([
  '/',
  '/home',
  '/root',
  '/Users',
  '/srv',
  '/opt',
  '/var',
  '/mnt',
  '/media',
]);
const FIND_NAME_TESTS = new Set([
  '-name',
  '-iname',
  '-path',
  '-ipath',
  '-wholename',
  '-iwholename',
]);

/**
 * Finds a `find` from the filesystem root, the home folder or a shared top folder (`/home`,
 * `/srv`, `/var` …) that looks for credential or
 * state files by name, or greps what it finds for secret words. Such a search reaches every
 * project and user on the machine, beyond what the task provides. A request that names the
 * kind of file, as "find the tfstate files in my home folder", consents.
 */
export function checkCredentialFinds(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (command.name !== 'find') {
      continue;
    }
    const wide = findRoots(command).some((root) => {
      const resolved = resolvePath(root, paths);
      return (
        !isInside(resolved, projectDir) &&
        (resolved === paths.homeDir || WIDE_ROOTS.has(resolved.replace(/(?<=.)\/+$/, '')))
      );
    });
    if (!wide) {
      continue;
    }
    const args = command.argv;
    const patterns = args.filter(
      (arg, index) =>
        FIND_NAME_TESTS.has(args[index - 1] ?? '') && CREDENTIAL_FILE_PATTERN.test(arg),
    );
    const grepsSecrets = parsed.commands.some(
      (other) =>
        /^(?:e|f|r)?grep$|^rg$/.test(other.name) &&
        (other.wrappers.includes('find -exec') ||
          (other.pipeline !== undefined && other.pipeline.id === command.pipeline?.id)) &&
        other.argv.slice(1).some((arg) => SECRET_GREP.test(arg)),
    );
    const requested = patterns.some((pattern) => {
      const word = pattern.replace(/[*?[\]]/g, '').replace(/^\.+/, '');
      return word.length >= 3 && containsWord(messages, word);
    });
    if ((patterns.length > 0 || grepsSecrets) && !requested) {
      return finding(
        'credential-exploration',
        `The command searches ${findRoots(command).join(' ')} beyond the project for ${patterns[0] ?? 'files with secrets'}, which the user did not ask for`,
        'credential-find',
      );
    }
  }
  return undefined;
}
