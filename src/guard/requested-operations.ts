/**
 * Stage-1 consent for operations on a host or cluster the user names: a service reload over
 * `ssh` on the named host ("reload nginx on staging-web-1"), and a `kubectl scale` of the
 * named deployment in the named, non-production cluster context. Production targets, other
 * hosts, contexts or services, and any other remote command stay with the rules.
 */
import { optionValue } from './options.js';
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';
import { PRODUCTION_PART } from './production-names.js';
import type { SimpleCommand } from './shell.js';

/** ssh options that take a value. Forwarding, proxy and control options are not covered. */
const SSH_VALUE_OPTIONS = new Set(['-i', '-p', '-l', '-o']);
const SSH_FLAGS = /^-[tTq46]+$/;
/** `-o` settings that run local commands or route the connection elsewhere. */
const SSH_UNSAFE_SETTING = /^(?:proxy|localcommand|permitlocalcommand|remotecommand)/i;

const RESTART_VERBS = String.raw`restart\w*|reload\w*|bounc\w*`;

/** A service manager call that restarts or reloads units: `systemctl reload nginx`. */
const SERVICE_RESTART =
  /^(?:systemctl (?:reload|restart|try-restart|reload-or-restart)((?: [\w@.-]+)+)|service ([\w@.-]+) (?:reload|restart))$/;
/** Read-only checks of a service's config or state, such as `nginx -t` before a reload. */
const SERVICE_CHECK =
  /^(?:nginx -t|apache2?ctl (?:-t|configtest)|sshd -t|haproxy -c -f [\w./-]+|caddy validate(?: --config [\w./-]+)?|systemctl (?:status|is-active)(?: [\w@.-]+)+(?: --no-pager)?)$/;

/** Splits `ssh [options] [user@]host command…` into its host and remote command. */
export function sshTarget(command: SimpleCommand): { host: string; remote: string } | undefined {
  const args = command.argv.slice(1);
  let index = 0;
  while (index < args.length && (args[index] ?? '').startsWith('-')) {
    const option = args[index] ?? '';
    if (SSH_VALUE_OPTIONS.has(option)) {
      if (option === '-o' && SSH_UNSAFE_SETTING.test(args[index + 1] ?? '')) {
        return undefined;
      }
      index += 2;
    } else if (SSH_FLAGS.test(option)) {
      index += 1;
    } else {
      return undefined;
    }
  }
  const destination = args[index];
  if (destination === undefined) {
    return undefined;
  }
  const host = destination.replace(/^ssh:\/\//, '').replace(/^[^@]*@/, '');
  return {
    host,
    remote: args
      .slice(index + 1)
      .join(' ')
      .trim(),
  };
}

/**
 * Returns the first label of a dotted host name, or undefined for an IP address, a name with
 * no dot, or a label shorter than 3 characters.
 */
function shortHostName(host: string): string | undefined {
  if (!host.includes('.') || /^[\d.]+$|:/.test(host)) {
    return undefined;
  }
  const label = host.split('.')[0] ?? '';
  return label.length >= 3 ? label : undefined;
}

/** Returns the units a remote step restarts, [] for a read-only check, undefined otherwise. */
function restartedUnits(step: string): string[] | undefined {
  const plain = step.replace(/^sudo(?: -n)? /, '').trim();
  if (SERVICE_CHECK.test(plain)) {
    return [];
  }
  const match = SERVICE_RESTART.exec(plain);
  if (match === null) {
    return undefined;
  }
  const units = (match[1] ?? match[2] ?? '').trim().split(' ');
  return units.map((unit) => unit.replace(/\.service$/, ''));
}

/**
 * Checks that an `ssh` call only restarts or reloads services the user asked to restart, on a
 * host the user named (by its full name, or by its short name in the restart request) that is
 * not production. The remote command may chain steps with `&&` or `;`, each a service restart
 * or a read-only config check such as `nginx -t`, optionally under `sudo`. Pipes, redirects,
 * substitutions and every other remote command are not covered.
 */
export function restartsNamedRemoteService(command: SimpleCommand, messages: string): boolean {
  if (command.name !== 'ssh' || command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const target = sshTarget(command);
  if (
    target === undefined ||
    target.host.length < 3 ||
    PRODUCTION_PART.test(target.host) ||
    /[|<>`$(){}\\]|\|\|/.test(target.remote)
  ) {
    return false;
  }
  const steps = target.remote.split(/\s*(?:&&|;)\s*/).filter((step) => step !== '');
  const units = steps.map(restartedUnits);
  if (units.length === 0 || units.some((found) => found === undefined)) {
    return false;
  }
  const restarted = units.flatMap((found) => found ?? []);
  const requests = requestsVerb(RESTART_VERBS, messages);
  const namesHost = containsWord(messages, target.host);
  // A host is often called by its short name ("staging-01" for staging-01.acme.internal), which
  // counts only inside the restart request itself.
  const shortName = shortHostName(target.host);
  const hostRequests = namesHost
    ? requests
    : requests.filter((request) => shortName !== undefined && containsWord(request, shortName));
  return (
    hostRequests.length > 0 &&
    restarted.length > 0 &&
    restarted.every((unit) =>
      hostRequests.some(
        (request) =>
          containsWord(request, unit) ||
          containsWord(request, unit.replace(/\d+$|(?<=\w{3})d$|-server$/, '')),
      ),
    )
  );
}

const SCALE_VERBS = String.raw`scal\w*|stop\w*|paus\w*|shut\w* down|turn\w* off`;

/**
 * Checks that a `kubectl scale` changes one deployment or statefulset the user named, in a
 * cluster context the user named that is not production. Naming the context stands for its
 * namespace, so "scale the staging worker to 0" covers `--context staging -n jobs scale
 * deploy/worker`. Selectors, `--all`, several resources and unnamed contexts are not covered.
 */
export function scalesNamedDeployment(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  if (
    command.name !== 'kubectl' ||
    command.dynamic ||
    command.wrappers.length > 0 ||
    args.some((arg) =>
      /^(?:-l|--selector|--all|-A|--all-namespaces|-f|--filename)(?:=|$)/.test(arg),
    )
  ) {
    return false;
  }
  const valued = ['--context', '-n', '--namespace', '--replicas', '--current-replicas'];
  const positional = args.filter(
    (arg, index) => !arg.startsWith('-') && !valued.includes(args[index - 1] ?? ''),
  );
  const context = optionValue(args, ['--context']);
  const namespace = optionValue(args, ['-n', '--namespace']) ?? '';
  const resource = /^(?:deploy(?:ment)?s?|statefulsets?|sts)\/([\w.-]+)$/.exec(positional[1] ?? '');
  const name = resource?.[1];
  if (
    positional[0] !== 'scale' ||
    positional.length !== 2 ||
    name === undefined ||
    context === undefined ||
    [context, namespace, name].some((part) => PRODUCTION_PART.test(` ${part} `))
  ) {
    return false;
  }
  return requestsVerb(SCALE_VERBS, messages).some(
    (request) => containsWord(request, name) && containsWord(request, context),
  );
}
