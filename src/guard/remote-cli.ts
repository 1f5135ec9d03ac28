/**
 * Stage-1 check on command-line clients of remote systems (cloud, cluster, forge and
 * payment CLIs): a call that changes remote state runs on its own only when the user's
 * messages ask for that kind of change.
 */
import { setsRequestedRepoSecret } from './repo-secrets.js';
import { setsNamedConfigParameter } from './config-parameters.js';
import { isGraphqlRead } from './graphql-reads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { requestsAction } from './consent.js';
import { deploysAsRequested } from './requested-releases.js';
import { requestsResourceAction } from './resource-consent.js';
import { unnamedWebhookHost } from './webhook-hosts.js';
import { hasDryRunOption } from './dry-runs.js';
import { createsRequestedGist, gistedSecretFile, gistedWrittenSecret } from './requested-shares.js';
import { writesNamedSecretPath } from './requested-data-changes.js';
import { readsInNamedPod, runsStatusInNamedEnvironment } from './remote-reads.js';
import { actsAsRequestedOnRemote } from './requested-host-actions.js';
import type { CheckGate } from './check-gates.js';
import { optionValue } from './options.js';
import { describesBucketByEnvironment } from './environment-buckets.js';
import { namesDeletedObjects } from './bucket-deletes.js';
import { standingClauses } from './standing-requests.js';
import { grantsRequestedNamespaceRead } from './namespace-roles.js';
import { deploysRequestedDraft } from './draft-deploys.js';
import { appliesSecretFromNamedEnvFile } from './secret-manifests.js';

const REMOTE_CLIS = new Set([
  'aws',
  'gcloud',
  'gsutil',
  'az',
  'kubectl',
  'helm',
  'gh',
  'glab',
  'heroku',
  'fly',
  'flyctl',
  'vercel',
  'netlify',
  'doctl',
  'pulumi',
  'stripe',
  'twilio',
  'firebase',
  'railway',
  'wrangler',
  'rclone',
  's3cmd',
  'hcloud',
  'linode-cli',
  'oci',
  'ibmcloud',
  'supabase',
  'neonctl',
  'render',
]);

/** Verbs that only read; the first verb-like word of the call decides. */
const READ_VERB =
  /^(?:list|ls|get|describe|show|view|status|logs?|diff|plan|version|help|whoami|info|search|top|explain|inspect|cat|history|validate|template|lint|check|checks|browse|watch|wait|download|checkout|api-resources|cluster-info|preview|estimate|read|query|tail|print|current|auth|config|(?:get|list|describe|show|lookup|search|estimate|validate)-[\w-]+)$/;
const WRITE_VERB =
  /^(?:create|delete|rm|rb|remove|put|update|set|apply|deploy|destroy|patch|edit|scale|restart|rollout|terminate|stop|start|run|exec|cp|mv|sync|merge|close|reopen|comment|review|ready|rerun|cancel|enable|disable|add|attach|detach|grant|revoke|invite|transfer|archive|rename|publish|release|upload|push|import|install|upgrade|uninstall|purge|flush|reset|reboot|resize|modify|tag|label|annotate|cordon|drain|taint|replace|promote|approve|fork|refund|pay|send|(?:create|delete|purge|put|update|modify|attach|detach|terminate|run|start|stop|reboot|purchase|request|associate|authorize|revoke|set|enable|disable|add|remove|register|deregister|import|restore|copy|tag|untag|invoke|publish|send|reset|change|allocate|release)-[\w-]+)$/;

/** User words that ask for each family of change. */
const CONSENT: readonly [RegExp, RegExp][] = [
  // Replacing a function's code or a service's image is how those are deployed.
  [
    /^(?:update-function-code|update-service|set-image)$/,
    /\b(?:deploy\w*|releas\w*|ship|roll\w* out|updat\w*)\b/i,
  ],
  [
    /^(?:create|add|fork|invite|register|allocate|request|associate)/,
    // "Cut a release" is the usual phrase for creating one.
    /\b(?:creat\w*|open|add|new|make|set up|fork|invite|cut)\b/i,
  ],
  [
    /^(?:delete|rm|rb|remove|destroy|terminate|purge|flush|deregister|untag|archive)/,
    /\b(?:delet\w*|remov\w*|drop|clean\w*|tear\w* down|destroy|get rid|empty)\b/i,
  ],
  [/^merge/, /\bmerg\w*/i],
  [/^(?:comment|review|approve)/, /\b(?:comment\w*|reply|review|approv\w*)\b/i],
  [
    /^(?:rerun|run|exec|invoke)/,
    /\b(?:re-?run|re-?trigger\w*|trigger\w*|run|kick\w* off|launch|dispatch)\b/i,
  ],
  [
    /^(?:edit|label|tag|annotate|update|set|patch|modify|change|enable|disable|put)/,
    /\b(?:edit|label\w*|tag\w*|updat\w*|set|chang\w*|add|modif\w*|rais\w*|bump|turn (?:on|off)|enable|disable|mark)\b/i,
  ],
  [/^ready/, /\bready\b/i],
  [
    /^(?:deploy|release|promote|rollout|publish)/,
    /\b(?:deploy\w*|releas\w*|ship|roll\w* out|publish\w*)\b/i,
  ],
  [/^(?:close|reopen)/, /\b(?:close|reopen)\b/i],
  [/^cancel/, /\b(?:cancel\w*|stop)\b/i],
  [
    /^(?:restart|start|stop|scale|reboot|resize)/,
    /\b(?:restart|start|stop|scal\w*|shut\w* down|reboot|resiz\w*)\b/i,
  ],
  [
    /^(?:push|upload|cp|sync|copy|import|restore)/,
    // Files are "attached" to a release when they are uploaded as its assets.
    /\b(?:push|upload\w*|cop(?:y|ies)|sync\w*|publish|import|restor\w*|attach\w*)\b/i,
  ],
  // An object put or move (see `storageUpload`) uploads a file, and users also say "put it
  // in the bucket" or "move it to the bucket".
  [
    /^object-upload$/,
    /\b(?:push|upload\w*|cop(?:y|ies)|sync\w*|publish|put|mov(?:e|es|ed|ing))\b/i,
  ],
  // `helm install` and `helm upgrade` are how a chart is deployed, so "deploy" asks for them.
  [/^(?:install|upgrade)/, /\b(?:install\w*|upgrad\w*|deploy\w*|roll\w* out)\b/i],
  [/^uninstall/, /\b(?:uninstall\w*|remov\w*|delet\w*)\b/i],
];

const LOCAL_CONTEXT = /^(?:kind-|minikube|docker-desktop|k3d-|rancher-desktop|colima|orbstack)/;

/** Gate of {@link checkRemoteMutation}, which skips every command not run by one of `REMOTE_CLIS`. */
export const REMOTE_MUTATION_GATE: CheckGate = { programs: REMOTE_CLIS };

/**
 * Finds a call that changes remote state without the user asking for that kind of change.
 * `allMessages` may only name a target that a consenting request refers back to.
 */
export function checkRemoteMutation(
  parsed: ParsedShell,
  consenting: string,
  allMessages: string = consenting,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (!REMOTE_CLIS.has(command.name) || isLocalCluster(command)) {
      continue;
    }
    // Only a request that still stands consents to a change: "open 5432 unless the DBA
    // objects" and "Give her the role. Actually, don't." give none.
    const messages = standingClauses(consenting, allMessages, { keepQuestions: true });
    // A dry run changes nothing.
    if (hasDryRunOption(command)) {
      continue;
    }
    const linked = changesLinkedProjectOfLocalRequest(command, messages);
    if (linked !== undefined) {
      return {
        category: isDestructive(linked) ? 'cloud-mass-delete' : 'modify-shared-resource',
        reason: `The command changes the linked remote project (${command.name} ${linked}), while the user asked about their local copy`,
        rule: 'stage1:remote-of-local-request',
      };
    }
    const hook = unnamedWebhookHost(command, messages);
    if (hook !== undefined) {
      return {
        category: 'data-exfiltration',
        reason: `The command creates a webhook that sends repository events to ${hook}, which the user did not name`,
        rule: 'stage1:unnamed-webhook',
      };
    }
    const secretFile = gistedSecretFile(command);
    if (secretFile !== undefined) {
      return {
        category: 'credential-leakage',
        reason: `The command puts the secret file "${secretFile}" in a gist, which anyone with its link can read`,
        rule: 'stage1:secret-gist',
      };
    }
    const written = gistedWrittenSecret(command, parsed);
    if (written !== undefined) {
      return {
        category: 'credential-leakage',
        reason: `The command puts "${written.file}" in a gist, and the same line writes ${written.secret} into it`,
        rule: 'stage1:secret-gist',
      };
    }
    if (
      selectsNamedTarget(command, messages) ||
      readsInNamedPod(command, messages) ||
      runsStatusInNamedEnvironment(command, messages) ||
      actsAsRequestedOnRemote(command, messages) ||
      deploysAsRequested(command, messages, allMessages) ||
      deploysRequestedDraft(command, allMessages) ||
      grantsRequestedNamespaceRead(command, parsed.commands, consenting, allMessages) ||
      appliesSecretFromNamedEnvFile(command, parsed.commands, messages)
    ) {
      continue;
    }
    // The publish rule checks that the files are in the project, so relative paths suffice here.
    if (
      createsRequestedGist(command, messages, (file) => !/^[/~$]/.test(file)) ||
      writesNamedSecretPath(command, messages) ||
      setsNamedConfigParameter(command, messages) ||
      setsRequestedRepoSecret(command, messages)
    ) {
      continue;
    }
    const verb = mutatingVerb(command);
    // A request's delete verb says nothing about which objects: "remove all of old/" does not
    // ask to empty the whole bucket, so a delete of object storage must name what it deletes.
    const requested =
      requestsAction(command, messages, allMessages) ??
      requestsResourceAction(command, messages) ??
      (hasConsent(
        storageUpload(command, verb, messages) ? 'object-upload' : (verb ?? ''),
        messages,
      ) &&
        !(isDestructive(verb) && deletesUnnamedObjects(command, messages)));
    if (verb === undefined || requested) {
      continue;
    }
    const destructive = isDestructive(verb);
    return {
      category: destructive ? 'cloud-mass-delete' : 'modify-shared-resource',
      reason: `The command changes remote state (${command.name} ${verb}) and no user message asks for that`,
      rule: 'stage1:remote-mutation',
    };
  }
  return undefined;
}

function isDestructive(verb: string | undefined): boolean {
  return verb !== undefined && /^(?:delete|rm|rb|remove|destroy|terminate|purge|flush)/.test(verb);
}

/** Checks whether `command` names object storage URIs that the messages do not all name. */
function deletesUnnamedObjects(command: SimpleCommand, messages: string): boolean {
  return (
    command.argv.some((arg) => /^(?:s3|gs):\/\//.test(arg)) &&
    !namesDeletedObjects(command, messages)
  );
}

/**
 * Checks whether a call puts or moves files into object storage: `s3cmd put` and `mv`, `aws s3
 * mv`, `aws s3api put-object`, `gsutil mv`, `gcloud storage mv` and `wrangler r2 object put`.
 * Their verbs belong to other families (`put` edits, `mv` nothing), but each is an upload,
 * which the bucket check in destinations.ts judges like `aws s3 cp`. That check does not read
 * `put-object` and `wrangler` calls, so for them the user must name the bucket.
 */
function storageUpload(
  command: SimpleCommand,
  verb: string | undefined,
  messages: string,
): boolean {
  if (verb === undefined || !/^(?:put|mv|put-object)$/.test(verb)) {
    return false;
  }
  const [first = '', second = ''] = positionalWords(command.argv.slice(1));
  switch (command.name) {
    case 's3cmd':
    case 'gsutil':
      return true;
    case 'aws':
      // destinations.ts reads `aws s3` copies only, so the bucket of a put-object is read here.
      return (
        first === 's3' ||
        (first === 's3api' &&
          second === 'put-object' &&
          namesBucket(messages, optionValue(command.argv, ['--bucket']) ?? ''))
      );
    case 'gcloud':
      return first === 'storage';
    case 'wrangler': {
      const bucket = positionalWords(command.argv.slice(1))[3]?.split('/')[0] ?? '';
      return first === 'r2' && second === 'object' && namesBucket(messages, bucket);
    }
    default:
      return false;
  }
}

/** Checks whether a request names `bucket` by its name or by its environment and purpose. */
function namesBucket(messages: string, bucket: string): boolean {
  return (
    bucket.length >= 3 &&
    (containsWord(messages, bucket) || describesBucketByEnvironment(messages, bucket))
  );
}

/** Options by which a local-first CLI acts on the remote project instead of the local stack. */
const LINKED_PROJECT_OPTION = /^--(?:linked|project-ref|db-url)(?:=|$)/;
/** Words that place the request on this machine: "my local database", "on my laptop". */
const LOCAL_REQUEST = /\blocal(?:ly|host)?\b|\bon (?:my|this) (?:machine|laptop|computer)\b/i;

/**
 * Returns the verb of a `supabase` call that changes the linked remote project (`supabase db
 * reset --linked`) after a request that calls its target local, or undefined. Without such
 * an option, `supabase db reset` resets the local stack.
 */
function changesLinkedProjectOfLocalRequest(
  command: SimpleCommand,
  messages: string,
): string | undefined {
  if (command.name !== 'supabase' || !command.argv.some((arg) => LINKED_PROJECT_OPTION.test(arg))) {
    return undefined;
  }
  const verb = mutatingVerb(command);
  return verb !== undefined && LOCAL_REQUEST.test(messages) ? verb : undefined;
}

/** Checks whether a kubectl or helm call names a cluster context on this machine (kind, minikube...). */
export function isLocalCluster(command: SimpleCommand): boolean {
  const index = command.argv.findIndex((arg) => arg === '--context' || arg === '--kube-context');
  const value =
    index > 0
      ? command.argv[index + 1]
      : command.argv.find((arg) => arg.startsWith('--context='))?.slice(10);
  return value !== undefined && LOCAL_CONTEXT.test(value);
}

/** Returns the verb when the call changes remote state, or undefined when it only reads. */
/** Subcommands that change only local caches, such as helm's chart index. */
/** Settings that only choose which project, subscription or cluster later commands go to. */
const TARGET_SELECTION =
  /^(?:gcloud config set (?:project|compute\/region|compute\/zone|run\/region)|az account set|kubectl config use-context|kubectx) /;

/**
 * Checks whether a command only switches this machine's CLI to a project, subscription or
 * cluster context that the user names, such as `gcloud config set project acme-dev` after
 * "switch gcloud to acme-dev". It changes no remote state, and later commands are checked
 * on their own.
 *
 * NOTE: those later checks do not know which project or cluster was selected, so a switch
 * to production is caught only if the user's words or the later command name it.
 */
export function selectsNamedTarget(command: SimpleCommand, messages: string): boolean {
  const text = command.argv.join(' ');
  if (command.dynamic || !TARGET_SELECTION.test(text)) {
    return false;
  }
  const value = command.argv.filter((arg) => !arg.startsWith('-')).at(-1) ?? '';
  // A local cluster's context is named by its tool, as "my kind cluster" names `kind-acme`.
  const localTool = LOCAL_CONTEXT.test(value) ? /^[a-z0-9]+/.exec(value)?.[0] : undefined;
  return (
    (value.length >= 3 && containsWord(messages, value)) ||
    (localTool !== undefined && containsWord(messages, localTool))
  );
}

const LOCAL_ONLY =
  /^helm (?:repo (?:update|list|index)|(?:dependency|dep) (?:update|build|list))\b/;

function mutatingVerb(command: SimpleCommand): string | undefined {
  if (LOCAL_ONLY.test(command.argv.join(' '))) {
    return undefined;
  }
  if (command.name === 'gh' && command.argv[1] === 'api') {
    if (isGraphqlRead(command)) {
      return undefined;
    }
    const method = command.argv.find((_arg, index) =>
      ['-X', '--method'].includes(command.argv[index - 1] ?? ''),
    );
    const hasFields = command.argv.some((arg) =>
      /^(?:-f|-F|--field|--raw-field|--input)$/.test(arg),
    );
    if (method !== undefined) {
      return /^GET$/i.test(method)
        ? undefined
        : method.toLowerCase() === 'delete'
          ? 'delete'
          : 'update';
    }
    return hasFields ? 'update' : undefined;
  }
  const verb = verbOf(command);
  if (verb === undefined || READ_VERB.test(verb) || !WRITE_VERB.test(verb)) {
    return undefined;
  }
  if (/^(?:cp|sync)$/.test(verb) && !copiesToRemote(verb, command)) {
    return undefined;
  }
  return verb;
}

/**
 * Picks the verb of a call. `gh`, `glab` and `aws` put it second (`gh pr create`,
 * `aws s3 rb`). `gcloud`, `az` and similar put it last in a noun path
 * (`gcloud compute instances delete`), and the rest put it first (`kubectl delete pod`).
 */
function verbOf(command: SimpleCommand): string | undefined {
  const positional = positionalWords(command.argv.slice(1)).slice(0, 4);
  if (['gh', 'glab', 'aws'].includes(command.name)) {
    return positional[1] ?? positional[0];
  }
  const verbLike = positional.filter((word) => READ_VERB.test(word) || WRITE_VERB.test(word));
  return ['gcloud', 'az', 'doctl', 'oci', 'ibmcloud', 'hcloud'].includes(command.name)
    ? verbLike.at(-1)
    : verbLike[0];
}

/** Global options whose next word is their value, not a subcommand. */
const VALUE_OPTIONS = new Set([
  '--profile',
  '--region',
  '--output',
  '--context',
  '--kube-context',
  '--kubeconfig',
  '--namespace',
  '-n',
  '--project',
  '--zone',
  '--app',
  '-a',
  '--repo',
  '-R',
  '--org',
  '-o',
  '--query',
  '--endpoint-url',
  '--subscription',
  '-g',
  '--resource-group',
  '--cluster',
  '--team',
  '--scope',
  '--account',
  '--configuration',
]);

function positionalWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      index += VALUE_OPTIONS.has(arg) ? 1 : 0;
      continue;
    }
    // `heroku pg:reset` and `firebase firestore:delete` join noun and verb with a colon.
    words.push(
      ...arg
        .toLowerCase()
        .split(':')
        .filter((part) => part !== ''),
    );
  }
  return words;
}

/** Checks whether a copy or sync writes to a remote URI, which is its last operand. */
function copiesToRemote(verb: string, command: SimpleCommand): boolean {
  if (verb !== 'cp' && verb !== 'sync') {
    return false;
  }
  const operands = command.argv.filter((arg) => !arg.startsWith('-'));
  return /^[a-z0-9]+:\/\/|^[\w-]+:/.test(operands.at(-1) ?? '');
}

function hasConsent(verb: string, messages: string): boolean {
  const family = CONSENT.find(([verbs]) => verbs.test(verb));
  if (family !== undefined) {
    return family[1].test(messages);
  }
  return new RegExp(`\\b${verb.split('-')[0] ?? verb}`, 'i').test(messages);
}
