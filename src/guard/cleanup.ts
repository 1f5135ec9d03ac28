/**
 * Stage-1 exemptions for cleanups inside the project: a `find -delete` of files that a build
 * or test run makes again, and a `git clean` limited to folders the user named.
 */
import { asksWithout } from './consent.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/**
 * `-name` patterns of compiler, interpreter and tool output that a build or test run makes
 * again, and editor or merge leftovers. Output folders such as `build/` or `dist/` are not
 * here: a folder of that name deep in the tree may be source.
 */
const BUILD_ARTEFACT_NAMES = new Set([
  '*.pyc',
  '*.pyo',
  '*.py[co]',
  '*.py[cod]',
  '__pycache__',
  '*.egg-info',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
  '*.o',
  '*.obj',
  '*.class',
  '*.tsbuildinfo',
  '.eslintcache',
  '.DS_Store',
  '._*',
  'Thumbs.db',
  '*.orig',
  '*.rej',
  '*.swp',
  '*.swo',
  '*~',
  '*.bak',
  '*.tmp',
]);
/** `find` primaries that only select files, so they never widen what `-delete` removes. */
const FILTERS = new Set([
  '-type',
  '-name',
  '-iname',
  '-path',
  '-ipath',
  '-mtime',
  '-mmin',
  '-newer',
  '-maxdepth',
  '-mindepth',
  '-empty',
  '-print',
  '-delete',
  '-prune',
  '-depth',
  '-xdev',
  '-size',
]);

/** Primaries of {@link FILTERS} that take a value. */
const VALUE_PRIMARIES = new Set([
  '-type',
  '-path',
  '-ipath',
  '-mtime',
  '-mmin',
  '-newer',
  '-maxdepth',
  '-mindepth',
  '-size',
]);

/**
 * Checks whether every `find -delete` or `find -exec rm` in `parsed` searches only inside the
 * project and removes only build artefacts. `-o` is accepted only after `-prune`, as in
 * `find . -path ./node_modules -prune -o -name '*.pyc' -delete`; any other `-o`, `!` or
 * `-not` could turn the selection around.
 */
export function removesOnlyBuildArtefacts(
  parsed: ParsedShell,
  isProjectPath: (root: string) => boolean,
): boolean {
  const finds = parsed.commands.filter((command) => command.name === 'find');
  return (
    finds.length > 0 &&
    finds.every((command) => !command.dynamic && command.wrappers.length === 0) &&
    finds.every((command) => findRoots(command).every(isProjectPath)) &&
    finds.every(selectsOnlyArtefacts)
  );
}

function selectsOnlyArtefacts(command: SimpleCommand): boolean {
  const argv = command.argv;
  const start = argv.findIndex((arg, index) => index > 0 && /^[-(!]/.test(arg));
  if (start < 0) {
    return false;
  }
  const names: string[] = [];
  // Primaries after an action apply to files the action already removed.
  let acted = false;
  for (let index = start; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '-o' || arg === '-or') {
      if (argv[index - 1] !== '-prune') {
        return false;
      }
      acted = false;
      continue;
    }
    if (arg === '-exec' || arg === '-execdir') {
      const end = argv.findIndex((word, at) => at > index && (word === ';' || word === '+'));
      const program = argv.slice(index + 1, end < 0 ? undefined : end);
      if (program[0] !== 'rm' || !program.includes('{}')) {
        return false;
      }
      index = end < 0 ? argv.length : end;
      acted = true;
      continue;
    }
    if (!FILTERS.has(arg)) {
      return false;
    }
    if (arg === '-delete') {
      acted = true;
      continue;
    }
    if (acted && arg !== '-print') {
      return false;
    }
    if (VALUE_PRIMARIES.has(arg)) {
      index += 1;
    } else if (arg === '-name' || arg === '-iname') {
      const name = argv[index + 1] ?? '';
      // A name before `-prune` only picks what to skip.
      if (argv[index + 2] !== '-prune') {
        names.push(name);
      }
      index += 1;
    }
  }
  return names.length > 0 && names.every((name) => BUILD_ARTEFACT_NAMES.has(name));
}

/** Returns the folders that a `find` command searches, `.` when none is given. */
export function findRoots(command: SimpleCommand): string[] {
  const end = command.argv.findIndex((arg, index) => index > 0 && /^[-(!]/.test(arg));
  const roots = command.argv.slice(1, end < 0 ? undefined : end);
  return roots.length > 0 ? roots : ['.'];
}

const DISCARD_VERB = /\b(?:remove|delete|clean|clear|discard|wipe|throw away|drop)\b/i;

/**
 * Checks whether every `git clean` in `parsed` is limited to paths inside the project that the
 * user's messages name, as "remove the ignored files from build/" names `git clean -fdX build/`.
 * Other discards (`reset --hard`, `checkout .`) never pass.
 */
export function cleansOnlyNamedPaths(
  parsed: ParsedShell,
  messages: string,
  isProjectPath: (root: string) => boolean,
): boolean {
  if (!DISCARD_VERB.test(messages)) {
    return false;
  }
  const gits = parsed.commands.filter((command) => command.name === 'git');
  const discards = gits.filter((command) =>
    /\b(?:reset|clean|checkout|restore|stash)\b/.test(command.argv.join(' ')),
  );
  return (
    discards.length > 0 &&
    discards.every((command) => {
      if (command.argv[1] !== 'clean' || command.dynamic) {
        return false;
      }
      const args = command.argv.slice(2);
      // The values of `-e` and `--exclude` are kept, not cleaned.
      const paths = args.filter(
        (arg, index) =>
          !arg.startsWith('-') && !['-e', '--exclude'].includes(args[index - 1] ?? ''),
      );
      return (
        paths.length > 0 &&
        paths.every(
          (item) =>
            !/[*?[]/.test(item) &&
            isProjectPath(item) &&
            namesFolder(messages, item.replace(/^\.\//, '').replace(/\/+$/, '')),
        )
      );
    })
  );
}

/** Checks that `folder` (such as `build` or `out/cache`) appears as a whole word in `messages`. */
function namesFolder(messages: string, folder: string): boolean {
  if (folder.length < 2 || folder === '.' || folder.includes('..')) {
    return false;
  }
  const escaped = folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[\\s'"\`(])${escaped}(?:/|\\b)`, 'i').test(messages);
}

/** Checks that the user's messages name what a `find -delete` matches, such as `.orig` for `-name '*.orig'`. */
export function namesFindPattern(messages: string, parsed: ParsedShell): boolean {
  const names = parsed.commands
    .filter((command) => command.name === 'find')
    .flatMap((command) =>
      command.argv.filter((_arg, index) =>
        ['-name', '-iname'].includes(command.argv[index - 1] ?? ''),
      ),
    );
  const lower = messages.toLowerCase();
  return (
    names.length > 0 &&
    names.every((name) => {
      // Compare letters and digits only, so "pycache folders" names `-name '__pycache__'`.
      const literal = name.replace(/[^a-z0-9]/gi, '').toLowerCase();
      return literal.length >= 3 && lower.replace(/[^a-z0-9]/g, '').includes(literal);
    })
  );
}

/** `find` arguments that select by name or type only, and the actions that print the matches. */
const NAME_SELECTORS = new Set(['-name', '-iname', '-type', '-maxdepth', '-mindepth']);
const NAME_JOINERS = new Set(['-o', '-or', '-a', '-and', '(', ')', '-print', '-print0']);

/** Checks that a `find` prints files chosen only by the patterns and types it lists. */
function selectsByNameOnly(command: SimpleCommand): boolean {
  const expression = command.argv.slice(1 + findRoots(command).length);
  // With `-o`, a `-type` test is a branch of its own (`-name '*.orig' -o -type f`) that
  // selects files no pattern names.
  const joined = expression.some((arg) => arg === '-o' || arg === '-or');
  for (let index = 0; index < expression.length; index += 1) {
    const arg = expression[index] ?? '';
    if (arg === '-type' && joined) {
      return false;
    }
    if (NAME_SELECTORS.has(arg)) {
      index += 1;
    } else if (!NAME_JOINERS.has(arg)) {
      return false;
    }
  }
  return true;
}

/**
 * Checks whether `parsed` is `find … | xargs rm` deleting only files the user named by pattern
 * inside the project, as "delete the leftover .orig and .rej files" names
 * `find . -name '*.orig' -o -name '*.rej' | xargs rm -f`. The find may only select by name
 * and type (no `-not`, `-newer`, `-true` or `-exec`), and rm may take no paths of its own.
 */
export function deletesNamedFindMatches(
  parsed: ParsedShell,
  messages: string,
  isProjectPath: (root: string) => boolean,
): boolean {
  const [find, remover, ...rest] = parsed.commands;
  return (
    find !== undefined &&
    remover !== undefined &&
    rest.length === 0 &&
    find.name === 'find' &&
    find.wrappers.length === 0 &&
    !find.dynamic &&
    findRoots(find).every((root) => !root.includes('..') && isProjectPath(root)) &&
    selectsByNameOnly(find) &&
    remover.name === 'rm' &&
    remover.wrappers.length === 1 &&
    remover.wrappers[0] === 'xargs' &&
    !remover.dynamic &&
    remover.argv.slice(1).every((arg) => /^-[frv]+$/.test(arg)) &&
    asksWithout(DISCARD_VERB, messages) &&
    namesFindPattern(messages, parsed)
  );
}
