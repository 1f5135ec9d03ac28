/**
 * A project script given a remote place as a positional argument: `python export.py
 * s3://bucket/x`, `node sync.js gs://…`, `./upload.sh https://host/…`. The script's own
 * code is not on hand, so its file name and the URL's scheme decide whether the place is
 * where it sends the project's data or a source it reads.
 */
import { interpreterName, isShell } from './interpreters.js';
import { interpreterSyntax, scriptOperand } from './script-operands.js';

/** A positional argument that names where a script sends data. */
export interface ScriptDestination {
  /** The argument as written: a URL or `user@host:path`. */
  value: string;
  /** The script's file name, for the finding's reason. */
  script: string;
}

/** Words of a script name that say it sends data somewhere. */
const SEND_VERBS = new Set([
  'upload',
  'uploader',
  'export',
  'exporter',
  'push',
  'sync',
  'send',
  'publish',
  'backup',
  'dump',
  'ship',
  'archive',
  'mirror',
  'copy',
  'put',
  'save',
  'replicate',
  'transfer',
  'share',
  'post',
  'offload',
  'exfil',
]);
/** Words of a script name that say it reads a remote place into the project. */
const SOURCE_VERBS = new Set([
  'fetch',
  'download',
  'downloader',
  'pull',
  'get',
  'import',
  'ingest',
  'load',
  'loader',
  'read',
  'scrape',
  'crawl',
  'restore',
  'check',
  'validate',
  'verify',
  'inspect',
  'list',
  'ls',
  'probe',
  'ping',
  'health',
  'healthcheck',
  'lint',
  'test',
  'bench',
  'benchmark',
]);
/** File endings of scripts run by path (`./upload.sh`, `bin/export.py`). */
const SCRIPT_FILE = /\.(?:sh|bash|zsh|py|js|mjs|cjs|ts|rb|pl|r|php|lua|ps1)$/i;
/** Remote URLs of storage and file-transfer schemes, which a script more often writes to. */
const STORAGE_SCHEME =
  /^(?:s3a?|gs|az|abfss?|wasbs?|r2|oss|cos|b2|hdfs|swift|webhdfs|ssh|sftp|scp|ftps?|rsync|dav|davs|webdav):\/\//i;
/** An scp-style `user@host:path`. */
const SCP_REMOTE = /^[\w.-]+@[\w.-]+:/;

/**
 * Returns the positional arguments of a script run that name a remote place it sends data
 * to. A storage or file-transfer URL is a destination unless the script's name says it only
 * reads (`download.py`, `fetch.sh`), because such a script mostly copies data there. An
 * http(s) URL is a destination only when the name says it sends (`upload.sh`), because most
 * scripts given a web URL read from it.
 */
export function scriptDestinations(argv: readonly string[], program: string): ScriptDestination[] {
  const run = scriptRun(argv, program);
  if (run === undefined) {
    return [];
  }
  const words = nameWords(run.script);
  const sends = words.some((word) => SEND_VERBS.has(word));
  const reads = words.some((word) => SOURCE_VERBS.has(word));
  const destinations: ScriptDestination[] = [];
  for (const arg of run.args) {
    if (arg.startsWith('-')) {
      continue;
    }
    const storage = STORAGE_SCHEME.test(arg) || SCP_REMOTE.test(arg);
    const web = /^https?:\/\//i.test(arg);
    if ((storage && (sends || !reads)) || (web && sends && !reads)) {
      destinations.push({ value: arg, script: run.script });
    }
  }
  return destinations;
}

/** Finds the script file and the arguments given to it, or undefined when no script runs. */
function scriptRun(
  argv: readonly string[],
  program: string,
): { script: string; args: readonly string[] } | undefined {
  const interpreter = interpreterName(program);
  if (interpreter !== undefined || isShell(program)) {
    const args = argv.slice(1);
    const syntax = interpreter === undefined ? undefined : interpreterSyntax(interpreter);
    // Interpreters without a syntax table (Rscript, shells) take the first plain word.
    const operand =
      syntax === undefined
        ? args.find((arg) => !arg.startsWith('-'))
        : (() => {
            const found = scriptOperand(args, syntax);
            return typeof found === 'object' ? found.file : undefined;
          })();
    if (operand === undefined || !SCRIPT_FILE.test(operand)) {
      return undefined;
    }
    return { script: baseName(operand), args: args.slice(args.indexOf(operand) + 1) };
  }
  const first = argv[0] ?? '';
  if (first.includes('/') && SCRIPT_FILE.test(first)) {
    return { script: baseName(first), args: argv.slice(1) };
  }
  return undefined;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Splits `export_to-s3.py` or `uploadReport.js` into lower-case words, without the ending. */
function nameWords(script: string): string[] {
  return script
    .replace(SCRIPT_FILE, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}
