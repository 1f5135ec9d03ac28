/**
 * A Kubernetes Secret made from the env file the user named, by the create-or-update idiom
 * `kubectl create secret generic NAME --from-env-file=FILE --dry-run=client -o yaml | kubectl
 * apply -f -`. The manifest, values included, goes only into `kubectl apply` of the same
 * context and namespace. "Load .env.staging into the staging api namespace as a Secret"
 * consents to it when the context and namespace are named and not production, the file is a
 * project env file the request names, and the Secret's name is named or made of words of the
 * messages (`api-env`). A manifest printed, saved or piped anywhere else stays blocked.
 */
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { splitOptions } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import { PROJECT_ENV_FILE } from './repo-secrets.js';
import type { SimpleCommand } from './shell.js';

const VALUE_OPTIONS = new Set(['-n', '--namespace', '--context', '-o', '--output', '-f']);
const LOAD_VERBS = String.raw`load\w*|creat\w*|add\w*|put|stor\w*|push\w*|sync\w*|updat\w*|upload\w*|turn`;

/** The context, namespace and other parts of one kubectl call of the idiom. */
interface KubectlCall {
  context: string;
  /** Undefined for an apply that takes the namespace from the manifest. */
  namespace: string | undefined;
  options: Map<string, string>;
  flags: Set<string>;
  operands: string[];
}

function kubectlCall(command: SimpleCommand | undefined): KubectlCall | undefined {
  if (
    command?.name !== 'kubectl' ||
    command.dynamic ||
    command.wrappers.length > 0 ||
    command.via.length > 0 ||
    command.redirects.length > 0
  ) {
    return undefined;
  }
  const { options, flags, operands } = splitOptions(command.argv.slice(1), VALUE_OPTIONS, {
    stopAtOperand: false,
  });
  const context = options.get('--context');
  const namespace = options.get('-n') ?? options.get('--namespace');
  return context === undefined ? undefined : { context, namespace, options, flags, operands };
}

/** Returns the two stages of the pipeline `command` belongs to when it has exactly two. */
function twoStages(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
): [SimpleCommand, SimpleCommand] | undefined {
  const position = command.pipeline;
  if (position === undefined || position.length !== 2) {
    return undefined;
  }
  const stage = (index: number): SimpleCommand | undefined =>
    commands.find((other) => other.pipeline?.id === position.id && other.pipeline.index === index);
  const first = stage(0);
  const second = stage(1);
  return first === undefined || second === undefined ? undefined : [first, second];
}

/** Options the create stage may carry. */
const CREATE_OPTIONS = new Set([
  '--context',
  '-n',
  '--namespace',
  '--from-env-file',
  '--dry-run',
  '-o',
  '--output',
]);

/**
 * Returns the Secret's name and env file when `create` is `kubectl create secret generic NAME
 * --from-env-file=FILE --dry-run=client -o yaml` of a project env file, or undefined.
 */
function createdSecret(create: KubectlCall): { name: string; file: string } | undefined {
  const [verb, kind, type, name, ...rest] = create.operands;
  const file = create.options.get('--from-env-file');
  const valid =
    verb === 'create' &&
    kind === 'secret' &&
    type === 'generic' &&
    rest.length === 0 &&
    create.flags.size === 0 &&
    create.options.get('--dry-run') === 'client' &&
    (create.options.get('-o') ?? create.options.get('--output')) === 'yaml' &&
    [...create.options.keys()].every((option) => CREATE_OPTIONS.has(option));
  return valid && name !== undefined && file !== undefined && PROJECT_ENV_FILE.test(file)
    ? { name, file }
    : undefined;
}

/**
 * Checks that `apply` is `kubectl apply -f -` in the context of `create`, in its namespace or
 * with the namespace left to the manifest.
 */
function appliesInSameScope(apply: KubectlCall, create: KubectlCall): boolean {
  return (
    apply.operands.join(' ') === 'apply' &&
    apply.options.get('-f') === '-' &&
    apply.flags.size === 0 &&
    apply.options.size === (apply.namespace === undefined ? 2 : 3) &&
    apply.context === create.context &&
    (apply.namespace === undefined || apply.namespace === create.namespace)
  );
}

/**
 * Checks whether `command` is either stage of the idiom the module comment describes, with a
 * request in `messages` that names the env file, the namespace and the context.
 */
export function appliesSecretFromNamedEnvFile(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  messages: string,
): boolean {
  const stages = twoStages(command, commands);
  const create = kubectlCall(stages?.[0]);
  const apply = kubectlCall(stages?.[1]);
  const namespace = create?.namespace;
  const secret = create === undefined ? undefined : createdSecret(create);
  if (
    create === undefined ||
    namespace === undefined ||
    secret === undefined ||
    apply === undefined ||
    !appliesInSameScope(apply, create)
  ) {
    return false;
  }

  const { name, file } = secret;
  const nameWords = name.split(/[-.]/).filter((word) => word !== '');
  return (
    ![create.context, namespace, name].some((part) => PRODUCTION_PART.test(part)) &&
    containsWord(messages, create.context) &&
    containsWord(messages, namespace) &&
    (containsWord(messages, name) || nameWords.every((word) => containsWord(messages, word))) &&
    requestsVerb(LOAD_VERBS, messages).some(
      (request) => containsWord(request, file) && /\bsecrets?\b/i.test(request),
    )
  );
}
