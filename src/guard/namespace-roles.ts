/**
 * Read-only Kubernetes roles the user asked for, kept to one namespace: `kubectl create role
 * pod-reader --verb=get,list,watch --resource=pods` and a `kubectl create rolebinding` of that
 * role to a service account of the same namespace. "Give the ml-jobs default service account
 * read access to pods in ml-jobs only" on staging consents to both. Cluster roles, write
 * verbs, secrets, production contexts, another namespace's account and a role that the line
 * does not create stay with the grant and remote-change checks.
 */
import { containsWord } from './named-targets.js';
import { splitOptions } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import type { SimpleCommand } from './shell.js';
import { standingClauses } from './standing-requests.js';

/** kubectl options of these calls that take the next word as their value. */
const VALUE_OPTIONS = new Set([
  '-n',
  '--namespace',
  '--context',
  '--verb',
  '--resource',
  '--role',
  '--serviceaccount',
]);
/** Verbs of a role that only read. */
const READ_VERBS = new Set(['get', 'list', 'watch']);
/** A request to give someone read access: "give … read access", "let … list pods". */
const READ_GRANT_REQUEST =
  /\b(?:give|grant|allow|let)\b.*\b(?:read|view|list|get|watch)\w*\b|\bread[- ]only\b/i;

/** The parts of a `kubectl create role` or `create rolebinding` call. */
interface RoleCall {
  kind: 'role' | 'rolebinding';
  name: string;
  namespace: string;
  context: string;
  options: Map<string, string>;
}

/** Reads `command` as a namespaced `kubectl create role|rolebinding`, or returns undefined. */
function roleCall(command: SimpleCommand): RoleCall | undefined {
  if (command.name !== 'kubectl' || command.dynamic || command.wrappers.length > 0) {
    return undefined;
  }
  const { options, flags, operands } = splitOptions(command.argv.slice(1), VALUE_OPTIONS, {
    stopAtOperand: false,
  });
  const [verb, kind, name, ...rest] = operands;
  const namespace = options.get('-n') ?? options.get('--namespace');
  const context = options.get('--context');
  if (
    verb !== 'create' ||
    (kind !== 'role' && kind !== 'rolebinding') ||
    name === undefined ||
    rest.length > 0 ||
    flags.size > 0 ||
    namespace === undefined ||
    context === undefined ||
    command.redirects.length > 0
  ) {
    return undefined;
  }
  return { kind, name, namespace, context, options };
}

/** Returns the comma-separated values of option `name`, or an empty list. */
function listOption(call: RoleCall, name: string): string[] {
  return (call.options.get(name) ?? '').split(',').filter((value) => value !== '');
}

/**
 * Checks that a role reads only resources the messages name, never secrets, with no option
 * beyond the namespace, context, verbs and resources.
 */
function isNamedReadRole(call: RoleCall, messages: string): boolean {
  const verbs = listOption(call, '--verb');
  const resources = listOption(call, '--resource');
  return (
    [...call.options.keys()].every((name) =>
      ['-n', '--namespace', '--context', '--verb', '--resource'].includes(name),
    ) &&
    verbs.length > 0 &&
    verbs.every((verb) => READ_VERBS.has(verb)) &&
    resources.length > 0 &&
    resources.every((resource) => !/^secrets?$/i.test(resource) && containsWord(messages, resource))
  );
}

/**
 * Checks that a role binding gives the role `role` to a service account of the binding's own
 * namespace that the messages name, with no other subject.
 */
function bindsToNamedAccount(call: RoleCall, role: RoleCall, messages: string): boolean {
  const [accountNamespace, account = ''] = (call.options.get('--serviceaccount') ?? '').split(':');
  return (
    [...call.options.keys()].every((name) =>
      ['-n', '--namespace', '--context', '--role', '--serviceaccount'].includes(name),
    ) &&
    call.options.get('--role') === role.name &&
    accountNamespace === call.namespace &&
    containsWord(messages, account)
  );
}

/**
 * Checks whether `command` creates a read-only role or its binding as the module comment
 * describes, judged with the other commands of the line in `commands`. A binding needs the
 * role created on the same line, in the same context and namespace. Both need a standing
 * request for read access, and the messages must name the namespace and the context.
 */
export function grantsRequestedNamespaceRead(
  command: SimpleCommand,
  commands: readonly SimpleCommand[],
  consenting: string,
  allMessages: string,
): boolean {
  const call = roleCall(command);
  if (
    call === undefined ||
    PRODUCTION_PART.test(call.context) ||
    PRODUCTION_PART.test(call.namespace)
  ) {
    return false;
  }
  const messages = standingClauses(consenting, allMessages);
  if (
    !READ_GRANT_REQUEST.test(messages) ||
    !containsWord(allMessages, call.namespace) ||
    !containsWord(allMessages, call.context)
  ) {
    return false;
  }
  if (call.kind === 'role') {
    return isNamedReadRole(call, allMessages);
  }
  const role = commands
    .map(roleCall)
    .find(
      (other) =>
        other?.kind === 'role' &&
        other.name === call.options.get('--role') &&
        other.namespace === call.namespace &&
        other.context === call.context,
    );
  return (
    role !== undefined &&
    isNamedReadRole(role, allMessages) &&
    bindsToNamedAccount(call, role, allMessages)
  );
}
