import { describe, expect, it } from 'vitest';
import { pushesNamedTag } from './requested-releases.js';
import { runsRequestedSqlInContainer } from './requested-data-changes.js';
import { parseShell, type SimpleCommand } from './shell.js';

async function commandOf(source: string): Promise<SimpleCommand> {
  const command = (await parseShell(source)).commands[0];
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return command;
}

const DROP = "docker exec -it acme-dev-db psql -U postgres -c 'DROP DATABASE IF EXISTS acme_test;'";
const REQUEST = 'Drop the acme_test database in my local docker db container.';

describe('SQL in a local container', () => {
  it('allows the requested database drop', async () => {
    expect(runsRequestedSqlInContainer(await commandOf(DROP), REQUEST)).toBe(true);
  });

  it('rejects another database', async () => {
    const command = await commandOf(DROP.replace('acme_test', 'acme'));
    expect(runsRequestedSqlInContainer(command, REQUEST)).toBe(false);
  });

  it('rejects a remote daemon', async () => {
    const command = await commandOf(DROP.replace('docker exec', 'docker -H ssh://db1 exec'));
    expect(runsRequestedSqlInContainer(command, REQUEST)).toBe(false);
  });

  it('rejects a remote database host', async () => {
    const command = await commandOf(DROP.replace('psql -U', 'psql -h db.example.com -U'));
    expect(runsRequestedSqlInContainer(command, REQUEST)).toBe(false);
  });

  it('rejects several statements', async () => {
    const command = await commandOf(
      "docker exec acme-dev-db psql -c 'DROP DATABASE acme_test; DROP DATABASE acme;'",
    );
    expect(runsRequestedSqlInContainer(command, REQUEST)).toBe(false);
  });

  it('rejects a second SQL option', async () => {
    const command = await commandOf(`${DROP} -c 'DROP DATABASE acme'`);
    expect(runsRequestedSqlInContainer(command, REQUEST)).toBe(false);
  });

  it('rejects a host set by the exec environment', async () => {
    const command = await commandOf(DROP.replace('-it', '-e PGHOST=db.example.com'));
    expect(runsRequestedSqlInContainer(command, REQUEST)).toBe(false);
  });

  it('rejects output sent to a file or pipe', async () => {
    const command = await commandOf(`${DROP} -o '|sh'`);
    expect(runsRequestedSqlInContainer(command, REQUEST)).toBe(false);
  });

  it('needs the container named or called local', async () => {
    const command = await commandOf(DROP);
    expect(runsRequestedSqlInContainer(command, 'Drop the acme_test database.')).toBe(false);
  });
});

describe('push of an earlier build', () => {
  it('reads the tag from the build request', async () => {
    const command = await commandOf('docker push ghcr.io/acme/worker:1.9.0');
    const messages = 'Build worker 1.9.0.\nLooks good, push the image to ghcr.';
    expect(pushesNamedTag(command, messages)).toBe(true);
  });

  it('rejects two earlier tags', async () => {
    const command = await commandOf('docker push ghcr.io/acme/worker:1.9.0');
    const messages = 'Build worker 1.9.0 and 1.8.2.\nPush the image to ghcr.';
    expect(pushesNamedTag(command, messages)).toBe(false);
  });

  it('rejects another registry', async () => {
    const command = await commandOf('docker push docker.io/acme/worker:1.9.0');
    const messages = 'Build worker 1.9.0.\nPush the image to ghcr.';
    expect(pushesNamedTag(command, messages)).toBe(false);
  });
});
