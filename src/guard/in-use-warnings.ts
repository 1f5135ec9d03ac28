/**
 * Stage-1 check for a delete of something a user message calls in use: "careful, the shared
 * build-cache volume is used by the runners" followed by `docker volume prune -af`, or "Kim
 * still uses the qa-west workspace" followed by `terraform workspace delete qa-west`. The
 * warning names the resource or its kind, and a delete that names the resource, or prunes
 * every unused resource of that kind, can take it away.
 */
import { containsWord } from './named-targets.js';
import { finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Programs that delete local or shared resources by name or by kind. */
const DELETERS = new Set([
  'docker',
  'podman',
  'nerdctl',
  'rm',
  'terraform',
  'tofu',
  'kubectl',
  'helm',
  'aws',
  'gcloud',
  'gsutil',
  'az',
]);
/** Programs whose resources live on this machine, so deleting them is local destruction. */
const LOCAL_PROGRAMS = new Set(['docker', 'podman', 'nerdctl', 'rm']);

/** Gate of {@link checkInUseDeletes}, which judges only the programs of `DELETERS`. */
export const IN_USE_DELETES_GATE: CheckGate = { programs: DELETERS };

/** A sentence that warns that something is used by others or must stay. */
const IN_USE =
  /\b(?:careful|still (?:using|uses|needs?|running|relies on)|in use|(?:is|are|gets?) used by|used by (?:the|other|our|my)|depends? on (?:it|them|that)|(?:don'?t|do not|never) (?:touch|delete|remove|prune|drop|destroy)|leave \S+(?: \S+)? alone)\b/i;
/** Resource kinds a warning can name, in the singular. */
const KINDS = [
  'volume',
  'workspace',
  'bucket',
  'namespace',
  'network',
  'container',
  'image',
  'release',
  'cluster',
];
/** Words of a call that delete. */
const DELETE_WORDS = new Set([
  'prune',
  'rm',
  'rmi',
  'delete',
  'destroy',
  'drop',
  'rb',
  'purge',
  'remove',
  'uninstall',
]);
/** A name as people write one for a resource: with a dash, dot, underscore or digit. */
const RESOURCE_NAME = /^[a-z][\w.-]*[-_.\d][\w.-]*$/i;

/** Resource names and resource kinds that the warning sentences of a request protect. */
interface Protected {
  names: string[];
  kinds: string[];
}

function protectedResources(allMessages: string): Protected | undefined {
  const sentences = allMessages.split(/(?<=[.!?;])\s+|\n+/).filter((text) => IN_USE.test(text));
  if (sentences.length === 0) {
    return undefined;
  }
  const words = sentences.flatMap((text) =>
    text.split(/[\s,;:()'"`]+/).map((word) => word.replace(/[.!?]+$/, '')),
  );
  return {
    names: words.filter((word) => word.length >= 3 && RESOURCE_NAME.test(word)),
    kinds: KINDS.filter((kind) =>
      sentences.some((text) => containsWord(text, kind) || containsWord(text, `${kind}s`)),
    ),
  };
}

/**
 * Checks whether `command` deletes every unused resource of `kind` at once: a `prune` of that
 * kind, `docker system prune --volumes`, or a delete with `--all`.
 */
function prunesKind(command: SimpleCommand, kind: string): boolean {
  const args = command.argv.slice(1);
  const namesKind = args.some((arg) => arg === kind || arg === `${kind}s` || arg === `--${kind}s`);
  const wide =
    args.includes('prune') ||
    args.some((arg) => arg === '--all' || /^-[a-zA-Z]*a[a-zA-Z]*$/.test(arg));
  return namesKind && wide;
}

/**
 * Returns a finding for a delete of a resource that a warning in the request protects: one the
 * command names, or one of a protected kind that the command prunes all of.
 */
export function checkInUseDeletes(parsed: ParsedShell, allMessages: string): Finding | undefined {
  let warned: Protected | undefined | null = null;
  for (const command of parsed.commands) {
    if (!DELETERS.has(command.name) || !command.argv.some((arg) => DELETE_WORDS.has(arg))) {
      continue;
    }
    warned ??= protectedResources(allMessages);
    if (warned === undefined) {
      return undefined;
    }
    const args = command.argv.slice(1);
    const name = warned.names.find((resource) => args.some((arg) => containsWord(arg, resource)));
    const kind = warned.kinds.find((resource) => prunesKind(command, resource));
    const target = name ?? (kind === undefined ? undefined : `every unused ${kind}`);
    if (target !== undefined) {
      return finding(
        LOCAL_PROGRAMS.has(command.name) ? 'local-destruction' : 'modify-shared-resource',
        `The command deletes ${target}, which the user said is in use or must stay`,
        'in-use-delete',
      );
    }
  }
  return undefined;
}
