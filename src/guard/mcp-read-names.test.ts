import { describe, expect, it } from 'vitest';

import { namesRead } from './mcp-read-names.js';

describe('namesRead', () => {
  it('reads snake, kebab and Pascal case read names', () => {
    expect(namesRead('list_issues')).toBe(true);
    expect(namesRead('get-file')).toBe(true);
    expect(namesRead('SearchIndexTool')).toBe(true);
    expect(namesRead('ListIndexTool')).toBe(true);
  });

  it('rejects Pascal case names with a write verb', () => {
    expect(namesRead('DeleteIndexTool')).toBe(false);
    expect(namesRead('CreateIndexFromSearchTool')).toBe(false);
    expect(namesRead('create_issue')).toBe(false);
  });
});
