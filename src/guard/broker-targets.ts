/**
 * Stage-1 checks for the Kafka and RabbitMQ command-line tools beyond the purges and deletes of
 * service-admin.ts. A broker call acts on the cluster its `--bootstrap-server`, `-H` or `-p`
 * names, and a production cluster needs a request that names production, for reads of its
 * messages too. Writes need a standing request (see standing-requests.ts) for their kind of
 * change that names the topic, queue, exchange, vhost, entity or user they change: "delete the
 * orders-test topic" names neither `orders` nor `orders-.*`, and "check the retention"
 * asks for no `--alter`.
 */
import type { CheckGate } from './check-gates.js';
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { positionals } from './ops-cli-writes.js';
import { optionValue } from './options.js';
import { PRODUCTION_PART } from './production-names.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import { standingClauses } from './standing-requests.js';

/** Kafka tools by their name without the `.sh` of the Apache distribution. */
const KAFKA_TOOLS = new Set([
  'kafka-topics',
  'kafka-configs',
  'kafka-acls',
  'kafka-consumer-groups',
  'kafka-console-consumer',
  'kafka-delete-records',
]);
const RABBITMQ_TOOLS = new Set(['rabbitmqadmin', 'rabbitmqctl']);

/** Gate of {@link checkBrokerTargets}: the Kafka and RabbitMQ tools. */
export const BROKER_TARGETS_GATE: CheckGate = {
  programs: new Set([
    ...KAFKA_TOOLS,
    ...[...KAFKA_TOOLS].map((tool) => `${tool}.sh`),
    ...RABBITMQ_TOOLS,
  ]),
};

/** Requests that name production. */
const PRODUCTION_REQUEST = /\bprod(?:uction)?\b/i;
/** Requests to change a topic's or an entity's settings. */
const ALTER_REQUEST =
  /\b(?:alter|change|set|lower|raise|increase|decrease|reduce|bump|update|shorten|extend|cut|drop|make)\w*\b/i;
/** Requests to grant or revoke ACLs. */
const ACL_REQUEST = /\b(?:grant|allow|give|add|remov|revok|deny|let)\w*\b/i;
/** Requests that cover every principal, topic or group. */
const EVERYONE_REQUEST = /\b(?:every(?:one|body)?|any(?:one|body)?|all)\b/i;
/** Requests to delete or trim records of a topic. */
const TRIM_REQUEST = /\b(?:delet|trim|truncat|purg|remov|drop|clean)\w*\b/i;
/** Requests to take messages off a queue. */
const CONSUME_REQUEST = /\b(?:consum|drain|tak|pop|dequeu|ack|purg|empt|clear)\w*\b/i;
/** Requests to add a broker user or set its tags and permissions. */
const USER_REQUEST = /\b(?:add|creat|set\s*up|grant|give|make)\w*\b/i;

/** Reads the name of a Kafka tool without its `.sh`, or undefined for other programs. */
function kafkaTool(command: SimpleCommand): string | undefined {
  const name = command.name.replace(/\.sh$/, '');
  return KAFKA_TOOLS.has(name) ? name : undefined;
}

/**
 * Returns a finding for the first Kafka or RabbitMQ call of `parsed` that reaches production
 * unasked or changes more than the standing requests name. `messages` is the consenting text
 * of the user's messages and `allMessages` all of them.
 */
export function checkBrokerTargets(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    const kafka = kafkaTool(command);
    if (kafka === undefined && !RABBITMQ_TOOLS.has(command.name)) {
      continue;
    }
    const standing = standingClauses(messages, allMessages);
    // A question ("how deep is the queue on prod?") names the cluster that a read may reach.
    const asked = standingClauses(messages, allMessages, { keepQuestions: true });
    const found =
      kafka === undefined
        ? checkRabbitCall(command, standing, asked)
        : checkKafkaCall(kafka, command.argv.slice(1), standing, asked);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** Returns the production host or vhost a broker call names, if any. */
function productionPlace(values: readonly (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && PRODUCTION_PART.test(value));
}

function productionFinding(tool: string, place: string, reads: boolean): Finding {
  return finding(
    reads ? 'production-read' : 'modify-shared-resource',
    `The ${tool} call ${reads ? 'reads messages of' : 'changes'} the production broker ${place}, which no standing request names`,
    'broker-production',
  );
}

/** Reads `--name value` or `--name=value` for each of `names`. */
function kafkaOption(args: readonly string[], ...names: string[]): string | undefined {
  return optionValue(args, names);
}

/** Judges one Kafka tool call. */
function checkKafkaCall(
  tool: string,
  args: readonly string[],
  standing: string,
  asked: string,
): Finding | undefined {
  const server = kafkaOption(args, '--bootstrap-server', '--broker-list', '--zookeeper');
  const reads = tool === 'kafka-console-consumer';
  const writes =
    reads ||
    args.some((arg) =>
      /^--(?:delete|alter|add|remove|create|reset-offsets|execute|offset-json-file)$/.test(arg),
    ) ||
    tool === 'kafka-delete-records';
  const place = productionPlace([server]);
  if (writes && place !== undefined && !asksWithout(PRODUCTION_REQUEST, reads ? asked : standing)) {
    return productionFinding(tool, place, reads);
  }
  switch (tool) {
    case 'kafka-topics':
      return checkTopicChange(args, standing);
    case 'kafka-configs':
      return args.includes('--alter') ? checkEntityAlter(args, standing) : undefined;
    case 'kafka-acls':
      return checkAclChange(args, standing);
    case 'kafka-delete-records':
      return asksWithout(TRIM_REQUEST, standing)
        ? undefined
        : brokerFinding('cloud-mass-delete', 'deletes records of a Kafka topic', 'kafka-records');
    default:
      return undefined;
  }
}

function brokerFinding(category: string, what: string, id: string): Finding {
  return finding(category, `The command ${what}, which no standing request asks for`, id);
}

/** Judges `kafka-topics --delete` of a topic not named as a whole, and `--alter` unasked. */
function checkTopicChange(args: readonly string[], standing: string): Finding | undefined {
  const topic = kafkaOption(args, '--topic') ?? '';
  if (args.includes('--delete') && topic !== '' && !containsWord(standing, topic)) {
    return finding(
      'cloud-mass-delete',
      `The command deletes the Kafka topic "${topic}", which no standing request names as a whole`,
      'kafka-unnamed-topic',
    );
  }
  if (
    args.includes('--alter') &&
    !(asksWithout(ALTER_REQUEST, standing) && containsWord(standing, topic))
  ) {
    return brokerFinding(
      'modify-shared-resource',
      `changes the settings of the Kafka topic "${topic}"`,
      'kafka-alter',
    );
  }
  return undefined;
}

/** Judges `kafka-configs --alter`: the entity must be named and a change asked for. */
function checkEntityAlter(args: readonly string[], standing: string): Finding | undefined {
  const entity = kafkaOption(args, '--entity-name', '--topic') ?? '';
  if (asksWithout(ALTER_REQUEST, standing) && entity !== '' && containsWord(standing, entity)) {
    return undefined;
  }
  return brokerFinding(
    'modify-shared-resource',
    `changes the configuration of the Kafka entity "${entity}"`,
    'kafka-alter',
  );
}

/** Judges `kafka-acls --add` and `--remove`: a named principal, and wildcards only when asked. */
function checkAclChange(args: readonly string[], standing: string): Finding | undefined {
  if (!args.includes('--add') && !args.includes('--remove')) {
    return undefined;
  }
  const principals = args
    .map((arg, index) =>
      /^--(?:allow|deny)-principal$/.test(args[index - 1] ?? '') ? arg : undefined,
    )
    .concat(args.map((arg) => /^--(?:allow|deny)-principal=(.*)$/.exec(arg)?.[1]))
    .filter((value): value is string => value !== undefined);
  const wildcard =
    principals.some((principal) => /[:=]\*$|^\*$/.test(principal)) ||
    args.some(
      (arg, index) => /^--(?:topic|group)$/.test(args[index - 1] ?? '') && /^\*$/.test(arg),
    );
  const named = principals.every((principal) =>
    containsWord(standing, principal.replace(/^User:/i, '')),
  );
  if (
    asksWithout(ACL_REQUEST, standing) &&
    (wildcard ? asksWithout(EVERYONE_REQUEST, standing) : named)
  ) {
    return undefined;
  }
  return finding(
    'permission-grant',
    `The command changes Kafka ACLs${wildcard ? ' for every principal or topic' : ''}, which no standing request asks for`,
    'kafka-acl',
  );
}

/** rabbitmqctl actions that add users or give them tags or permissions. */
const RABBIT_USER_ACTIONS = /^(?:add_user|set_user_tags|set_permissions|set_topic_permissions)$/;
/** rabbitmqctl actions that wipe a node, and every action that deletes a named thing. */
const RABBIT_RESETS = /^(?:reset|force_reset)$/;

/** Options of rabbitmqadmin and rabbitmqctl that take the next word as their value. */
const RABBIT_VALUED =
  /^(?:-[HPupVcNnt]|--(?:host|port|username|password|vhost|node|config|timeout|format))$/;

/** Judges one rabbitmqadmin or rabbitmqctl call. */
function checkRabbitCall(
  command: SimpleCommand,
  standing: string,
  asked: string,
): Finding | undefined {
  const args = command.argv.slice(1);
  const admin = command.name === 'rabbitmqadmin';
  const host = optionValue(args, admin ? ['-H', '--host'] : ['-n', '--node']);
  // rabbitmqadmin's `-p` is the password, and rabbitmqctl's the vhost.
  const vhost = optionValue(args, admin ? ['-V', '--vhost'] : ['-p', '--vhost']);
  const words = positionals(args, RABBIT_VALUED);
  const action = words[0] ?? '';
  const place = productionPlace([host, vhost]);
  const reads = /^(?:list\w*|show|status|cluster_status)$/.test(action);
  if (place !== undefined && !asksWithout(PRODUCTION_REQUEST, reads ? asked : standing)) {
    return productionFinding(command.name, place, reads || action === 'get');
  }
  if (admin) {
    return checkRabbitAdmin(words, standing);
  }
  if (RABBIT_USER_ACTIONS.test(action)) {
    const user = words[1] ?? '';
    const admin = words.slice(2).some((word) => /^administrator$/i.test(word));
    return asksWithout(USER_REQUEST, standing) &&
      containsWord(standing, user) &&
      (!admin || /\badmin\w*\b/i.test(standing))
      ? undefined
      : finding(
          'permission-grant',
          `The command gives the RabbitMQ user "${user}" access${admin ? ' as administrator' : ''}, which no standing request asks for`,
          'rabbitmq-user',
        );
  }
  if (RABBIT_RESETS.test(action) && !/\breset\b/i.test(standing)) {
    return brokerFinding(
      'local-destruction',
      'wipes every queue, user and setting of the RabbitMQ node (reset)',
      'rabbitmq-reset',
    );
  }
  if (/^(?:delete_vhost|delete_queue|purge_queue)$/.test(action)) {
    const name = words[1] ?? '';
    const named =
      name === '/' ? /\bdefault\s+vhost\b/i.test(standing) : containsWord(standing, name);
    return named
      ? undefined
      : brokerFinding(
          'cloud-mass-delete',
          `drops the RabbitMQ ${action.replace(/_.*/, '')} target "${name}" (${action})`,
          'rabbitmq-unnamed',
        );
  }
  return undefined;
}

/** Judges rabbitmqadmin's `delete|purge KIND name=X` and a `get` that takes messages off. */
function checkRabbitAdmin(words: readonly string[], standing: string): Finding | undefined {
  const [action = '', kind = ''] = words;
  const name = words.map((word) => /^(?:name|queue)=(.+)$/.exec(word)?.[1]).find(Boolean) ?? '';
  if (/^(?:delete|purge)$/.test(action) && !containsWord(standing, name)) {
    return brokerFinding(
      'cloud-mass-delete',
      `drops the RabbitMQ ${kind} "${name}", which is not the one named`,
      'rabbitmq-unnamed',
    );
  }
  const requeues = words.some((word) => /^ackmode=ack_requeue_false$/.test(word));
  if (action === 'get' && requeues && !asksWithout(CONSUME_REQUEST, standing)) {
    return brokerFinding(
      'interfere-with-others',
      `takes messages off the RabbitMQ queue "${name}" for good`,
      'rabbitmq-consume',
    );
  }
  return undefined;
}
