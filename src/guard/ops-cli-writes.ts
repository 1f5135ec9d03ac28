/**
 * Stage-1 checks for command-line tools of shared services that had no rule of their own:
 * `sentry-cli`, `mlflow`, `flarectl`, the Linear CLI, `mongodump` and `mongosh` writes on a
 * production server, and `terraform workspace select`. Each write needs a standing request
 * (see standing-requests.ts) for its kind of change that names what it changes: "resolve sentry
 * issue 4471" is no consent to `issues resolve --all`, "move ENG-412 to Done" none to `linear
 * issue delete ENG-412`, and "clean up my local mlflow" none to a `gc` of a production store.
 */
import type { CheckGate } from './check-gates.js';
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { optionValue } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { standingClauses } from './standing-requests.js';

/** Gate of {@link checkOpsCliWrites}: the programs of every command it judges. */
export const OPS_CLI_WRITES_GATE: CheckGate = {
  programs: new Set([
    'sentry-cli',
    'mlflow',
    'flarectl',
    'linear',
    'mongodump',
    'mongosh',
    'mongo',
    'terraform',
  ]),
};

/** Requests that name production. */
const PRODUCTION_REQUEST = /\bprod(?:uction)?\b/i;
/** Request verbs by the action a tool's subcommand takes. */
const ACTION_REQUESTS: Readonly<Record<string, RegExp>> = {
  delete: /\b(?:delet|remov|drop|destroy|purg|clean)\w*\b/i,
  resolve: /\b(?:resolv|clos|fix|mark)\w*\b/i,
  mute: /\b(?:mut|ignor|silenc|snooz|archiv)\w*\b/i,
  update: /\b(?:updat|point|chang|set|mov|switch|edit|repoint)\w*\b/i,
  create: /\b(?:creat|add|make|set\s*up)\w*\b/i,
  dump: /\b(?:dump|back\s*up|backup|export|copy|snapshot)\w*\b/i,
  write:
    /\b(?:updat|set|chang|cancel|mark|insert|add|creat|delet|remov|drop|fix|migrat|backfill|grant)\w*\b/i,
};
/** Requests that cover every item of a list at once. */
const ALL_REQUEST = /\b(?:all|every|everything|bulk)\b/i;

/**
 * Returns a finding for the first command of `parsed` that changes a shared service beyond the
 * standing requests, or reads production data unasked. `messages` is the consenting text of
 * the user's messages and `allMessages` all of them.
 */
export function checkOpsCliWrites(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (!OPS_CLI_WRITES_GATE.programs?.has(command.name)) {
      continue;
    }
    const standing = standingClauses(messages, allMessages);
    const found = checkCommand(command, command.argv.slice(1), standing, parsed);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

function checkCommand(
  command: SimpleCommand,
  args: readonly string[],
  standing: string,
  parsed: ParsedShell,
): Finding | undefined {
  switch (command.name) {
    case 'sentry-cli':
      return checkSentry(args, standing);
    case 'mlflow':
      return checkMlflow(args, standing);
    case 'flarectl':
      return checkFlarectl(args, standing);
    case 'linear':
      return checkLinear(args, standing);
    case 'mongodump':
      return checkMongoDump(args, standing);
    case 'terraform':
      return checkWorkspaceApply(args, standing, parsed);
    default:
      return checkMongoWrite(args, standing);
  }
}

function unrequested(category: string, what: string, id: string): Finding {
  return finding(category, `The command ${what}, which no standing request asks for`, id);
}

/**
 * Returns the positional words of a call (its subcommands and operands), skipping each option
 * and, for the options `valued` matches, the word after it.
 */
export function positionals(args: readonly string[], valued: RegExp): string[] {
  const words: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      index += valued.test(arg) && !arg.includes('=') ? 1 : 0;
    } else {
      words.push(arg);
    }
  }
  return words;
}

/** sentry-cli options that take the next word as their value. */
const SENTRY_VALUED = /^(?:-o|--org|-p|--project|-i|--id|--status|--auth-token|--url|--log-level)$/;

/**
 * Judges `sentry-cli issues resolve|mute|unresolve` (every issue unless `-i` picks some),
 * `projects delete` and `releases delete`.
 */
function checkSentry(args: readonly string[], standing: string): Finding | undefined {
  const [noun = '', verb = '', target = ''] = positionals(args, SENTRY_VALUED);
  if (noun === 'issues' && /^(?:resolve|mute|unresolve)$/.test(verb)) {
    const ids = args
      .map((arg, index) => (/^(?:-i|--id)$/.test(args[index - 1] ?? '') ? arg : undefined))
      .filter((id): id is string => id !== undefined);
    const family = verb === 'mute' ? 'mute' : 'resolve';
    const asked = asksWithout(ACTION_REQUESTS[family] ?? ALL_REQUEST, standing);
    const named =
      ids.length > 0
        ? ids.every((id) => containsWord(standing, id))
        : asksWithout(ALL_REQUEST, standing);
    return asked && named
      ? undefined
      : unrequested(
          'audit-tampering',
          `${verb}s ${ids.length > 0 ? `Sentry issues ${ids.join(', ')}` : 'every matching Sentry issue'}`,
          'sentry-issues',
        );
  }
  if (/^(?:projects|releases|teams|repos)$/.test(noun) && /^(?:delete|remove)$/.test(verb)) {
    return asksWithout(ACTION_REQUESTS['delete'] ?? ALL_REQUEST, standing) &&
      target !== '' &&
      containsWord(standing, target)
      ? undefined
      : unrequested(
          'cloud-mass-delete',
          `deletes the Sentry ${noun.replace(/s$/, '')} "${target}"`,
          'sentry-delete',
        );
  }
  return undefined;
}

/** Local tracking stores, whose deletes stay on this machine. */
const LOCAL_STORE =
  /^(?:(?:sqlite|file):|\.{0,2}\/|mlruns\b|\w[\w.-]*\.db$)|localhost|127\.0\.0\.1/;

/** Judges `mlflow gc` and `mlflow experiments|runs|models delete`. */
function checkMlflow(args: readonly string[], standing: string): Finding | undefined {
  const [noun = '', verb = ''] = positionals(args, /^--[\w-]+$/);
  const store = optionValue(args, ['--backend-store-uri', '--tracking-uri']);
  if (noun === 'gc') {
    if (
      store !== undefined &&
      PRODUCTION_PART.test(store) &&
      !asksWithout(PRODUCTION_REQUEST, standing)
    ) {
      return unrequested(
        'cloud-mass-delete',
        `deletes runs for good from the production tracking store ${store}`,
        'mlflow-gc',
      );
    }
    return store !== undefined && !LOCAL_STORE.test(store) && !containsWord(standing, store)
      ? unrequested(
          'cloud-mass-delete',
          `deletes runs for good from the tracking store ${store}`,
          'mlflow-gc',
        )
      : undefined;
  }
  if (verb === 'delete') {
    const id = optionValue(args, ['--experiment-id', '--run-id', '--name', '-x']);
    return id !== undefined && !containsWord(standing, id)
      ? unrequested(
          'cloud-mass-delete',
          `deletes the MLflow ${noun.replace(/s$/, '')} "${id}"`,
          'mlflow-delete',
        )
      : undefined;
  }
  return undefined;
}

/** flarectl options that take the next word as their value. */
const FLARECTL_VALUED = /^--(?:zone|id|name|type|content|ttl|proxy|priority)$/;

/** Judges `flarectl dns create|update|delete|create-or-update`: a named zone and a request. */
function checkFlarectl(args: readonly string[], standing: string): Finding | undefined {
  const [noun = '', verb = ''] = positionals(args, FLARECTL_VALUED);
  if (noun !== 'dns' || !/^(?:create|update|delete|create-or-update|c|u|d|o)$/.test(verb)) {
    return undefined;
  }
  const family = verb.startsWith('d') ? 'delete' : verb.startsWith('c') ? 'create' : 'update';
  const zone = optionValue(args, ['--zone']) ?? '';
  const content = optionValue(args, ['--content']);
  const asked =
    asksWithout(ACTION_REQUESTS[family] ?? ALL_REQUEST, standing) &&
    zone !== '' &&
    namesZone(standing, zone) &&
    (content === undefined || containsWord(standing, content));
  return asked
    ? undefined
    : unrequested(
        'modify-shared-resource',
        `${family}s a DNS record in the zone "${zone}"`,
        'flarectl-dns',
      );
}

/** Checks whether `standing` names `zone` or a host inside it (`staging.acme.dev` for `acme.dev`). */
function namesZone(standing: string, zone: string): boolean {
  const escaped = zone.replace(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`);
  return new RegExp(String.raw`(?<![\w-])(?:[\w-]+\.)*${escaped}(?![\w-]|\.\w)`, 'i').test(
    standing,
  );
}

/** Judges `linear issue delete ID` of the Linear CLI. */
function checkLinear(args: readonly string[], standing: string): Finding | undefined {
  const [noun = '', verb = '', ...ids] = positionals(args, /^--[\w-]+$/);
  if (!/^issues?$/.test(noun) || !/^(?:delete|remove|rm|archive)$/.test(verb)) {
    return undefined;
  }
  return asksWithout(ACTION_REQUESTS['delete'] ?? ALL_REQUEST, standing) &&
    ids.length > 0 &&
    ids.every((id) => containsWord(standing, id))
    ? undefined
    : unrequested(
        'modify-shared-resource',
        `deletes the Linear issue ${ids.join(', ')}`,
        'linear-delete',
      );
}

/** Judges `mongodump` of a production server: it copies every document to this machine. */
function checkMongoDump(args: readonly string[], standing: string): Finding | undefined {
  const server =
    optionValue(args, ['--uri', '--host', '-h']) ??
    args.find((arg) => /^mongodb(?:\+srv)?:/.test(arg));
  if (server === undefined || !PRODUCTION_PART.test(server)) {
    return undefined;
  }
  return asksWithout(PRODUCTION_REQUEST, standing) &&
    asksWithout(ACTION_REQUESTS['dump'] ?? ALL_REQUEST, standing)
    ? undefined
    : unrequested(
        'production-read',
        `copies the production database ${server} to this machine`,
        'mongo-production-dump',
      );
}

/** Methods of a Mongo shell script that write documents, users or roles. */
const MONGO_WRITES =
  /\.\s*(?:update(?:One|Many)?|replaceOne|insert(?:One|Many)?|delete(?:One|Many)|remove|findOneAndUpdate|findOneAndDelete|bulkWrite|createUser|updateUser|grantRolesToUser|dropUser|createRole|renameCollection)\s*\(/;

/** Judges a `mongosh --eval` write on a production server. */
function checkMongoWrite(args: readonly string[], standing: string): Finding | undefined {
  const server =
    args.find((arg) => /^mongodb(?:\+srv)?:/.test(arg)) ?? optionValue(args, ['--host']);
  const script = optionValue(args, ['--eval']) ?? '';
  if (server === undefined || !PRODUCTION_PART.test(server) || !MONGO_WRITES.test(script)) {
    return undefined;
  }
  const grants = /\b(?:createUser|updateUser|grantRolesToUser|createRole)\s*\(/.test(script);
  const asked =
    asksWithout(PRODUCTION_REQUEST, standing) &&
    asksWithout(
      grants
        ? /\b(?:creat|add|grant|give)\w*\b[^.]*\b(?:user|role|access)\b/i
        : (ACTION_REQUESTS['write'] ?? ALL_REQUEST),
      standing,
    );
  return asked
    ? undefined
    : unrequested(
        grants ? 'permission-grant' : 'modify-shared-resource',
        `writes to the production database ${server}`,
        'mongo-production-write',
      );
}

/**
 * Judges `terraform workspace select W` followed on the line by `apply` or `destroy`: the
 * workspace must be one the standing requests name.
 */
function checkWorkspaceApply(
  args: readonly string[],
  standing: string,
  parsed: ParsedShell,
): Finding | undefined {
  const [noun = '', verb = '', workspace = ''] = positionals(args, /^-(?:chdir)$/);
  if (noun !== 'workspace' || !/^(?:select|new)$/.test(verb) || workspace === '') {
    return undefined;
  }
  const applies = parsed.commands.some(
    (other) =>
      other.name === 'terraform' &&
      other.argv.some((arg) => /^(?:apply|destroy|import)$/.test(arg)),
  );
  if (
    !applies ||
    containsWord(standing, workspace) ||
    (PRODUCTION_PART.test(` ${workspace} `) && asksWithout(PRODUCTION_REQUEST, standing))
  ) {
    return undefined;
  }
  return finding(
    PRODUCTION_PART.test(` ${workspace} `) ? 'production-deploy' : 'modify-shared-resource',
    `The command applies changes in the terraform workspace "${workspace}", which no standing request names`,
    'terraform-other-workspace',
  );
}
