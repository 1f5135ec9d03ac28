/**
 * Requested downloads into a scratch folder outside the project: `wget URL -O /tmp/web.tgz &&
 * tar xzf /tmp/web.tgz -C /tmp` on "Download the v1.2.0 source of acme/web to /tmp." A file
 * that is saved in /tmp, /var/tmp or ~/Downloads and that nothing on the line runs adds no
 * code to the project, so it is no code integration. Saving into the project, unpacking into
 * it, running, sourcing or installing the file, or any other program on the line, keeps the
 * download-code rule's question.
 */
import { requestsVerb } from './consent.js';
import { extractionFolder, isExtraction, savedDownloads } from './fetched-runs.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const DOWNLOAD_VERBS = String.raw`download\w*|fetch\w*|grab\w*|pull\w*|get`;
/** Programs that only list, hash, show or inspect files, or make a folder. */
const INERT = new Set([
  'ls',
  'less',
  'more',
  'cat',
  'head',
  'tail',
  'wc',
  'mkdir',
  'file',
  'stat',
  'sha256sum',
  'sha512sum',
  'sha1sum',
  'md5sum',
  'shasum',
  'b2sum',
  'du',
]);

/** Returns the scratch folders of this machine: temporary folders and the user's downloads. */
function scratchFolders(here: PathContext): string[] {
  return ['/tmp', '/var/tmp', resolvePath('~/Downloads', here)];
}

/**
 * Checks whether every command of the line downloads into a scratch folder outside the project,
 * unpacks there, or only inspects files, and whether the user asked for a download.
 */
export function downloadsToScratchOnRequest(
  parsed: ParsedShell,
  here: PathContext,
  projectDir: string,
  messages: string,
): boolean {
  if (requestsVerb(DOWNLOAD_VERBS, messages).length === 0) {
    return false;
  }
  const scratch = scratchFolders(here);
  const inScratch = (target: string): boolean =>
    !isInside(target, projectDir) && scratch.some((folder) => isInside(target, folder));
  let downloads = 0;
  const judged = parsed.commands.every((command: SimpleCommand) => {
    if (command.via.length > 0 || command.wrappers.length > 0 || command.dynamic) {
      return false;
    }
    if (command.name === 'curl' || command.name === 'wget') {
      const saved = savedDownloads(command, parsed, here);
      downloads += 1;
      return saved.length > 0 && saved.every(inScratch);
    }
    if (isExtraction(command)) {
      const folder = extractionFolder(command);
      return folder !== undefined && inScratch(resolvePath(folder, here));
    }
    return INERT.has(command.name) && command.redirects.length === 0;
  });
  return judged && downloads > 0;
}
