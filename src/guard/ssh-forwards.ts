/**
 * ssh calls that only forward ports. With `-N` ssh runs no remote command, so a local (`-L`)
 * forward bound to loopback changes nothing on the remote host and exposes nothing here.
 * Remote forwards (`-R`), SOCKS proxies (`-D`), gateway ports (`-g`) and forwards bound to
 * another address make a network reachable from elsewhere, so they are not forward-only.
 */
import type { SimpleCommand } from './shell.js';

/** Options of OpenSSH 9 `ssh` that take a value, from ssh(1). */
const VALUE_FLAGS = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/** Checks whether a `-L` spec binds to loopback or to the default (loopback) address. */
function bindsLoopback(spec: string): boolean {
  const parts = spec.replace(/\[[^\]]*\]/g, (bracketed) => bracketed.replace(/:/g, '.')).split(':');
  // `port:host:hostport` and `port` bind the default address. A leading address is explicit.
  const explicit = parts.length === 4 || (parts.length === 2 && !/^\d+$/.test(parts[0] ?? ''));
  return !explicit || /^(?:localhost|127\.\d+\.\d+\.\d+|\[\.\.1\])$/i.test(parts[0] ?? '');
}

/**
 * Checks whether an ssh call opens only loopback-bound local forwards with `-N`
 * and runs no remote command. Options may follow the host, as OpenSSH accepts them there.
 */
export function isForwardOnly(command: SimpleCommand): boolean {
  if (command.name !== 'ssh' || command.dynamic) {
    return false;
  }
  const flags = new Set<string>();
  const forwards: string[] = [];
  let hosts = 0;
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      hosts += 1;
      continue;
    }
    for (let at = 1; at < arg.length; at += 1) {
      const flag = arg[at] ?? '';
      flags.add(flag);
      if (VALUE_FLAGS.has(flag)) {
        const value = arg.length > at + 1 ? arg.slice(at + 1) : (args[++index] ?? '');
        if (flag === 'L') {
          forwards.push(value);
        }
        // A dynamic forward (`-D`) is a SOCKS proxy into the remote network for any local program.
        if (
          flag === 'R' ||
          flag === 'D' ||
          (flag === 'o' && /forward|command|tunnel/i.test(value))
        ) {
          flags.add('unsafe');
        }
        break;
      }
    }
  }
  return (
    hosts === 1 &&
    flags.has('N') &&
    !flags.has('g') &&
    !flags.has('unsafe') &&
    forwards.every(bindsLoopback)
  );
}

/**
 * Checks whether an ssh call has `-G`, with which ssh prints its configuration for the host
 * after evaluating the config file, and exits without connecting or running a remote command.
 * NOTE: `Match exec` lines of the user's ssh config still run their command under `-G`.
 */
export function printsConfigOnly(command: SimpleCommand): boolean {
  if (command.name !== 'ssh' || command.dynamic) {
    return false;
  }
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-') || arg === '-') {
      continue;
    }
    for (let at = 1; at < arg.length; at += 1) {
      const flag = arg[at] ?? '';
      if (flag === 'G') {
        return true;
      }
      if (VALUE_FLAGS.has(flag)) {
        index += arg.length > at + 1 ? 0 : 1;
        break;
      }
    }
  }
  return false;
}
