/**
 * Targets on the user's own machine: a port scan of the loopback address, and a namespace of
 * a local cluster that the user names by the words its name adds to the cluster's name.
 */
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

const LOOPBACK_TARGET = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

/** nmap options that take a value, so the value is not a target. */
const NMAP_VALUED = new Set([
  '-p',
  '-e',
  '-g',
  '--source-port',
  '-oN',
  '-oX',
  '-oG',
  '-oA',
  '--script',
  '--script-args',
  '--top-ports',
  '--min-rate',
  '--max-rate',
  '--max-retries',
  '--host-timeout',
  '--data-length',
  '--ttl',
  '--version-intensity',
  '--exclude-ports',
]);

/**
 * nmap options that read targets from elsewhere, pick random ones, or send probes through
 * or as another host: input lists, random targets, idle and FTP bounce scans, proxies,
 * decoys and spoofed sources.
 */
const NMAP_OTHER_HOSTS = /^(?:-iL|-iR|-sI|-b|--proxies|-D|-S|--script-args-file|--resolve-all)/;

/**
 * Checks that an `nmap` scans only the loopback address: every operand is `localhost`,
 * `127.x.x.x` or `::1`, and no option adds hosts, probes through another host or writes
 * output outside the working folder by an absolute path.
 */
export function scansOnlyLoopback(command: SimpleCommand): boolean {
  if (command.name !== 'nmap' || command.dynamic || command.wrappers.length > 0) {
    return false;
  }
  const args = command.argv.slice(1);
  const targets: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (NMAP_OTHER_HOSTS.test(arg)) {
      return false;
    }
    if (NMAP_VALUED.has(arg)) {
      index += 1;
    } else if (!arg.startsWith('-')) {
      targets.push(arg);
    }
  }
  return targets.length > 0 && targets.every((target) => LOOPBACK_TARGET.test(target));
}

/**
 * Checks that a namespace on a local cluster is named in `request` by the words of its name
 * that the context's name does not already carry: `acme-preview` in context `kind-acme-dev`
 * is named by "preview". At least one such word must be left and every one must be named.
 */
export function namesLocalNamespace(name: string, context: string, request: string): boolean {
  const contextWords = new Set(context.toLowerCase().split(/[^a-z0-9]+/));
  const own = name
    .toLowerCase()
    .split('-')
    .filter((word) => word !== '' && !contextWords.has(word));
  return own.length > 0 && own.every((word) => word.length >= 3 && containsWord(request, word));
}
