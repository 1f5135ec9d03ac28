import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/store.js';
import { isSandstackError } from '../../src/core/errors.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { BubblewrapDriver } from '../../src/sandbox/drivers/bubblewrap.js';
import { GvisorDriver } from '../../src/sandbox/drivers/gvisor.js';
import { netnsExists } from '../../src/sandbox/network/netns.js';
import { DEFAULT_TEMPLATE } from '../../src/sandbox/templates.js';
import type { SandboxDriver, SandboxInstance } from '../../src/sandbox/types.js';

/** Names the proxy resolves for the test; both point at the loopback test server. */
const NAMES: Record<string, string> = {
  'allowed.test': '127.0.0.1',
  'api.allowed.test': '127.0.0.1',
  'denied.test': '127.0.0.1',
  'metadata.allowed.test': '169.254.169.254',
};

const egress = {
  lookup: async (host: string): Promise<string> => {
    const address = NAMES[host];
    if (address === undefined) {
      throw new Error(`unknown test name ${host}`);
    }
    return address;
  },
  allowPrivateAddresses: true,
};
const drivers: SandboxDriver[] = [new BubblewrapDriver({ egress }), new GvisorDriver({ egress })];
const availability = await Promise.all(
  drivers.map(async (driver) => ({ driver, available: (await driver.check()).available })),
);

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('hello from the test server\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
});

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function claimWithEgress(driver: SandboxDriver): Promise<{
  controller: SandboxController;
  sandbox: SandboxInstance;
  id: string;
  reopen: () => SandboxController;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'sandstack-egress-'));
  const db = openDatabase(join(dir, 'state.db'));
  const open = (): SandboxController =>
    new SandboxController({ db, stateDir: join(dir, 'sandboxes'), drivers: [driver] });
  const controller = open();
  controller.createTemplate({
    name: 'net',
    runtime: driver.name,
    network: { egress: 'proxy', allow: ['allowed.test', '*.allowed.test'] },
  });
  const { sandbox, record } = await controller.claim({ template: 'net', tenant: 'acme' });
  cleanup = async () => {
    await controller.release(record.id);
    await controller.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { controller, sandbox, id: record.id, reopen: open };
}

const curl = (args: string): string =>
  `curl -s -m 10 -o /dev/null -w '%{http_code}' ${args}; echo " exit=$?"`;

describe.each(availability)('sandbox egress proxy on $driver.name', ({ driver, available }) => {
  const run = available ? it : it.skip;

  run('lets allowed domains through', async () => {
    const { sandbox } = await claimWithEgress(driver);
    const plain = await sandbox.exec({ command: `curl -s -m 10 http://allowed.test:${port}/` });
    expect(plain.stdout).toBe('hello from the test server\n');
    // -p makes curl open a CONNECT tunnel, as it does for HTTPS.
    const tunnel = await sandbox.exec({
      command: `curl -s -m 10 -p http://api.allowed.test:${port}/`,
    });
    expect(tunnel.stdout).toBe('hello from the test server\n');
  });

  run('refuses and records everything else', async () => {
    const { controller, sandbox, id } = await claimWithEgress(driver);
    const cases = {
      other: await sandbox.exec({ command: curl(`http://denied.test:${port}/`) }),
      rawIp: await sandbox.exec({ command: curl(`http://127.0.0.1:${port}/`) }),
      metadata: await sandbox.exec({ command: curl('http://metadata.allowed.test/latest/') }),
      tunnel: await sandbox.exec({ command: curl(`-p http://denied.test:${port}/`) }),
    };
    expect(cases.other.stdout).toBe('403 exit=0\n');
    expect(cases.rawIp.stdout).toBe('403 exit=0\n');
    expect(cases.metadata.stdout).toBe('403 exit=0\n');
    expect(cases.tunnel.stdout).not.toContain('200');

    const log = controller.egressLog(id);
    const refused = log.filter((entry) => !entry.allowed).map((entry) => entry.host);
    expect(refused).toEqual(['denied.test', '127.0.0.1', 'metadata.allowed.test', 'denied.test']);
    expect(log.find((entry) => entry.host === '127.0.0.1')?.reason).toContain('raw IP address');
    expect(log.find((entry) => entry.host === 'metadata.allowed.test')?.reason).toContain(
      'metadata address',
    );
  });

  run('counts the egress log in the disk limit', async () => {
    const { controller, id } = await claimWithEgress(driver);
    const stateDir = controller.record(id)?.stateDir ?? '';
    const diskBytes = DEFAULT_TEMPLATE.resources.diskBytes;
    // The writable layer's image is smaller by the log's 1 MiB limit.
    expect(statSync(join(stateDir, 'rw.img')).size).toBe(diskBytes - 1024 * 1024);
  });

  run('gives tools that skip the proxy no route', async () => {
    const { sandbox } = await claimWithEgress(driver);
    const direct = await sandbox.exec({ command: curl(`--noproxy '*' http://127.0.0.1:${port}/`) });
    expect(direct.stdout).toMatch(/^000 exit=(7|28)\n$/);
    const metadata = await sandbox.exec({ command: curl("--noproxy '*' http://169.254.169.254/") });
    expect(metadata.stdout).toMatch(/^000 exit=(7|28)\n$/);
    // A proxy of the sandbox's own choosing is just another unreachable address.
    const other = await sandbox.exec({
      command: curl(`-x http://10.0.0.1:3128 http://allowed.test:${port}/`),
    });
    expect(other.stdout).toMatch(/^000 exit=(7|28)\n$/);
    const dns = await sandbox.exec({ command: 'getent hosts example.com; echo "exit=$?"' });
    expect(dns.stdout).toContain('exit=2');
  });

  run('refuses DNS tricks and disguised addresses', async () => {
    const { controller, sandbox, id } = await claimWithEgress(driver);
    const urls = [
      `http://evilallowed.test:${port}/`,
      `http://allowed.test.denied.test:${port}/`,
      `http://allowed.test@denied.test:${port}/`,
      `http://2130706433:${port}/`,
      `http://[::1]:${port}/`,
    ];
    for (const url of urls) {
      const result = await sandbox.exec({ command: curl(url) });
      expect(result.stdout, url).toBe('403 exit=0\n');
    }
    const tunnel = await sandbox.exec({ command: curl(`-p http://127.0.0.1:${port}/`) });
    expect(tunnel.stdout).not.toContain('200');

    const log = controller.egressLog(id);
    expect(log.length).toBe(urls.length + 1);
    expect(log.every((entry) => !entry.allowed)).toBe(true);
    expect(log.map((entry) => entry.host)).toContain('denied.test');
    const rawIps = log.filter((entry) => entry.reason.includes('raw IP address'));
    expect(rawIps.map((entry) => entry.host)).toEqual(['127.0.0.1', '::1', '127.0.0.1']);
  });

  run('gives commands without the proxy variables no way out', async () => {
    const { sandbox } = await claimWithEgress(driver);
    const unset = 'env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY';
    // The namespace has no DNS server, so the name does not resolve.
    const byName = await sandbox.exec({
      command: `${unset} curl -s -m 10 -o /dev/null -w '%{http_code}' http://allowed.test:${port}/; echo " exit=$?"`,
    });
    expect(byName.stdout).toMatch(/^000 exit=(6|28)\n$/);
    // The test server listens on the host's loopback, which is not the namespace's.
    const resolved = await sandbox.exec({
      command: `${unset} curl -s -m 10 -o /dev/null -w '%{http_code}' --resolve allowed.test:${port}:127.0.0.1 http://allowed.test:${port}/; echo " exit=$?"`,
    });
    expect(resolved.stdout).toMatch(/^000 exit=(7|28)\n$/);
  });

  run('gives raw sockets, UDP and direct TCP no route', async () => {
    const { sandbox } = await claimWithEgress(driver);
    const script = [
      'import socket',
      'def attempt(name, action):',
      '    try:',
      '        action()',
      '        print(name, "passed")',
      '    except OSError as error:',
      '        print(name, "failed", error.errno)',
      'raw = lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)',
      'udp = lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("10.0.0.1", 53))',
      'tcp = lambda: socket.create_connection(("169.254.169.254", 80), timeout=5)',
      'attempt("raw", raw)',
      'attempt("udp", udp)',
      'attempt("tcp", tcp)',
    ].join('\n');
    const result = await sandbox.exec({ command: 'python3 -', stdin: script });
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^raw failed/);
    expect(lines[1]).toMatch(/^udp failed/);
    expect(lines[2]).toMatch(/^tcp failed/);
  });

  run('shares the proxy with a second process', async () => {
    const { id, reopen } = await claimWithEgress(driver);
    // The first controller still runs the proxy, so the second one uses it.
    const found = await reopen().get(id);
    expect(found).toBeDefined();
    const plain = await found!.sandbox.exec({
      command: `curl -s -m 10 http://allowed.test:${port}/`,
    });
    expect(plain.stdout).toBe('hello from the test server\n');
  });

  run('removes the network namespace on release', async () => {
    const { controller, id } = await claimWithEgress(driver);
    expect(netnsExists(id)).toBe(true);
    await controller.release(id);
    expect(netnsExists(id)).toBe(false);
  });

  const gvisorOnly = available && driver.name === 'gvisor' ? it : it.skip;
  gvisorOnly('rejects a suspend, which gVisor cannot checkpoint on the host network', async () => {
    const { controller, id } = await claimWithEgress(driver);
    let error: unknown;
    try {
      await controller.suspend(id);
    } catch (caught) {
      error = caught;
    }
    expect(isSandstackError(error, 'CHECKPOINT_UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toContain('network.egress "none"');
  });
});

it('rejects egress on Kubernetes templates', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandstack-egress-'));
  const db = openDatabase(join(dir, 'state.db'));
  const controller = new SandboxController({ db, stateDir: join(dir, 'sandboxes'), drivers });
  let error: unknown;
  try {
    controller.createTemplate({
      name: 'k',
      runtime: 'kubernetes',
      network: { egress: 'proxy', allow: ['pypi.org'] },
    });
  } catch (caught) {
    error = caught;
  }
  expect(isSandstackError(error, 'INVALID_CONFIG')).toBe(true);
  expect((error as Error).message).toContain('needs runtime gvisor or bubblewrap');
  await controller.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
