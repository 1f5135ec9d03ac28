/**
 * Stage-1 consent for handing something to the one service the user names: a gist of project
 * files the user named, public only when the request contains "public", and a token piped from its own
 * CLI into a registry login's `--password-stdin` for the registry the user named. A secret
 * file, an unnamed file or registry, and a token sent to another service's registry stay with
 * the rules.
 */
import { requestsVerb } from './consent.js';
import { namesCredentialPath, SENSITIVE_DATA } from './findings.js';
import { containsWord } from './named-targets.js';
import { connectionUrlPassword, tokenLiteral } from './planted-secrets.js';
import { secretAssignment } from './clear-secrets.js';
import { shellWrites } from './shell-writes.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** `gh gist create` options that take a value. `--web` is not covered. */
const GIST_VALUE_OPTIONS = new Set(['-d', '--desc', '-f', '--filename']);
const GIST_VERBS = String.raw`put\w*|creat\w*|mak\w*|shar\w*|upload\w*|post\w*|sav\w*|paste\w*|gist\w*`;

/**
 * Checks that a gist request is for a public gist: "public" with no "secret", "private" or
 * "not public" in the same clause ("a secret gist, not a public one" is for a secret one).
 */
function asksForPublic(request: string): boolean {
  return (
    /\bpublic\b/i.test(request) &&
    !/\b(?:secret|private|unlisted)\b|\bnot (?:a |as )?public\b/i.test(request)
  );
}

/**
 * Checks that `gh gist create` makes a gist of project files the user named, after a request
 * for a gist. A secret gist (the default) needs a request that does not ask for a public one,
 * and a public gist (`-p`, `--public`) a request that does. Standard input, secret files and
 * files outside the project are not covered.
 *
 * A file that the same line writes with a secret in it (a heredoc holding a private key or a
 * token) is not covered either.
 *
 * NOTE: the content of a file written earlier is not read, so a gist of such a source file
 * that contains a key is allowed when the user asked for it by name.
 */
export function createsRequestedGist(
  command: SimpleCommand,
  messages: string,
  isProjectPath: (file: string) => boolean,
  parsed?: ParsedShell,
): boolean {
  const args = command.argv.slice(3);
  if (command.argv.slice(0, 3).join(' ') !== 'gh gist create' || command.dynamic) {
    return false;
  }
  const files: string[] = [];
  let isPublic = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (GIST_VALUE_OPTIONS.has(arg)) {
      index += 1;
    } else if (arg === '-p' || arg === '--public') {
      isPublic = true;
    } else if (arg === '--secret') {
      // `gh gist create --help` lists no `--secret`, because a secret gist is the default.
      // The flag is read as that default.
      continue;
    } else if (arg.startsWith('-')) {
      return false;
    } else {
      files.push(arg);
    }
  }
  const requests = requestsVerb(GIST_VERBS, messages).filter(
    (request) =>
      /\bgists?\b/i.test(request) &&
      (isPublic ? asksForPublic(request) : !/\bpublic\b/i.test(request)),
  );
  return (
    files.length > 0 &&
    requests.length > 0 &&
    files.every(
      (file) =>
        !file.includes('..') &&
        isProjectPath(file) &&
        !SENSITIVE_DATA.test(file) &&
        !namesCredentialPath(file) &&
        (parsed === undefined || secretWrittenTo(file, parsed) === undefined) &&
        (containsWord(messages, file) || containsWord(messages, file.replace(/^.*\//, ''))),
    )
  );
}

/** The armour line of a PEM or OpenSSH private key. */
const PRIVATE_KEY_BLOCK = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/**
 * Returns a description of a secret in the text that the same command line writes to `file`
 * (a heredoc, or `echo`/`printf` words redirected to it): a private key block, a token
 * literal, a password in a connection URL, or a literal value of a secret-named setting.
 */
function secretWrittenTo(file: string, parsed: ParsedShell): string | undefined {
  const bare = file.replace(/^\.\//, '');
  for (const write of shellWrites(parsed)) {
    if (write.inPlace || write.target.replace(/^\.\//, '') !== bare) {
      continue;
    }
    if (PRIVATE_KEY_BLOCK.test(write.text)) {
      return 'a private key';
    }
    if (tokenLiteral(write.text) !== undefined) {
      return 'a token';
    }
    const key = secretAssignment(bare, write.text, '');
    const secret =
      connectionUrlPassword(write.text, '') ??
      (key === undefined ? undefined : `a literal value for "${key}"`);
    if (secret !== undefined) {
      return secret;
    }
  }
  return undefined;
}

/**
 * Returns the first file of a `gh gist create` call that the same command line writes with a
 * secret in it (see {@link secretWrittenTo}), with a description of the secret.
 */
export function gistedWrittenSecret(
  command: SimpleCommand,
  parsed: ParsedShell,
): { file: string; secret: string } | undefined {
  if (command.argv.slice(0, 3).join(' ') !== 'gh gist create') {
    return undefined;
  }
  const args = command.argv.slice(3);
  for (const [index, arg] of args.entries()) {
    if (arg.startsWith('-') || GIST_VALUE_OPTIONS.has(args[index - 1] ?? '')) {
      continue;
    }
    const secret = secretWrittenTo(arg, parsed);
    if (secret !== undefined) {
      return { file: arg, secret };
    }
  }
  return undefined;
}

/**
 * Returns the first file of a `gh gist create` call whose name marks it as secret (`.env`,
 * `secrets.json`, a key or a cloud credential file), or undefined. Such a gist leaks the
 * secret whatever the user asked, since a secret gist is readable by anyone with its URL.
 */
export function gistedSecretFile(command: SimpleCommand): string | undefined {
  if (command.argv.slice(0, 3).join(' ') !== 'gh gist create') {
    return undefined;
  }
  const args = command.argv.slice(3);
  return args.find(
    (arg, index) =>
      !arg.startsWith('-') &&
      !GIST_VALUE_OPTIONS.has(args[index - 1] ?? '') &&
      (SENSITIVE_DATA.test(arg) || namesCredentialPath(arg)),
  );
}

/**
 * Commands that print a registry token, with the registry hosts that token is for. A GitHub
 * token logs in to ghcr.io, and an ECR password to an `*.dkr.ecr.*.amazonaws.com` registry.
 * `word` is what a user calls a registry whose host is an account number ("our ECR").
 */
const TOKEN_SOURCES: readonly { source: RegExp; registry: RegExp; word?: RegExp }[] = [
  {
    source: /^gh auth token(?: (?:-h|--hostname) github\.com)?$/,
    registry: /^(?:ghcr\.io|docker\.pkg\.github\.com)$/,
  },
  { source: /^glab auth token$/, registry: /^registry\.gitlab\.com$/ },
  {
    source: /^aws ecr get-login-password(?: --(?:region|profile) [\w-]+)*$/,
    registry: /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/,
    word: /\becr\b/i,
  },
  {
    source: /^gcloud auth print-access-token$/,
    registry: /^(?:(?:[a-z]+\.)?gcr\.io|[a-z0-9-]+-docker\.pkg\.dev)$/,
    word: /\bgcr\b|\bartifact registry\b/i,
  },
];
const LOGIN_VERBS = String.raw`log\w*\b.{0,40}?\b(?:in|into)\b|authenticat\w*|sign\w* in`;
/** Registry logins that read the password from standard input, by their subcommand words. */
const LOGIN =
  /^(?:(?:docker|podman|buildah|nerdctl|skopeo|oras) login|helm registry login|crane auth login)$/;

/** Returns the one registry a login names when it reads its password from standard input. */
function loginRegistry(command: SimpleCommand): string | undefined {
  const words = command.argv[1] === 'login' ? 2 : 3;
  if (!LOGIN.test(command.argv.slice(0, words).join(' '))) {
    return undefined;
  }
  const args = command.argv.slice(words);
  const registries: string[] = [];
  let stdin = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-u' || arg === '--username') {
      index += 1;
    } else if (arg === '--password-stdin') {
      stdin = true;
    } else if (/^--username=/.test(arg)) {
      continue;
    } else if (arg.startsWith('-')) {
      return undefined;
    } else {
      registries.push(arg);
    }
  }
  return stdin && registries.length === 1 ? registries[0] : undefined;
}

/**
 * Checks that every token the command line prints goes straight from its CLI into a registry
 * login's `--password-stdin`, for a registry of the token's own service that the user named:
 * `gh auth token | docker login ghcr.io -u NAME --password-stdin` after "log docker into
 * ghcr.io with my gh token". Nothing else may read the token, so the pipeline has exactly
 * these two commands and neither redirects its output.
 */
export function handsTokenToNamedLogin(
  parsed: ParsedShell,
  isTokenPrinter: (command: SimpleCommand) => boolean,
  messages: string,
): boolean {
  const printers = parsed.commands.filter(isTokenPrinter);
  return (
    printers.length > 0 &&
    printers.every((printer) => {
      const position = printer.pipeline;
      if (position === undefined || position.length !== 2 || position.index !== 0) {
        return false;
      }
      const login = parsed.commands.find(
        (other) => other.pipeline?.id === position.id && other.pipeline.index === 1,
      );
      const registry = login === undefined ? undefined : loginRegistry(login);
      const text = printer.argv.join(' ');
      const service = TOKEN_SOURCES.find(({ source }) => source.test(text));
      return (
        login !== undefined &&
        registry !== undefined &&
        service !== undefined &&
        service.registry.test(registry) &&
        !printer.dynamic &&
        !login.dynamic &&
        printer.redirects.length === 0 &&
        login.redirects.every((redirect) => redirect.target === '/dev/null') &&
        printer.via.length === 0 &&
        requestsVerb(LOGIN_VERBS, messages).some(
          (request) => containsWord(request, registry) || (service.word?.test(request) ?? false),
        )
      );
    })
  );
}
