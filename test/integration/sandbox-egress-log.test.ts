/**
 * The egress proxy's log lives on the host, outside the sandbox's writable layer, and its
 * size limit comes out of the disk limit, so a flood of refused requests must not grow it
 * past that limit. The flood here goes to a proxy on
 * loopback, as a sandbox's requests reach its proxy.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  EGRESS_LOG_LIMIT_METHOD,
  EgressProxy,
  readEgressLog,
} from '../../src/sandbox/network/egress-proxy.js';

const MAX_LOG_BYTES = 16 * 1024;
const FLOOD_REQUESTS = 300;

let dir = '';
let listener: Server;
let proxy: EgressProxy;
let proxyPort = 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandstack-egress-log-'));
  listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  proxyPort = (listener.address() as AddressInfo).port;
  proxy = new EgressProxy(listener, {
    allow: ['allowed.test'],
    logPath: join(dir, 'egress.log'),
    maxLogBytes: MAX_LOG_BYTES,
    lookup: () => Promise.reject(new Error('no lookups in this test')),
  });
});

afterEach(() => {
  proxy.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one proxied GET over `agent` and returns its status code. */
function proxiedGet(agent: Agent, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: proxyPort, path: `http://${host}/`, agent },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end();
  });
}

it('caps the egress log under a flood', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const statuses: number[] = [];
  try {
    for (let index = 0; index < FLOOD_REQUESTS; index += 1) {
      statuses.push(await proxiedGet(agent, `x${'a'.repeat(2000)}${index}.test`));
    }
  } finally {
    agent.destroy();
  }
  expect(statuses.every((status) => status === 403)).toBe(true);

  const logPath = join(dir, 'egress.log');
  expect(statSync(logPath).size).toBeLessThanOrEqual(MAX_LOG_BYTES + 512);
  const records = readEgressLog(logPath);
  const last = records.at(-1);
  expect(last?.method).toBe(EGRESS_LOG_LIMIT_METHOD);
  expect(last?.reason).toContain(`limit of ${MAX_LOG_BYTES} bytes`);
  const attempts = records.slice(0, -1);
  expect(attempts.length).toBeGreaterThan(0);
  expect(attempts.every((record) => record.host.length <= 256)).toBe(true);
  expect(attempts.every((record) => record.reason.length <= 512)).toBe(true);
  expect(attempts.length + proxy.unlogged).toBe(FLOOD_REQUESTS);
});

it('logs each attempt below the limit', async () => {
  const agent = new Agent({ keepAlive: true });
  try {
    expect(await proxiedGet(agent, 'denied.test')).toBe(403);
    expect(await proxiedGet(agent, '127.0.0.1')).toBe(403);
  } finally {
    agent.destroy();
  }
  const records = readEgressLog(join(dir, 'egress.log'));
  expect(records.map((record) => record.host)).toEqual(['denied.test', '127.0.0.1']);
  expect(proxy.unlogged).toBe(0);
});
