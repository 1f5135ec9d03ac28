/**
 * Reads the action a remote command takes and the resources it acts on from its arguments:
 * `gcloud compute instances delete vm-1 --zone us-central1-a` deletes `vm-1` in the zone
 * `us-central1-a`, and `gh run cancel 42` cancels run 42. Some commands reach further than
 * their arguments name: a bucket root, `--all`, a selector wider than one workload, a glob, a
 * computed word or an option not listed here. Those have no resource action, so the other
 * checks decide their consent.
 */
import { isLocalCluster } from './remote-cli.js';
import type { SimpleCommand } from './shell.js';

/** The kinds of action whose consent is read from the resources a request names. */
export type ResourceVerb =
  'delete' | 'deactivate' | 'activate' | 'stop' | 'restart' | 'label' | 'copy';

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
}

/** A word the guard can compare with a request: no glob, expansion or list. */
const PLAIN_NAME = /^[\w.@:/+-]+$/;

/** Splits options from positional words. Options in `valued` take the next word as their value. */
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
const AWS_TARGET_OPTION = /^--(?:[\w-]+-)?(?:ids?|names?|arn|bucket|key)$/;
const AWS_OTHER_OPTIONS = new Set([
  '--profile',
  '--region',
  '--status',
  '--output',
  '--no-cli-pager',
]);

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
    if (!onlyOptions(options, AWS_S3_RM_OPTIONS)) {
      return undefined;
    }
    return {
      verb: 'delete',
      targets: [[uri]],
      scope: valuesOf(options, ['--profile']),
    };
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
  return {
    verb,
    targets: targets.map((target) => [target]),
    scope: [...scope, ...(lists.get('--profile') ?? [])],
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
  const { positional, options } = splitArgs(args, GH_VALUED);
  const scope = valuesOf(options, ['-R', '--repo']);
  const [noun, verb, name] = positional;
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
  if (positional[0] !== 'delete' || !onlyOptions(options, KUBECTL_DELETE_OPTIONS)) {
    return undefined;
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
  if (command.dynamic || command.wrappers.length > 0) {
    return undefined;
  }
  const args = command.argv.slice(1);
  const action = actionOf(command, args);
  const names = action === undefined ? [] : [...action.targets.flat(), ...action.scope];
  return names.every((name) => PLAIN_NAME.test(name) && name !== '') ? action : undefined;
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
    default:
      return undefined;
  }
}
