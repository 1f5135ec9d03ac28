/**
 * Transfers whose destination or payload the usual argument readers miss: raw socket clients
 * (`nc`, `ncat`, `socat`, `telnet`, `openssl s_client`) fed by a pipe or a redirect, file
 * transfer clients driven by command scripts (`sftp -b`, `lftp -e`, `smbclient -c`, `tftp -c`,
 * `ftp` reading a heredoc), and `git send-email`. Each reader returns the local data sent and
 * the host or address it goes to, for the unnamed-destination check.
 */
import { textWrittenBefore } from './written-scripts.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** One data transfer: what is sent, and to where. */
export interface ScriptedTransfer {
  sources: string[];
  destinations: { kind: 'host' | 'name'; name: string; label: string }[];
  /** True when the transfer commands come from a file the guard cannot read. */
  unreadable?: boolean;
}

export const SOCKET_CLIENTS = new Set(['nc', 'ncat', 'netcat', 'telnet', 'openssl', 'socat']);
export const SCRIPTED_CLIENTS = new Set(['sftp', 'lftp', 'smbclient', 'tftp', 'ftp']);

/** nc and ncat options that take a value. Others are flags. */
const NC_VALUE_OPTIONS =
  /^(?:-[IiMmOPpqsTVWwXxcego]|--(?:sh-exec|exec|lua-exec|proxy|proxy-type|proxy-auth|source-port|source|wait|idle-timeout|output|hex-dump|append-output|send-only|max-conns|allow|allowfile|deny|denyfile|ssl-cert|ssl-key|ssl-trustfile|ssl-ciphers|ssl-servername|ssl-alpn))$/;

/**
 * Reads a socket client's destination host. `input` is what feeds its standard input (see the
 * unnamed-destination check), or undefined when nothing does; such a client sends no data.
 */
export function readSocketTransfer(
  command: SimpleCommand,
  input: string | undefined,
): ScriptedTransfer | undefined {
  const args = command.argv.slice(1);
  if (command.name === 'socat') {
    return readSocat(args, input);
  }
  if (input === undefined) {
    return undefined;
  }
  let host: string | undefined;
  if (command.name === 'openssl') {
    if (args[0] !== 's_client') {
      return undefined;
    }
    const connect =
      optionAfter(args, '-connect') ?? args.slice(1).find((arg) => !arg.startsWith('-'));
    host = connect?.replace(/:\d+$/, '');
  } else {
    // A listener (`nc -l`) sends only to a peer that connects to this machine.
    if (args.some((arg) => /^-[a-zA-Z]*l[a-zA-Z]*$|^--listen$/.test(arg))) {
      return undefined;
    }
    host = firstOperand(args, NC_VALUE_OPTIONS);
  }
  return hostTransfer([input], host, `${command.name} host`);
}

/** socat's first address is the source, the second the destination: `socat FILE:.env TCP:h:1`. */
function readSocat(
  args: readonly string[],
  input: string | undefined,
): ScriptedTransfer | undefined {
  const addresses = args.filter((arg) => !arg.startsWith('-') || arg === '-');
  const [from = '', to = ''] = addresses;
  const host = /^(?:tcp[46]?|udp[46]?|openssl|ssl|sctp[46]?)(?:-connect)?:([^:,]+)/i.exec(to)?.[1];
  if (host === undefined) {
    return undefined;
  }
  const file = /^(?:file|open|gopen|create):([^,]+)/i.exec(from)?.[1];
  const source =
    from === '-' || /^stdio|^stdin/i.test(from)
      ? input
      : (file ?? (/^exec|^system/i.test(from) ? from : undefined));
  return source === undefined ? undefined : hostTransfer([source], host, 'socat host');
}

/** Transfer commands of sftp, lftp, smbclient, ftp and tftp scripts that send local files. */
const UPLOAD_COMMAND = /^(?:m?put|reput|append|send|mirror\s+(?:-R|--reverse)|mput)\b/i;

/**
 * Reads a scripted file transfer client: its host, and the local files its `put`-like
 * commands send. The commands come from `-b FILE`/`-e`/`-c`/`-f` or standard input.
 */
export function readScriptedTransfer(
  command: SimpleCommand,
  parsed: ParsedShell,
  cwd = '/',
): ScriptedTransfer | undefined {
  const args = command.argv.slice(1);
  let host: string | undefined;
  let script: string | undefined;
  let scriptFile: string | undefined;
  switch (command.name) {
    case 'sftp': {
      host = firstOperand(args, /^-[BbcDFiJloPRSX]$/);
      const batch = optionAfter(args, '-b');
      if (batch !== undefined && batch !== '-') {
        scriptFile = batch;
      }
      break;
    }
    case 'lftp': {
      script = [optionAfter(args, '-e'), optionAfter(args, '-c')].filter(Boolean).join('\n');
      scriptFile = optionAfter(args, '-f');
      // A script file the guard read from disk may open the host itself.
      const fileText = scriptFile === undefined ? '' : (parsed.files?.get(scriptFile) ?? '');
      host =
        firstOperand(args, /^-[ecfpu]$/) ?? /\bopen\s+(\S+)/.exec(`${script}\n${fileText}`)?.[1];
      break;
    }
    case 'smbclient':
      script = optionAfter(args, '-c') ?? optionAfter(args, '--command');
      host = firstOperand(
        args,
        /^-[AcDIlmnOpPsSUWtTb]$|^--(?:command|user|workgroup|port|directory)$/,
      );
      break;
    case 'tftp': {
      host = firstOperand(args, /^-[lmRw]$/);
      const commandAt = args.indexOf('-c');
      script = commandAt < 0 ? undefined : args.slice(commandAt + 1).join(' ');
      break;
    }
    case 'ftp':
      host = firstOperand(args, /^-[Pors]$/);
      break;
    default:
      return undefined;
  }
  if (host === undefined) {
    return undefined;
  }
  const name = host
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/^\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/[:/].*$/, '');
  if (scriptFile !== undefined) {
    const written = textWrittenBefore(parsed, command, scriptFile, cwd);
    if (written?.known !== true) {
      return { ...hostTransfer([scriptFile], name, `${command.name} host`), unreadable: true };
    }
    script = [script, written.text].filter(Boolean).join('\n');
  }
  const text = [script, command.stdin]
    .filter((part) => part !== undefined && part !== '')
    .join('\n');
  const sources = text
    .split(/[\n;]/)
    .map((line) => line.trim())
    .filter((line) => UPLOAD_COMMAND.test(line))
    .flatMap((line) => uploadOperands(line));
  return sources.length === 0 ? undefined : hostTransfer(sources, name, `${command.name} host`);
}

/** Returns the local files of one upload command: `put -r src dest` sends `src`. */
function uploadOperands(line: string): string[] {
  const [verb = '', ...rest] = line.split(/\s+/);
  const words = rest.filter((word) => !word.startsWith('-'));
  // `put local [remote]` and `mirror -R local [remote]` send their first operand; `mput`
  // sends every operand.
  return /^mput$/i.test(verb) ? words : words.slice(0, 1);
}

const MAIL_RECIPIENT_OPTION = /^--(?:to|cc|bcc)(?:=|$)/;

/** Reads `git send-email`: the commits or patch files mailed, and every recipient. */
export function readSendEmail(command: SimpleCommand): ScriptedTransfer | undefined {
  const args = command.argv.slice(1);
  const at = args.indexOf('send-email');
  if (command.name !== 'git' || at < 0) {
    return undefined;
  }
  const rest = args.slice(at + 1);
  const recipients: string[] = [];
  const sources: string[] = [];
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] ?? '';
    if (MAIL_RECIPIENT_OPTION.test(arg)) {
      const value = arg.includes('=')
        ? arg.slice(arg.indexOf('=') + 1)
        : (rest[(index += 1)] ?? '');
      recipients.push(...value.split(','));
    } else if (!arg.startsWith('-')) {
      sources.push(arg);
    }
  }
  const destinations = recipients
    .map((recipient) => /([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/.exec(recipient)?.[1])
    .filter((address): address is string => address !== undefined)
    .map((address) => ({ kind: 'name' as const, name: address, label: 'mail address' }));
  if (destinations.length === 0) {
    // Without `--to` the recipients come from git's configuration, which the guard cannot see.
    destinations.push({ kind: 'name', name: 'the configured sendemail.to', label: 'mail address' });
  }
  return { sources: sources.length > 0 ? sources : ['commits'], destinations };
}

function hostTransfer(
  sources: string[],
  host: string | undefined,
  label: string,
): ScriptedTransfer {
  const name = (host ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  return { sources, destinations: name === '' ? [] : [{ kind: 'host', name, label }] };
}

/** Returns the value after `option` (`-b FILE`) or joined to it (`-bFILE`). */
function optionAfter(args: readonly string[], option: string): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === option) {
      return args[index + 1];
    }
    if (option.length === 2 && arg.startsWith(option) && arg.length > 2 && !arg.startsWith('--')) {
      return arg.slice(2);
    }
  }
  return undefined;
}

/** Returns the first argument that is neither an option nor the value of one. */
function firstOperand(args: readonly string[], valueOptions: RegExp): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      return args[index + 1];
    }
    if (!arg.startsWith('-')) {
      return arg;
    }
    if (valueOptions.test(arg)) {
      index += 1;
    }
  }
  return undefined;
}
