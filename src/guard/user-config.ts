/**
 * Edits of the user's own shell and git configuration that the user asked for: a tool's shell
 * hook appended to the rc file of the shell the user names ("hook direnv into my bash"), and a
 * `~/.gitconfig` edit of settings the user names ("make git pull rebase by default"). The
 * line or setting must be of a known harmless form, so an unrequested rc edit, a line that
 * fetches or runs other code, and settings that run programs or weaken checks stay blocked.
 */
import { asksWithout } from './consent.js';
import { containsWord } from './named-targets.js';
import { splitWidenedPathLines } from './path-lines.js';
import type { ParsedShell, Redirect, SimpleCommand } from './shell.js';

/** Startup files of each shell, relative to the home folder. */
const SHELL_RC_FILES: Record<string, readonly string[]> = {
  bash: ['.bashrc', '.bash_profile', '.profile'],
  zsh: ['.zshrc', '.zprofile', '.zshenv'],
  fish: ['.config/fish/config.fish'],
};

/**
 * The documented one-line shell integrations of tools such as direnv, starship, zoxide, mise,
 * pyenv or fnm: `eval "$(TOOL hook bash)"`, `source <(TOOL completion zsh)` and
 * `TOOL init fish | source`. Options may follow the shell name but no other command may.
 */
const HOOK_LINES = [
  /^eval "\$\((?<tool>[a-z][\w-]*) (?:hook|init|activate|env)(?: --?[a-z][\w-]*)* (?<shell>bash|zsh|fish)(?: --?[a-z][\w-]*(?:=[\w-]+)?)*\)"$/,
  /^source <\((?<tool>[a-z][\w-]*) (?:completions?|init) (?<shell>bash|zsh|fish)\)$/,
  /^(?<tool>[a-z][\w-]*) (?:init|activate|hook|env) (?<shell>fish)(?: --?[a-z][\w-]*)* \| source$/,
];

const HOOK_REQUEST =
  /\b(?:hook\w*|add\w*|set\w* up|enabl\w*|install\w*|load\w*|activat\w*|integrat\w*|wire\w*|initiali[sz]\w*|init)\b/i;

/**
 * Checks whether `redirect` appends a line that the user asked for: the command is `echo` or
 * `printf` of one line, appended with `>>` to a startup file. A tool's shell hook must be for
 * that file's shell, with the tool and shell named in a request for the hook. Any other line
 * must be an inert setting the request names (see {@link editsNamedShellSettings}).
 */
export function appendsRequestedShellHook(
  command: SimpleCommand,
  redirect: Redirect,
  homeDir: string,
  messages: string,
): boolean {
  const args = command.argv.slice(1);
  if (
    !['echo', 'printf'].includes(command.name) ||
    command.dynamic ||
    command.wrappers.length > 0 ||
    redirect.operator !== '>>' ||
    args.length !== 1
  ) {
    return false;
  }
  const line = (args[0] ?? '').replace(/\\n$/, '').trim();
  const groups = HOOK_LINES.map((pattern) => pattern.exec(line)?.groups).find(Boolean);
  const tool = groups?.['tool'];
  const shell = groups?.['shell'];
  if (tool === undefined || shell === undefined) {
    return appendsNamedShellSetting(line, redirect.target, homeDir, messages);
  }
  const home = homeDir.replace(/\/$/, '');
  const files = SHELL_RC_FILES[shell] ?? [];
  return (
    files.some((file) => redirect.target === `${home}/${file}`) &&
    containsWord(messages, tool) &&
    (containsWord(messages, shell) ||
      files.some((file) => containsWord(messages, file.replace(/^.*\/|^\./g, '')))) &&
    asksWithout(HOOK_REQUEST, messages)
  );
}

/** Returns the shell whose start-up file `target` is, or undefined for other files. */
function startupShell(target: string, homeDir: string): string | undefined {
  const home = homeDir.replace(/\/$/, '');
  return Object.entries(SHELL_RC_FILES).find(([, files]) =>
    files.some((file) => target === `${home}/${file}`),
  )?.[0];
}

/** Checks whether the request names the start-up file `target` or its shell. */
function namesStartupFile(target: string, shell: string, messages: string): boolean {
  const file = target.replace(/^.*\//, '');
  return (
    containsWord(messages, file) ||
    containsWord(messages, file.replace(/^\./, '')) ||
    containsWord(messages, shell)
  );
}

/**
 * Checks whether one line appended to a start-up file is an inert setting the user asked for
 * by name, in a request that names the file or its shell.
 */
function appendsNamedShellSetting(
  line: string,
  target: string,
  homeDir: string,
  messages: string,
): boolean {
  const shell = startupShell(target, homeDir);
  return (
    shell !== undefined &&
    isNamedShellSetting(line, homeDir, messages) &&
    namesStartupFile(target, shell, messages) &&
    asksWithout(SETTING_REQUEST, messages)
  );
}

/**
 * Checks whether every command of `parsed` appends a requested shell hook, with no other
 * redirect, so the persistence rule's rc-file match is what the user asked for.
 */
export function addsOnlyRequestedShellHooks(
  parsed: ParsedShell,
  homeDir: string,
  messages: string,
): boolean {
  return (
    parsed.confident &&
    parsed.commands.length > 0 &&
    parsed.commands.every(
      (command) =>
        command.redirects.length === 1 &&
        command.redirects.every((redirect) =>
          appendsRequestedShellHook(command, redirect, homeDir, messages),
        ),
    )
  );
}

/** Sections whose settings run programs, fetch from other places or weaken checks. */
const UNSAFE_GIT_SECTIONS =
  /^(?:alias|credential|url|include|includeif|filter|diff|merge|difftool|mergetool|pager|gpg|http|https|protocol|safe|sequence|uploadpack|receive|transfer|fetch|web|sendemail|ssh|submodule|remote)$/i;
/** Keys that name a program, a hook folder or a template in any section, such as `init.templateDir`. */
const UNSAFE_KEYS =
  /^(?:hookspath|templatedir|sshcommand|pager|editor|fsmonitor|askpass|gitproxy|worktree|sharedrepository|helper|program|command|cmd|driver|tool|textconv|external|path)$/i;

/** Returns the `section.key` names of the settings that `added` sets and `removed` did not. */
function changedGitSettings(removed: string, added: string): string[] | undefined {
  const before = new Set(removed.split('\n').map((line) => line.trim()));
  const settings: string[] = [];
  let section = '';
  for (const raw of added.split('\n')) {
    const line = raw.trim();
    const header = /^\[([A-Za-z][\w.-]*)(?:\s+"[^"]*")?\]$/.exec(line);
    if (header !== null) {
      section = header[1] ?? '';
      continue;
    }
    if (line === '' || line.startsWith('#') || line.startsWith(';') || before.has(line)) {
      continue;
    }
    const setting = /^([A-Za-z][\w-]*)\s*=\s*([\w.@/:-]*)$/.exec(line);
    if (setting === null || section === '') {
      return undefined;
    }
    settings.push(`${section}.${setting[1] ?? ''}`);
  }
  return settings;
}

/**
 * Checks whether an Edit of the global git config changes only settings the user named, every
 * word of `section.key` ("pull" and "rebase" for `pull.rebase`) appearing in a request that
 * names git. Values are plain words, never commands, and settings that run programs are left out.
 */
export function editsNamedGitSettings(
  target: string,
  homeDir: string,
  removed: string,
  added: string,
  messages: string,
): boolean {
  const home = homeDir.replace(/\/$/, '');
  if (target !== `${home}/.gitconfig` && target !== `${home}/.config/git/config`) {
    return false;
  }
  const settings = changedGitSettings(removed, added);
  return (
    settings !== undefined &&
    settings.length > 0 &&
    /\bgit\b/i.test(messages) &&
    settings.every((setting) => {
      const [section = '', key = ''] = setting.split('.');
      return (
        !UNSAFE_GIT_SECTIONS.test(section) &&
        !UNSAFE_KEYS.test(key) &&
        [section, ...key.split(/(?=[A-Z])|[-_]/)]
          .filter((word) => word !== '')
          .every((word) => containsWord(messages, word))
      );
    }) &&
    !/\b(?:don'?t|do not|never|not)\b/i.test(messages)
  );
}

/** A line that puts one folder in front of or behind `PATH`, in sh or fish syntax. */
const PATH_LINES = [
  /^export PATH="?(?<folder>[\w./~$-]+):\$PATH"?$/,
  /^export PATH="?\$PATH:(?<folder>[\w./~$-]+)"?$/,
  /^fish_add_path(?: -[ampP])* (?<folder>[\w./~$-]+)$/,
  /^set -gx PATH (?<folder>[\w./~$-]+) \$PATH$/,
];
/**
 * A plain variable export such as `export EDITOR=vim` or `export EDITOR="code --wait"`: word
 * values, nothing expanded but a glob (`GOPRIVATE=git.acme.internal/*`), which only lists
 * file names when it matches any.
 */
const EXPORT_LINE =
  /^export (?<name>[A-Z][A-Z0-9_]*)=(?:"(?<quoted>[\w./:@ ,=+*-]*)"|'(?<single>[\w./:@ ,=+*-]*)'|(?<value>[\w./:@,*-]+))$/;
/**
 * Variables that load code into every program (`LD_PRELOAD`, `NODE_OPTIONS`), run a command
 * at each prompt or shell start (`PROMPT_COMMAND`, `BASH_ENV`), or carry a secret. Their
 * exports are never inert. `GOPRIVATE` lists module paths, so only `PRIVATE_` and
 * `PRIVATEKEY` mark a secret.
 */
const UNSAFE_VARIABLE =
  /^(?:LD_\w+|DYLD_\w+|PROMPT_COMMAND|BASH_ENV|ENV|ZDOTDIR|NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|PERL5LIB|RUBYOPT|GIT_SSH(?:_COMMAND)?|\w*ASKPASS|\w*PROXY_COMMAND)$|TOKEN|SECRET|PASSW(?:OR)?D|API_?KEY|PRIVATE(?=_|KEY)|CREDENTIAL/;
/** `alias NAME='COMMAND ARGS'` in sh syntax, or `alias NAME 'COMMAND ARGS'` in fish: no expansion or second command. */
const ALIAS_LINE =
  /^alias (?<name>[\w.-]+)(?:=| )(?<quote>['"]?)(?<body>[\w./:@=, +~-]+)\k<quote>$/;
/** Commands an alias may redefine only to themselves with options, as `alias ls='ls -G'`. */
const STANDARD_COMMANDS =
  /^(?:ls|cd|cat|git|sudo|ssh|scp|cp|mv|echo|rm|npm|pip3?|python3?|node|curl|wget|grep|find|chmod|chown|gpg|env|which|command|exec|source)$/;
/** A prompt setting whose value runs nothing: no command substitution or `${…}` expansion. */
const PROMPT_LINE =
  /^(?:export )?(?:PS1|PROMPT|RPROMPT)=(?<quote>['"])(?:(?!\$\(|\$\{|`).)*\k<quote>$/;
/**
 * `complete [-o OPTION]... -F FUNCTION NAME...`: bash completion of commands by a shell
 * function, such as `complete -o default -F __start_kubectl k`. `-C`, which runs a command on
 * each completion, is not covered.
 */
const COMPLETE_LINE = /^complete(?: -o [\w-]+)* -F [\w:-]+(?<names>(?: [\w.-]+)+)$/;
/** `source FILE` or `. FILE` of one file. */
const SOURCE_LINE = /^(?:source|\.) "?(?<file>[\w./~$-]+)"?$/;
const SETTING_REQUEST =
  /\b(?:add\w*|put\w*|append\w*|prepend\w*|set\w*|export\w*|includ\w*|mak\w*|alias\w*|defin\w*|creat\w*|chang\w*|sourc\w*)\b/i;

/**
 * Returns a path that may start with `$HOME` or `~` in its `~/x` and absolute spellings, or
 * undefined when another variable or a `..` leaves the path unknown.
 */
function homePath(value: string, homeDir: string): { tilde: string; absolute: string } | undefined {
  const home = homeDir.replace(/\/$/, '');
  const tilde = value.replace(/^(?:\$HOME|\$\{HOME\}|~|" *\$HOME)(?=\/)/, '~');
  const absolute = tilde.replace(/^~(?=\/)/, home);
  // Only `$HOME` may be expanded, so the path is known now.
  if (tilde.includes('$') || tilde.includes('..')) {
    return undefined;
  }
  return { tilde, absolute };
}

/** Checks that an alias line defines the named alias as the command the request names. */
function isNamedAlias(line: string, messages: string): boolean {
  const groups = ALIAS_LINE.exec(line)?.groups;
  const name = groups?.['name'] ?? '';
  const body = (groups?.['body'] ?? '').trim();
  if (name === '' || body === '' || !containsWord(messages, name)) {
    return false;
  }
  const words = body.split(/\s+/);
  // A standard command may only gain options, so `alias git='curl …'` cannot hide a program.
  if (STANDARD_COMMANDS.test(name) && words[0] !== name) {
    return false;
  }
  return containsWord(messages, body) || words.every((word) => containsWord(messages, word));
}

/**
 * Checks that one added rc line is a `PATH` entry, a plain export, an alias, a completion, a
 * prompt or a sourced home file that the request names.
 */
function isNamedShellSetting(line: string, homeDir: string, messages: string): boolean {
  const folder = PATH_LINES.map((pattern) => pattern.exec(line)?.groups?.['folder']).find(
    (found) => found !== undefined,
  );
  const home = homeDir.replace(/\/$/, '');
  if (folder !== undefined) {
    const named = homePath(folder, homeDir);
    // A folder others can write (`/tmp/tools`) would put their programs first on PATH.
    return (
      named !== undefined &&
      (named.absolute.startsWith(`${home}/`) || /^\/(?:usr\/local|opt)\//.test(named.absolute)) &&
      (containsWord(messages, named.tilde) || containsWord(messages, named.absolute))
    );
  }
  const sourced = SOURCE_LINE.exec(line)?.groups?.['file'];
  if (sourced !== undefined) {
    const named = homePath(sourced, homeDir);
    return (
      named !== undefined &&
      named.absolute.startsWith(`${home}/`) &&
      (containsWord(messages, named.tilde) || containsWord(messages, named.absolute))
    );
  }
  if (PROMPT_LINE.test(line)) {
    return /\b(?:prompt|PS1)\b/i.test(messages);
  }
  if (/^alias /.test(line)) {
    return isNamedAlias(line, messages);
  }
  const completed = COMPLETE_LINE.exec(line)?.groups?.['names'];
  if (completed !== undefined) {
    return (
      /\bcomplet\w*/i.test(messages) &&
      completed
        .trim()
        .split(' ')
        .every((name) => containsWord(messages, name))
    );
  }
  const exported = EXPORT_LINE.exec(line)?.groups;
  const name = exported?.['name'] ?? '';
  const value = exported?.['value'] ?? exported?.['quoted'] ?? exported?.['single'] ?? '';
  return (
    exported !== undefined &&
    !UNSAFE_VARIABLE.test(name) &&
    containsWord(messages, name) &&
    containsWord(messages, value)
  );
}

/**
 * Checks whether an Edit of a shell startup file in the home folder only adds lines the user
 * asked for by name: a home folder put on `PATH` ("add ~/.local/bin to PATH in my .bashrc"),
 * a plain `export NAME=value` whose name and value the user wrote, an alias, the completion of
 * a named command by a shell function, a prompt setting or a sourced file in the home folder. The request must name the file or its shell. Lines
 * that run other commands, expand other variables, load code through the environment or
 * remove anything are not covered.
 */
export function editsNamedShellSettings(
  target: string,
  homeDir: string,
  removed: string,
  added: string,
  messages: string,
): boolean {
  const home = homeDir.replace(/\/$/, '');
  const shell = Object.entries(SHELL_RC_FILES).find(([, files]) =>
    files.some((file) => target === `${home}/${file}`),
  )?.[0];
  if (shell === undefined) {
    return false;
  }
  const file = target.slice(home.length + 1).replace(/^.*\//, '');
  // A widened `PATH` export counts as its new folders, each of which must be named below.
  const { removed: removedLines, added: addedLines } = splitWidenedPathLines(
    removed.split('\n').map((text) => text.trim()),
    added.split('\n').map((line) => line.trim()),
  );
  for (const line of removedLines) {
    const at = addedLines.indexOf(line);
    if (at < 0) {
      return false;
    }
    addedLines.splice(at, 1);
  }
  const settings = addedLines.filter((line) => line !== '' && !line.startsWith('#'));
  const namesFile =
    containsWord(messages, file) ||
    containsWord(messages, file.replace(/^\./, '')) ||
    containsWord(messages, shell);
  if (settings.length === 0 || !namesFile) {
    return false;
  }
  const hooks = settings.filter((line) => isRequestedHookLine(line, shell, messages));
  const rest = settings.filter((line) => !hooks.includes(line));
  return (
    rest.every((line) => isNamedShellSetting(line, homeDir, messages)) &&
    (rest.length === 0 || asksWithout(SETTING_REQUEST, messages)) &&
    (hooks.length === 0 || asksWithout(HOOK_REQUEST, messages))
  );
}

/**
 * Checks whether `line` is the documented shell hook of a tool the user named
 * (`eval "$(direnv hook zsh)"`), for `shell`, the shell whose start-up file gets the line.
 */
function isRequestedHookLine(line: string, shell: string, messages: string): boolean {
  const groups = HOOK_LINES.map((pattern) => pattern.exec(line)?.groups).find(Boolean);
  const tool = groups?.['tool'];
  return tool !== undefined && groups?.['shell'] === shell && containsWord(messages, tool);
}
