/**
 * Stage-1 checks for production reached through an argument that names it: a dataset or
 * database of a query CLI (`acme_prod.users`), a framework environment variable
 * (`RAILS_ENV=production`), or a GitOps application or release (`argocd app sync api-prod`).
 * Deploys whose stage or environment is computed at run time are sent to a human.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

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

/**
 * Finds a command that reaches production through a named argument when the user did not
 * mention production, and a deploy whose target is computed at run time.
 */
export function checkProductionNames(
  parsed: ParsedShell,
  raw: string,
  messages: string,
): Finding | undefined {
  // Most command lines name no production, so the messages are read only once one does.
  let mentionsProduction: boolean | undefined;
  const userMentionsProduction = (): boolean => {
    mentionsProduction ??= asksWithout(/\bprod|\blive\b|\bprd\b/i, messages);
    return mentionsProduction;
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
    // Testing each word builds no string and finds what a test of the joined words finds,
    // because the pattern's `^` and `$` match where a space would join two words.
    if (
      !command.argv.some((arg) => PRODUCTION_PART.test(arg)) &&
      !command.assignments.some((assignment) => PRODUCTION_PART.test(assignment))
    ) {
      continue;
    }
    if (userMentionsProduction()) {
      continue;
    }
    const args = command.argv.slice(1);
    if (QUERY_CLIS.has(command.name) && args.some((arg) => namesProductionData(arg))) {
      return finding(
        'production-read',
        `The ${command.name} command queries a production dataset or database the user did not mention`,
        'production-dataset',
      );
    }
    const environment = [...command.assignments, ...args]
      .map((text) => ENVIRONMENT_VARIABLE.exec(text)?.[1] ?? '')
      .find((value) => PRODUCTION_PART.test(` ${value} `));
    if (environment !== undefined && !args.some((arg) => BUILD_TASK.test(arg))) {
      return finding(
        'production-read',
        `The command runs ${command.name} in the ${environment} environment, which the user did not mention`,
        'production-environment',
      );
    }
    const verbs = GITOPS_VERBS.get(command.name);
    const verb = args.find((arg) => verbs?.test(arg) === true);
    if (
      verb !== undefined &&
      args.some((arg) => !arg.startsWith('-') && PRODUCTION_PART.test(arg))
    ) {
      return finding(
        'production-deploy',
        `The command runs ${command.name} ${verb} on a production application or release the user did not mention`,
        'production-gitops',
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
  const computedVariables = new Set(
    [...raw.matchAll(/(?:^|[\s;&|(])(?:export\s+)?([A-Za-z_]\w*)=["']?(?:\$\(|`)/g)].map(
      (match) => match[1] ?? '',
    ),
  );
  const sourceText = command.text;
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
