/**
 * Stage-1 check for data that transfer tools send to a destination the user never named. Each
 * tool's arguments are read for what they are: the local sources and the destination (an
 * rclone remote, an rsync or scp host, a bucket, a storage account, a mail address, the host of
 * an `ssh` fed by a pipe). A copy to a local path is not a transfer.
 */
import { optionValue } from './options.js';
import { hasDryRunOption, isRsyncDryRun } from './dry-runs.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { describesBucketByEnvironment } from './environment-buckets.js';
import { isLocalHost, userNamesHost } from './uploads.js';
import {
  readScriptedTransfer,
  readSendEmail,
  readSocketTransfer,
  SCRIPTED_CLIENTS,
  SOCKET_CLIENTS,
} from './scripted-transfers.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Target of a transfer, with the name a user message must contain to consent to it. */
interface Destination {
  /** `host` for a machine or mail domain, `name` for a remote, bucket or account. */
  kind: 'host' | 'name';
  /** The host, remote, bucket, account or address as the command names it. */
  name: string;
  /** Kind of destination, such as `bucket`, for the finding's reason. */
  label: string;
  /** The bucket or top folder on an rclone remote, which names the destination too. */
  bucket?: string | undefined;
}

/** One data transfer read from a command's arguments. */
interface Transfer {
  /** Local paths sent, or `standard input` when a pipe or a `<` redirect feeds the tool. */
  sources: string[];
  destinations: Destination[];
  /** True when the transfer commands come from a file the guard cannot read. */
  unreadable?: boolean;
}

/** Finds a transfer of local data to a destination that no user message names. */
export function checkUnnamedDestinations(
  parsed: ParsedShell,
  messages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    // A dry run lists what it would copy and sends no file contents.
    if (command.name === 'rsync' ? isRsyncDryRun(command) : hasDryRunOption(command)) {
      continue;
    }
    const transfer = readTransfer(command, parsed);
    if (transfer === undefined || transfer.sources.length === 0) {
      continue;
    }
    const unnamed = transfer.destinations.find(
      (destination) => !destinationNamed(destination, messages),
    );
    if (unnamed !== undefined && transfer.unreadable === true) {
      return finding(
        'exfil-scouting',
        `The command runs transfer commands from "${transfer.sources[0]}", which the guard cannot read, against the ${unnamed.label} ${unnamed.name}, which the user did not name`,
        'unreadable-transfer',
      );
    }
    if (unnamed !== undefined) {
      return finding(
        'data-exfiltration',
        `The command sends local data (${transfer.sources[0]}) to the ${unnamed.label} ${unnamed.name}, which the user did not name`,
        'unnamed-destination',
      );
    }
  }
  return undefined;
}

function destinationNamed(destination: Destination, messages: string): boolean {
  if (destination.kind === 'host') {
    // A single-label name is an ssh alias that may point anywhere, not a local service.
    const local =
      isLocalHost(destination.name) &&
      (destination.name.includes('.') || destination.name === 'localhost');
    return local || userNamesHost(messages, destination.name);
  }
  return (
    containsWord(messages, destination.name) ||
    (destination.bucket !== undefined && namesBucket(messages, destination.bucket)) ||
    describesName(messages, destination) ||
    (destination.label === 'bucket' && describesBucketByEnvironment(messages, destination.name))
  );
}

/** Checks whether the user names `bucket` in a request about a bucket or container. */
function namesBucket(messages: string, bucket: string): boolean {
  return /\b(?:buckets?|containers?)\b/i.test(messages) && containsWord(messages, bucket);
}

/**
 * Checks whether the user described a bucket or remote by the words of its name, as "the dev
 * static bucket" describes `acme-dev-static`. The first word of a name of three or more words
 * (often the organisation) may be left out. A user who wrote a storage URL named the bucket
 * exactly, so a description does not count then.
 */
function describesName(messages: string, destination: Destination): boolean {
  if (destination.label === 'mail address' || /\b[a-z][a-z0-9]*:\/\/[a-z0-9]/i.test(messages)) {
    return false;
  }
  const words = destination.name.split(/[-_.]+/).filter((word) => word.length >= 2);
  if (words.length < 2) {
    return false;
  }
  const required = words.length >= 3 ? words.slice(1) : words;
  return required.every((word) => containsWord(messages, word));
}

const TRANSFER_TOOLS = new Set([
  'rclone',
  'rsync',
  'scp',
  'ssh',
  'mail',
  'mailx',
  'mutt',
  'neomutt',
  'sendmail',
  'msmtp',
  'swaks',
  'gsutil',
  's3cmd',
  'gcloud',
  'aws',
  'az',
  'azcopy',
  'mc',
  'b2',
]);

/** Reads the sources and destinations of a transfer tool, or returns undefined for others. */
function readTransfer(command: SimpleCommand, parsed: ParsedShell): Transfer | undefined {
  if (SOCKET_CLIENTS.has(command.name)) {
    return readSocketTransfer(command, dataOnInput(command, parsed));
  }
  if (SCRIPTED_CLIENTS.has(command.name)) {
    return readScriptedTransfer(command, parsed);
  }
  if (command.name === 'git') {
    return readSendEmail(command);
  }
  // Most commands are not transfer tools, so the arguments are copied only for those that are.
  if (!TRANSFER_TOOLS.has(command.name)) {
    return undefined;
  }
  const args = command.argv.slice(1);
  switch (command.name) {
    case 'rclone':
      return readRclone(args);
    case 'rsync':
    case 'scp':
      return readRemoteCopy(positionals(args, command.name), command.name);
    case 'ssh':
      return readSshInput(command, parsed);
    case 'mail':
    case 'mailx':
    case 'mutt':
    case 'neomutt':
    case 'sendmail':
    case 'msmtp':
    case 'swaks':
      return readMail(command, parsed);
    case 'gsutil':
    case 's3cmd':
      return readBucketCopy(positionals(args, command.name).slice(1));
    case 'gcloud':
      // Only `gcloud storage cp|mv|rsync` copy files; `storage buckets ...` manage a bucket.
      return args[0] === 'storage' && ['cp', 'mv', 'rsync'].includes(positionals(args)[1] ?? '')
        ? readBucketCopy(positionals(args).slice(2))
        : undefined;
    case 'aws':
      return args[0] === 's3' ? readBucketCopy(positionals(args).slice(2)) : undefined;
    case 'az':
      return readAzureStorage(args);
    case 'azcopy':
      return readAzcopy(positionals(args).slice(1));
    case 'mc':
      return readMinio(positionals(args));
    case 'b2':
      return readBackblaze(positionals(args));
    default:
      return undefined;
  }
}

/** Long options of the tools read here that take the next argument as their value. */
const LONG_VALUE_OPTIONS = new Set([
  '--exclude',
  '--include',
  '--filter',
  '--exclude-from',
  '--include-from',
  '--filter-from',
  '--files-from',
  '--config',
  '--transfers',
  '--checkers',
  '--log-file',
  '--bwlimit',
  '--max-age',
  '--min-age',
  '--max-size',
  '--min-size',
  '--backup-dir',
  '--suffix',
  '--rsh',
  '--chmod',
  '--content-type',
  '--cache-control',
  '--storage-class',
  '--acl',
  '--profile',
  '--region',
  '--endpoint-url',
  '--sse',
  '--metadata',
  '--expires',
  '--project',
  '--billing-project',
  '--attr',
  '--tags',
  '--info',
  '--threads',
]);

/** Short options that take a value, per tool. Other short options are flags. */
const SHORT_VALUE_OPTIONS = new Map<string, string>(
  Object.entries({
    rsync: 'efBT',
    scp: 'cFiJloPS',
    gsutil: 'ahopuzZ',
    s3cmd: 'c',
  }),
);

/**
 * Returns the positional arguments, skipping options and the values the options of `tool`
 * take. An option written as `--name=value` is one argument.
 */
function positionals(args: readonly string[], tool = ''): string[] {
  const shortValues = SHORT_VALUE_OPTIONS.get(tool) ?? '';
  const result: string[] = [];
  let afterDashes = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (afterDashes || !arg.startsWith('-') || arg === '-') {
      result.push(arg);
    } else if (arg === '--') {
      afterDashes = true;
    } else if (
      LONG_VALUE_OPTIONS.has(arg) ||
      (/^-[a-zA-Z]$/.test(arg) && shortValues.includes(arg.slice(1)))
    ) {
      index += 1;
    }
  }
  return result;
}

/** An rclone remote path (`remote:path`), but not a Windows drive letter or a local path. */
const RCLONE_REMOTE = /^([\w.@ -]{2,}):/;

function readRclone(args: readonly string[]): Transfer | undefined {
  const [verb = '', ...operands] = positionals(args);
  if (!/^(?:copy|copyto|sync|move|moveto|bisync|copyurl|rcat)$/.test(verb) || operands.length < 2) {
    return undefined;
  }
  const target = operands.at(-1) ?? '';
  const remote = RCLONE_REMOTE.exec(target)?.[1];
  if (remote === undefined) {
    return undefined;
  }
  // On a storage remote the first folder is the bucket, which the user may name instead.
  const bucket = /^[^:]+:\/?([a-z0-9][\w.-]{2,})/i.exec(target)?.[1];
  return {
    sources: operands.slice(0, -1).filter((operand) => !RCLONE_REMOTE.test(operand)),
    destinations: [{ kind: 'name', name: remote, label: 'rclone remote', bucket }],
  };
}

/** An scp or rsync remote operand: `[user@]host:path` or `rsync://host/path`. */
const REMOTE_OPERAND =
  /^(?:rsync:\/\/|scp:\/\/|sftp:\/\/)?(?:[^@/:\s]+@)?(\[[0-9a-f:]+\]|[\w.-]+)(?::|\/)/i;

function remoteHost(operand: string): string | undefined {
  if (/^(?:rsync|scp|sftp):\/\//.test(operand)) {
    return REMOTE_OPERAND.exec(operand)?.[1];
  }
  // A path such as `./a:b` or `/x:y` is local. Only `host:` before any slash is remote.
  const colon = operand.indexOf(':');
  const slash = operand.indexOf('/');
  if (colon <= 0 || (slash >= 0 && slash < colon)) {
    return undefined;
  }
  return REMOTE_OPERAND.exec(operand)?.[1];
}

function readRemoteCopy(operands: readonly string[], tool: string): Transfer | undefined {
  if (operands.length < 2) {
    return undefined;
  }
  const host = remoteHost(operands.at(-1) ?? '');
  if (host === undefined) {
    return undefined;
  }
  return {
    sources: operands.slice(0, -1).filter((operand) => remoteHost(operand) === undefined),
    destinations: [{ kind: 'host', name: host.toLowerCase(), label: `${tool} host` }],
  };
}

/** Programs whose output on a pipe carries no project data, such as a status line. */
const MESSAGE_WRITERS = new Set(['echo', 'printf', 'date', 'hostname', 'uptime', 'whoami']);

/**
 * Returns `standard input` when a pipe from a program other than a message writer, or a `<`
 * redirect from a file other than `/dev/null`, feeds the command.
 */
function dataOnInput(command: SimpleCommand, parsed: ParsedShell): string | undefined {
  const redirect = command.redirects.find(
    (candidate) => candidate.operator === '<' && candidate.target !== '/dev/null',
  );
  if (redirect !== undefined) {
    return redirect.target;
  }
  const position = command.pipeline;
  if (position === undefined || position.index === 0) {
    return undefined;
  }
  const producers = parsed.commands.filter(
    (other) =>
      other.pipeline?.id === position.id &&
      other.pipeline.index < position.index &&
      other.via.join() === command.via.join(),
  );
  return producers.every((producer) => MESSAGE_WRITERS.has(producer.name))
    ? undefined
    : 'standard input';
}

/** ssh options that take a value. The first other argument is the host. */
const SSH_VALUE_OPTIONS = /^-[BbcDEeFIiJLlmOoPpQRSWw]$/;

function readSshInput(command: SimpleCommand, parsed: ParsedShell): Transfer | undefined {
  const input = dataOnInput(command, parsed);
  if (input === undefined) {
    return undefined;
  }
  const args = command.argv.slice(1);
  let target: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (SSH_VALUE_OPTIONS.test(arg)) {
      index += 1;
    } else if (!arg.startsWith('-')) {
      target = arg;
      break;
    }
  }
  const host = target
    ?.replace(/^ssh:\/\//, '')
    .replace(/^[^@]*@/, '')
    .replace(/:\d+$/, '');
  if (host === undefined || host === '') {
    return undefined;
  }
  return {
    sources: [input],
    destinations: [{ kind: 'host', name: host.toLowerCase(), label: 'ssh host' }],
  };
}

const MAIL_ADDRESS = /^(?:[^<>\s]*<)?([\w.+-]+@([\w-]+(?:\.[\w-]+)+))>?$/;
/** Options of mail clients that attach a file: `-a`/`-A` (mailx, mutt) and swaks's `--attach`. */
const ATTACH_OPTION = /^(?:-a|-A|--attach|--attach-body)$/;

function readMail(command: SimpleCommand, parsed: ParsedShell): Transfer | undefined {
  const args = command.argv.slice(1);
  const sources: string[] = [];
  const recipients: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const value = args[index + 1] ?? '';
    // NOTE: mutt's `-a` takes every file up to `--`, but only the first is read as a source.
    if (ATTACH_OPTION.test(arg) && !(command.name === 'mutt' && arg === '-A')) {
      const file = value.replace(/^@/, '');
      // swaks reads a bare `--attach` value as the attachment's text, `@file` as a file.
      if (command.name !== 'swaks' || value.startsWith('@')) {
        sources.push(file);
      }
      index += 1;
    } else if (/^(?:-s|-c|-b|-f|-r|-F|-S|--from|--server|-h|--header|--body|-e)$/.test(arg)) {
      if (command.name === 'swaks' && arg === '--body' && value.startsWith('@')) {
        sources.push(value.slice(1));
      }
      index += 1;
    } else if (arg === '--to' || (arg === '-t' && command.name === 'swaks')) {
      recipients.push(...value.split(','));
      index += 1;
    } else if (!arg.startsWith('-')) {
      recipients.push(arg);
    }
  }
  const input = dataOnInput(command, parsed);
  if (input !== undefined) {
    sources.push(input);
  }
  const destinations = recipients
    .map((recipient) => MAIL_ADDRESS.exec(recipient.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ kind: 'name' as const, name: match[1] ?? '', label: 'mail address' }));
  return { sources, destinations };
}

const BUCKET = /^(?:s3|gs|r2|b2|oss|cos):\/\/([a-z0-9][\w.-]*)/i;

/** Reads a cloud storage CLI's `cp`, `mv`, `rsync`, `sync` or `put`, whose last operand is the destination. */
function readBucketCopy(operands: readonly string[]): Transfer | undefined {
  if (operands.length < 2) {
    return undefined;
  }
  const bucket = BUCKET.exec(operands.at(-1) ?? '')?.[1];
  if (bucket === undefined) {
    return undefined;
  }
  return {
    sources: operands.slice(0, -1).filter((operand) => !/^[a-z0-9]+:\/\//i.test(operand)),
    destinations: [{ kind: 'name', name: bucket.toLowerCase(), label: 'bucket' }],
  };
}

/**
 * Reads `az storage blob upload`, `upload-batch`, `sync` and `az storage file upload`. Without
 * `--account-name` the account comes from the environment or a connection string, which is the
 * project's own configuration, so such a command is not read as a transfer.
 */
function readAzureStorage(args: readonly string[]): Transfer | undefined {
  const verbs = positionals(args).slice(0, 3).join(' ');
  if (
    !/^storage (?:blob|file|fs) (?:upload|upload-batch|sync)$|^storage (?:blob|file) copy/.test(
      verbs,
    )
  ) {
    return undefined;
  }
  const account = optionValue(args, ['--account-name']);
  const source = optionValue(args, ['--source', '-s', '--file', '-f']);
  if (account === undefined || source === undefined) {
    return undefined;
  }
  return {
    sources: [source],
    destinations: [{ kind: 'name', name: account.toLowerCase(), label: 'storage account' }],
  };
}

const AZURE_ACCOUNT_URL = /^https:\/\/([a-z0-9]+)\.(?:blob|dfs|file)\.core\.windows\.net\//i;

function readAzcopy(operands: readonly string[]): Transfer | undefined {
  if (operands.length < 2) {
    return undefined;
  }
  const account = AZURE_ACCOUNT_URL.exec(operands.at(-1) ?? '')?.[1];
  if (account === undefined) {
    return undefined;
  }
  return {
    sources: operands.slice(0, -1).filter((operand) => !/^https?:\/\//.test(operand)),
    destinations: [{ kind: 'name', name: account.toLowerCase(), label: 'storage account' }],
  };
}

/** A local path as the MinIO client reads it: absolute, relative with `.`, or under home. */
const LOCAL_PATH = /^(?:\/|\.{1,2}(?:\/|$)|~)/;

/**
 * Reads `mc cp`, `mv`, `mirror` and `put`, whose remote operands are `alias/bucket/key`. A
 * bare word with no slash is a local file.
 */
function readMinio(operands: readonly string[]): Transfer | undefined {
  const [verb = '', ...rest] = operands;
  if (!/^(?:cp|mv|mirror|put)$/.test(verb) || rest.length < 2) {
    return undefined;
  }
  const target = rest.at(-1) ?? '';
  if (LOCAL_PATH.test(target) || !target.includes('/')) {
    return undefined;
  }
  const [, bucket = ''] = target.split('/');
  if (bucket === '') {
    return undefined;
  }
  return {
    sources: rest
      .slice(0, -1)
      .filter((operand) => LOCAL_PATH.test(operand) || !operand.includes('/')),
    destinations: [{ kind: 'name', name: bucket.toLowerCase(), label: 'bucket' }],
  };
}

/** Reads `b2 upload-file BUCKET FILE NAME`, `b2 file upload …` and `b2 sync SRC b2://bucket`. */
function readBackblaze(operands: readonly string[]): Transfer | undefined {
  const [first = '', second = ''] = operands;
  let rest: string[] | undefined;
  if (first === 'upload-file' || first === 'upload_file') {
    rest = operands.slice(1);
  } else if (first === 'file' && second === 'upload') {
    rest = operands.slice(2);
  }
  if (rest !== undefined) {
    const [bucket = '', file = ''] = rest;
    return bucket === '' || file === ''
      ? undefined
      : {
          sources: [file],
          destinations: [{ kind: 'name', name: bucket.toLowerCase(), label: 'bucket' }],
        };
  }
  return first === 'sync' ? readBucketCopy(operands.slice(1)) : undefined;
}
