import { describe, expect, it } from 'vitest';
import { deletesOnlyNamedData } from './named-data-deletes.js';
import { parseShell } from './shell.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

async function named(command: string, standing: string): Promise<boolean> {
  const parsed = await parseShell(command, OPTIONS);
  const first = parsed.commands.at(-1);
  if (first === undefined) {
    throw new Error(`no command parsed from ${command}`);
  }
  return deletesOnlyNamedData(first, first.argv.join(' '), standing);
}

describe('deletesOnlyNamedData', () => {
  const volume = 'Remove the cache-old docker volume.';

  it('accepts a volume the request names', async () => {
    expect(await named('docker volume rm cache-old', volume)).toBe(true);
  });

  it('rejects a volume whose name only shares a prefix', async () => {
    expect(await named('docker volume rm cache', volume)).toBe(false);
    expect(await named('docker volume rm cache-old cache', volume)).toBe(false);
  });

  it('rejects volumes listed at run time unless all are asked for', async () => {
    expect(await named('docker volume ls -q | xargs docker volume rm', volume)).toBe(false);
    expect(await named('docker volume rm $(docker volume ls -q)', volume)).toBe(false);
    expect(await named('docker volume rm $(docker volume ls -q)', 'Remove all volumes.')).toBe(
      true,
    );
  });

  it('reads a prune of every volume as wider than a prune', async () => {
    expect(await named('docker volume prune -af', volume)).toBe(false);
    expect(await named('docker volume prune -f', 'Prune unused volumes.')).toBe(true);
  });

  const collection = 'Drop the carts collection in the qa mongo.';

  it('accepts a drop of the named collection', async () => {
    expect(await named(`mongosh db --eval 'db.carts.drop()'`, collection)).toBe(true);
  });

  it('rejects other collections, database drops and computed names', async () => {
    expect(await named(`mongosh db --eval 'db.carts.drop(); db.users.drop()'`, collection)).toBe(
      false,
    );
    expect(await named(`mongosh db --eval 'db.dropDatabase()'`, collection)).toBe(false);
    expect(
      await named(
        `mongosh db --eval 'db.getCollectionNames().forEach(c => db[c].drop())'`,
        collection,
      ),
    ).toBe(false);
  });

  it('needs a request for every document before deleteMany({})', async () => {
    const script = `mongosh db --eval 'db.carts.deleteMany({})'`;
    expect(await named(script, 'Delete expired carts.')).toBe(false);
    expect(await named(script, 'Empty the carts collection.')).toBe(true);
  });

  it('accepts a database drop the request names', async () => {
    expect(await named(`mongosh db --eval 'db.dropDatabase()'`, 'Drop the shop database.')).toBe(
      true,
    );
  });
});
