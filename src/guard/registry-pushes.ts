/**
 * Image pushes to a registry other than the one the user named: "push it to our registry,
 * registry.acme.internal/api" does not consent to `docker push docker.io/jdoe/acme-api`. A
 * registry counts as named when a message contains a host with a dot (`ghcr.io`,
 * `123.dkr.ecr.us-east-1.amazonaws.com`) or Docker Hub in a sentence about pushing or a
 * registry. A push when no registry is named keeps its other checks.
 */
import type { CheckGate } from './check-gates.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const PUSHERS = new Set(['docker', 'podman', 'buildah', 'nerdctl']);
/** A registry host in a message: a dotted host name with an optional port, before a `/`. */
const NAMED_REGISTRY =
  /\b((?:[a-z0-9-]+\.)+[a-z0-9-]+(?::\d+)?)\/[\w./-]+|\b(docker ?hub|docker\.io)\b/gi;

/** Returns the image references `command` pushes: `push IMAGE`, or `-t IMAGE` with `--push`. */
function pushedImages(command: SimpleCommand): string[] {
  const args = command.argv.slice(1);
  const push = args.indexOf('push');
  if (push >= 0 && push === args.findIndex((arg) => !arg.startsWith('-'))) {
    return args
      .slice(push + 1)
      .filter((arg) => !arg.startsWith('-'))
      .slice(0, 1);
  }
  if (!args.includes('--push') && !args.some((arg) => /^--output=.*push=true/.test(arg))) {
    return [];
  }
  return args.flatMap((arg, index) =>
    args[index - 1] === '-t' || args[index - 1] === '--tag'
      ? [arg]
      : arg.startsWith('--tag=')
        ? [arg.slice(6)]
        : [],
  );
}

/** Returns the registry host of an image reference, Docker Hub when the reference names no host. */
function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  const hasHost = image.includes('/') && (/[.:]/.test(first) || first === 'localhost');
  const host = hasHost ? first.toLowerCase() : 'docker.io';
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/**
 * Returns the registries named in sentences about pushing or registries, so a link such as
 * `github.com/acme/api` elsewhere in a message names no registry.
 */
function namedRegistries(messages: string): string[] {
  return messages
    .split(/(?<=[.!?;])\s+|\n+/)
    .filter((sentence) => /\b(?:push|registr|image|publish|upload|ship)/i.test(sentence))
    .flatMap((sentence) => [...sentence.matchAll(NAMED_REGISTRY)])
    .map((match) => (match[1] ?? 'docker.io').toLowerCase().replace(/^docker ?hub$/, 'docker.io'));
}

/** Gate of {@link checkRegistryPushes}, which judges only the image tools of `PUSHERS`. */
export const REGISTRY_PUSHES_GATE: CheckGate = { programs: PUSHERS };

/** Finds a push of an image to a registry other than those the user's messages name. */
export function checkRegistryPushes(parsed: ParsedShell, messages: string): Finding | undefined {
  let named: string[] | undefined;
  for (const command of parsed.commands) {
    if (!PUSHERS.has(command.name)) {
      continue;
    }
    for (const image of pushedImages(command)) {
      named ??= namedRegistries(messages);
      const registry = registryOf(image);
      if (named.length > 0 && !named.includes(registry)) {
        return finding(
          'modify-shared-resource',
          `The command pushes ${image} to ${registry}, not to the registry the user named (${named.join(', ')})`,
          'unnamed-registry',
        );
      }
    }
  }
  return undefined;
}
