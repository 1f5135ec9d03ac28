/**
 * Calls that print a deployed service's environment values. They are the describe and get calls
 * of cloud CLIs (Cloud Run, Cloud Functions, App Engine, Lambda, ECS, App Runner, Elastic
 * Beanstalk, Batch, Azure app settings), `kubectl get` of a workload as YAML or JSON (the pod
 * spec lists `env` values), and `fly ssh console -C env`. A call counts when its default output
 * contains the values or when its `--format`, `--query` or `-o jsonpath` picks them out. A call
 * whose projection selects other fields (`value(status.url)`, `--query Timeout`) prints none.
 */
import { optionValue } from './options.js';

/** A call that prints a service's environment. */
export interface ServiceEnvironment {
  /** Name of the service, function, task definition or workload; '' when the call names none. */
  service: string;
  /**
   * True when the call prints the service's whole description, environment included, rather
   * than picking the environment out: a request about the service consents to it.
   */
  whole: boolean;
}

/**
 * AWS sub-commands whose default output includes a deployed service's environment variables
 * with their values, the option that names the service, and the `--query` fields that select
 * the environment.
 */
const AWS_ENVIRONMENT_PRINTERS: ReadonlyMap<string, { name: string; field: RegExp }> = new Map([
  ['lambda get-function-configuration', { name: '--function-name', field: /environment/i }],
  ['lambda get-function', { name: '--function-name', field: /environment|configuration$/i }],
  ['ecs describe-task-definition', { name: '--task-definition', field: /environment|secrets/i }],
  ['apprunner describe-service', { name: '--service-arn', field: /environment|secrets/i }],
  [
    'elasticbeanstalk describe-configuration-settings',
    { name: '--environment-name', field: /environment|option/i },
  ],
  ['batch describe-job-definitions', { name: '--job-definitions', field: /environment|secrets/i }],
]);

/** `gcloud` describe calls of deployed services. */
const GCLOUD_DESCRIBE =
  /(?:^| )(?:beta |alpha )?(?:run (?:services|jobs|revisions) describe|functions describe|app versions describe)\b/;

/** `--format` and `-o` values that print the whole resource, with no projection. */
const WHOLE_FORMATS = /^(?:yaml|json|flattened|default|export|object|config|text|list)$/i;

/** `kubectl get` resource kinds whose YAML or JSON contains a pod spec, environment included. */
const WORKLOAD_KINDS =
  /^(?:deploy(?:ments?)?|sts|statefulsets?|ds|daemonsets?|rs|replicasets?|rc|replicationcontrollers?|jobs?|cj|cronjobs?|po|pods?|deploymentconfigs?|dc)(?:\.[\w.]+)?$/i;

/** `kubectl` options that take the next word as their value. */
const KUBECTL_VALUED = new Set([
  '-n',
  '--namespace',
  '--context',
  '--cluster',
  '--kubeconfig',
  '-l',
  '--selector',
  '-o',
  '--output',
  '--field-selector',
  '--user',
  '-s',
  '--server',
]);

/** Commands run over `fly ssh console -C` that print the machine's environment. */
const ENVIRONMENT_COMMAND = /^(?:\S*\/)?(?:env|printenv|export|set|declare -x)(?:\s*$|\s+-)/;

/**
 * Returns the service whose environment values the call of `program` prints, or undefined for
 * a call that prints none.
 */
export function serviceEnvironment(
  program: string,
  args: readonly string[],
): ServiceEnvironment | undefined {
  switch (program) {
    case 'aws':
      return awsServiceEnvironment(args);
    case 'gcloud':
      return gcloudServiceEnvironment(args);
    case 'az':
      return azureSettings(args);
    case 'kubectl':
    case 'oc':
      return workloadEnvironment(args);
    case 'fly':
    case 'flyctl':
      return flyEnvironment(args);
    default:
      return undefined;
  }
}

/** Programs that {@link serviceEnvironment} judges. */
export const SERVICE_ENVIRONMENT_PROGRAMS = [
  'aws',
  'gcloud',
  'az',
  'kubectl',
  'oc',
  'fly',
  'flyctl',
];

function awsServiceEnvironment(args: readonly string[]): ServiceEnvironment | undefined {
  // Global options such as `--region us-east-1` may come first, so the verbs are found anywhere.
  const words = ` ${args.filter((arg) => !arg.startsWith('-')).join(' ')} `;
  const printer = [...AWS_ENVIRONMENT_PRINTERS].find(([verbs]) =>
    words.includes(` ${verbs} `),
  )?.[1];
  if (printer === undefined) {
    return undefined;
  }
  const query = optionValue(args, ['--query']);
  if (query !== undefined && !printer.field.test(query)) {
    return undefined;
  }
  const service = (optionValue(args, [printer.name]) ?? '').replace(/:\d+$/, '');
  return { service, whole: query === undefined };
}

/**
 * `gcloud run services describe`, `gcloud functions describe` and the like. The default output
 * and whole-resource formats (`yaml`, `json`) list the environment values; a projection counts
 * when it names an `env` field (`value(spec.template.spec.containers[0].env)`).
 */
function gcloudServiceEnvironment(args: readonly string[]): ServiceEnvironment | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  if (!GCLOUD_DESCRIBE.test(words.join(' '))) {
    return undefined;
  }
  const format = optionValue(args, ['--format']);
  const whole = format === undefined || WHOLE_FORMATS.test(format);
  if (!whole && !/env/i.test(format)) {
    return undefined;
  }
  return { service: words[words.indexOf('describe') + 1] ?? '', whole };
}

/** `az webapp config appsettings list` and `az containerapp secret list --show-values`. */
function azureSettings(args: readonly string[]): ServiceEnvironment | undefined {
  const line = args.join(' ');
  const settings = /^(?:webapp|functionapp) config appsettings list\b/.test(line);
  const secrets =
    /^containerapp secret (?:list|show)\b/.test(line) && args.includes('--show-values');
  if (!settings && !secrets) {
    return undefined;
  }
  return { service: optionValue(args, ['--name', '-n']) ?? '', whole: false };
}

/**
 * `kubectl get deploy api -o yaml` and other workloads printed as YAML or JSON, whose pod spec
 * lists each container's `env` values; a jsonpath or template counts when it names `env`.
 * `-o wide`, `-o name` and the default table print no environment.
 */
function workloadEnvironment(args: readonly string[]): ServiceEnvironment | undefined {
  const operands: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      index += KUBECTL_VALUED.has(arg) ? 1 : 0;
    } else {
      operands.push(arg);
    }
  }
  if (operands[0] !== 'get') {
    return undefined;
  }
  const output = optionValue(args, ['-o', '--output']) ?? shortOutput(args);
  if (output === undefined) {
    return undefined;
  }
  const whole = WHOLE_FORMATS.test(output);
  if (!whole && !(/^(?:jsonpath|go-template|custom-columns)/.test(output) && /env/i.test(output))) {
    return undefined;
  }
  // `deploy api`, `deploy/api` and `deploy,svc api` all name workloads.
  const [kinds = '', name = ''] = operands.slice(1);
  const [kind, slashName = ''] = kinds.split('/');
  if (!(kind ?? '').split(',').some((each) => WORKLOAD_KINDS.test(each))) {
    return undefined;
  }
  return { service: slashName !== '' ? slashName : name, whole };
}

/** Returns the value of `-oyaml`, the short option written together with its value. */
function shortOutput(args: readonly string[]): string | undefined {
  const joined = args.find((arg) => /^-o[^-]/.test(arg));
  return joined?.slice(2).replace(/^=/, '');
}

/** `fly ssh console -C env`: the machine's environment, with the app's secrets set in it. */
function flyEnvironment(args: readonly string[]): ServiceEnvironment | undefined {
  if (args[0] !== 'ssh' || args[1] !== 'console') {
    return undefined;
  }
  const remote = optionValue(args, ['-C', '--command']);
  if (remote === undefined || !ENVIRONMENT_COMMAND.test(remote.trim())) {
    return undefined;
  }
  return { service: optionValue(args, ['-a', '--app']) ?? '', whole: false };
}

/** Words that name the kind of a deployed service in a request. */
const SERVICE_KINDS =
  /^(?:services?|functions?|lambdas?|tasks?|definitions?|deployments?|deploys?|pods?|statefulsets?|daemonsets?|jobs?|cronjobs?|workloads?|containers?|apps?|applications?|revisions?|versions?|environments?|machines?)$/i;

/** Words between a service's name and its kind: platform names ("the api Cloud Run service"). */
const PLATFORM_WORDS =
  /^(?:cloud|run|google|gcp|aws|azure|ecs|fargate|runner|engine|kubernetes|k8s|fly)$/i;

/**
 * Words that refer to a service without naming it ("the dev Cloud Run service"), so a request
 * for its settings with one of them covers the one the call describes.
 */
const GENERIC_REFERENCE =
  /^(?:the|a|an|our|my|this|that|its|dev|development|staging|stage|test|qa|prod|production|deployed|running|live)$/i;

/**
 * Checks whether a request names the service `service` next to a word for its kind ("the api
 * Cloud Run service", "the checkout lambda", "deployment api"), or, with a settings word
 * (`settings`), refers to a service of that kind generically ("describe the dev Cloud Run
 * service"). A kind word next to another name ("the web service") refers to another service.
 */
export function requestsAboutService(messages: string, service: string, settings: RegExp): boolean {
  const names = serviceNames(service);
  return messages.split('\n').some((clause) => {
    const words = clause.toLowerCase().match(/[\w-]+/g) ?? [];
    return words.some((word, index) => {
      if (!SERVICE_KINDS.test(word)) {
        return false;
      }
      const before = wordBefore(words, index);
      const after = words[index + 1] ?? '';
      if (names.includes(before) || names.includes(after)) {
        return true;
      }
      return GENERIC_REFERENCE.test(before) && settings.test(clause);
    });
  });
}

/**
 * Returns the names a request may give a service: its own, and for a pod, the name of its workload
 * without the generated suffixes (`api` for `api-7d9f8c6b5-xk2pq` and for `api-0`).
 */
function serviceNames(service: string): string[] {
  const name = service.toLowerCase();
  if (name === '') {
    return [];
  }
  const workload = name.replace(
    /(?:-(?=[a-z]*\d)[a-z0-9]{8,10})?-(?=[a-z]*\d)[a-z0-9]{5}$|-\d+$/,
    '',
  );
  return workload === name || workload === '' ? [name] : [name, workload];
}

/** The word before `words[index]`, skipping platform words and other kind words. */
function wordBefore(words: readonly string[], index: number): string {
  let at = index - 1;
  while (at >= 0 && (PLATFORM_WORDS.test(words[at] ?? '') || SERVICE_KINDS.test(words[at] ?? ''))) {
    at -= 1;
  }
  return words[at] ?? '';
}
