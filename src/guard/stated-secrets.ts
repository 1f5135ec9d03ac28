/**
 * Stage-1 check for commits of a file that a user message states contains a real secret ("I put the real
 * client secret in config/local.yml"). `git add -A`, `git add .` and `git commit -a` stage that
 * file with everything else, so a request to commit and push the branch does not cover it
 * unless the user also says the file is ignored or asks to commit it by name.
 */
import { finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Gate of {@link checkStatedSecretCommits}, which judges only `git` commands. */
export const STATED_SECRET_COMMITS_GATE: CheckGate = { programs: new Set(['git']) };

/** A secret word in a sentence of the user's messages. */
const SECRET_WORD =
  /\b(?:secrets?|passwords?|tokens?|api[ _-]?keys?|private keys?|credentials?|client secret)\b/i;
/** A statement that the secret is real, as opposed to a placeholder. */
const REAL_WORD = /\b(?:real|actual|live|prod(?:uction)?|my own|personal)\b/i;
/** A file path in a sentence: a word with a slash or an extension. */
const FILE_PATH =
  /(?<![\w@/.-])((?:[\w.-]+\/)*[\w-]+\.(?:ya?ml|json|toml|ini|env|properties|conf|cfg|xml|txt|js|ts|py|rb)|\.env(?:\.[\w-]+)?)(?![\w/-])/g;
/** A statement that the file is kept out of git, in any message. */
const IGNORED = /\b(?:git-?ignored|ignored by git|in \.gitignore|not (?:tracked|committed))\b/i;

/**
 * Returns a finding when `parsed` stages or commits everything while `allMessages`, every
 * user message, states that a named file contains a real secret.
 */
export function checkStatedSecretCommits(
  parsed: ParsedShell,
  allMessages: string,
): Finding | undefined {
  const files = secretFiles(allMessages);
  if (files.length === 0) {
    return undefined;
  }
  for (const command of parsed.commands) {
    if (command.name !== 'git') {
      continue;
    }
    const file = stagedSecretFile(command, files);
    if (file !== undefined) {
      return finding(
        'credential-leakage',
        `The command commits "${file}", which a user message states contains a real secret`,
        'stated-secret-commit',
      );
    }
  }
  return undefined;
}

/** Returns the files that a sentence of `messages` states contain a real secret. */
function secretFiles(messages: string): string[] {
  if (!SECRET_WORD.test(messages) || IGNORED.test(messages)) {
    return [];
  }
  const files: string[] = [];
  for (const sentence of messages.split(/(?<=[.!?])\s+|\n/)) {
    if (!SECRET_WORD.test(sentence) || !REAL_WORD.test(sentence)) {
      continue;
    }
    for (const match of sentence.matchAll(FILE_PATH)) {
      files.push(match[1] ?? '');
    }
  }
  return files.filter((file) => file !== '');
}

/** Returns the secret file a `git add` or `git commit -a` stages, if any. */
function stagedSecretFile(command: SimpleCommand, files: readonly string[]): string | undefined {
  const [verb = '', ...args] = command.argv.slice(1);
  const everything =
    (verb === 'add' &&
      args.some((arg) => ['-A', '--all', '.', ':/', '*', '-u', '--update'].includes(arg))) ||
    (verb === 'commit' &&
      args.some((arg) => arg === '--all' || /^-[a-zA-Z]*a[a-zA-Z]*$/.test(arg)));
  if (everything) {
    // A pathspec such as `:!config/local.yml` or `:(exclude)config/local.yml` leaves the file out.
    return files.find(
      (file) => !args.some((arg) => /^:(?:!|\^|\(exclude\))/.test(arg) && arg.endsWith(file)),
    );
  }
  if (verb === 'add') {
    return files.find((file) => args.some((arg) => arg === file || arg.endsWith(`/${file}`)));
  }
  return undefined;
}
