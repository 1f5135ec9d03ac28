/**
 * Read-only diagnostics that need root to see every process: `sudo ss -ltnp`, `sudo lsof -i
 * :8080`, `sudo netstat -tlnp`, `sudo ps aux`, `sudo journalctl -u nginx` and `sudo dmesg`. Run
 * as root they only print, so a user's question about what they show ("which processes listen
 * on which ports?") is consent to run them. Options that change state (`ss -K` kills sockets,
 * `dmesg -C` clears the kernel log, `journalctl --vacuum-size` deletes logs) are not covered.
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
    writes:
      /^--(?:vacuum-\w+|rotate|flush|sync|relinquish-var|smart-relinquish-var|setup-keys|update-catalog|new-id128|output-fields)\b|^-o$|^--output=/,
    topic: /\b(?:logs?|journal|journalctl|boot|crash\w*|errors?|fail\w*|service|unit)\b/i,
  },
  dmesg: {
    writes: /^-[a-zA-Z]*[cCDEn]|^--(?:read-clear|clear|console-\w+)\b/,
    topic: /\b(?:kernel|dmesg|oom|boot|driver|hardware|segfault\w*|usb|disk)\b/i,
  },
};

/** A sentence that refuses root: "don't use sudo", "without root". */
const ROOT_REFUSAL =
  /\b(?:no|not|don'?t|do not|never|without|avoid)\b[^.!?\n]{0,30}\b(?:sudo|root)\b/i;

/**
 * Checks that a command run through `sudo` is one of the read-only diagnostics above with no
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
    command.argv.slice(1).every((arg) => !diagnostic.writes.test(arg)) &&
    diagnostic.topic.test(messages) &&
    !ROOT_REFUSAL.test(allMessages)
  );
}
