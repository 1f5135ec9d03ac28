/**
 * Reads remote calls that grant one named principal a narrow role on one named resource, as
 * resource actions (see resource-actions.ts): an IAM role of one service on a project, an
 * Azure role assignment on a resource group or below, and a firewall rule that opens one port
 * to one address. Roles that administer, own or edit everything, scopes as wide as a
 * subscription, and rules open to a network wider than one address are not read, so those
 * calls keep asking.
 */
import {
  namesOwnPrincipal,
  namesRoleService,
  namesWholeRole,
  opensNamedPort,
} from './grant-targets.js';
import type { ResourceAction } from './resource-actions.js';

/** Reads `--name value` and `--name=value` pairs. Returns undefined for a flag without a value. */
function optionValues(args: readonly string[]): Map<string, string[]> | undefined {
  const options = new Map<string, string[]>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const equals = arg.indexOf('=');
    const [name, value] =
      equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, args[index + 1]];
    if (!name.startsWith('--') || value === undefined || value.startsWith('-')) {
      return undefined;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
    index += equals > 0 ? 0 : 1;
  }
  return options;
}

/** Returns the one value of `name`, or undefined when it is missing or repeated. */
function single(options: ReadonlyMap<string, string[]>, name: string): string | undefined {
  const values = options.get(name) ?? [];
  return values.length === 1 ? values[0] : undefined;
}

/**
 * Returns the names a request may use for a principal given as an email address: the address
 * itself, the address of a Google service account without its domain (`ci@acme-dev`), "ci
 * service account" for an account of `project`, and a local part of several words with spaces
 * ("dev team" for `dev-team@acme.dev`). A one-word local part alone ("lena") is not taken as
 * naming the address, because another domain may have the same user.
 *
 * The action that uses these names also tests the domain of a described principal (see
 * {@link namesOwnPrincipal}).
 */
export function principalNames(address: string, project?: string): string[] {
  const names = [address];
  const [local = '', domain = ''] = address.split('@');
  if (domain.endsWith('.iam.gserviceaccount.com')) {
    names.push(address.replace(/\.iam\.gserviceaccount\.com$/, ''));
    // An account of another project is named only by its address.
    if (domain === `${project ?? ''}.iam.gserviceaccount.com`) {
      names.push(`${local} service account`);
    }
  } else if (/^[a-z0-9]+(?:[-_.][a-z0-9]+)+$/i.test(local)) {
    names.push(local.replace(/[-_.]/g, ' '));
  }
  return names;
}

/**
 * Services whose roles control who may act as whom, hold keys or secrets, or change the
 * project itself. Any role of them reaches further than its name.
 */
const CONTROL_SERVICE =
  /^(?:iam|resourcemanager|secretmanager|cloudkms|serviceusage|orgpolicy|billing|accesscontextmanager|privilegedaccessmanager)$/;
/** Role names that administer, own or edit every resource of their service. */
const BROAD_ROLE = /admin|owner|editor|superuser|full/i;

/**
 * Reads `gcloud projects add-iam-policy-binding PROJECT --member=KIND:ADDRESS
 * --role=roles/SERVICE.ROLE`: one role of one service for one account on one project. The
 * request must name the account (see {@link principalNames}), the project and the role, by
 * its full id or its last word ("writer" for `roles/artifactregistry.writer`), and the
 * messages must name the role's service ("Artifact Registry"). Basic roles (`roles/editor`),
 * roles that administer, custom roles and conditions are not covered.
 */
export function projectRoleAction(
  project: string,
  options: ReadonlyMap<string, string[]>,
): ResourceAction | undefined {
  const [member] = options.get('--member') ?? [];
  const roles = options.get('--role') ?? [];
  const role = /^roles\/([a-z]+)\.([A-Za-z]+)$/.exec(roles[0] ?? '');
  const address = /^(?:user|serviceAccount|group):([\w.+-]+@[\w.-]+)$/.exec(member ?? '')?.[1];
  if (
    role === null ||
    roles.length !== 1 ||
    (options.get('--member') ?? []).length !== 1 ||
    address === undefined ||
    CONTROL_SERVICE.test(role[1] ?? '') ||
    BROAD_ROLE.test(role[2] ?? '') ||
    [...options.keys()].some((name) => !['--member', '--role', '--project'].includes(name))
  ) {
    return undefined;
  }
  const principals = principalNames(address, project);
  // `configWriter` is also written "config writer".
  const roleWords = (role[2] ?? '').replace(/([a-z])([A-Z])/g, '$1 $2');
  return {
    verb: 'grant',
    targets: [principals, [project], [roles[0] ?? '', role[2] ?? '', roleWords]],
    scope: [],
    requires: [namesOwnPrincipal(address, principals), namesRoleService(roles[0] ?? '')],
  };
}

/** Azure built-in roles that own, administer or change everything in their scope. */
const AZURE_BROAD_ROLE = /owner|administrator|admin\b|^contributor$/i;
/** A resource group, or one resource in it, below a subscription. */
const AZURE_SCOPE =
  /^\/subscriptions\/[\w-]+\/resourceGroups\/([\w.()-]+)(?:\/providers\/[\w.]+\/[\w-]+\/([\w.-]+))?$/i;

/**
 * Reads `az role assignment create --assignee ADDRESS --role ROLE --scope SCOPE`: a role for
 * one principal on one resource group or one resource in it. The request must name the
 * principal (see {@link principalNames}), the whole role name (see {@link namesWholeRole})
 * and the group or resource. A scope of a
 * whole subscription or management group, object ids and roles that own, administer or
 * write everything (`Owner`, `Contributor`, `User Access Administrator`) are not covered.
 */
export function azRoleAssignmentAction(args: readonly string[]): ResourceAction | undefined {
  if (args[0] !== 'role' || args[1] !== 'assignment' || args[2] !== 'create') {
    return undefined;
  }
  const options = optionValues(args.slice(3));
  if (options === undefined) {
    return undefined;
  }
  const assignee = single(options, '--assignee');
  const role = single(options, '--role');
  const scope = AZURE_SCOPE.exec(single(options, '--scope') ?? '');
  if (
    assignee === undefined ||
    !/^[\w.+-]+@[\w.-]+$/.test(assignee) ||
    role === undefined ||
    AZURE_BROAD_ROLE.test(role) ||
    scope === null ||
    [...options.keys()].some((name) => !['--assignee', '--role', '--scope'].includes(name))
  ) {
    return undefined;
  }
  const [, group = '', resource] = scope;
  const principals = principalNames(assignee);
  return {
    verb: 'grant',
    targets: [principals, [role], [resource ?? group]],
    scope: resource === undefined ? [] : [group],
    requires: [
      namesOwnPrincipal(assignee, principals),
      (requests) => requests.some((request) => namesWholeRole(request, role)),
    ],
  };
}

/** One IPv4 address as a `/32`, or one IPv6 address as a `/128`. */
const ONE_ADDRESS = /^(?:(\d{1,3}(?:\.\d{1,3}){3})\/32|([\da-f:]+)\/128)$/i;

/**
 * Reads `aws ec2 authorize-security-group-ingress --group-id G --protocol tcp --port N --cidr
 * ADDRESS/32`: one port of one security group opened to one address. The request must name
 * the group, the address and the port as one it opens (see {@link opensNamedPort}). Port
 * ranges, `-1` (all protocols), other groups as
 * the source, `--ip-permissions` and any network wider than one address are not covered.
 */
export function ingressRuleAction(args: readonly string[]): ResourceAction | undefined {
  const options = optionValues(args);
  if (options === undefined) {
    return undefined;
  }
  const group = single(options, '--group-id') ?? single(options, '--group-name');
  const protocol = single(options, '--protocol');
  const port = single(options, '--port');
  const cidr = single(options, '--cidr') ?? '';
  const address = ONE_ADDRESS.exec(cidr);
  const allowed = [
    '--group-id',
    '--group-name',
    '--protocol',
    '--port',
    '--cidr',
    '--region',
    '--profile',
  ];
  if (
    group === undefined ||
    options.has('--group-id') === options.has('--group-name') ||
    (protocol !== 'tcp' && protocol !== 'udp') ||
    port === undefined ||
    !/^\d{1,5}$/.test(port) ||
    address === null ||
    [...options.keys()].some((name) => !allowed.includes(name))
  ) {
    return undefined;
  }
  return {
    verb: 'create',
    targets: [[group], [cidr, address[1] ?? address[2] ?? cidr]],
    scope: options.get('--profile') ?? [],
    requires: [opensNamedPort(port)],
  };
}
