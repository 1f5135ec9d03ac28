/**
 * Stage-1 checks for production reached through an argument that names it: a dataset or
 * database of a query CLI (`acme_prod.users`), a framework environment variable
 * (`RAILS_ENV=production`), or a GitOps application or release (`argocd app sync api-prod`).
 * Deploys whose stage or environment is computed at run time are sent to a human.
 */
import { asksWithout, requestsVerb } from './consent.js';
import { finding, type Finding } from './findings.js';
import { standingRequests } from './standing-requests.js';
import { joinLineContinuations, type ParsedShell, type SimpleCommand } from './shell.js';

/** A name that marks production: `prod`, `production` or `prd` as a whole word or a name part. */
export const PRODUCTION_PART = /(?:^|[-_.:/\s'"=])(?:prod|production|prd)(?:$|[-_.:/\s'"])/i;
/** A log or metrics facet that selects production, such as `env:prod` or `environment=production`. */
export const PRODUCTION_FACET =
  /\b(?:env|environment|stage|deployment\.environment)\s*[:=]\s*["']?(?:prod|production|prd)\b/i;

/** Query CLIs of warehouses and databases that the generic production-read rule does not list. */
const QUERY_CLIS = new Set([
  'bq',
  'snowsql',
  'trino',
  'presto',
  'clickhouse-client',
  'clickhouse',
  'cqlsh',
  'influx',
  'databricks',
  'spark-sql',
  'beeline',
  'sqlcmd',
  'usql',
  'duckdb',
]);

/** Variables that pick the environment a framework task runs in, and so its database. */
const ENVIRONMENT_VARIABLE =
  /^(?:RAILS_ENV|RACK_ENV|APP_ENV|MIX_ENV|DJANGO_SETTINGS_MODULE|SPRING_PROFILES_ACTIVE|ASPNETCORE_ENVIRONMENT|DOTNET_ENVIRONMENT|LARAVEL_ENV|FLASK_ENV|STAGE|ENVIRONMENT|DEPLOY_ENV)=(.*)$/;
/**
 * Framework options that pick the environment as those variables do, by the script or program
 * they belong to: Django's `--settings` (`manage.py`, `django-admin`), Rails' `-e` and
 * `--environment`, and Laravel's `artisan --env`.
 */
const ENVIRONMENT_OPTIONS: ReadonlyArray<{ program: RegExp; options: ReadonlySet<string> }> = [
  { program: /^(?:manage\.py|django-admin)$/, options: new Set(['--settings']) },
  { program: /^rails$/, options: new Set(['-e', '--environment']) },
  { program: /^artisan$/, options: new Set(['--env']) },
];

/**
 * Returns the value of the option by which `command` picks a framework's environment (see
 * {@link ENVIRONMENT_OPTIONS}): `python manage.py shell --settings=acme.settings.prod` gives
 * `acme.settings.prod`.
 */
function frameworkEnvironmentOption(command: SimpleCommand): string | undefined {
  const words = command.argv.map((word) => word.replace(/^.*\//, ''));
  const framework = ENVIRONMENT_OPTIONS.find((candidate) =>
    words.slice(0, 2).some((word) => candidate.program.test(word)),
  );
  if (framework === undefined) {
    return undefined;
  }
  for (let index = 1; index < command.argv.length; index += 1) {
    const arg = command.argv[index] ?? '';
    const [option = '', inline] = arg.split(/=(.*)/s, 2);
    if (framework.options.has(option)) {
      return inline ?? command.argv[index + 1];
    }
  }
  return undefined;
}

/** Tasks that only build or list, which read no production data under a production environment. */
const BUILD_TASK =
  /^(?:assets:precompile|assets:clean|build|compile|release|routes|-T|--tasks|collectstatic|webpacker:compile|deps\.get)$/;

/**
 * GitOps and release CLIs, with the verbs that change what runs. A `Map`, so program names
 * such as `constructor` find nothing.
 */
const GITOPS_VERBS = new Map<string, RegExp>([
  ['argocd', /^(?:sync|set|rollback|patch|create|delete|terminate-op)$/],
  ['flux', /^(?:reconcile|resume|suspend|create|delete)$/],
  ['helmfile', /^(?:sync|apply|destroy|deps)$/],
  ['skaffold', /^(?:run|deploy|delete)$/],
  ['waypoint', /^(?:up|deploy|release)$/],
]);

/** Options whose value is the stage, environment or target of a deploy. */
const TARGET_OPTION =
  /^(?:--stage|-s|--env|-e|--environment|--target|--context|--profile|--app|-a)$/;
/** Deploy commands whose target option is read for a run-time value. */
const DEPLOY_COMMAND =
  /^(?:(?:npx |pnpm |yarn |bunx )?(?:serverless|sls|sst|cdk|amplify|vercel|netlify|fly|flyctl|railway|wrangler|kamal|copilot|eb|zappa|chalice|helmfile|argocd|skaffold))\b.*\b(?:deploy|up|publish|release|sync|apply|push)\b/;

/** A mention of production in a message. */
const PRODUCTION_MENTION = /\bprod(?:uction)?\b|\blive\b|\bprd\b/i;

/**
 * Finds a command that reaches production through a named argument when the user did not
 * mention production, and a deploy whose target is computed at run time.
 */
export function checkProductionNames(
  parsed: ParsedShell,
  raw: string,
  messages: string,
  allMessages: string = messages,
): Finding | undefined {
  // Most command lines name no production, so the messages are read only once one does.
  let mentionsProduction: boolean | undefined;
  const userMentionsProduction = (): boolean => {
    mentionsProduction ??= asksWithout(PRODUCTION_MENTION, messages);
    return mentionsProduction;
  };
  // A deploy needs a mention in a request that still stands, not in "ship it to prod if …".
  let standingMention: boolean | undefined;
  const standingMentionsProduction = (): boolean => {
    standingMention ??= asksWithout(PRODUCTION_MENTION, standingRequests(messages, allMessages));
    return standingMention;
  };
  for (const command of parsed.commands) {
    const computed = computedDeployTarget(command, raw);
    if (computed !== undefined) {
      return finding(
        'unparsed',
        `The deploy target ${computed} is computed at run time, so a human must check which environment it names`,
        'computed-deploy-target',
      );
    }
    const target = productionTargetOf(command);
    if (
      target !== undefined &&
      !(target.consent === 'mention'
        ? userMentionsProduction()
        : consentsToProductionTarget(standingRequests(messages, allMessages)))
    ) {
      return finding('production-deploy', target.reason, target.rule);
    }
    // Testing each word builds no string and finds what a test of the joined words finds,
    // because the pattern's `^` and `$` match where a space would join two words.
    if (
      !command.argv.some((arg) => PRODUCTION_PART.test(arg)) &&
      !command.assignments.some((assignment) => PRODUCTION_PART.test(assignment))
    ) {
      continue;
    }
    const args = command.argv.slice(1);
    const verbs = GITOPS_VERBS.get(command.name);
    const verb = args.find((arg) => verbs?.test(arg) === true);
    if (
      verb !== undefined &&
      !standingMentionsProduction() &&
      args.some((arg) => !arg.startsWith('-') && PRODUCTION_PART.test(arg))
    ) {
      return finding(
        'production-deploy',
        `The command runs ${command.name} ${verb} on a production application or release the user did not mention`,
        'production-gitops',
      );
    }
    if (userMentionsProduction()) {
      continue;
    }
    if (QUERY_CLIS.has(command.name) && args.some((arg) => namesProductionData(arg))) {
      return finding(
        'production-read',
        `The ${command.name} command queries a production dataset or database the user did not mention`,
        'production-dataset',
      );
    }
    const environment = [
      ...[...command.assignments, ...args].map((text) => ENVIRONMENT_VARIABLE.exec(text)?.[1]),
      frameworkEnvironmentOption(command),
    ].find((value) => value !== undefined && PRODUCTION_PART.test(` ${value} `));
    if (environment !== undefined && !args.some((arg) => BUILD_TASK.test(arg))) {
      return finding(
        'production-read',
        `The command runs ${command.name} in the ${environment} environment, which the user did not mention`,
        'production-environment',
      );
    }
  }
  return undefined;
}

/** Checks whether an argument names a production dataset, table or database (`acme_prod.users`). */
function namesProductionData(arg: string): boolean {
  return (
    /\b[\w-]*(?:_prod|prod_|-prod|prod-|_production|production_)[\w-]*\.\w/i.test(arg) ||
    /^(?:--(?:dataset_id|project_id|database|dbname|db)=)(?:[\w-]*[-_])?(?:prod|production)\b/i.test(
      arg,
    )
  );
}

/**
 * Returns the target argument of a deploy command when it comes from a command substitution,
 * either directly (`--stage "$(…)"`) or through a variable assigned one on the same line.
 */
function computedDeployTarget(command: SimpleCommand, raw: string): string | undefined {
  if (!/\$[{(\w]|`/.test(command.text) || !DEPLOY_COMMAND.test(command.argv.join(' '))) {
    return undefined;
  }
  // Assignments are read from the source text, because a bare `NAME=$(…) &&` is no command.
  // Backslash-newlines are removed first, as bash removes them.
  const source = raw.includes('\\\n') ? joinLineContinuations(raw) : raw;
  const computedVariables = new Set(
    [...source.matchAll(/(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_]\w*)=["']?(?:\$\(|`)/g)].map(
      (match) => match[1] ?? '',
    ),
  );
  const sourceText = command.text.includes('\\\n')
    ? joinLineContinuations(command.text)
    : command.text;
  for (const match of sourceText.matchAll(/(?:^|\s)(-{1,2}[\w-]+)[=\s]+("[^"]*"|'[^']*'|\S+)/g)) {
    const [, option = '', value = ''] = match;
    if (!TARGET_OPTION.test(option) || value.startsWith("'")) {
      continue;
    }
    const substituted = /\$\(|`/.test(value);
    const variable = /\$\{?(\w+)/.exec(value)?.[1];
    if (substituted || (variable !== undefined && computedVariables.has(variable))) {
      return `${option} ${value}`;
    }
  }
  return undefined;
}

/** Task runners whose first positional argument names a project task (`make deploy`). */
const TASK_RUNNERS = new Set(['make', 'task', 'just', 'mage', 'rake', 'invoke', 'cap', 'mina']);
/** Package managers whose `run` subcommand runs a project script. */
const SCRIPT_RUNNERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
/** Task names that change what runs in an environment: `deploy`, `release:prod`, `ship`. */
const DEPLOY_TASK =
  /^(?:[\w-]*[-_:])?(?:deploy|release|ship|promote|rollout|publish|push|migrate|apply|up)(?:$|[-_:])/i;
/** Programs that deploy or configure a hosted application, read for a production target. */
const HOSTED_APP_CLIS = new Set([
  'serverless',
  'sls',
  'sst',
  'cdk',
  'amplify',
  'vercel',
  'netlify',
  'fly',
  'flyctl',
  'railway',
  'wrangler',
  'kamal',
  'copilot',
  'eb',
  'zappa',
  'chalice',
  'helmfile',
  'firebase',
  'heroku',
  'supabase',
]);
/** Subcommands of those programs that only read or print. */
const READ_ONLY_VERB =
  /^(?:tail|logs?|list|ls|whoami|info|status|describe|get|show|help|version|--version|-v|--help|-h)$/;
/** A production name alone: `prod`, `production`, `prd`, as a value or a name part. */
const PRODUCTION_VALUE = /^(?:[\w.-]*[-_.])?(?:prod|production|prd)(?:$|[-_.][\w.-]*$)/i;
/** A variable reference whose name marks production: `$PROD_DATABASE_URL`, `${DB_URL_PRODUCTION}`. */
const PRODUCTION_VARIABLE = /\$\{?(?:[A-Za-z0-9]+_)*(?:PROD|PRODUCTION|PRD)(?:_[A-Za-z0-9]+)*\b/i;
/** Variables that point a command at a database, cache or service. */
const CONNECTION_VARIABLE =
  /^[A-Z0-9_]*(?:URL|URI|DSN|HOST|DATABASE|DB|CONN\w*|ENDPOINT|ADDR\w*)=/i;

/** How a command reaches production through its arguments, and the consent it needs. */
interface ProductionTarget {
  /** `deploy` needs a request to deploy to production; `mention` needs production named. */
  consent: 'deploy' | 'mention';
  reason: string;
  rule: string;
}

/**
 * Finds a command aimed at production by an argument: a deploy task run with a production
 * argument (`task deploy ENV=prod`, `cap production deploy`), a hosted-app CLI whose target
 * option is production (`wrangler secret put K --env production`), or a connection variable
 * set from a production variable (`DATABASE_URL="$PROD_DATABASE_URL" alembic upgrade head`).
 */
function productionTargetOf(command: SimpleCommand): ProductionTarget | undefined {
  // Cheap gate: every form below spells a production name in the command's own text.
  if (!/pro?d/i.test(command.text)) {
    return undefined;
  }
  const args = command.argv.slice(1);
  const connection = [...command.assignments, ...(command.name === 'export' ? args : [])].find(
    (text) => CONNECTION_VARIABLE.test(text) && PRODUCTION_VARIABLE.test(text),
  );
  if (connection !== undefined) {
    return {
      consent: 'mention',
      reason: `The command runs with ${connection.split('=')[0]} taken from a production variable, which the user did not mention`,
      rule: 'production-connection',
    };
  }
  const task = deployTask(command, args);
  if (task !== undefined && namesProductionTarget(args.filter((arg) => arg !== task))) {
    return {
      consent: 'deploy',
      reason: `The command runs the ${task} task against production, which the user did not ask to deploy to`,
      rule: 'production-task',
    };
  }
  if (HOSTED_APP_CLIS.has(command.name) && !READ_ONLY_VERB.test(args[0] ?? '')) {
    const option = productionOption(args);
    if (option !== undefined) {
      return {
        consent: 'mention',
        reason: `The command runs ${command.name} ${args[0] ?? ''} with ${option}, a production target the user did not mention`,
        rule: 'production-option',
      };
    }
  }
  return undefined;
}

/** Returns the deploy task a task runner or package script runs, if it runs one. */
function deployTask(command: SimpleCommand, args: readonly string[]): string | undefined {
  let positional = args.filter((arg) => !arg.startsWith('-') && !/^\w+=/.test(arg));
  if (SCRIPT_RUNNERS.has(command.name)) {
    if (positional[0] !== 'run' && positional[0] !== 'run-script') {
      return undefined;
    }
    positional = positional.slice(1);
  } else if (!TASK_RUNNERS.has(command.name)) {
    return undefined;
  }
  return positional.find((arg) => DEPLOY_TASK.test(arg));
}

/** Checks whether arguments name production: `ENV=prod`, `prod`, `--env production`. */
function namesProductionTarget(args: readonly string[]): boolean {
  return (
    productionOption(args) !== undefined ||
    args.some((arg) => {
      const value = /^\w+=(.*)$/.exec(arg)?.[1] ?? (arg.startsWith('-') ? '' : arg);
      return PRODUCTION_VALUE.test(value.replace(/^["']|["']$/g, ''));
    })
  );
}

/** Returns a target option whose value names production (`--env production`, `-s=prod`). */
function productionOption(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = '', inline] = arg.split(/=(.*)/s, 2);
    if (!TARGET_OPTION.test(option)) {
      continue;
    }
    const value = inline ?? args[index + 1] ?? '';
    if (PRODUCTION_VALUE.test(value)) {
      return `${option} ${value}`;
    }
  }
  return undefined;
}

/**
 * Checks that a request to deploy, ship or release to production consents to a production
 * deploy task, so "make it work on prod too" or a deferred "I'll deploy Monday" gives no
 * consent. Other production targets need only production named in the user's requests.
 */
function consentsToProductionTarget(messages: string): boolean {
  return requestsVerb(DEPLOY_REQUEST_VERBS, messages).some((clause) =>
    /\b(?:prod\w*|prd|live)\b/i.test(clause),
  );
}

/** Verbs that ask to put a change into an environment. */
const DEPLOY_REQUEST_VERBS = String.raw`deploy\w*|ship\w*|releas\w*|roll\w*\b.{0,40}?\bout|promot\w*|push\w*|publish\w*|go live|migrat\w*|appl(?:y|ies|ied|ying)|run\w*|set\w*|put\w*`;

/** A sentence that says what a server or tool is connected to: "is", "points at", "talks to". */
const CONNECTED_TO =
  /\b(?:is|are|'s|points?(?: at| to)?|talks? to|(?:is |are )?(?:connected|wired|hooked up|attached) to|reaches|uses|runs against|goes to)\b/i;
const PRODUCTION_WORD = /\b(?:prod|production|prd|live)\b/i;

/**
 * Checks whether a user message says that the MCP server `server` reaches production: one
 * sentence names the server as a word, a verb of connection and production ("the postgres MCP
 * server is connected to production"). A sentence that negates it ("is not prod") does not
 * count.
 */
export function userCallsServerProduction(server: string, messages: readonly string[]): boolean {
  if (server.length < 2) {
    return false;
  }
  const name = new RegExp(`(?<![\\w-])${server.replace(/[^\w-]/g, '')}(?![\\w-])`, 'i');
  return messages.some((message) =>
    message
      .split(/(?<=[.!?;])\s+|\n+/)
      .some(
        (sentence) =>
          PRODUCTION_WORD.test(sentence) &&
          name.test(sentence) &&
          CONNECTED_TO.test(sentence) &&
          !/\b(?:not|isn'?t|aren'?t|never|no longer)\b/i.test(sentence),
      ),
  );
}
