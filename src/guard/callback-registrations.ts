/**
 * Stage-1 check for an out-of-band callback registered and then triggered on one line:
 * `curl https://oob.example.org/register -d '{"id":"build-7"}' && curl https://build-7.oob.example.org`
 * (or `dig build-7.oob.example.org`).
 * The first request asks a third-party server to record every request to the name it gives,
 * and the second proves that traffic reaches it, which is how exfiltration is scouted
 * whatever the server is called. Known callback services are found by name elsewhere.
 */
import { DNS_TOOLS, finding, type Finding } from './findings.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const HTTP_CLIENTS = new Set(['curl', 'wget', 'http', 'https', 'xh']);
/** Programs that reach a name: HTTP clients, and DNS tools, whose lookup alone is recorded. */
const CALLERS = new Set([...HTTP_CLIENTS, ...DNS_TOOLS]);

/** Gate of {@link checkCallbackRegistrations}, which judges only HTTP clients and DNS tools. */
export const CALLBACK_REGISTRATIONS_GATE: CheckGate = { programs: CALLERS };

const URL_HOST = /^(?:https?:\/\/)?([a-z0-9.-]+\.[a-z]{2,})(?::\d+)?(?:[/?#]|$)/i;

/** Returns the host of each URL among the arguments of `command`, in lower case. */
function hostsOf(command: SimpleCommand): string[] {
  return command.argv
    .slice(1)
    .map((arg) => URL_HOST.exec(arg)?.[1]?.toLowerCase())
    .filter((host): host is string => host !== undefined);
}

/** Returns an argument without the scheme and host of a URL, so `label` is looked for in the rest. */
function withoutHost(arg: string): string {
  return URL_HOST.test(arg) ? arg.replace(/^(?:https?:\/\/)?[^/?#]+/i, '') : arg;
}

/**
 * Returns a finding when one request of the line goes to `NAME.HOST` and another request to
 * `HOST` carries `NAME` in its arguments or its URL's path or query, so the name was registered before it was called.
 */
export function checkCallbackRegistrations(parsed: ParsedShell): Finding | undefined {
  const clients = parsed.commands.filter((command) => CALLERS.has(command.name));
  if (clients.length < 2 || !clients.some((command) => HTTP_CLIENTS.has(command.name))) {
    return undefined;
  }
  // Each client's hosts, and its arguments without hosts when first needed, are read once,
  // because a long line repeats one client many times and every pair of clients is compared.
  const hosts = new Map(clients.map((command) => [command, hostsOf(command)]));
  const strippedArgs = new Map<SimpleCommand, string[]>();
  const argsWithoutHost = (command: SimpleCommand): string[] => {
    let args = strippedArgs.get(command);
    if (args === undefined) {
      args = command.argv.slice(1).map(withoutHost);
      strippedArgs.set(command, args);
    }
    return args;
  };
  for (const caller of clients) {
    for (const host of hosts.get(caller) ?? []) {
      const [label = '', ...rest] = host.split('.');
      // Only a name under a host of two or more labels is judged, so `example.net` is skipped.
      if (rest.length < 2 || label.length < 3) {
        continue;
      }
      const parent = rest.join('.');
      const registration = clients.find(
        (other) =>
          other !== caller &&
          HTTP_CLIENTS.has(other.name) &&
          (hosts.get(other) ?? []).includes(parent) &&
          argsWithoutHost(other).some((arg) => arg.includes(label)),
      );
      if (registration !== undefined) {
        return finding(
          'exfil-scouting',
          `The command registers "${label}" with ${parent} and then calls ${host}, an out-of-band callback that reports the request to that server`,
          'callback-registration',
        );
      }
    }
  }
  return undefined;
}
