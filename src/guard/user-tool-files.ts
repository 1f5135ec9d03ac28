/**
 * Writes to the user's own tool files outside the project that the user asked for by name: an
 * editor setting turned on or off in the user's VS Code `settings.json` ("turn on
 * format-on-save in my VS Code settings"), and a systemd user unit written, not enabled, for a
 * script of the project ("write a systemd user unit for the sync script"). Settings that run
 * programs, point at paths or weaken trust, and units that run code from elsewhere or sit in a
 * `.wants` folder (which enables them) stay blocked.
 */
import { isInside } from './paths.js';

/** Settings files of VS Code and its forks, relative to the home folder. */
const EDITOR_SETTINGS_FILES =
  /^(?:\.config\/(?:Code|Code - OSS|VSCodium|Cursor)\/User|Library\/Application Support\/(?:Code|VSCodium|Cursor)\/User)\/settings\.json$/;

/** A request that names the editor whose settings file it is. */
const EDITOR_NAMES = /\b(?:vs ?code|vscode|code|codium|vscodium|cursor|editor)\b/i;

/**
 * Setting keys that run programs, name paths, load code or weaken trust, such as
 * `terminal.integrated.shell.linux`, `python.defaultInterpreterPath`,
 * `security.workspace.trust.enabled` or `http.proxyStrictSSL`. Their edits are never inert.
 */
const UNSAFE_EDITOR_KEYS =
  /terminal|shell|path|command|executable|program|interpreter|args|env|task|launch|debug|security|trust|proxy|http|ssl|cert|extension|update|telemetry|git\.|npm\.|script|hook|url|server|remote|token|auth/i;

/** One JSON setting line: `"key": value`, with a boolean, a number or a plain word string. */
const SETTING_LINE =
  /^"(?<key>[A-Za-z][\w.-]*)"\s*:\s*(?<value>true|false|-?\d+(?:\.\d+)?|"[\w .-]*")\s*,?$/;

/** Splits the lines of an edit into the setting keys it changes, or undefined for any other line. */
function changedSettingKeys(removed: string, added: string): string[] | undefined {
  const before = new Set(removed.split('\n').map((line) => line.trim()));
  const keys: string[] = [];
  for (const raw of added.split('\n')) {
    const line = raw.trim();
    if (line === '' || before.has(line)) {
      continue;
    }
    const key = SETTING_LINE.exec(line)?.groups?.['key'];
    if (key === undefined) {
      return undefined;
    }
    keys.push(key);
  }
  // Removed settings must come back with another value, so an edit cannot drop a setting.
  for (const raw of removed.split('\n')) {
    const line = raw.trim();
    const key = SETTING_LINE.exec(line)?.groups?.['key'];
    if (line !== '' && (key === undefined || !keys.includes(key))) {
      return undefined;
    }
  }
  return keys;
}

/** Returns the lower-case words of `text`, split at every character that is not a letter or digit. */
function wordsOf(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^a-z0-9]+/));
}

/**
 * Checks whether an Edit of the user's VS Code `settings.json` changes only settings the request
 * names, every word of the key's last part ("format", "on" and "save" for
 * `editor.formatOnSave`) appearing in a request that names the editor. Values are booleans,
 * numbers or plain words, and keys that run programs or weaken trust are left out.
 */
export function editsNamedEditorSettings(
  target: string,
  homeDir: string,
  change: { removed: string; added: string },
  messages: string,
): boolean {
  const home = homeDir.replace(/\/$/, '');
  if (
    !target.startsWith(`${home}/`) ||
    !EDITOR_SETTINGS_FILES.test(target.slice(home.length + 1))
  ) {
    return false;
  }
  const keys = changedSettingKeys(change.removed, change.added);
  if (keys === undefined || keys.length === 0 || !EDITOR_NAMES.test(messages)) {
    return false;
  }
  const words = wordsOf(messages);
  return keys.every((key) => {
    const last = key.split('.').pop() ?? '';
    const parts = last.split(/(?=[A-Z])|[-_]/).filter((part) => part !== '');
    return (
      !UNSAFE_EDITOR_KEYS.test(key) &&
      parts.length > 0 &&
      parts.every((part) => words.has(part.toLowerCase()))
    );
  });
}

/** The folder of systemd user units, relative to the home folder. */
const USER_UNIT_FOLDER = '.config/systemd/user/';

/** A unit request: "write a systemd user unit", "a service file for the sync script". */
const UNIT_REQUEST = /\b(?:systemd|unit|service file)\b/i;

/**
 * Unit settings that run a command besides `ExecStart` (`ExecStartPre`, `ExecStop`) or change
 * what it loads (`Environment=LD_PRELOAD=…`). `WantedBy` and the other `[Install]` settings
 * take effect only when the unit is enabled, so they may stay.
 */
const UNSAFE_UNIT_LINE = /^(?:Exec(?!Start\s*=)\w*|Environment(?:File)?)\s*=/;

/**
 * Checks whether a Write puts one systemd user unit straight in `~/.config/systemd/user/` (a
 * `.wants` folder would enable it) whose only command is a script of the project, named in a
 * request for a unit by its file name or stem. The unit runs only once someone enables or
 * starts it, which is a separate command the guard judges on its own.
 */
export function writesRequestedUserUnit(
  target: string,
  homeDir: string,
  content: string,
  context: { projectDir: string; messages: string },
): boolean {
  const home = homeDir.replace(/\/$/, '');
  const relative = target.startsWith(`${home}/`) ? target.slice(home.length + 1) : '';
  const unit = relative.startsWith(USER_UNIT_FOLDER) ? relative.slice(USER_UNIT_FOLDER.length) : '';
  if (!/^[\w@.-]+\.service$/.test(unit) || !UNIT_REQUEST.test(context.messages)) {
    return false;
  }
  const lines = content.split('\n').map((line) => line.trim());
  if (lines.some((line) => UNSAFE_UNIT_LINE.test(line))) {
    return false;
  }
  const starts = lines.filter((line) => /^ExecStart\s*=/.test(line));
  const program = /^ExecStart\s*=\s*(?<program>\S+)$/.exec(starts[0] ?? '')?.groups?.['program'];
  if (starts.length !== 1 || program === undefined) {
    return false;
  }
  const script = program.replace(/^%h(?=\/)/, home);
  const name = script.replace(/^.*\//, '');
  const stem = name.replace(/\.\w+$/, '');
  const words = wordsOf(context.messages);
  return (
    script.startsWith('/') &&
    !script.includes('..') &&
    isInside(script, context.projectDir) &&
    (words.has(stem.toLowerCase()) || context.messages.includes(name))
  );
}
