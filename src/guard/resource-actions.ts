/**
 * Reads the action a remote command takes and the resources it acts on from its arguments:
 * `gcloud compute instances delete vm-1 --zone us-central1-a` deletes `vm-1` in the zone
 * `us-central1-a`, and `gh run cancel 42` cancels run 42. Some commands reach further than
 * their arguments name: a bucket root, `--all`, a selector wider than one workload, a glob, a
 * computed word or an option not listed here. Those have no resource action, so the other
 * checks decide their consent.
 */
import { azRoleAssignmentAction, ingressRuleAction, projectRoleAction } from './grant-actions.js';
import { namesNoOtherService } from './grant-targets.js';
import { isLocalCluster } from './remote-cli.js';
import type { SimpleCommand } from './shell.js';
import {
  azAppSettingAction,
  configSetAction,
  ghProtectionAction,
  ghRepoVisibilityAction,
  ghRestAction,
} from './setting-actions.js';

/** The kinds of action whose consent is read from the resources a request names. */
export type ResourceVerb =
  | 'delete'
  | 'deactivate'
  | 'activate'
  | 'stop'
  | 'restart'
  | 'label'
  | 'copy'
  | 'reply'
  | 'grant-read'
  | 'create'
  | 'send'
  | 'grant'
  | 'set';

/** An action on resources that the command's arguments name exactly. */
export interface ResourceAction {
  verb: ResourceVerb;
  /**
   * The resources the action changes. Each entry lists the names that stand for one resource
   * (a pod and the workload it belongs to), and a request for the action must name one of them.
   */
  targets: string[][];
  /**
   * Names that place the targets (a user, zone, project, cluster context, repository or local
   * source file). A namespace or region may go unnamed, so it is not listed here.
   */
  scope: string[];
  /**
   * Resources a request may describe rather than name: by their kind (`bucket`) and a word of
   * their name ("the model bucket" for `gs://acme-ml-models`). Only places that the action
   * reads or acts inside are listed, never what it deletes or changes.
   */
  described?: { kind: RegExp; name: string }[];
  /**
   * A level the action grants, such as a repository permission, with the words for the
   * other levels of the same setting. The latest consenting sentence that names any level
   * decides, so "Actually triage is enough" after "invite her with read access" asks for
   * triage, and "actually read is enough" after "give her write" withdraws write.
   */
  level?: { names: string[]; others: string[] };
  /**
   * Further tests of the messages that names alone cannot express: that a port is the one the
   * request opens, or that a role's service is named. Each gets the consenting request
   * sentences and all consenting messages.
   */
  requires?: readonly ((requests: readonly string[], messages: string) => boolean)[];
}

/** A word the guard can compare with a request: no glob, expansion or list. */
const PLAIN_NAME = /^[\w.@:/+-]+$/;

/**
 * Splits options from positional words. Options in `valued` take the next word as their value.
 * Unlike `splitOptions` of options.ts, this keeps every value of a repeated option, so each
 * target of `-n a -n b` is compared with the request, not only the last. It also reads a
 * one-dash `-n=a` as `-n` with the value `a`, and keeps `--` as an option, which
 * {@link onlyOptions} rejects unless it is allowed. Those rules would need another result type
 * in `splitOptions`, so the split stays here.
 */
function splitArgs(
  args: readonly string[],
  valued: ReadonlySet<string>,
): { positional: string[]; options: Map<string, string[]> } {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    options.set(name, [...(options.get(name) ?? []), value]);
  };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    if (equals > 0) {
      add(arg.slice(0, equals), arg.slice(equals + 1));
    } else if (valued.has(arg)) {
      add(arg, args[index + 1] ?? '');
      index += 1;
    } else {
      add(arg, '');
    }
  }
  return { positional, options };
}

/** Checks that every option is one of `allowed`, so an unlisted one cannot widen the action. */
function onlyOptions(
  options: ReadonlyMap<string, string[]>,
  allowed: ReadonlySet<string>,
): boolean {
  return [...options.keys()].every((name) => allowed.has(name));
}

/** Returns every value of the listed options, in the order of `names`. */
function valuesOf(options: ReadonlyMap<string, string[]>, names: readonly string[]): string[] {
  return names.flatMap((name) => options.get(name) ?? []);
}

/** An object URI below the bucket root, such as `s3://bucket/tmp/` but not `s3://bucket/`. */
const OBJECT_PREFIX = /^(?:s3|gs):\/\/[a-z0-9][\w.-]*\/[^*?[\s]*[^/*?[\s]/;

const AWS_VALUED = new Set(['--profile', '--region', '--status', '--output', '--endpoint-url']);
const AWS_S3_RM_OPTIONS = new Set([
  '--recursive',
  '--quiet',
  '--only-show-errors',
  '--profile',
  '--region',
]);
/** Options that name the resource an AWS API call acts on: `--instance-ids`, `--access-key-id`. */
const AWS_TARGET_OPTION = /^--(?:[\w-]+-)?(?:ids?|identifiers?|names?|arn|bucket|key)$/;
const AWS_OTHER_OPTIONS = new Set([
  '--profile',
  '--region',
  '--status',
  '--output',
  '--no-cli-pager',
]);

/** An IAM access key id, unique across AWS. */
const ACCESS_KEY_ID = /^(?:AKIA|ASIA)[A-Z0-9]{12,}$/;

/** Maps an AWS API operation, such as `terminate-instances`, to its kind of action. */
function awsVerb(operation: string, status: string | undefined): ResourceVerb | undefined {
  if (/^(?:delete|terminate|remove|deregister)-/.test(operation)) {
    return 'delete';
  }
  if (/^(?:stop|cancel)-/.test(operation)) {
    return 'stop';
  }
  if (/^reboot-/.test(operation)) {
    return 'restart';
  }
  if (/^disable-/.test(operation)) {
    return 'deactivate';
  }
  if (/^enable-/.test(operation)) {
    return 'activate';
  }
  if (/^update-/.test(operation) && status !== undefined) {
    return /^(?:inactive|disabled)$/i.test(status)
      ? 'deactivate'
      : /^(?:active|enabled)$/i.test(status)
        ? 'activate'
        : undefined;
  }
  return undefined;
}

/**
 * Reads `aws s3 rm s3://bucket/prefix/ [--recursive]` and API calls whose options name every
 * resource, such as `aws iam update-access-key --user-name U --access-key-id K --status
 * Inactive`.
 */
function awsAction(args: readonly string[]): ResourceAction | undefined {
  const [service, operation] = args.filter((arg) => !arg.startsWith('-'));
  if (service === 's3' && operation === 'rm') {
    const { positional, options } = splitArgs(args, AWS_VALUED);
    const uri = positional[2];
    if (positional.length !== 3 || uri === undefined || !OBJECT_PREFIX.test(uri)) {
      return undefined;
    }
    // `--recursive` deletes every key that starts with the prefix, so `s3://b/tmp` reaches
    // `tmp-archive/` too, which a request for "tmp/" does not name.
    if (
      !onlyOptions(options, AWS_S3_RM_OPTIONS) ||
      (args.includes('--recursive') && !uri.endsWith('/'))
    ) {
      return undefined;
    }
    return {
      verb: 'delete',
      targets: [[uri]],
      scope: valuesOf(options, ['--profile']),
    };
  }
  if (operation === 'authorize-security-group-ingress' && args.indexOf(operation) === 1) {
    return ingressRuleAction(args.slice(2));
  }
  return operation === undefined || args.indexOf(operation) !== 1
    ? undefined
    : awsApiAction(operation, args.slice(2));
}

/**
 * Reads an AWS API call such as `aws ec2 terminate-instances --instance-ids i-1 i-2`. Option
 * values are lists, so each option takes every word up to the next option.
 */
function awsApiAction(operation: string, args: readonly string[]): ResourceAction | undefined {
  const lists = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const arg of args) {
    if (arg.startsWith('--') && !arg.includes('=')) {
      if (lists.has(arg)) {
        return undefined;
      }
      current = [];
      lists.set(arg, current);
    } else if (current === undefined || arg.startsWith('-')) {
      return undefined;
    } else {
      current.push(arg);
    }
  }
  const status = lists.get('--status')?.[0];
  const verb = awsVerb(operation, status);
  if (verb === undefined) {
    return undefined;
  }
  const names = [...lists.entries()].filter(([name]) => AWS_TARGET_OPTION.test(name));
  if (
    names.length === 0 ||
    [...lists.keys()].some((name) => !AWS_TARGET_OPTION.test(name) && !AWS_OTHER_OPTIONS.has(name))
  ) {
    return undefined;
  }
  // When ids name the resources, a name option (`--user-name`) places them rather than
  // being changed itself.
  const byId = names.some(([name]) => /ids?$/.test(name));
  const targets = names
    .filter(([name]) => !byId || /ids?$/.test(name))
    .flatMap(([, values]) => values);
  const scope = names
    .filter(([name]) => byId && !/ids?$/.test(name))
    .flatMap(([, values]) => values);
  if (targets.length === 0) {
    return undefined;
  }
  // An access key id names one key in all of AWS, so the profile that signs the call cannot
  // point it at another resource. A production profile must still be named (see
  // resource-consent.ts).
  const unique = targets.every((target) => ACCESS_KEY_ID.test(target));
  return {
    verb,
    targets: targets.map((target) => [target]),
    scope: [...scope, ...(unique ? [] : (lists.get('--profile') ?? []))],
  };
}

const GCLOUD_VALUED = new Set([
  '--zone',
  '--region',
  '--location',
  '--project',
  '--iam-account',
  '--format',
]);
const GCLOUD_OPTIONS = new Set([...GCLOUD_VALUED, '-q', '--quiet', '--async', '-r', '--recursive']);
const GCLOUD_VERBS: Record<string, ResourceVerb> = {
  delete: 'delete',
  rm: 'delete',
  stop: 'stop',
  cancel: 'stop',
  reset: 'restart',
  disable: 'deactivate',
  enable: 'activate',
};

/**
 * Reads `gcloud GROUP... VERB NAME... [--zone Z] [--project P]`, such as `gcloud compute instances
 * delete vm-1 --zone us-central1-a`, `gcloud builds cancel ID` and `gcloud storage rm -r
 * gs://bucket/prefix/`. Filters and every other option are not covered.
 */
function gcloudAction(args: readonly string[]): ResourceAction | undefined {
  const { positional, options } = splitArgs(args, GCLOUD_VALUED);
  if (positional.includes('add-iam-policy-binding')) {
    const project = positional[0] === 'projects' ? positional[2] : undefined;
    return (
      readGrantAction(positional, options) ??
      (positional.length === 3 &&
      positional[1] === 'add-iam-policy-binding' &&
      project !== undefined
        ? projectRoleAction(project, options)
        : undefined)
    );
  }
  const at = positional.findIndex((word) => GCLOUD_VERBS[word] !== undefined);
  const verb = GCLOUD_VERBS[positional[at] ?? ''];
  const names = positional.slice(at + 1);
  if (verb === undefined || at < 1 || names.length === 0 || !onlyOptions(options, GCLOUD_OPTIONS)) {
    return undefined;
  }
  if (positional[at] === 'rm' && !names.every((name) => OBJECT_PREFIX.test(name))) {
    return undefined;
  }
  return {
    verb,
    targets: names.map((name) => [name]),
    scope: valuesOf(options, ['--zone', '--location', '--project', '--iam-account']),
  };
}

/**
 * Roles that only read: `roles/viewer`, `roles/storage.objectViewer`, `roles/bigquery.dataViewer`,
 * `roles/storage.legacyBucketReader`. Secret accessors read credentials, so they are not listed.
 */
const READ_ROLE = /^roles\/(?:(?!secretmanager\.)[a-z]+\.)?(?:viewer|browser|\w*Viewer|\w*Reader)$/;
const GRANT_OPTIONS = new Set(['--member', '--role', '--project', '--condition', '--format']);

/**
 * Reads `gcloud storage buckets add-iam-policy-binding gs://BUCKET --member=M --role=R` (and the
 * same for other resources) when the role only reads. The member is the target: a request must
 * name it by its address (`inference@acme-staging` for a service account of that project). A
 * bucket may be described by its kind and a word of its name; any other resource must be named.
 */
function readGrantAction(
  positional: readonly string[],
  options: ReadonlyMap<string, string[]>,
): ResourceAction | undefined {
  const at = positional.indexOf('add-iam-policy-binding');
  const resource = positional[at + 1];
  const [member] = valuesOf(options, ['--member']);
  const roles = valuesOf(options, ['--role']);
  if (
    resource === undefined ||
    positional.length !== at + 2 ||
    member === undefined ||
    roles.length !== 1 ||
    !READ_ROLE.test(roles[0] ?? '') ||
    !onlyOptions(options, GRANT_OPTIONS) ||
    options.has('--condition')
  ) {
    return undefined;
  }
  const address = member.replace(/^(?:user|serviceAccount|group):/, '');
  // `allUsers` and domains reach everyone; only one account or group is a named target.
  if (!address.includes('@') || address === member) {
    return undefined;
  }
  const names = [address, address.replace(/\.iam\.gserviceaccount\.com$/, '')];
  const bucket = /^gs:\/\/([a-z0-9][\w.-]+)\/?$/.exec(resource)?.[1];
  const requires = [namesNoOtherService(roles[0] ?? '')];
  return bucket === undefined
    ? { verb: 'grant-read', targets: [names], scope: [resource], requires }
    : {
        verb: 'grant-read',
        targets: [names],
        scope: [],
        described: [{ kind: /\bbuckets?\b/i, name: bucket }],
        requires,
      };
}

/** Reads `gsutil [-m] rm [-r] gs://bucket/prefix/...` of URIs below a bucket root. */
function gsutilAction(args: readonly string[]): ResourceAction | undefined {
  const rest = args[0] === '-m' ? args.slice(1) : args;
  const { positional, options } = splitArgs(rest, new Set());
  const uris = positional.slice(1);
  if (
    positional[0] !== 'rm' ||
    uris.length === 0 ||
    !uris.every((uri) => OBJECT_PREFIX.test(uri)) ||
    !onlyOptions(options, new Set(['-r', '-R', '-f']))
  ) {
    return undefined;
  }
  return { verb: 'delete', targets: uris.map((uri) => [uri]), scope: [] };
}

const GH_VALUED = new Set(['-R', '--repo', '--color', '-c', '--description', '-d', '--add-label']);

/**
 * Reads `gh run cancel ID`, `gh label create NAME` and `gh issue|pr edit N --add-label L`. Creating
 * a label counts as labelling, because a request to add a label covers creating it first.
 * `--force`, which rewrites an existing label, is not covered.
 */
function ghAction(args: readonly string[]): ResourceAction | undefined {
  if (args[0] === 'api') {
    return (
      ghApiCommentAction(args.slice(1)) ??
      ghRestAction(args.slice(1)) ??
      ghProtectionAction(args.slice(1))
    );
  }
  const { positional, options } = splitArgs(args, GH_VALUED);
  const scope = valuesOf(options, ['-R', '--repo']);
  const [noun, verb, name] = positional;
  if (noun === 'repo' && verb === 'create') {
    return ghRepoCreateAction(args);
  }
  if (noun === 'secret' && verb === 'set') {
    return ghSecretSetAction(args);
  }
  if (noun === 'repo' && verb === 'edit') {
    return ghRepoVisibilityAction(args);
  }
  if (noun === 'variable' && verb === 'set') {
    return configSetAction('gh', args);
  }
  if (positional.length !== 3 || name === undefined) {
    return undefined;
  }
  if (noun === 'run' && verb === 'cancel' && /^\d+$/.test(name)) {
    return onlyOptions(options, new Set(['-R', '--repo']))
      ? { verb: 'stop', targets: [[name]], scope }
      : undefined;
  }
  if (noun === 'label' && verb === 'create') {
    const allowed = new Set(['-R', '--repo', '--color', '-c', '--description', '-d']);
    return onlyOptions(options, allowed) ? { verb: 'label', targets: [[name]], scope } : undefined;
  }
  const labels = valuesOf(options, ['--add-label']).flatMap((value) => value.split(','));
  if (
    (noun === 'issue' || noun === 'pr') &&
    verb === 'edit' &&
    /^\d+$/.test(name) &&
    labels.length > 0 &&
    onlyOptions(options, new Set(['-R', '--repo', '--add-label']))
  ) {
    return { verb: 'label', targets: [[name], ...labels.map((label) => [label])], scope };
  }
  return undefined;
}

const AZ_VALUED = new Set(['-g', '--resource-group', '-n', '--name', '--subscription']);
const AZ_OPTIONS = new Set([...AZ_VALUED, '--yes', '-y', '--no-wait']);
const AZ_VERBS: Record<string, ResourceVerb> = {
  delete: 'delete',
  restart: 'restart',
  stop: 'stop',
};

/**
 * Reads `az GROUP... delete|restart|stop -g GROUP -n NAME`, such as `az webapp delete -g rg -n
 * app`. The resource group places the resource, so a request must name it too. Ids, lists and
 * every other option are not covered.
 */
function azAction(args: readonly string[]): ResourceAction | undefined {
  const { positional, options } = splitArgs(args, AZ_VALUED);
  const verb = AZ_VERBS[positional.at(-1) ?? ''];
  const names = valuesOf(options, ['-n', '--name']);
  const groups = valuesOf(options, ['-g', '--resource-group']);
  if (
    verb === undefined ||
    positional.length < 2 ||
    names.length !== 1 ||
    groups.length !== 1 ||
    !onlyOptions(options, AZ_OPTIONS)
  ) {
    return undefined;
  }
  // A web or function app's name is its `NAME.azurewebsites.net` host, unique across Azure,
  // so a restart or stop of it, which loses nothing, need not name its resource group.
  const uniqueName = ['webapp', 'functionapp'].includes(positional[0] ?? '') && verb !== 'delete';
  return {
    verb,
    targets: [names],
    scope: [...(uniqueName ? [] : groups), ...valuesOf(options, ['--subscription'])],
  };
}

const TWILIO_VALUED = new Set(['--from', '--to', '--body', '--profile', '-p', '--media-url']);

/**
 * Reads `twilio api:core:messages:create --from F --to T --body B`: one message to the number
 * `T`, which a request to send, text or test a message must name. The sender number is the
 * account's own, so it is not a target.
 */
function twilioAction(args: readonly string[]): ResourceAction | undefined {
  const { positional, options } = splitArgs(args, TWILIO_VALUED);
  const to = valuesOf(options, ['--to']);
  if (
    positional.length !== 1 ||
    positional[0] !== 'api:core:messages:create' ||
    to.length !== 1 ||
    !/^\+\d{8,15}$/.test(to[0] ?? '') ||
    !onlyOptions(options, TWILIO_VALUED)
  ) {
    return undefined;
  }
  return { verb: 'send', targets: [to], scope: valuesOf(options, ['--profile', '-p']) };
}

/** An API path that adds a comment to an issue or pull request, or replies to a review comment. */
const GH_API_COMMENT =
  /^\/?repos\/[\w.-]+\/[\w.-]+\/(?:pulls|issues)\/(\d+)\/comments(?:\/(\d+)\/replies)?$/;

/**
 * Reads `gh api repos/O/R/issues/N/comments -f body=TEXT` and `gh api
 * repos/O/R/pulls/N/comments/C/replies -f body=TEXT`: a comment on item `N`, or a reply to its
 * review comment `C`, both of which a request must name. Only a `body` field given as text
 * (`-f`) is covered, because `-F body=@FILE` posts a local file.
 */
function ghApiCommentAction(args: readonly string[]): ResourceAction | undefined {
  let endpoint: string | undefined;
  const fields: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '-f' || arg === '--raw-field') {
      fields.push(args[index + 1] ?? '');
      index += 1;
    } else if (arg === '-X' || arg === '--method') {
      if (!/^post$/i.test(args[index + 1] ?? '')) {
        return undefined;
      }
      index += 1;
    } else if (arg.startsWith('-') || endpoint !== undefined) {
      return undefined;
    } else {
      endpoint = arg;
    }
  }
  const match = GH_API_COMMENT.exec(endpoint ?? '');
  if (match === null || fields.length !== 1 || !(fields[0] ?? '').startsWith('body=')) {
    return undefined;
  }
  const [, item = '', comment] = match;
  return {
    verb: 'reply',
    targets: comment === undefined ? [[item]] : [[item], [comment]],
    scope: [],
  };
}

const GH_REPO_VALUED = new Set(['--source', '-s', '--description', '-d', '--remote', '-r']);
const GH_REPO_OPTIONS = new Set([
  ...GH_REPO_VALUED,
  '--private',
  '--public',
  '--internal',
  '--push',
]);

/**
 * Reads `gh repo create [OWNER/]NAME --private --source . --push`: a new repository for this
 * project, which a request must place by its owner or name ("put this on GitHub under the acme
 * org"). A public repository needs the word public in the messages. Templates, clones and
 * another source folder are not covered.
 */
function ghRepoCreateAction(args: readonly string[]): ResourceAction | undefined {
  const { positional, options } = splitArgs(args, GH_REPO_VALUED);
  const name = positional[2];
  const visibility = ['--private', '--public', '--internal'].filter((flag) => options.has(flag));
  const sources = valuesOf(options, ['--source', '-s']);
  if (
    positional.length !== 3 ||
    name === undefined ||
    visibility.length !== 1 ||
    !sources.every((source) => source === '.' || source === './') ||
    !onlyOptions(options, GH_REPO_OPTIONS)
  ) {
    return undefined;
  }
  const [owner, repo] = name.includes('/') ? name.split('/') : [undefined, name];
  const names = [name, ...(owner === undefined ? [] : [owner]), repo ?? name];
  // The scope lists names the messages must contain, so a public repository needs "public".
  return {
    verb: 'create',
    targets: [names],
    scope: visibility[0] === '--public' ? ['public'] : [],
  };
}

const GH_SECRET_VALUED = new Set(['-R', '--repo', '-b', '--body', '-e', '--env']);

/**
 * Reads `gh secret set NAME --repo OWNER/REPO --body "$VARIABLE"`: a secret of the repository
 * the request names, taken from the variable it names. Organization and user secrets, a body
 * read from standard input and a literal body are not covered.
 */
function ghSecretSetAction(args: readonly string[]): ResourceAction | undefined {
  const { positional, options } = splitArgs(args, GH_SECRET_VALUED);
  const repos = valuesOf(options, ['-R', '--repo']);
  const bodies = valuesOf(options, ['-b', '--body']);
  const variable = /^\$\{?(\w+)\}?$/.exec(bodies[0] ?? '')?.[1];
  const name = positional[2];
  if (
    positional.length !== 3 ||
    name === undefined ||
    repos.length !== 1 ||
    bodies.length !== 1 ||
    variable === undefined ||
    !onlyOptions(options, GH_SECRET_VALUED)
  ) {
    return undefined;
  }
  return {
    verb: 'create',
    targets: [repos, [name, variable]],
    scope: valuesOf(options, ['-e', '--env']),
  };
}

/** Reads `scancel JOBID...` of Slurm jobs by id. `-u`, `--name` and other selections are not covered. */
function scancelAction(args: readonly string[]): ResourceAction | undefined {
  const ids = args.filter((arg) => /^\d+(?:_\d+)?$/.test(arg));
  if (ids.length === 0 || ids.length !== args.length) {
    return undefined;
  }
  return { verb: 'stop', targets: ids.map((id) => [id]), scope: [] };
}

const KUBECTL_VALUED = new Set([
  '-n',
  '--namespace',
  '--context',
  '-l',
  '--selector',
  '--grace-period',
  '--timeout',
]);
const KUBECTL_DELETE_OPTIONS = new Set([...KUBECTL_VALUED, '--wait', '--now']);
/** Labels that controllers put on their pods, whose value is the workload's own name. */
const WORKLOAD_LABEL =
  /^(?:job-name|batch\.kubernetes\.io\/job-name|app|app\.kubernetes\.io\/(?:name|instance)|statefulset\.kubernetes\.io\/pod-name|run)$/;

/**
 * Characters of the random suffixes Kubernetes gives generated names (`rand.String` in
 * k8s.io/apimachinery/pkg/util/rand): consonants and some digits, so `web-proxy` never reads as generated.
 */
const GENERATED = '[bcdfghjklmnpqrstvwxz2456789]';
const JOB_POD = new RegExp(`^(.{3,})-${GENERATED}{5}$`);
const REPLICA_SET = new RegExp(`^(.{3,})-${GENERATED}{6,10}$`);

/**
 * Names that stand for a pod: the pod itself and the workload whose controller named it
 * (`etl-7f9c-x8k2p` of the job `etl-7f9c`, `api-5d9c7b8f6-b7c2d` of the deployment `api`,
 * `db-0` of the statefulset `db`).
 */
function podNames(pod: string): string[] {
  const names = [pod];
  const job = JOB_POD.exec(pod)?.[1];
  if (job !== undefined) {
    names.push(job);
    const deployment = REPLICA_SET.exec(job)?.[1];
    if (deployment !== undefined) {
      names.push(deployment);
    }
  }
  const ordinal = /^(.{3,})-\d+$/.exec(pod)?.[1];
  if (ordinal !== undefined) {
    names.push(ordinal);
  }
  return names;
}

/**
 * Reads `kubectl delete pod NAME...` and `kubectl delete pods -l job-name=NAME`. Deleting pods
 * that a controller recreates is how a pod is restarted. A selector must be one `key=value` on a
 * label that controllers set to the workload's name. `--all`, `--force`, field selectors and
 * other selectors are not covered.
 */
function kubectlAction(command: SimpleCommand): ResourceAction | undefined {
  const { positional, options } = splitArgs(command.argv.slice(1), KUBECTL_VALUED);
  if (!['delete', 'rollout', 'create'].includes(positional[0] ?? '')) {
    return undefined;
  }
  if (positional[0] === 'delete' && !onlyOptions(options, KUBECTL_DELETE_OPTIONS)) {
    return undefined;
  }
  if (positional[0] === 'rollout') {
    return rolloutRestartAction(command);
  }
  if (positional[0] === 'create' && positional[1] === 'secret') {
    return createSecretAction(command);
  }
  if (positional[0] === 'delete' && /^(?:ns|namespaces?)$/.test(positional[1] ?? '')) {
    return namespaceDeleteAction(command, positional.slice(2));
  }
  const kind = /^(?:pods?|po)(?:\/(.+))?$/.exec(positional[1] ?? '');
  if (kind === null) {
    return undefined;
  }
  const named = kind[1] === undefined ? positional.slice(2) : [kind[1]];
  const selector = valuesOf(options, ['-l', '--selector']);
  // A cluster on this machine is the user's own, so its context need not be named.
  const scope = isLocalCluster(command) ? [] : valuesOf(options, ['--context']);
  if (selector.length > 0) {
    const [, key = '', value = ''] = /^([\w./-]+)==?([\w.-]+)$/.exec(selector[0] ?? '') ?? [];
    return positional.length === 2 && selector.length === 1 && WORKLOAD_LABEL.test(key)
      ? { verb: 'restart', targets: [[value]], scope }
      : undefined;
  }
  if (named.length === 0 || (kind[1] !== undefined && positional.length !== 2)) {
    return undefined;
  }
  return { verb: 'restart', targets: named.map(podNames), scope };
}

/** Namespaces that Kubernetes creates in every cluster. */
const SYSTEM_NAMESPACE = /^(?:default|kube-[\w-]+)$/;

/**
 * Reads `kubectl delete namespace NAME...`: each namespace is a target the request must name
 * exactly ("delete its preview namespace preview-pr-482"), and a context of a cluster that is
 * not on this machine must be named too. System namespaces are not covered, and a bare
 * environment name is never taken as named (see resource-consent.ts).
 */
function namespaceDeleteAction(
  command: SimpleCommand,
  names: readonly string[],
): ResourceAction | undefined {
  if (names.length === 0 || names.some((name) => SYSTEM_NAMESPACE.test(name))) {
    return undefined;
  }
  const { options } = splitArgs(command.argv.slice(1), KUBECTL_VALUED);
  const scope = isLocalCluster(command) ? [] : valuesOf(options, ['--context']);
  return { verb: 'delete', targets: names.map((name) => [name]), scope };
}

/**
 * Reads `npm unpublish NAME@VERSION`: one version of a package, which the request must name
 * whole. A package without a version, a range, a tag and `--force` are not covered.
 */
function npmUnpublishAction(args: readonly string[]): ResourceAction | undefined {
  const [verb, spec, ...rest] = args;
  return verb === 'unpublish' &&
    rest.length === 0 &&
    spec !== undefined &&
    /^(?:@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(spec)
    ? { verb: 'delete', targets: [[spec]], scope: [] }
    : undefined;
}

const SECRET_SOURCE_OPTIONS = ['--from-env-file', '--from-file'];

/**
 * Reads `kubectl create secret generic NAME -n NAMESPACE --from-env-file=FILE`: a secret in the
 * cluster, filled from a file of this project. The request must name the secret, the
 * namespace and the file. Files outside the project (absolute, `~` or `..` paths), literals,
 * output options (`-o`, `--dry-run`) and redirects are not covered, so such a call keeps
 * asking.
 */
function createSecretAction(command: SimpleCommand): ResourceAction | undefined {
  const valued = new Set([...KUBECTL_VALUED, ...SECRET_SOURCE_OPTIONS]);
  const { positional, options } = splitArgs(command.argv.slice(1), valued);
  const files = valuesOf(options, SECRET_SOURCE_OPTIONS);
  const namespaces = valuesOf(options, ['-n', '--namespace']);
  const name = positional[3];
  if (
    positional.length !== 4 ||
    positional[2] !== 'generic' ||
    name === undefined ||
    namespaces.length !== 1 ||
    files.length === 0 ||
    files.some((file) => /^[/~]|(?:^|\/)\.\.(?:\/|$)|=/.test(file)) ||
    command.redirects.length > 0 ||
    !onlyOptions(options, new Set(['-n', '--namespace', '--context', ...SECRET_SOURCE_OPTIONS]))
  ) {
    return undefined;
  }
  return {
    verb: 'create',
    targets: [[name]],
    scope: [...namespaces, ...files, ...valuesOf(options, ['--context'])],
  };
}

/**
 * Reads `kubectl rollout restart deploy/NAME` (or `deployment NAME`, a statefulset or a
 * daemonset): the controller replaces the pods one by one, which is how a workload is
 * restarted. Selectors, `--all` and several workloads are not covered.
 */
function rolloutRestartAction(command: SimpleCommand): ResourceAction | undefined {
  const { positional, options } = splitArgs(command.argv.slice(1), KUBECTL_VALUED);
  if (
    positional[1] !== 'restart' ||
    !onlyOptions(options, new Set(['-n', '--namespace', '--context']))
  ) {
    return undefined;
  }
  const workloads = positional.slice(2);
  const slash = /^(?:deploy(?:ments?)?|sts|statefulsets?|ds|daemonsets?)\/([\w.-]+)$/.exec(
    workloads[0] ?? '',
  );
  const spaced =
    workloads.length === 2 &&
    /^(?:deploy(?:ments?)?|sts|statefulsets?|ds|daemonsets?)$/.test(workloads[0] ?? '')
      ? workloads[1]
      : undefined;
  const name = workloads.length === 1 ? slash?.[1] : spaced;
  if (name === undefined) {
    return undefined;
  }
  const scope = isLocalCluster(command) ? [] : valuesOf(options, ['--context']);
  return { verb: 'restart', targets: [[name]], scope };
}

const RSYNC_VALUED = new Set([
  '-e',
  '--rsh',
  '--exclude',
  '--include',
  '--chmod',
  '--chown',
  '--port',
  '--timeout',
  '--bwlimit',
]);
/** rsync options that run another program, or act on more files than the copy names. */
const RSYNC_UNSAFE =
  /^--(?:rsync-path|remove-source-files|files-from|include-from|exclude-from|filter)|^-f$/;
const SCP_VALUED = new Set(['-P', '-i', '-l']);
const SCP_FLAGS = /^-[rpqCv346]+$/;

/**
 * Checks that a destination `--delete` may prune is below the top two levels of the remote
 * file system, so `host:/var/www/html/` qualifies and `host:/`, `host:/var` or the home folder
 * (`host:`, `host:~`) do not.
 */
function isDeepEnough(remotePath: string): boolean {
  const parts = remotePath.split('/').filter((part) => part !== '' && part !== '.');
  if (remotePath.startsWith('/')) {
    return parts.length >= 2;
  }
  return parts.length >= 1 && parts[0] !== '~' && !parts.includes('..');
}

/**
 * Reads `rsync` or `scp` of local files onto one remote host. The host is the target and the local
 * sources are its scope. With `--delete`, files on the host that the sources lack are
 * removed too, so the destination must be a folder below the top two levels.
 */
function copyAction(name: string, args: readonly string[]): ResourceAction | undefined {
  const rsync = name === 'rsync';
  const { positional, options } = splitArgs(args, rsync ? RSYNC_VALUED : SCP_VALUED);
  for (const [option, values] of options) {
    const value = values.join(' ');
    const ssh = option === '-e' || option === '--rsh';
    if (
      (rsync && (RSYNC_UNSAFE.test(option) || (ssh && !/^ssh(?: -p \d+)?$/.test(value)))) ||
      (!rsync && !SCP_VALUED.has(option) && !SCP_FLAGS.test(option))
    ) {
      return undefined;
    }
  }
  const destination = positional.at(-1) ?? '';
  const sources = positional.slice(0, -1);
  const remote = /^(?:[\w.-]+@)?([\w.-]+):(.*)$/.exec(destination);
  if (remote === null || sources.length === 0 || sources.some((source) => source.includes(':'))) {
    return undefined;
  }
  const [, host = '', remotePath = ''] = remote;
  const deletes = [...options.keys()].some((option) => /^--del(?:ete[\w-]*)?$/.test(option));
  if (deletes && !isDeepEnough(remotePath)) {
    return undefined;
  }
  return { verb: 'copy', targets: [[host]], scope: sources };
}

/**
 * Returns the action a remote command takes on resources its arguments name, or undefined
 * when the command is not one of the shapes above.
 */
export function resourceAction(command: SimpleCommand): ResourceAction | undefined {
  if ((command.dynamic && !expandsOnlyBodies(command)) || command.wrappers.length > 0) {
    return undefined;
  }
  const args = command.argv.slice(1);
  const found = actionOf(command, args);
  // A variable sent as a body must be named by the user, as any other place is.
  const variables = args
    .map((arg) => /^\$\{?(\w+)\}?$/.exec(arg)?.[1])
    .filter((name) => name !== undefined);
  const action =
    found === undefined ? undefined : { ...found, scope: [...found.scope, ...variables] };
  const names = action === undefined ? [] : [...action.targets.flat(), ...action.scope];
  // Names of several words ("dev team") describe a principal and are literal text too.
  const plain = (name: string): boolean =>
    PLAIN_NAME.test(name.replaceAll(' ', '-')) || /^\$\{?\w+\}?$/.test(name);
  return names.every((name) => plain(name) && name !== '') ? action : undefined;
}

/** Options whose value is the text a call sends or stores, never a target. */
const BODY_OPTIONS = new Set(['--body', '-b']);
/** A body taken from one variable, or from a project file read by `cat`. */
const BODY_EXPANSION = /^(?:\$\{?\w+\}?|\$\(cat (?!\/|~|\.\.)[\w./-]+\))$/;

/**
 * Checks that every expansion of a command is the whole value of a body option: `--body
 * "$NPM_TOKEN"` or `--body "$(cat templates/sms.txt)"`. The `cat` runs as a command of its
 * own and is judged on its own; a variable body must be named by the request (see
 * `ghSecretSetAction`) or is only the text of a message.
 */
function expandsOnlyBodies(command: SimpleCommand): boolean {
  return (
    command.argv.some((arg) => arg.includes('$')) &&
    command.argv.every(
      (arg, index) =>
        !arg.includes('$') ||
        (BODY_OPTIONS.has(command.argv[index - 1] ?? '') && BODY_EXPANSION.test(arg)),
    )
  );
}

function actionOf(command: SimpleCommand, args: readonly string[]): ResourceAction | undefined {
  switch (command.name) {
    case 'aws':
      return awsAction(args);
    case 'gcloud':
      return gcloudAction(args);
    case 'gsutil':
      return gsutilAction(args);
    case 'gh':
      return ghAction(args);
    case 'scancel':
      return scancelAction(args);
    case 'kubectl':
      return kubectlAction(command);
    case 'rsync':
    case 'scp':
      return copyAction(command.name, args);
    case 'az':
      return azAction(args) ?? azAppSettingAction(args) ?? azRoleAssignmentAction(args);
    case 'heroku':
      return configSetAction('heroku', args);
    case 'twilio':
      return twilioAction(args);
    case 'npm':
      return npmUnpublishAction(args);
    default:
      return undefined;
  }
}
