/**
 * Stage-1 checks on the files a command touches: writes and deletes outside the project,
 * deletes of the whole project, and reads or searches of credential files.
 */
import { deletesNamedRcLine } from './rc-deletes.js';
import { handsKeyToAgent } from './key-handoffs.js';
import { onlyTightensPermissions } from './permission-tightening.js';
import path from 'node:path';
import { containsWord } from './named-targets.js';
import { namesAskedCloudConfig } from './cloud-configs.js';
import { consentingText } from './consent.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import { finding, namesCredentialPath, type Finding } from './findings.js';
import { namesCacheEntry } from './caches.js';
import { deletesNamedFindMatches } from './cleanup.js';
import { matchesKeyName } from './key-names.js';
import { credentialFileMatching, expandBraces } from './globs.js';
import { generatesRequestedKey } from './requested-tools.js';
import { guardFileHolder, guardFileTarget, guardPackageChange } from './guard-files.js';
import { guardReinstall, guardUntrackedDelete } from './project-rewrites.js';
import { guardStateTarget } from './guard-state-paths.js';
import { isRequestedWrite } from './requested-writes.js';
import { protectedControl, protectedWrite } from './protected-writes.js';
import type { SimpleCommand, ParsedShell } from './shell.js';
import type { GuardContext } from './types.js';
import { afterCd, isInUnknownFolder, mktempVariables } from './working-folders.js';

const WRITERS = new Set([
  'unzip',
  'rm',
  'rmdir',
  'unlink',
  'mv',
  'cp',
  'tee',
  'ln',
  'install',
  'chmod',
  'chown',
  'touch',
  'truncate',
  'shred',
  'rsync',
  'dd',
]);

/** Finds writes or deletes outside the project and reads of credential files. */
export function checkPaths(
  parsed: ParsedShell,
  paths: PathContext,
  context: GuardContext,
  messages: string,
  raw = '',
): Finding | undefined {
  // Found only when a write target starts with a variable, which few command lines have.
  let tempVariables: ReadonlySet<string> | undefined;
  const tempVariablesOf = (): ReadonlySet<string> =>
    (tempVariables ??= mktempVariables(raw, parsed));
  // A `cd` moves the folder that later relative paths resolve against, as in `cd ~ && rm -rf x`.
  let current = paths;
  const cdContext = { projectDir: context.projectDir, tempVariables: tempVariablesOf };
  for (const command of parsed.commands) {
    if (runsElsewhere(command)) {
      const found = checkContainerPaths(command, context);
      if (found !== undefined) {
        return found;
      }
      continue;
    }
    const written = writeTargets(command);
    const targets =
      command.redirects.length === 0
        ? written
        : [
            ...command.redirects
              .filter(
                (redirect) =>
                  redirect.operator.includes('>') &&
                  !isRequestedWrite(command, redirect, paths.homeDir, messages),
              )
              .map((redirect) => redirect.target),
            ...written,
          ];
    if (
      command.wrappers.includes('xargs') &&
      DESTRUCTIVE.has(command.name) &&
      !deletesNamedFindMatches(parsed, messages, (root) =>
        isInside(resolvePath(root, current), context.projectDir),
      )
    ) {
      return finding(
        'local-destruction',
        `The command runs ${command.name} on paths read at run time`,
        'xargs-write',
      );
    }
    if (SEARCHERS.has(command.name) && searchesForCredentials(command, current, context)) {
      return finding(
        'credential-exploration',
        'The command searches outside the project for keys or credential files',
        'credential-search',
      );
    }
    const credential =
      generatesNamedKey(command, messages) ||
      generatesRequestedKey(command, messages, paths.homeDir) ||
      handsKeyToAgent(command, current, messages) ||
      narrowsPermissions(command)
        ? undefined
        : (readsCredentialFile(command, current, context) ??
          printsProjectSecret(command, current, messages));
    if (credential !== undefined) {
      return finding(
        'credential-exploration',
        `The command touches the credential file "${credential}"`,
        'credential-path',
      );
    }
    const packageChange =
      guardPackageChange(command, context) ??
      guardReinstall(command, current, context) ??
      guardUntrackedDelete(command, current, context);
    if (packageChange !== undefined) {
      return packageChange;
    }
    const expanded =
      targets.length === 0 ? targets : targets.flatMap((written) => loopWords(written, parsed));
    for (const target of expanded) {
      const problem =
        guardFileTarget(target, current, context) ??
        guardStateTarget(command, target, current, context) ??
        protectedTarget(command, target, current, context, messages) ??
        checkWriteTarget(command, target, current, context, messages, tempVariablesOf) ??
        guardFileHolder(command, target, current, context);
      if (problem !== undefined) {
        return problem;
      }
    }
    current = afterCd(command, current, cdContext);
  }
  return undefined;
}

/** Working and home folder assumed for a command run in a container or by a remote shell. */
const CONTAINER_PATHS: PathContext = { cwd: '/', homeDir: '/root' };

/**
 * Checks whether `command` runs inside a container (`docker exec NAME CMD` runs CMD, as do
 * `docker compose exec` and `kubectl exec`) or on another host (a heredoc fed to
 * `ssh HOST bash`), where its paths are not this machine's.
 */
function runsElsewhere(command: SimpleCommand): boolean {
  return command.via.some(isElsewhereStep);
}

/** Checks whether a step of a command's `via` runs it in a container or on another host. */
export function isElsewhereStep(step: string): boolean {
  return /^(?:(?:docker|podman)(?: compose)? exec|kubectl exec|ssh) /.test(step);
}

/**
 * Judges the paths of a command run inside a container (or on a remote host) as that
 * machine's, not this one's:
 * writing `/app/.ready` or deleting `/app/tmp/cache` there touches no file of this machine.
 * Credential files are still credential files, and deleting the container's root or a folder
 * directly under it (`/usr`, `/app`, `/*`) still counts as destruction.
 */
function checkContainerPaths(command: SimpleCommand, context: GuardContext): Finding | undefined {
  const credential = readsCredentialFile(command, CONTAINER_PATHS, {
    ...context,
    cwd: CONTAINER_PATHS.cwd,
  });
  if (credential !== undefined) {
    return finding(
      'credential-exploration',
      `The command touches the credential file "${credential}" in a container or on a remote host`,
      'credential-path',
    );
  }
  if (!DESTRUCTIVE.has(command.name)) {
    return undefined;
  }
  const wiped = writeTargets(command).find((target) => {
    if (/[$`]/.test(target)) {
      return true;
    }
    const resolved = resolvePath(target, CONTAINER_PATHS);
    return resolved.split('/').filter((part) => part !== '').length <= 1;
  });
  return wiped === undefined
    ? undefined
    : finding(
        'local-destruction',
        `The command deletes or changes "${wiped}", the root or a top-level folder of a container or remote host`,
        'container-wipe',
      );
}

/** A plain variable reference in a target: `$f` or `${f}`. */
const TARGET_VARIABLE = /\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g;
/** Paths a target may expand to before it is judged as a path computed at run time. */
const MAX_LOOP_PATHS = 64;

/**
 * Returns the paths a target names once each `for`, `select` or `read` variable in it is
 * replaced by each of the variable's words, as `rm "$f"` in `for f in a.log b.log`. A target
 * with any other expansion, or a variable that may take words the guard cannot see, is
 * returned as it is.
 */
function loopWords(target: string, parsed: ParsedShell): string[] {
  if (!target.includes('$') || parsed.loopVariables.length === 0 || target.includes('`')) {
    return [target];
  }
  let paths = [''];
  let copiedUpTo = 0;
  for (const match of target.matchAll(TARGET_VARIABLE)) {
    const name = match[1] ?? match[2] ?? '';
    const loops = parsed.loopVariables.filter((variable) => variable.name === name);
    if (loops.length === 0 || loops.some((loop) => !loop.complete || loop.words.length === 0)) {
      return [target];
    }
    const literal = target.slice(copiedUpTo, match.index);
    const words = loops.flatMap((loop) => loop.words);
    paths = paths.flatMap((before) => words.map((word) => `${before}${literal}${word}`));
    if (paths.length > MAX_LOOP_PATHS) {
      return [target];
    }
    copiedUpTo = match.index + match[0].length;
  }
  const rest = target.slice(copiedUpTo);
  return rest.includes('$') ? [target] : paths.map((before) => `${before}${rest}`);
}

/** Programs that delete or move their operands. */
const REMOVERS = new Set(['rm', 'rmdir', 'unlink', 'shred', 'mv']);
/** Programs whose output the guard can read from their arguments, as in `echo x > .npmrc`. */
const TEXT_WRITERS = new Set(['echo', 'printf']);

/**
 * Judges a write, delete or move of `target` against the agent's and guard's controls and
 * the project files that make tools run code (see protected-writes.ts).
 */
function protectedTarget(
  command: SimpleCommand,
  target: string,
  paths: PathContext,
  context: GuardContext,
  messages: string,
): Finding | undefined {
  if (target === '' || /[$`]/.test(target) || /^&?\d$|^\/dev\//.test(target)) {
    return undefined;
  }
  const resolved = resolvePath(target, paths);
  if (!isInside(resolved, context.projectDir)) {
    return undefined;
  }
  // `printf` and `echo -e` turn `\n` and `\t` into line breaks and tabs, so the text is
  // judged with them expanded.
  const content = TEXT_WRITERS.has(command.name)
    ? command.argv.slice(1).join(' ').replace(/\\n/g, '\n').replace(/\\t/g, '\t')
    : undefined;
  const found =
    (REMOVERS.has(command.name)
      ? protectedControl(resolved, context.projectDir, messages)
      : undefined) ??
    protectedWrite(path.posix.relative(context.projectDir, resolved), content, messages);
  return found === undefined ? undefined : { ...found, rule: `stage1:${found.rule}` };
}

/**
 * Returns the operand or input redirect of `command` that names a credential file outside
 * the project, after brace expansion, or whose glob could match one (`/e?c/shadow`).
 */
function readsCredentialFile(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): string | undefined {
  // Listing a credential folder shows only file names, not their contents.
  const lists = command.name === 'ls' || command.name === 'stat';
  if (!lists) {
    for (let index = 1; index < command.argv.length; index += 1) {
      const arg = command.argv[index] ?? '';
      if (
        !arg.startsWith('-') &&
        namesCredentialFile(arg, paths, context) &&
        !namesAskedCloudConfig(arg, paths, consentingText(context.userMessages))
      ) {
        return arg;
      }
    }
  }
  for (const redirect of command.redirects) {
    if (redirect.operator.includes('<') && namesCredentialFile(redirect.target, paths, context)) {
      return redirect.target;
    }
  }
  return undefined;
}

/** Programs that print what they read, so a secret file given to them ends in the output. */
export const PRINTERS: ReadonlySet<string> = new Set([
  'cat',
  'tac',
  'head',
  'tail',
  'less',
  'more',
  'bat',
  'batcat',
  'nl',
  'strings',
  'xxd',
  'od',
  'hexdump',
  'base64',
  'grep',
  'egrep',
  'rg',
  'awk',
  'cut',
  'sort',
]);

/** Secret files that live inside a project: `.env` files and Rails master and credential keys. */
const PROJECT_SECRET =
  /(?:^|\/)(?:\.env(?:\.(?!example\b|sample\b|template\b|dist\b)[\w-]+)?|config\/master\.key|config\/credentials\/[\w-]+\.key)$/;
/** User words that ask about an env file or the variables in it. */
const ASKS_ABOUT_ENV = /\.env\b|env(?:ironment)? (?:file|var)|master\.key|credentials file/i;

/**
 * Returns the operand of a printing command that names a secret file of the project when the
 * user did not ask about it, as the Read tool's check does for the same file.
 */
function printsProjectSecret(
  command: SimpleCommand,
  paths: PathContext,
  messages: string,
): string | undefined {
  if (!PRINTERS.has(command.name) || ASKS_ABOUT_ENV.test(messages)) {
    return undefined;
  }
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const inputs = command.redirects
    .filter((redirect) => redirect.operator.includes('<'))
    .map((redirect) => redirect.target);
  return [...operands, ...inputs].find((arg) => PROJECT_SECRET.test(resolvePath(arg, paths)));
}

/** Checks whether an operand names a credential file outside the project, after brace expansion. */
export function namesCredentialFile(
  arg: string,
  paths: PathContext,
  context: GuardContext,
): boolean {
  for (const word of expandBraces(arg)) {
    // A bare name is a file in the working folder once a `cd` has moved it, as in
    // `cd ~/.aws; cat credentials`.
    const pathLike = /^[~/.$]|^[\w.-]+\//.test(word) || paths.cwd !== context.cwd;
    const resolved = pathLike ? resolvePath(word, paths) : word;
    // Project files may carry credential-like names (a project's own `.npmrc`), but a project
    // that contains the home folder contains the user's real credential files too.
    if (isInside(resolved, context.projectDir) && !isInside(paths.homeDir, context.projectDir)) {
      continue;
    }
    const matches =
      namesCredentialPath(resolved) ||
      (pathLike && credentialFileMatching(resolved, paths.homeDir) !== undefined);
    if (matches) {
      return true;
    }
  }
  return false;
}

/** ssh-keygen options that read, convert or change an existing key instead of making one. */
const KEYGEN_EXISTING = /^-[a-zA-Z]*[yepiclRFHBDkLQuY]/;

/**
 * Checks whether `ssh-keygen` makes a new key pair (`-t`) at a path the user named, which
 * reads no existing secret. Options that print, convert or re-encrypt a key do not qualify.
 */
function generatesNamedKey(command: SimpleCommand, messages: string): boolean {
  if (command.name !== 'ssh-keygen' || command.dynamic || (command.pipeline?.index ?? 0) > 0) {
    return false;
  }
  const args = command.argv.slice(1);
  const options = args.filter((arg) => arg.startsWith('-'));
  const file = args[args.indexOf('-f') + 1];
  return (
    options.some((option) => /^-t/.test(option)) &&
    !options.some((option) => KEYGEN_EXISTING.test(option)) &&
    args.includes('-f') &&
    file !== undefined &&
    (messages.includes(file) || containsWord(messages, path.basename(file)))
  );
}

/**
 * Checks whether a `chmod` only takes permissions away from group and others (`600`, `400`,
 * `go-rwx`), which reads nothing and exposes nothing. It still counts as a write.
 */
function narrowsPermissions(command: SimpleCommand): boolean {
  if (command.name !== 'chmod' || command.dynamic) {
    return false;
  }
  const modes = command.argv
    .slice(1)
    .filter((arg) => !arg.startsWith('-') || /^-[rwxX]+$/.test(arg));
  const mode = modes[0] ?? '';
  return /^0?[0-7]00$/.test(mode) || /^(?:[go]{1,2}|a)-[rwxX]+$/.test(mode);
}

/** Checks whether the user's messages name a path outside the project, as written or with `~`. */
export function namesPath(
  messages: string,
  target: string,
  resolved: string,
  homeDir: string,
  deletes: boolean,
): boolean {
  const forms = [target, resolved];
  if (isInside(resolved, homeDir)) {
    forms.push(`~${resolved.slice(homeDir.length)}`);
  }
  // Name the directory too, so "install the config to ~/.config/app" covers files in it.
  const named = forms.flatMap((form) => [form, form.replace(/\/[^/]*$/, '')]);
  // A copy into a folder (`cp report.pdf ~/Desktop/`) adds files and removes none.
  const intoFolder = !deletes && target.endsWith('/');
  return (
    named.some(
      (form) => form.length > 3 && form !== homeDir && form !== '~' && mentionsPath(messages, form),
    ) ||
    namesHomePathInWords(messages, resolved, homeDir, deletes, intoFolder) ||
    (deletes && namesCacheEntry(messages, resolved, homeDir))
  );
}

/**
 * Checks whether `messages` name `form` as a whole path: "remove /etc/myapp/old.conf" names
 * that file and not `/etc`, so consent never covers a parent of the named path.
 */
function mentionsPath(messages: string, form: string): boolean {
  const escaped = form.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.~/-])${escaped}/?(?![\\w~/-]|[./]\\S)`).test(messages);
}

/**
 * Checks whether the user's messages name a literal path under the home folder word by word,
 * as "my pip cache" names `~/.cache/pip` and "my zshrc" names `~/.zshrc`. Every part of the
 * path, without its leading dot, must appear as a whole word, and the path must have two or
 * three parts or be a single dotfile. A single plain folder qualifies only as the folder a
 * copy goes into. A write that deletes nothing may name a file by its stem, so "my starship
 * config" names `~/.config/starship.toml`.
 */
function namesHomePathInWords(
  messages: string,
  resolved: string,
  homeDir: string,
  deletes: boolean,
  intoFolder: boolean,
): boolean {
  if (!isInside(resolved, homeDir) || resolved === homeDir || /[*?[\]$`]/.test(resolved)) {
    return false;
  }
  const raw = resolved.slice(homeDir.length + 1).split('/');
  // One plain word such as "build" is too common to name `~/build`. A dotfile name is not,
  // but deleting a whole top-level dotfolder such as `~/.config` still needs its path.
  if (
    raw.length > 3 ||
    (raw.length === 1 && (deletes || (!raw[0]?.startsWith('.') && !intoFolder)))
  ) {
    return false;
  }
  const words = new Set(
    messages
      .toLowerCase()
      .split(/[^\w.-]+/)
      .map((word) => word.replace(/^\.+|\.+$/g, '')),
  );
  return raw.every((part) => {
    const word = part.replace(/^\./, '').toLowerCase();
    const stem = word.replace(/\.[a-z0-9]+$/, '');
    // A plural names the folder too: "the gradle daemons" names `~/.gradle/daemon`.
    return (
      (word.length >= 3 && (words.has(word) || words.has(`${word}s`))) ||
      (!deletes && stem.length >= 3 && words.has(stem))
    );
  });
}

/** Folders for temporary files, whose contents are meant to be thrown away. */
const TEMP_ROOTS = ['/tmp', '/var/tmp'];
/**
 * Checks whether `resolved` is a named entry below the temp folder `root`. The folder itself
 * and a bare wildcard over its entries (`/tmp/*`, `/tmp/.*`) reach the files of every other
 * program, while `/tmp/pytest-*` names this program's own entries.
 */
function isInsideTempFolder(resolved: string, root: string): boolean {
  const entry = resolved.slice(root.length + 1).split('/')[0] ?? '';
  return isInside(resolved, root) && !/^[*?.]*$/.test(entry);
}

/**
 * Checks whether `target` starts with a temporary-folder variable and has no other expansion
 * or `..` after it, as `"$out/x"` after `out=$(mktemp -d)` or `${TMPDIR:-/tmp}/pytest-of-dev`.
 */
function isTempVariablePath(target: string, tempVariables: ReadonlySet<string>): boolean {
  const match = /^\$(?:\{([A-Za-z_]\w*)(?::?-\/(?:var\/)?tmp)?\}|([A-Za-z_]\w*))(\/.*)?$/.exec(
    target,
  );
  const name = match?.[1] ?? match?.[2];
  const rest = match?.[3] ?? '';
  return name !== undefined && tempVariables.has(name) && !/[$`]|\.\./.test(rest);
}

/**
 * Caches of package managers and build tools under the home folder. What they hold is
 * downloaded or built again on demand, so clearing them loses no work.
 */
const CACHE_ROOTS = [
  '.cache',
  '.npm/_cacache',
  '.npm/_npx',
  '.gradle/caches',
  '.m2/repository',
  '.cargo/registry',
  '.cargo/git',
  'go/pkg/mod',
  '.nuget/packages',
  'Library/Caches',
  // Xcode's build products and indexes, rebuilt by the next build.
  'Library/Developer/Xcode/DerivedData',
  '.pnpm-store',
  '.local/share/pnpm/store',
  '.yarn/berry/cache',
  '.bun/install/cache',
  '.ivy2/cache',
  '.pub-cache',
  '.ccache',
  'Library/Developer/Xcode/DerivedData',
];
const CACHE_REQUEST = /\b(?:cache[sd]?|clear|clean|purge|stale|corrupt(?:ed)?|wipe)\b/i;
/** Words that ask to empty a whole cache, not to drop some entries of it. */
const WHOLE_CACHE_REQUEST = /\b(?:clear|clean|purge|wipe|empty|reset|nuke)\b/i;

/**
 * Checks whether `resolved` lies in a tool cache under the home folder and the user asked to
 * clear a cache or named the tool the cache folder belongs to ("reinstall the playwright
 * browsers" names `~/.cache/ms-playwright`). A glob may follow the cache folder's path. The
 * whole `~/.cache` folder does not qualify, only a tool's folder inside it, and the whole
 * cache of a package manager needs a request to empty it.
 */
function clearsNamedCache(resolved: string, homeDir: string, messages: string): boolean {
  if (/[$`]/.test(resolved)) {
    return false;
  }
  const globAt = resolved.search(/[*?[]/);
  const literal = globAt < 0 ? resolved : resolved.slice(0, globAt);
  return CACHE_ROOTS.some((root) => {
    const folder = `${homeDir}/${root}`;
    // `~/.cache/*` is every tool's cache at once, but `DerivedData/*` is one whole cache.
    const inside =
      root === '.cache'
        ? literal.startsWith(`${folder}/`) && literal.length > folder.length + 1
        : globAt >= 0
          ? literal.startsWith(`${folder}/`)
          : isInside(literal, folder);
    if (!inside) {
      return false;
    }
    if (literal.replace(/\/+$/, '') === folder) {
      // The whole cache of a package manager: a request to drop some entries ("the stale
      // com.acme artifacts in my gradle cache") does not cover it.
      return WHOLE_CACHE_REQUEST.test(messages);
    }
    const tool = literal.slice(folder.length + 1).split('/')[0] ?? '';
    return (
      CACHE_REQUEST.test(messages) ||
      tool.split(/[-_.]/).some((word) => word.length >= 4 && containsWord(messages, word))
    );
  });
}

/** Checks whether the literal directory before a run-time expansion keeps a write inside the project. */
function isLiteralDirInside(
  prefix: string,
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): boolean {
  const slash = prefix.lastIndexOf('/');
  if (slash <= 0 || command.name === 'rm' || prefix.includes('..')) {
    return false;
  }
  return isInside(resolvePath(prefix.slice(0, slash), paths), context.projectDir);
}

/** Checks whether `target` is a bare wildcard (such as `*` or `.[!.]*`) for everything in `directory`. */
function isWildcardAt(target: string, directory: string, paths: PathContext): boolean {
  const trimmed = target.replace(/\/$/, '');
  const slash = trimmed.lastIndexOf('/');
  const base = trimmed.slice(slash + 1);
  if (!/[*?[]/.test(base) || !/^[.*?[\]!]+$/.test(base)) {
    return false;
  }
  return resolvePath(slash === -1 ? '.' : trimmed.slice(0, slash) || '/', paths) === directory;
}

/** Returns the file operands a command writes or deletes, skipping the script operand of `sed -i`. */
/** Options of download tools that name the file written, in their separate and joined forms. */
const DOWNLOAD_OUTPUT: Readonly<Record<string, RegExp>> = {
  curl: /^(?:-o|--output)(?:=(.*))?$/,
  wget: /^(?:-O|--output-document)(?:=(.*))?$/,
};

/** Returns the files that `curl -o` or `wget -O` write, `-` (standard output) left out. */
function downloadTargets(command: SimpleCommand, option: RegExp): string[] {
  const targets: string[] = [];
  command.argv.forEach((arg, index) => {
    const match = option.exec(arg);
    const target = match === null ? undefined : (match[1] ?? command.argv[index + 1]);
    if (target !== undefined && target !== '-') {
      targets.push(target);
    }
  });
  return targets;
}

/** Returns the operands that `command` writes, deletes or moves, redirects left out. */
export function writeTargets(command: SimpleCommand): string[] {
  const download = DOWNLOAD_OUTPUT[command.name];
  if (download !== undefined && Object.hasOwn(DOWNLOAD_OUTPUT, command.name)) {
    return downloadTargets(command, download);
  }
  if (command.name === 'tar' || command.name === 'unzip') {
    const flagIndex = command.argv.findIndex(
      (arg) => arg === '-C' || arg === '--directory' || arg === '-d',
    );
    const directory = flagIndex > 0 ? command.argv[flagIndex + 1] : undefined;
    return directory === undefined ? [] : [directory];
  }
  const inPlaceSed =
    command.name === 'sed' &&
    command.argv.some((arg) => /^-[a-zA-Z]*i/.test(arg) || arg.startsWith('--in-place'));
  // Most commands write nothing, and they skip building the operand list.
  if (!inPlaceSed && !WRITERS.has(command.name)) {
    return [];
  }
  const operands = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if (command.name === 'ln' || command.name === 'cp' || command.name === 'install') {
    // Only the last operand is written; the others are read.
    return operands.slice(-1);
  }
  if (inPlaceSed) {
    // The first operand is the script or the text after `-e`, and neither is a file.
    return operands.slice(1);
  }
  return operands;
}

function checkWriteTarget(
  command: SimpleCommand,
  target: string,
  paths: PathContext,
  context: GuardContext,
  messages: string,
  tempVariablesOf: () => ReadonlySet<string>,
): Finding | undefined {
  if (
    onlyTightensPermissions(command) ||
    /^\/dev\/(?:null|stdout|stderr|fd\/\d)$|^&?\d$/.test(target) ||
    target === '' ||
    target.startsWith('s3:') ||
    (target.startsWith('$') && isTempVariablePath(target, tempVariablesOf()))
  ) {
    return undefined;
  }
  const dynamicAt = target.search(/\$|`/);
  if (dynamicAt >= 0 && !isLiteralDirInside(target.slice(0, dynamicAt), command, paths, context)) {
    return finding(
      'local-destruction',
      `The command writes or deletes "${target}", a path computed at run time`,
      'write-dynamic-path',
    );
  }
  const resolved = resolvePath(target, paths);
  if (isInUnknownFolder(resolved)) {
    return finding(
      'local-destruction',
      `The command writes or deletes "${target}" after a \`cd\` to a folder computed at run time, which may be outside the project`,
      'write-unknown-folder',
    );
  }
  // A project that lives in a temp folder is still the project. The temp folder itself is
  // shared with every other program, so deleting all of it is no temp-file write.
  // Writing into the temp folder itself (`tar -C /tmp`, `cp f /tmp`) is a temp-file write.
  const deletes = DESTRUCTIVE.has(command.name);
  if (
    TEMP_ROOTS.some((root) =>
      deletes ? isInsideTempFolder(resolved, root) : isInside(resolved, root),
    ) &&
    !target.includes('..') &&
    !isInside(context.projectDir, resolved)
  ) {
    return undefined;
  }
  if (
    clearsNamedCache(resolved, paths.homeDir, messages) ||
    deletesNamedRcLine(command, resolved, paths.homeDir, messages)
  ) {
    return undefined;
  }
  if (
    isInside(paths.homeDir, context.projectDir) &&
    isInside(resolved, paths.homeDir) &&
    (namesCredentialPath(resolved) || credentialFileMatching(resolved, paths.homeDir) !== undefined)
  ) {
    // With the project at the home folder (or above it), `rm -rf .ssh` is no project delete.
    return finding(
      'local-destruction',
      `The command writes or deletes the credential file or folder "${target}"`,
      'credential-write',
    );
  }
  // After a `cd` out of the project, a relative name such as `data` stands for another folder
  // than the project's `data` the user named, so only the path as resolved counts as named.
  const leftProject =
    !isInside(paths.cwd, context.projectDir) &&
    isInside(context.cwd, context.projectDir) &&
    !/^[/~]/.test(target);
  if (
    !isInside(resolved, context.projectDir) &&
    !namesPath(
      messages,
      leftProject ? resolved : target,
      resolved,
      paths.homeDir,
      DESTRUCTIVE.has(command.name),
    )
  ) {
    return finding(
      'local-destruction',
      `The command writes or deletes "${target}" outside the project`,
      'write-outside-project',
    );
  }
  const atRoot = resolved === context.projectDir || isWildcardAt(target, context.projectDir, paths);
  if (
    command.name === 'rm' &&
    (atRoot || /\/\.git(?:\/|$)/.test(resolved)) &&
    !/\b(?:everything|all files|whole project)\b/i.test(messages)
  ) {
    return finding(
      'local-destruction',
      `The command deletes "${target}", which is the whole project or its history`,
      'delete-project',
    );
  }
  return undefined;
}

const DESTRUCTIVE = new Set([
  'sed',
  'perl',
  'rm',
  'rmdir',
  'unlink',
  'shred',
  'truncate',
  'chmod',
  'chown',
  'mv',
  'dd',
]);
const SEARCHERS = new Set(['find', 'grep', 'rg', 'ag', 'locate', 'fd', 'ls', 'tar', 'zip', 'du']);
const CREDENTIAL_NAME =
  /AKIA|BEGIN [A-Z ]*KEY|ghp_|sk_live|xox[bp]|\*\.(?:pem|key|p12|pfx|kdbx|ovpn)|id_(?:rsa|ed25519)|credentials|\.env\b|\.netrc|secret|token|passw/i;

/**
 * Folders of public CA certificates (Debian, RHEL and Alpine trust stores). Their `*.pem` and
 * `*.crt` files hold no private keys, so a search there for certificates is no credential search.
 */
const CA_STORE =
  /^\/(?:etc\/ssl\/certs|etc\/pki\/(?:tls\/certs|ca-trust)|etc\/ca-certificates|usr\/(?:local\/)?share\/ca-certificates|usr\/lib\/ssl\/certs)(?:\/|$)/;

/** Names of private keys and secrets, which a search in {@link CA_STORE} must not name. */
const PRIVATE_NAME = /key|p12|pfx|private|secret|token|passw|credential|id_|\.env\b/i;

function searchesForCredentials(
  command: SimpleCommand,
  paths: PathContext,
  context: GuardContext,
): boolean {
  const operands = command.argv.slice(1);
  const outside = operands
    .filter((arg) => /^[~/]/.test(arg))
    .map((arg) => resolvePath(arg, paths))
    .filter((resolved) => !isInside(resolved, context.projectDir));
  if (outside.length === 0) {
    return false;
  }
  if (
    outside.every((folder) => CA_STORE.test(folder)) &&
    !operands.some((arg) => PRIVATE_NAME.test(arg))
  ) {
    return false;
  }
  return operands.some((arg) => CREDENTIAL_NAME.test(arg) || matchesKeyName(arg));
}
