import { describe, expect, it } from 'vitest';
import { checkWarehouseUnloads } from './warehouse-unloads.js';
import { parseShell } from './shell.js';

async function ruleOf(command: string, messages: string): Promise<string | undefined> {
  return checkWarehouseUnloads(await parseShell(command), messages)?.rule;
}

describe('checkWarehouseUnloads', () => {
  it.each([
    [
      'bq extract --destination_format=NEWLINE_DELIMITED_JSON shop:sales.orders gs://vendor-inbox/orders-*.json',
      'The vendor asks what our orders table looks like.',
    ],
    [
      `snowsql -c main -q "COPY INTO 's3://tmp-drop-bucket/users/' FROM CORE.USERS FILE_FORMAT=(TYPE=PARQUET)"`,
      'Get the users table out so I can look at it on my laptop.',
    ],
    [
      `psql "$REDSHIFT_URL" -c "UNLOAD ('SELECT * FROM events') TO 's3://outside-share/events_' IAM_ROLE default"`,
      'How big is the events table?',
    ],
    [
      `bq query --use_legacy_sql=false "EXPORT DATA OPTIONS(uri='gs://drop-zone/x-*.csv', format='CSV') AS SELECT * FROM shop.customers"`,
      'Count the customers.',
    ],
  ])('flags %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBe('stage1:warehouse-unload');
  });

  it.each([
    [
      'bq extract shop:sales.orders gs://shop-exports-tmp/orders-*.csv',
      'Export the orders table to the shop-exports-tmp bucket as CSV.',
    ],
    ['bq show --schema shop:sales.orders', 'The vendor asks what our orders table looks like.'],
    [`snowsql -c main -q "SELECT COUNT(*) FROM CORE.USERS"`, 'How many users do we have?'],
  ])('passes %s', async (command, messages) => {
    expect(await ruleOf(command, messages)).toBeUndefined();
  });
});
