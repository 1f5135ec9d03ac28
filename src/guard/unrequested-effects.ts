/**
 * Stage-1 checks for effects beyond the user's request. They find a recursive delete in a
 * folder reached by a computed `cd`, discarding work the user wants kept, and a file server of
 * the home folder or `/` on every interface. They also find an issue, PR or comment created
 * when the user requested only a draft, and a script run with a flag that makes it act when
 * the user requested a preview.
 */
import { requestsVerb } from './consent.js';
import { actsWithoutDryRun } from './dry-runs.js';
import { finding, type Finding } from './findings.js';
import { optionValue } from './options.js';
import { checkInspectOnlyRun } from './sending-flags.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import { withoutPathWords } from './path-words.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { afterCd, isInNewTempFolder, type CdContext } from './working-folders.js';

/** Delete targets that name every entry of the current folder: `*`, `./*`, `.*` and `.`. */
const EVERY_ENTRY = /^(?:\.\/)?(?:\*|\.\*|\.\[!.\]\*)$|^\.\/?$/;

/**
 * Finds `cd DIR && rm -r …` where DIR is computed (`$(…)`, a variable) and the delete's
 * target is every entry, such as `*` or `-- *`. Which folder is emptied cannot be read from
 * the command, so a human must check it. A folder that `mktemp -d` made on the same line is
 * known and new, so emptying it is allowed when a failed `mktemp` or `cd` stops the line.
 */
function checkComputedDelete(
  parsed: ParsedShell,
  raw: string,
  paths: PathContext,
  cdContext: CdContext,
): Finding | undefined {
  const cdIndex = parsed.commands.findIndex(
    (command) =>
      (command.name === 'cd' || command.name === 'pushd') &&
      command.via.length === 0 &&
      command.argv.slice(1).some((arg) => arg.includes('$') || arg.includes('`')),
  );
  if (cdIndex < 0) {
    return undefined;
  }
  let here = paths;
  let lastCd: SimpleCommand | undefined;
  for (const [index, command] of parsed.commands.entries()) {
    if (command.via.length > 0) {
      continue;
    }
    if (index > cdIndex && deletesEveryEntry(command)) {
      const scratch =
        lastCd !== undefined &&
        isInNewTempFolder(here.cwd) &&
        stopsOnFailure(raw, lastCd, command, cdContext.tempVariables());
      if (!scratch) {
        return finding(
          'local-destruction',
          'The command deletes recursively inside a folder whose path is computed when it runs, so the target cannot be checked',
          'computed-folder-delete',
        );
      }
    }
    if (command.name === 'cd' || command.name === 'pushd') {
      lastCd = command;
      here = afterCd(command, here, cdContext);
    }
  }
  return undefined;
}

/** Checks whether `command` is an `rm -r` of every entry of the working folder. */
function deletesEveryEntry(command: SimpleCommand): boolean {
  if (command.name !== 'rm') {
    return false;
  }
  const args = command.argv.slice(1);
  const recursive = args.some((arg) => /^-[a-zA-Z]*[rR]|^--recursive$/.test(arg));
  const afterDashes = args.indexOf('--');
  const targets = args.filter(
    (arg, index) => (afterDashes >= 0 && index > afterDashes) || !arg.startsWith('-'),
  );
  return recursive && targets.some((target) => EVERY_ENTRY.test(target));
}

/**
 * Checks whether only `&&` joins the `mktemp` that made the folder, the `cd` into it and the
 * delete. After `;` or `||` a failed `mktemp` or `cd` leaves the shell where it was, and the
 * delete would empty that folder instead.
 */
function stopsOnFailure(
  raw: string,
  cd: SimpleCommand,
  remove: SimpleCommand,
  tempVariables: ReadonlySet<string>,
): boolean {
  let from = raw.indexOf(cd.text);
  const until = raw.indexOf(remove.text, from);
  if (from < 0 || until < 0) {
    return false;
  }
  const variable = /\$\{?([A-Za-z_]\w*)/.exec(cd.text)?.[1];
  if (variable !== undefined && tempVariables.has(variable)) {
    const assignments = [...raw.slice(0, from).matchAll(new RegExp(`\\b${variable}=`, 'g'))];
    const assigned = assignments.at(-1)?.index;
    if (assigned === undefined) {
      return false;
    }
    from = assigned;
  }
  return !/[;\n]|\|\||(?<!&)&(?!&)/.test(raw.slice(from, until));
}

/** A request to keep uncommitted changes or stashed work. */
const KEEP_CHANGES =
  /\b(?:keep|keeping|preserve|save|don't lose|do not lose|without losing|hold on to)\b[^.!?;]{0,60}\b(?:changes|work|edits|stash(?:es)?|diff|files|what I changed)\b/i;

/** Finds a discard of work (`stash clear`, `stash drop`, `reset --hard`) when the user asked to keep it. */
function checkDiscardKeptWork(parsed: ParsedShell, messages: string): Finding | undefined {
  if (!KEEP_CHANGES.test(messages)) {
    return undefined;
  }
  const discard = parsed.commands.find((command) => {
    if (command.name !== 'git') {
      return false;
    }
    const words = command.argv.slice(1).filter((arg) => !arg.startsWith('-') || arg === '--hard');
    const text = words.join(' ');
    return (
      /^stash (?:clear|drop)\b|^reset --hard\b|^reset \S+ --hard\b/.test(text) ||
      (words[0] === 'reset' && command.argv.includes('--hard'))
    );
  });
  if (discard === undefined) {
    return undefined;
  }
  return finding(
    'local-destruction',
    `The command discards work (${discard.argv.slice(0, 3).join(' ')}) that the user asked to keep`,
    'discard-kept-work',
  );
}

/** Programs that are, or run, the static file servers read below. */
const SERVER_PROGRAMS = /^(?:python[\d.]*|caddy|php|serve|http-server|npx|bunx|pnpx|pnpm|yarn)$/;

/** Returns the folder a static file server command serves and whether it listens on every interface. */
function fileServer(
  command: SimpleCommand,
  paths: PathContext,
): { root: string; everyInterface: boolean } | undefined {
  if (!SERVER_PROGRAMS.test(command.name)) {
    return undefined;
  }
  // `npx serve`, `bunx http-server` and `pnpm dlx serve` run the package named next.
  let runner = 0;
  if (/^(?:npx|bunx|pnpx)$/.test(command.name)) {
    runner = 1;
  } else if (command.argv[1] === 'dlx') {
    runner = 2;
  }
  const program = runner === 0 ? command.name : (command.argv[runner] ?? '').replace(/@[^/]*$/, '');
  const args = command.argv.slice(runner + 1).filter((arg) => runner === 0 || arg !== '-y');
  const value = (names: readonly string[]): string | undefined => optionValue(args, names);
  const loopback = (address: string | undefined): boolean =>
    address !== undefined && /^(?:localhost|127\.[\d.]+|::1|\[::1\])(?::\d+)?$/.test(address);
  if (/^python[\d.]*$/.test(command.name) && args[0] === '-m' && args[1] === 'http.server') {
    const root = value(['--directory', '-d']) ?? '.';
    return { root: resolvePath(root, paths), everyInterface: !loopback(value(['--bind', '-b'])) };
  }
  if (command.name === 'caddy' && args[0] === 'file-server') {
    const listen = value(['--listen', '-l']);
    const host = listen?.replace(/:\d+$/, '');
    return {
      root: resolvePath(value(['--root', '-r']) ?? '.', paths),
      everyInterface: host === undefined || host === '' || !loopback(host),
    };
  }
  if (command.name === 'php' && value(['-S']) !== undefined) {
    return {
      root: resolvePath(value(['-t']) ?? '.', paths),
      everyInterface: !loopback(value(['-S'])),
    };
  }
  if (program === 'serve' || program === 'http-server') {
    const operand = args.find(
      (arg, index) => !arg.startsWith('-') && !/^-/.test(args[index - 1] ?? ''),
    );
    const listen = value(['-l', '--listen', '-a', '--address']);
    return {
      root: resolvePath(operand ?? '.', paths),
      everyInterface: !loopback(listen?.replace(/^tcp:\/\//, '').replace(/:\d+$/, '')),
    };
  }
  return undefined;
}

/** Finds a static file server whose root is `/`, the home folder or a folder above it, on every interface. */
function checkHomeFileServer(parsed: ParsedShell, paths: PathContext): Finding | undefined {
  for (const command of parsed.commands) {
    const server = fileServer(command, paths);
    if (server === undefined || !server.everyInterface) {
      continue;
    }
    if (isInside(paths.homeDir, server.root)) {
      return finding(
        'expose-local-service',
        `The command serves ${server.root}, which holds the home folder's keys and configuration, on every network interface`,
        'home-file-server',
      );
    }
  }
  return undefined;
}

/** A clause requesting text without sending it: "draft", "write a draft", "prepare the text". */
const DRAFT_CLAUSE =
  /^(?:(?:please|can you|could you|just)\s+)?(?:draft|(?:write|prepare|compose)\b.{0,30}\b(?:draft|text|wording))\b/i;
/**
 * A clause requesting to create or send: "open a draft PR", "file the issue", "post a reply",
 * also after a short remark that is no condition ("looks good, publish it").
 */
const ACT_CLAUSE =
  /^(?:(?!(?:if|once|when|after|until|unless|before)\b)[\w' ]{1,25},\s*)?(?:(?:please|can you|could you|go ahead and|now)\s+)?(?:open|file|create|submit|post|raise|send|publish|comment|reply|leave a comment|commit|push)\b/i;

/** Checks whether the user asked for a draft of an issue, PR or comment and for nothing to be created. */
export function asksOnlyForDraft(messages: string): boolean {
  if (!/\bdraft/i.test(messages)) {
    return false;
  }
  const clauses = messages
    .split(/(?<=[.!?;:])\s+|\n+|;\s*|,\s*(?:and|then)\s+|\s+(?:and then|and|then)\s+/)
    .map((clause) => clause.trim());
  return (
    clauses.some((clause) => DRAFT_CLAUSE.test(clause)) &&
    !clauses.some((clause) => ACT_CLAUSE.test(clause))
  );
}

/** Forge CLI commands that create an issue, PR, MR, comment or review. */
const FORGE_CREATE =
  /^(?:gh|hub|tea|glab|bb) (?:issue|pr|mr|pulls?|issues?) (?:create|new|comment|review|note)\b|^gh api\b.*(?:-X|--method)\s*(?:POST|PATCH)\b.*\/(?:issues|pulls|comments)\b/;

function checkDraftOnly(parsed: ParsedShell, messages: string): Finding | undefined {
  if (!asksOnlyForDraft(messages)) {
    return undefined;
  }
  const create = parsed.commands.find((command) => FORGE_CREATE.test(command.argv.join(' ')));
  if (create === undefined) {
    return undefined;
  }
  return finding(
    'create-public-surface',
    `The command creates "${create.argv.slice(0, 3).join(' ')}" when the user asked only for a draft`,
    'draft-only',
  );
}

/**
 * A request to preview or dry-run, not to act. "preview" in a name ("preview-jdoe-7f",
 * "docs-preview", "feature/preview") or before the kind of resource it names ("my preview
 * pod", "the preview environment") names a resource, not a request to preview.
 */
const PREVIEW_REQUEST =
  /\b(?:(?<![-/.])preview(?![-\w]|\s+(?:pods?|namespaces?|env(?:ironment)?s?|deploy(?:ment)?s?|apps?|sites?|builds?|branch(?:es)?|urls?|clusters?|servers?|instances?|stacks?|slots?|channels?|databases?|dbs?)\b)|dry[- ]?run|(?:what|which)\b[^.?!\n]{0,80}\bwould|show me what|simulate|without (?:sending|applying|committing|changing))\b/i;
/** Checks whether the messages ask for a preview, by words outside their paths. */
function requestsPreview(messages: string): boolean {
  return PREVIEW_REQUEST.test(messages) && PREVIEW_REQUEST.test(withoutPathWords(messages));
}

/** A request to do the real thing, which a preview request in another clause does not undo. */
const ACT_REQUEST =
  /\b(?:for real|go ahead and (?:send|run|apply|commit)|send (?:it|them) (?:out|now))\b/i;
/** Flags with which scripts act instead of previewing. */
const ACT_FLAG =
  /^--(?:send|commit|execute|exec|live|apply|confirm|for-real|no-dry-run|dry-run=(?:false|0|no)|yes-really|force-send|really)(?:=(?:true|1|yes))?$/;

/** Finds a script or tool run with a flag that makes it act when the user asked only for a preview. */
function checkPreviewOnly(parsed: ParsedShell, messages: string): Finding | undefined {
  if (!requestsPreview(messages) || ACT_REQUEST.test(messages)) {
    return undefined;
  }
  // A user who names the flag ("run it with --commit now") requests the real run.
  const acting = parsed.commands.find((command) =>
    command.argv.slice(1).some((arg) => ACT_FLAG.test(arg) && !messages.includes(arg)),
  );
  if (acting === undefined) {
    return undefined;
  }
  const flag = acting.argv.find((arg) => ACT_FLAG.test(arg)) ?? '';
  return finding(
    'real-world-transaction',
    `The command runs with ${flag}, which acts, when the user asked for a preview or dry run`,
    'preview-only',
  );
}

/**
 * Verbs of a request to carry out a change for real. A clause that asks for a preview or a
 * dry run, or that is a question, is not such a request (see `requestsVerb`). "up it" uses
 * pulumi's subcommand as the verb.
 */
const REAL_ACTION_VERBS =
  'run|do|apply|sync|mirror|delete|remove|clear|empty|wipe|purge|push|publish|release|deploy|copy|move|upload|install|upgrade|uninstall|destroy|execute|proceed|carry|up(?=\\s+(?:it|this|that|the\\s+[\\w-]+\\s+stack)\\b)';

/**
 * Finds a change run in its real form when the user asked only to preview it: "preview a sync
 * without changing anything" covers `rclone sync --dry-run`, not `rclone sync`, and "which
 * objects would a recursive delete hit?" covers `aws s3 rm --recursive --dryrun` only.
 */
function checkPreviewedChange(parsed: ParsedShell, messages: string): Finding | undefined {
  if (
    !requestsPreview(messages) ||
    ACT_REQUEST.test(messages) ||
    requestsVerb(REAL_ACTION_VERBS, messages).length > 0
  ) {
    return undefined;
  }
  const acting = parsed.commands.find(actsWithoutDryRun);
  if (acting === undefined) {
    return undefined;
  }
  return finding(
    'modify-shared-resource',
    `The command runs "${acting.argv.slice(0, 3).join(' ')}" for real when the user asked only for a preview or dry run`,
    'preview-only-real-run',
  );
}

/** Runs the checks of this module in order. */
export function checkUnrequestedEffects(
  parsed: ParsedShell,
  raw: string,
  messages: string,
  paths: PathContext,
  cdContext: CdContext,
): Finding | undefined {
  return (
    checkComputedDelete(parsed, raw, paths, cdContext) ??
    checkDiscardKeptWork(parsed, messages) ??
    checkHomeFileServer(parsed, paths) ??
    checkDraftOnly(parsed, messages) ??
    checkPreviewOnly(parsed, messages) ??
    checkPreviewedChange(parsed, messages) ??
    checkInspectOnlyRun(parsed, messages)
  );
}
