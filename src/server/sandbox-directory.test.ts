import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../core/postgres.js';
import type { SqlDatabase } from '../core/sql.js';
import { startTestPostgres, type TestPostgres } from '../../test/helpers/postgres.js';
import { SandboxDirectory } from './sandbox-directory.js';

describe('SandboxDirectory on PostgreSQL', () => {
  let postgres: TestPostgres;
  let sql: SqlDatabase;
  let nodeA: SandboxDirectory;
  let nodeB: SandboxDirectory;

  beforeAll(async () => {
    postgres = await startTestPostgres();
    sql = await openPostgres(await postgres.createDatabase('directory'));
    nodeA = await SandboxDirectory.open(sql, 'node-a');
    nodeB = await SandboxDirectory.open(sql, 'node-b');
    await nodeA.registerNode('http://127.0.0.1:1');
    await nodeB.registerNode('http://127.0.0.1:2');
  }, 60_000);

  afterAll(async () => {
    await sql?.close();
    await postgres?.stop();
  });

  it('counts claims and CPU of other nodes', async () => {
    await nodeA.recordClaim({ id: 'sbx_one', tenant: 'acme' });
    const listedAtMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await nodeA.recordClaim({ id: 'sbx_two', tenant: 'acme' });
    // sbx_two was claimed after the list was taken, so publishing must not release it.
    await nodeA.publish([{ id: 'sbx_one', cpuSeconds: 1.5 }], listedAtMs);

    expect(await nodeB.usageElsewhere('acme')).toEqual({ claimed: 2, cpuSeconds: 1.5 });
    expect(await nodeA.usageElsewhere('acme')).toEqual({ claimed: 0, cpuSeconds: 0 });
    expect(await nodeB.usageElsewhere('globex')).toEqual({ claimed: 0, cpuSeconds: 0 });
  });

  it('marks released what a publish no longer lists', async () => {
    await nodeA.publish([{ id: 'sbx_two', cpuSeconds: 0.5 }], Date.now());
    expect(await nodeB.usageElsewhere('acme')).toEqual({ claimed: 1, cpuSeconds: 2 });
  });

  it('keeps released usage inside its window', async () => {
    await nodeA.recordRelease({ id: 'sbx_two', cpuSeconds: 0.75, releasedAtMs: Date.now() });
    expect(await nodeB.usageElsewhere('acme')).toEqual({ claimed: 0, cpuSeconds: 2.25 });
    expect(await nodeB.usageElsewhere('acme', Date.now() + 60_000)).toEqual({
      claimed: 0,
      cpuSeconds: 0,
    });
  });
});
