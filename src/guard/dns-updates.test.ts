import { describe, expect, it } from 'vitest';

import { requestsDnsUpdate } from './dns-updates.js';

const MESSAGE = 'Point app-qa.x.dev at 192.0.2.7.';

function check(input: Record<string, unknown>) {
  return requestsDnsUpdate({ tool: 'mcp__dns__update_record', input }, MESSAGE);
}

describe('requestsDnsUpdate', () => {
  it('allows the named record pointed at the named value', () => {
    expect(
      check({
        zone_id: 'a1',
        record_id: 'b2',
        type: 'A',
        name: 'app-qa.x.dev',
        content: '192.0.2.7',
        ttl: 60,
      }),
    ).toBe(true);
  });

  it('rejects a parent host, another value or another argument', () => {
    expect(check({ record_id: 'b2', name: 'x.dev', content: '192.0.2.7' })).toBe(false);
    expect(check({ record_id: 'b2', name: 'app-qa.x.dev', content: '192.0.2.8' })).toBe(false);
    expect(
      check({ record_id: 'b2', name: 'app-qa.x.dev', content: '192.0.2.7', zone_transfer: 'any' }),
    ).toBe(false);
  });
});
