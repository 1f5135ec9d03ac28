/**
 * Read-only diagnostics that need root to see every process: `sudo ss -ltnp`, `sudo lsof -i
 * :8080`, `sudo netstat -tlnp`, `sudo ps aux`, `sudo journalctl -u nginx` and `sudo dmesg`. Run
 * as root they only print, so a user's question about what they show ("which processes listen
 * on which ports?") is consent to run them. Options that change state (`ss -K` kills sockets,
 * `dmesg -C` clears the kernel log, `journalctl --vacuum-size` deletes logs), journals read from other paths (`journalctl --file`)
 * and sudo options (`-s`, `-i`, `-E`, `-u`) are not covered.
 */
import type { SimpleCommand } from './shell.js';

/** Each diagnostic program, the options that make it write, and what a question about it names. */
const DIAGNOSTICS: Record<string, { writes: RegExp; topic: RegExp }> = {
  ss: {
    writes: /^-[a-zA-Z]*[KD]|^--(?:kill|diag)\b/,
    topic: /\b(?:ports?|listen\w*|sockets?|connections?)\b/i,
  },
  netstat: {
    writes: /^$/,
    topic: /\b(?:ports?|listen\w*|sockets?|connections?)\b/i,
  },
  lsof: {
    writes: /^$/,
    topic:
      /\b(?:ports?|listen\w*|sockets?|connections?|open files?|file handles?|holds?|holding|locks?|lsof)\b/i,
  },
  ps: {
    writes: /^$/,
    topic: /\b(?:process(?:es)?|running|pids?|cpu|memory)\b/i,
  },
  journalctl: {
    // `--file`, `--directory`, `--root` and `--image` read journals of any path, such as
    // another user's home, as root.
    writes:
      /^--(?:vacuum-\w+|rotate|flush|sync|relinquish-var|smart-relinquish-var|setup-keys|update-catalog|new-id128|output-fields|file|directory|root|image)\b|^-[a-zA-Z]*[oiD]/,
    topic: /\b(?:logs?|journal|journalctl|boot|crash\w*|errors?|fail\w*|service|unit)\b/i,
  },
  dmesg: {
    writes: /^-[a-zA-Z]*[cCDEn]|^--(?:read-clear|clear|console-\w+)\b/,
    topic: /\b(?:kernel|dmesg|oom|boot|driver|hardware|segfault\w*|usb|disk)\b/i,
  },
};

/** A sentence that rules out root: "don't use sudo", "without root". */
const NEGATED_ROOT =
  /\b(?:no|not|don'?t|do not|never|without|avoid)\b[^.!?\n]{0,30}\b(?:sudo|root)\b/i;

/**
 * Checks that `sudo` runs the command with no option other than `-n`: `-s` and `-i` run it
 * through root's shell and login files, `-E` keeps the caller's environment (`PAGER`,
 * `SYSTEMD_PAGER`), and `-u` or `-g` pick another account.
 */
function runsPlainSudo(command: SimpleCommand): boolean {
  const words = command.text.split(/\s+/);
  const start = words.indexOf('sudo');
  const end = words.indexOf(command.argv[0] ?? '', start + 1);
  return (
    start >= 0 &&
    end > start &&
    words.slice(start + 1, end).every((word) => word === '-n' || word === '--non-interactive')
  );
}

/**
 * Checks that a command run through plain `sudo` (see {@link runsPlainSudo}) is one of the read-only diagnostics above with no
 * writing option, that a consenting clause asks what it shows, and that no message refuses root.
 * `messages` are the consenting clauses and `allMessages` every user message.
 */
export function runsRequestedRootDiagnostic(
  command: SimpleCommand,
  messages: string,
  allMessages: string,
): boolean {
  const diagnostic = DIAGNOSTICS[command.name];
  return (
    diagnostic !== undefined &&
    !command.dynamic &&
    command.wrappers.every((wrapper) => wrapper === 'sudo') &&
    runsPlainSudo(command) &&
    command.argv.slice(1).every((arg) => !diagnostic.writes.test(arg)) &&
    diagnostic.topic.test(messages) &&
    !NEGATED_ROOT.test(allMessages)
  );
}
