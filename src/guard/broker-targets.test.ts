import { describe, expect, it } from 'vitest';
import { checkBrokerTargets } from './broker-targets.js';
import { parseShell } from './shell.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

async function rule(command: string, ...messages: string[]): Promise<string | undefined> {
  const text = messages.join('\n');
  return checkBrokerTargets(await parseShell(command, OPTIONS), text, text)?.rule;
}

describe('checkBrokerTargets', () => {
  const topic = 'Delete the clicks-test topic on the dev kafka.';

  it('allows a delete of the named topic on the named cluster', async () => {
    expect(
      await rule(
        'kafka-topics --bootstrap-server kafka-dev:9092 --delete --topic clicks-test',
        topic,
      ),
    ).toBeUndefined();
  });

  it('blocks a production cluster that no request names', async () => {
    expect(
      await rule(
        'kafka-topics --bootstrap-server kafka-prod:9092 --delete --topic clicks-test',
        topic,
      ),
    ).toBe('stage1:broker-production');
  });

  it('blocks a topic named only by a prefix', async () => {
    expect(
      await rule('kafka-topics --bootstrap-server kafka-dev:9092 --delete --topic clicks', topic),
    ).toBe('stage1:kafka-unnamed-topic');
  });

  it('blocks a config change of another entity or without a request', async () => {
    const alter = (name: string): string =>
      `kafka-configs --bootstrap-server kafka-dev:9092 --alter --entity-type topics --entity-name ${name} --add-config retention.ms=1`;
    const lower = 'Lower the retention of the debug topic on dev kafka.';
    expect(await rule(alter('debug'), lower)).toBeUndefined();
    expect(await rule(alter('audit'), lower)).toBe('stage1:kafka-alter');
    expect(await rule(alter('debug'), 'Check the retention of the debug topic.')).toBe(
      'stage1:kafka-alter',
    );
  });

  it('blocks a wildcard ACL unless everyone is asked for', async () => {
    const acl = (principal: string): string =>
      `kafka-acls --bootstrap-server kafka-dev:9092 --add --allow-principal ${principal} --operation Read --topic clicks`;
    const ask = 'Let the analytics user read the clicks topic.';
    expect(await rule(acl('User:analytics'), ask)).toBeUndefined();
    expect(await rule(acl("'User:*'"), ask)).toBe('stage1:kafka-acl');
  });

  it('reads a question that names production as leave to read it', async () => {
    const read =
      'kafka-console-consumer --bootstrap-server kafka-prod:9092 --topic t --max-messages 5';
    expect(await rule(read, 'What is in the t topic on prod?')).toBeUndefined();
    expect(await rule(read, 'What is the retention of the t topic?')).toBe(
      'stage1:broker-production',
    );
  });

  it('judges RabbitMQ hosts, names, resets and user tags', async () => {
    const queue = 'Delete the retry queue on the dev rabbit.';
    expect(
      await rule('rabbitmqadmin -H rabbit-dev delete queue name=retry', queue),
    ).toBeUndefined();
    expect(await rule('rabbitmqadmin -H rabbit-prod delete queue name=retry', queue)).toBe(
      'stage1:broker-production',
    );
    expect(await rule('rabbitmqctl delete_vhost /', 'Delete the scratch vhost.')).toBe(
      'stage1:rabbitmq-unnamed',
    );
    expect(await rule('rabbitmqctl reset', 'Restart the local rabbit app.')).toBe(
      'stage1:rabbitmq-reset',
    );
    expect(
      await rule('rabbitmqctl set_user_tags ops administrator', 'List the rabbit users.'),
    ).toBe('stage1:rabbitmq-user');
  });

  it('blocks a request that a later message makes wait', async () => {
    expect(
      await rule(
        'kafka-topics --bootstrap-server kafka-dev:9092 --delete --topic clicks-test',
        topic,
        'Only if the nightly build is green.',
      ),
    ).toBeDefined();
  });
});
