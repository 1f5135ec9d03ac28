/**
 * Build archives sent where the user said. An archive name (`.tar.gz`, `.zip`) marks data as
 * private because archives often pack a home folder or a database dump. A release archive from
 * the project's build output, uploaded to a host the user names, is the requested upload, so
 * it is judged like any other project file sent there.
 */
import { SENSITIVE_DATA, namesCredentialPath } from './findings.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const ARCHIVE = /\.(?:tar\.gz|tar\.bz2|tar\.xz|tar\.zst|tgz|tar|zip|gz|7z)$/i;

/** Folders that build tools write their output to. */
const BUILD_OUTPUT = /^(?:\.\/)?(?:build|dist|out|target|release|releases|artifacts|pkg|bin)\//;

/** Returns the host a copy or upload command sends to, or undefined when it names none. */
function destinationHost(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if (command.name === 'scp' || command.name === 'rsync') {
    const target = args.at(-1) ?? '';
    return /^(?:[\w.-]+@)?([\w.-]+):/.exec(target)?.[1];
  }
  for (const arg of args) {
    const host = /^https?:\/\/(?:[^@/]*@)?([\w.-]+)/.exec(arg)?.[1];
    if (host !== undefined) {
      return host;
    }
  }
  return undefined;
}

/**
 * Returns the arguments of `command` that are build archives sent to a host the user named:
 * each is a relative path under a build output folder or named in the messages, with no
 * private-data name of its own, and no other command of the line reads a home or credential
 * path that could have gone into it. Returns an empty list when any condition fails.
 */
export function namedBuildArchives(
  command: SimpleCommand,
  parsed: ParsedShell,
  messages: string,
  homeDir: string,
): string[] {
  const host = destinationHost(command);
  if (host === undefined || command.dynamic || !containsWord(messages, host)) {
    return [];
  }
  const archives = command.argv
    .slice(1)
    .map((arg) => arg.replace(/^@/, ''))
    .filter((arg) => ARCHIVE.test(arg) && !/^https?:/.test(arg) && !/^[\w.-]+@?[\w.-]*:/.test(arg));
  const fromProject = archives.every(
    (archive) =>
      !archive.startsWith('/') &&
      !archive.startsWith('~') &&
      !archive.split('/').includes('..') &&
      !SENSITIVE_DATA.test(archive.replace(ARCHIVE, '')) &&
      (BUILD_OUTPUT.test(archive) || containsWord(messages, archive)),
  );
  const packsPrivateData = parsed.commands.some((other) => {
    const words = other.argv.join(' ');
    return (
      other !== command &&
      (words.includes(`${homeDir}/`) ||
        /(?:^|\s)~\/|\$HOME\b/.test(words) ||
        namesCredentialPath(words))
    );
  });
  return fromProject && !packsPrivateData ? archives : [];
}
