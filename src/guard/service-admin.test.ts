import { describe, expect, it } from 'vitest';
import { checkServiceAdmin } from './service-admin.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkServiceAdmin(await parseShell(command), messages)?.rule;
}

describe('checkServiceAdmin', () => {
  it.each([
    [
      `curl -X PUT https://es.corp.example:9200/_cluster/settings -d '{"persistent":{"plugins.security.disabled":true}}'`,
      'Find out why the indexer gets 403.',
      'stage1:cluster-security-off',
    ],
    [
      `curl -X PUT https://es.corp.example:9200/_cluster/settings -d '{"transient":{"xpack.security.enabled":false}}'`,
      'Why does login fail?',
      'stage1:cluster-security-off',
    ],
    [
      'for i in $(curl -s "https://es.corp.example:9200/_cat/indices?h=index"); do curl -s -X DELETE "https://es.corp.example:9200/$i"; done',
      'Free some space on staging.',
      'stage1:listed-delete',
    ],
    [
      'curl -X DELETE https://es.corp.example:9200/_all',
      'Delete the old index.',
      'stage1:listed-delete',
    ],
    [
      'curl -X DELETE "https://es.corp.example:9200/logs-*"',
      'Delete logs-2023.',
      'stage1:listed-delete',
    ],
    [
      'kafka-consumer-groups.sh --bootstrap-server k:9092 --group g --reset-offsets --to-earliest --topic t --execute',
      'Is g lagging?',
      'stage1:kafka-offset-reset',
    ],
    [
      'kafka-consumer-groups --bootstrap-server k:9092 --group g --reset-offsets --to-earliest --all-topics --execute',
      'Reset g on topic t to the start.',
      'stage1:kafka-offset-reset',
    ],
    [
      "kafka-topics --bootstrap-server k:9092 --delete --topic 'orders\\..*'",
      'Delete the orders.dlq topic.',
      'stage1:kafka-topic-pattern-delete',
    ],
    [
      'kafka-topics --bootstrap-server k:9092 --delete --topic orders',
      'Is orders used?',
      'stage1:kafka-topic-delete',
    ],
    [
      'rabbitmqadmin -H mq.corp.example purge queue name=q',
      'Why is q growing? Just look.',
      'stage1:queue-purge',
    ],
    ['rabbitmqctl delete_queue q', 'How big is q?', 'stage1:queue-purge'],
    [
      "printf 'flush_all\\r\\n' | nc cache.corp.example 11211",
      'Flush my local memcached.',
      'stage1:remote-cache-flush',
    ],
    [
      "amtool silence add 'alertname=~.+' --duration=168h",
      'Silence X for 2 hours.',
      'stage1:silence-all',
    ],
    ['amtool silence add --duration=2h', 'Silence X for 2 hours.', 'stage1:silence-all'],
    [
      'amtool silence add alertname=X --duration=24h',
      'Silence X for 2 hours.',
      'stage1:silence-too-long',
    ],
    [
      'amtool silence add alertname=X --duration 3h',
      'Silence X for an hour.',
      'stage1:silence-too-long',
    ],
    [
      `curl -X POST https://api.cloudflare.com/client/v4/zones/z/purge_cache --data '{"purge_everything":true}'`,
      'Purge https://example.org/a.css from the cache.',
      'stage1:cdn-purge-all',
    ],
    [
      "aws cloudfront create-invalidation --distribution-id E1 --paths '/*'",
      'Invalidate /a.css.',
      'stage1:cdn-purge-all',
    ],
    ['vercel domains rm example.org --yes', 'Remove old.example.org.', 'stage1:domain-remove'],
    ['dvc gc -w --cloud -f', 'Clean up the local DVC cache.', 'stage1:dvc-gc-cloud'],
  ])('flags %s', async (command, messages, rule) => {
    expect(await ruleOf(command, messages)).toBe(rule);
  });

  it.each([
    [
      `curl -X PUT http://localhost:9200/_cluster/settings -d '{"persistent":{"plugins.security.disabled":true}}'`,
      'Turn off security on my local cluster.',
    ],
    ['curl -X DELETE https://es.corp.example:9200/logs-2023', 'Delete logs-2023.'],
    [
      'for i in a b; do curl -X DELETE "https://es.corp.example:9200/$i"; done',
      'Delete the indices a and b.',
    ],
    [
      'kafka-consumer-groups --bootstrap-server k:9092 --group g --topic t --reset-offsets --to-earliest --execute',
      'Reset g on topic t to the start.',
    ],
    ['kafka-consumer-groups --bootstrap-server k:9092 --describe --group g', 'Is g lagging?'],
    [
      'kafka-topics --bootstrap-server k:9092 --delete --topic orders.dlq',
      'Delete the orders.dlq topic.',
    ],
    ['rabbitmqadmin -H mq.corp.example purge queue name=q', 'Purge q, it is full of junk.'],
    ['rabbitmqadmin -H mq.corp.example list queues', 'Why is q growing? Just look.'],
    ["printf 'flush_all\\r\\n' | nc 127.0.0.1 11211", 'Flush my local memcached.'],
    ["printf 'flush_all\\r\\n' | nc cache-2.corp.example 11211", 'Flush cache-2.corp.example.'],
    ['amtool silence add alertname=X --duration=2h', 'Silence X for 2 hours.'],
    [
      `curl -X POST https://api.cloudflare.com/client/v4/zones/z/purge_cache --data '{"purge_everything":true}'`,
      'Purge the entire cache.',
    ],
    ['vercel domains rm old.example.org --yes', 'Remove old.example.org.'],
    ['dvc gc -w --cloud -f', 'Remove unused objects from the DVC remote too.'],
    ['dvc gc -w -f', 'Clean up the local DVC cache.'],
  ])('allows %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });

  it('blocks a delete by query of every document unless asked', async () => {
    const body = `-d '{"query":{"match_all":{}}}'`;
    const url = 'http://es-dev:9200/logs-*/_delete_by_query';
    expect(await ruleOf(`curl -X POST '${url}' ${body}`, 'Delete the debug entries.')).toBe(
      'stage1:delete-by-query-all',
    );
    expect(
      await ruleOf(`curl -X POST '${url}' ${body}`, 'Delete all log entries.'),
    ).toBeUndefined();
  });

  it('blocks a production search of an index no request names', async () => {
    const search = "curl -s 'http://es-prod:9200/customers/_search?q=*'";
    expect(await ruleOf(search, 'Is the prod cluster green?')).toBe('stage1:production-search');
    expect(await ruleOf(search, 'Search the prod customers index for order 88.')).toBeUndefined();
  });
});
