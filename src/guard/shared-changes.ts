/**
 * Stage-1 checks for changes to things other people use, read from what the arguments are:
 * an image tag moved to a shared tag the user did not name, a recursive delete of a whole
 * bucket, a push whose destination is computed at run time, a tunnel open to anonymous users,
 * and inline code that runs what a socket receives.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { environmentOfWord, environmentSpellings } from './environment-buckets.js';
import { containsWord } from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Tags that deployments and other people pull by name. */
const SHARED_TAG = /^(?:stable|latest|prod|production|release|live|current)$/i;

/** Programs that can write an image tag. */
const TAGGING_CLIS = new Set(['docker', 'podman', 'crane', 'oras', 'skopeo', 'regctl', 'gcloud']);

/** Returns the tags that a command writes: `docker tag`, `buildx imagetools create -t`, `crane tag` and similar. */
function writtenTags(command: SimpleCommand): string[] {
  if (!TAGGING_CLIS.has(command.name)) {
    return [];
  }
  const args = command.argv.slice(1);
  const text = args.join(' ');
  const tagOf = (reference: string): string => /:([\w.-]+)$/.exec(reference)?.[1] ?? '';
  if (command.name === 'docker' || command.name === 'podman') {
    if (/^(?:image )?tag\b/.test(text)) {
      return [tagOf(args.filter((arg) => !arg.startsWith('-')).at(-1) ?? '')];
    }
    if (/\bimagetools create\b/.test(text)) {
      return args.filter((_arg, index) => /^(?:-t|--tag)$/.test(args[index - 1] ?? '')).map(tagOf);
    }
  }
  if ((command.name === 'crane' || command.name === 'oras') && args[0] === 'tag') {
    return [args.filter((arg) => !arg.startsWith('-')).at(-1) ?? ''];
  }
  if ((command.name === 'skopeo' || command.name === 'regctl') && /\bcopy\b/.test(text)) {
    return [tagOf(args.filter((arg) => !arg.startsWith('-')).at(-1) ?? '')];
  }
  if (command.name === 'gcloud' && /\badd-tag\b/.test(text)) {
    return [tagOf(args.filter((arg) => !arg.startsWith('-')).at(-1) ?? '')];
  }
  return [];
}

/** Finds a change to a shared tag, bucket, branch or listener that the user did not request. */
export function checkSharedChanges(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const tag = writtenTags(command).find(
      (written) => SHARED_TAG.test(written) && !containsWord(messages, written),
    );
    if (tag !== undefined) {
      return finding(
        'modify-shared-resource',
        `The command moves the shared image tag "${tag}", which the user did not name`,
        'shared-image-tag',
      );
    }
    const bucket = wholeBucketDelete(command);
    if (bucket !== undefined && !WHOLE_BUCKET.test(messages)) {
      return finding(
        'cloud-mass-delete',
        `The command deletes everything in the bucket ${bucket}, not a prefix of it`,
        'whole-bucket-delete',
      );
    }
    if (
      command.name === 'git' &&
      command.argv.includes('push') &&
      /\s\S*:["']?(?:\$\(|`)/.test(command.text)
    ) {
      return finding(
        'git-push-default-branch',
        'The push destination branch is computed at run time, so it may be the default branch',
        'computed-push-destination',
      );
    }
    if (
      pushesToComputedDefaultBranch(command, parsed) &&
      !asksWithout(PUSH_DEFAULT_REQUEST, messages)
    ) {
      return finding(
        'git-push-default-branch',
        "The push destination is read from the remote's default branch, so the push lands on the default branch",
        'computed-push-destination',
      );
    }
    if (setsOrganizationSecret(command) && !asksWithout(ORGANIZATION_REQUEST, messages)) {
      return finding(
        'modify-shared-resource',
        'The command sets an organization secret or variable that other repositories read, while the user did not ask for an organization-wide one',
        'organization-secret',
      );
    }
    const environment = secretEnvironment(command);
    if (environment !== undefined && !namesEnvironment(environment, messages)) {
      return finding(
        'modify-shared-resource',
        `The command changes a secret or variable of the "${environment}" deployment environment, which the user did not name`,
        'environment-secret',
      );
    }
    if (command.argv.some((arg) => /^--allow-anonymous(?:-access)?(?:=true)?$/.test(arg))) {
      return finding(
        'expose-local-service',
        `The command opens ${command.name} to anonymous users`,
        'anonymous-tunnel',
      );
    }
  }
  return checkInlineReverseShell(parsed);
}

/** A request for a secret or variable of the whole organization or of many repositories. */
const ORGANIZATION_REQUEST =
  /\b(?:org(?:anization|anisation)?[- ]?(?:wide|level|secrets?|variables?)?|all (?:the |our )?repos(?:itories)?|every repo(?:sitory)?|--org)\b/i;

/**
 * Checks whether `gh secret set` or `gh variable set` writes at the organization level
 * (`--org`, `-o`), where every repository the visibility allows reads the value.
 */
function setsOrganizationSecret(command: SimpleCommand): boolean {
  if (command.name !== 'gh') {
    return false;
  }
  const [noun, verb] = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if ((noun !== 'secret' && noun !== 'variable') || verb !== 'set') {
    return false;
  }
  return command.argv.some((arg) => /^(?:--org|-o)(?:=.*)?$/.test(arg));
}

/**
 * Returns the deployment environment of `gh secret|variable set|delete … --env ENV` (or `-e
 * ENV`), whose workflows' jobs read the value, or undefined for other commands.
 */
function secretEnvironment(command: SimpleCommand): string | undefined {
  if (command.name !== 'gh') {
    return undefined;
  }
  const [noun, verb] = command.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if ((noun !== 'secret' && noun !== 'variable') || (verb !== 'set' && verb !== 'delete')) {
    return undefined;
  }
  const args = command.argv;
  const at = args.findIndex((arg) => arg === '-e' || arg === '--env');
  return at >= 0
    ? args[at + 1]
    : /^--env=(.+)$/.exec(args.find((arg) => arg.startsWith('--env=')) ?? '')?.[1];
}

/**
 * Checks whether the request names the environment `name` (`staging` for `staging`), or
 * the environment it spells (`prd`, `prod` and "production" for `production`), without
 * negating it.
 */
function namesEnvironment(name: string, messages: string): boolean {
  const literal = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (
    containsWord(messages, name) &&
    asksWithout(new RegExp(String.raw`\b${literal}\b`, 'i'), messages)
  ) {
    return true;
  }
  const environment = environmentOfWord(name);
  if (environment === undefined) {
    return false;
  }
  const spellings = environmentSpellings(environment).join('|');
  return asksWithout(new RegExp(String.raw`\b(?:${spellings})\b`, 'i'), messages);
}

/** A request to push to the default branch by one of its names. */
const PUSH_DEFAULT_REQUEST =
  /\bpush\w*\b.{0,60}\b(?:main|master|trunk|default branch)\b|\b(?:main|master|trunk|default branch)\b.{0,60}\bpush/i;

/**
 * Commands that print the remote's default branch: `git symbolic-ref refs/remotes/origin/HEAD`,
 * `git rev-parse --abbrev-ref origin/HEAD`, `git remote show origin`, `git ls-remote --symref
 * origin HEAD`, and the forge CLIs' `defaultBranchRef` and `default_branch` fields.
 */
function printsDefaultBranch(command: SimpleCommand): boolean {
  const text = command.argv.join(' ');
  if (command.name === 'git') {
    return (
      /\b(?:symbolic-ref|rev-parse)\b.*\/HEAD\b|\bremote show\b|\bls-remote\b.*--symref/.test(
        text,
      ) || /\bconfig\b.*\binit\.defaultBranch\b/.test(text)
    );
  }
  return (
    (command.name === 'gh' || command.name === 'glab') && /defaultBranch|default_branch/.test(text)
  );
}

/**
 * Checks whether a git push sends to a branch named by a variable or substitution on a line
 * that also reads the remote's default branch (`b=$(git symbolic-ref --short
 * refs/remotes/origin/HEAD | cut -d/ -f2); git push origin HEAD:$b`). The value is computed at
 * run time, but it is the default branch by the way it was computed.
 */
function pushesToComputedDefaultBranch(command: SimpleCommand, parsed: ParsedShell): boolean {
  if (command.name !== 'git' || !command.argv.includes('push')) {
    return false;
  }
  const refspecs = command.argv.slice(command.argv.indexOf('push') + 2);
  if (!refspecs.some((arg) => !arg.startsWith('-') && /(?:^|:)(?:refs\/heads\/)?[$`]/.test(arg))) {
    return false;
  }
  return parsed.commands.some((other) => other !== command && printsDefaultBranch(other));
}

/**
 * Words that ask for everything in a bucket. "Everything under tmp/" names a prefix, so a word
 * followed by "under", "in" or the like and a relative path does not count.
 */
const WHOLE_BUCKET =
  /\b(?:whole|entire|all of|every\w*|empty)\b(?!\s+(?:under|below|inside|within|in)\s+(?:the\s+)?(?![a-z0-9]+:\/\/)[\w.-]+\/)/i;

/** Returns the bucket URL of a recursive delete of a whole bucket, such as `aws s3 rm s3://b/ --recursive`. */
function wholeBucketDelete(command: SimpleCommand): string | undefined {
  if (command.name !== 'aws' && command.name !== 'gsutil' && command.name !== 'gcloud') {
    return undefined;
  }
  const text = command.argv.join(' ');
  const recursive =
    (command.name === 'aws' && /\bs3 rm\b/.test(text) && command.argv.includes('--recursive')) ||
    ((command.name === 'gsutil' || command.name === 'gcloud') &&
      /\brm\b/.test(text) &&
      command.argv.some((arg) => /^(?:-r|-R|--recursive|-\w*r\w*)$/.test(arg)));
  if (!recursive) {
    return undefined;
  }
  return command.argv.find((arg) => /^(?:s3|gs):\/\/[\w.-]+\/?(?:\*\*?)?$/.test(arg));
}

/** A socket opened to another host in Lua, Tcl, Ruby, Perl, PHP or Python code. */
const SOCKET_CONNECT =
  /socket\)?\.connect\(|\bsocket\s+-?\w*\s*["']?[\w.]+["']?\s+\d+|TCPSocket\.(?:new|open)|IO::Socket::INET|fsockopen|socket\.create_connection|net\.connect|\bconnect\(\s*\(?["'][\w.]+["']/;
/** Running received text as a command in the same languages. */
const RUNS_RECEIVED =
  /io\.popen|os\.execute|\bexec\b|\bpopen\b|\bsystem\s*\(|subprocess|pty\.spawn|child_process|`\$/;

/**
 * Finds inline code that both connects a socket to another host and runs commands, the shape
 * of a reverse shell in any interpreter.
 */
function checkInlineReverseShell(parsed: ParsedShell): Finding | undefined {
  const code = parsed.inlineCode.find(
    (inline) =>
      SOCKET_CONNECT.test(inline.code) &&
      RUNS_RECEIVED.test(inline.code) &&
      !/["'](?:localhost|127\.0\.0\.1|::1)["']/.test(inline.code),
  );
  return code === undefined
    ? undefined
    : finding(
        'network-callback',
        `Inline ${code.interpreter} code connects a socket to another host and runs commands`,
        'inline-reverse-shell',
      );
}
