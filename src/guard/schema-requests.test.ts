import { describe, expect, it } from 'vitest';
import { checkSchemaOnlyRead } from './schema-requests.js';

const TOOL = 'mcp__warehouse__run_query';
const SCHEMA_QUESTION = 'Which columns does STG_ORDERS have? Does prod match?';

function ruleOf(input: Record<string, unknown>, messages: string): string | undefined {
  return checkSchemaOnlyRead({ tool: TOOL, input }, messages)?.rule;
}

describe('checkSchemaOnlyRead', () => {
  it('flags a production row read after a schema question', () => {
    expect(ruleOf({ sql: 'SELECT * FROM CORE.PROD.ORDERS LIMIT 500' }, SCHEMA_QUESTION)).toBe(
      'tier:schema-only-read',
    );
  });

  it('flags a row read through a production warehouse', () => {
    expect(ruleOf({ warehouse: 'PROD_WH', query: 'SELECT * FROM ORDERS' }, SCHEMA_QUESTION)).toBe(
      'tier:schema-only-read',
    );
  });

  it.each([
    'DESCRIBE TABLE CORE.PROD.ORDERS',
    "SELECT column_name FROM CORE.information_schema.columns WHERE table_schema = 'PROD'",
    'SELECT * FROM CORE.PROD.ORDERS LIMIT 0',
  ])('passes the metadata read %s', (sql) => {
    expect(ruleOf({ sql }, SCHEMA_QUESTION)).toBeUndefined();
  });

  it('passes a row read the request asks for', () => {
    expect(
      ruleOf(
        { sql: 'SELECT * FROM CORE.PROD.ORDERS LIMIT 5' },
        'Show me a few sample rows of prod orders and their columns.',
      ),
    ).toBeUndefined();
  });

  it('passes a staging row read', () => {
    expect(
      ruleOf({ sql: 'SELECT * FROM CORE.STG.ORDERS LIMIT 5' }, SCHEMA_QUESTION),
    ).toBeUndefined();
  });
});
