/**
 * Output sent to a remote place through a command's own destination option: `--out
 * s3://bucket/x`, `--output-dir gs://…`, `--dest user@host:/path`, a backup repository URL, a
 * SQL `COPY … TO 's3://…'` or a data frame written with `to_parquet("s3://…")`. Any script or
 * tool can write there, so the option is read by its name and value, not by the program. A
 * project script's positional remote argument is read by script-destinations.ts.
 */
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { scriptDestinations } from './script-destinations.js';
import { isLocalHost, userNamesHost } from './uploads.js';
import type { ParsedShell } from './shell.js';

/** Option names that set where a command writes its output. */
const OUTPUT_OPTION =
  /^--?(?:o|out|output|outdir|dest|destination|target|to|export|export-to|upload|upload-to|save-to|repo|repository)(?:[-_](?:dir|directory|path|file|uri|url|location|bucket|prefix))?$/;
/** Options whose https value is a test or deploy target the command calls, not a place it writes. */
const CALL_TARGET_OPTION = /^--?(?:target|to)(?:[-_]|$)/;
/** Repository options, whose value is also a git or chart source the command reads from. */
const REPOSITORY_OPTION = /^--?repo(?:sitory)?$/;
/** Backup tools whose `-r` option is the repository they write to. */
const BACKUP_TOOLS = new Set(['restic', 'kopia', 'rustic']);
/** Subcommands of restic and rustic that only read the repository and print what they find. */
const REPOSITORY_READS = new Set(['snapshots', 'stats', 'ls', 'check', 'find', 'diff']);
/** Global options of restic and rustic that take the next word as their value. */
const BACKUP_VALUED =
  /^(?:-r|--repo|--repository-file|-p|--password-file|--password-command|--cache-dir|-o|--option|--key-hint|--cacert|--tls-client-cert|--limit-upload|--limit-download|--pack-size|--compression)$/;

/**
 * Checks whether a restic or rustic call only reads its repository (`restic -r s3:…/b stats`),
 * so the repository is where it reads from, not where output goes. The subcommand is the
 * first word that is neither an option nor an option's value.
 */
function readsBackupRepository(argv: readonly string[], program: string): boolean {
  if (program !== 'restic' && program !== 'rustic') {
    return false;
  }
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (!arg.startsWith('-')) {
      return REPOSITORY_READS.has(arg);
    }
    index += BACKUP_VALUED.test(arg) ? 1 : 0;
  }
  return false;
}

/** Copy, sync and backup tools whose last operand is the destination. */
const POSITIONAL_COPIERS = new Set(['s5cmd', 'duplicity', 'distcp']);

/** Storage URLs whose first component is a bucket, container or file system. */
const STORAGE_URL =
  /^(?:s3a?|gs|az|abfss?|wasbs?|r2|oss|cos|b2|hdfs|swift|webhdfs):\/\/(?:[^@/\s]*@)?([\w.-]+)/i;
/** Remote locations named by host: ssh, sftp and WebDAV URLs, restic's `sftp:` and `rest:`. */
const HOST_URL =
  /^(?:ssh|sftp|scp|ftp|ftps|rsync|dav|davs|webdav|rest:https?|https?):\/\/(?:[^@/\s]*@)?(\[[0-9a-f:]+\]|[\w.-]+)/i;
/** restic's `s3:host/bucket` form, whose first folder is the bucket. */
const RESTIC_BUCKET = /^s3:[\w.-]+(?::\d+)?\/([\w.-]+)/i;
/** restic's `sftp:user@host:/path`, `gs:bucket:/` and similar repository forms. */
const RESTIC_REMOTE = /^(?:gs|azure|b2|sftp|swift|rclone):(?:[^@/\s]*@)?([\w.-]+)/i;
/** An scp-style `user@host:path`. */
const SCP_REMOTE = /^[\w.-]+@([\w.-]+):/;
/** SQL and data frame writes to a storage URL inside inline code or a query. */
const CODE_WRITE =
  /\bTO\s+'((?:s3a?|gs|az|abfss?|r2|hdfs):\/\/[^']+)'|\.(?:to_\w+|write_\w+|save|saveAsTable|parquet|csv|json)\(\s*[fr]?["']((?:s3a?|gs|az|abfss?|r2|hdfs):\/\/[^"']+)["']/i;

/** A remote place a command writes to, with the name a user message must contain. */
interface RemoteOutput {
  /** The bucket, container or host. */
  name: string;
  kind: 'bucket' | 'host';
  /** The option or form that set it, for the finding's reason. */
  via: string;
}

/**
 * Finds a command whose output option, backup repository or inline write names a remote
 * bucket or host that no user message names.
 */
export function checkRemoteOutputs(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    // Most commands name no URL or `user@host:` at all, so they cost one test.
    if (!/:\/\/|@[\w.-]+:|\b(?:s3|sftp|rest):/.test(command.text)) {
      continue;
    }
    for (const output of remoteOutputs(command.argv, command.name)) {
      const named =
        output.kind === 'host'
          ? isLocalHost(output.name) || userNamesHost(messages, output.name)
          : containsWord(messages, output.name);
      if (!named) {
        return finding(
          'data-exfiltration',
          `The command writes its output (${output.via}) to the ${output.kind} ${output.name}, which the user did not name`,
          'remote-output',
        );
      }
    }
  }
  return undefined;
}

/** Reads the remote places that output options and inline writes in `argv` name. */
function remoteOutputs(argv: readonly string[], program: string): RemoteOutput[] {
  const outputs: RemoteOutput[] = [];
  if (POSITIONAL_COPIERS.has(program)) {
    const operands = argv.slice(1).filter((arg) => !arg.startsWith('-'));
    const remote = operands.length >= 2 ? remoteOf(operands.at(-1) ?? '', 'output') : undefined;
    if (remote !== undefined) {
      outputs.push({ ...remote, via: 'its destination operand' });
    }
  }
  for (const destination of scriptDestinations(argv, program)) {
    const remote = remoteOf(destination.value, 'output');
    if (remote !== undefined) {
      outputs.push({ ...remote, via: `a positional argument of ${destination.script}` });
    }
  }
  for (let index = 1; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const code = CODE_WRITE.exec(arg);
    const codeUrl = code?.[1] ?? code?.[2];
    if (codeUrl !== undefined) {
      const bucket = STORAGE_URL.exec(codeUrl)?.[1];
      if (bucket !== undefined) {
        outputs.push({ name: bucket.toLowerCase(), kind: 'bucket', via: 'a write in its code' });
      }
      continue;
    }
    if (!arg.startsWith('-')) {
      continue;
    }
    const [option = '', inline] = arg.split(/=(.*)/s);
    if (!OUTPUT_OPTION.test(option) && !(option === '-r' && BACKUP_TOOLS.has(program))) {
      continue;
    }
    const value = inline ?? argv[index + 1] ?? '';
    const role =
      REPOSITORY_OPTION.test(option) || (option === '-r' && BACKUP_TOOLS.has(program))
        ? 'repository'
        : CALL_TARGET_OPTION.test(option)
          ? 'target'
          : 'output';
    const remote = remoteOf(value, role);
    if (role === 'repository' && readsBackupRepository(argv, program)) {
      continue;
    }
    if (remote !== undefined) {
      outputs.push({ ...remote, via: option });
    }
  }
  return outputs;
}

/**
 * Returns the bucket or host of a remote location, or undefined for a local path. An http(s)
 * URL is an output only for an output option, because `--target https://…` names a server the
 * command tests or deploys to. A repository option counts only with a storage or backup URL,
 * because `--repo https://…` and `--repo git@host:…` name a source to read.
 */
function remoteOf(
  value: string,
  role: 'output' | 'target' | 'repository',
): Omit<RemoteOutput, 'via'> | undefined {
  const bucket = STORAGE_URL.exec(value)?.[1] ?? RESTIC_BUCKET.exec(value)?.[1];
  if (bucket !== undefined) {
    return { name: bucket.toLowerCase(), kind: 'bucket' };
  }
  const host = HOST_URL.exec(value)?.[1];
  if (host !== undefined) {
    const called = /^https?:/i.test(value) && role !== 'output';
    return called || (role === 'repository' && !/^(?:sftp|rest)/i.test(value))
      ? undefined
      : { name: host.toLowerCase(), kind: 'host' };
  }
  const remote =
    RESTIC_REMOTE.exec(value)?.[1] ??
    (role === 'repository' ? undefined : SCP_REMOTE.exec(value)?.[1]);
  return remote === undefined ? undefined : { name: remote.toLowerCase(), kind: 'host' };
}
