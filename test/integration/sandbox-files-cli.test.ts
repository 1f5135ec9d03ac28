/**
 * Folder copies, listings and deletes in sandboxes: `sandstack sandbox cp` and `files ls|rm`
 * on a local state folder, and the same operations through `sandstack/client` over real HTTP
 * on 127.0.0.1, with another tenant's token getting 404.
 */
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackClient, isSandstackApiError } from '../../src/client/index.js';
import { openDatabase } from '../../src/core/store.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { closeTestServer } from '../helpers/server.js';

const ADMIN_TOKEN = `admin-${'f'.repeat(40)}`;

/** Makes a host folder with a nested file and a binary file. */
function sampleFolder(parent: string): string {
  const folder = join(parent, 'project');
  mkdirSync(join(folder, 'src'), { recursive: true });
  writeFileSync(join(folder, 'README'), 'read me\n');
  writeFileSync(join(folder, 'src', 'data.bin'), Buffer.from([0, 1, 2, 255, 254]));
  return folder;
}

describe('sandstack sandbox cp and files', () => {
  let state: { path: string; remove: () => Promise<void> };
  let id = '';
  const cli = (args: string[]) =>
    runCli(['--state-dir', state.path, 'sandbox', ...args], { timeoutMs: 60_000 });

  beforeAll(async () => {
    state = await makeTempDir('files-cli');
    const db = openDatabase(join(state.path, 'state.db'));
    const controller = new SandboxController({ db, stateDir: join(state.path, 'sandboxes') });
    controller.createTemplate({ name: 'files-bw', runtime: 'bubblewrap' });
    await controller.close();
    db.close();
    const claimed = await cli(['claim', '--template', 'files-bw', '--json']);
    id = (JSON.parse(claimed.stdout) as { id: string }).id;
  });

  afterAll(async () => {
    await cli(['release', id]);
    await state.remove();
  });

  it('copies a folder in and lists it', async () => {
    const folder = sampleFolder(state.path);
    const copied = await cli(['cp', folder, `${id}:/workspace/project`]);
    expect(copied.stderr).toBe('');
    expect(copied.stdout).toContain(`copied folder ${folder} to ${id}:/workspace/project`);

    const listed = await cli(['files', 'ls', id, 'project', '--json']);
    const entries = JSON.parse(listed.stdout) as { name: string; type: string }[];
    expect(entries.map((entry) => `${entry.name}:${entry.type}`)).toEqual([
      'README:file',
      'src:directory',
    ]);
    const binary = await cli(['files', 'get', id, 'project/src/data.bin']);
    expect(binary.stdout).toBe(Buffer.from([0, 1, 2, 255, 254]).toString('utf8'));
  });

  it('copies a folder out with its symlinks as links', async () => {
    await cli([
      'exec',
      id,
      'mkdir -p out && echo made > out/made.txt && ln -s /etc/hostname out/link',
    ]);
    const target = join(state.path, 'copied-out');
    const copied = await cli(['cp', `${id}:out`, target]);
    expect(copied.stderr).toBe('');
    expect(readFileSync(join(target, 'made.txt'), 'utf8')).toBe('made\n');
    expect(lstatSync(join(target, 'link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(target, 'link'))).toBe('/etc/hostname');
  });

  it('drops setuid bits on copies out', async () => {
    await cli([
      'exec',
      id,
      'mkdir -p suid/shared && cp /usr/bin/id suid/id && chmod 4755 suid/id && chmod 2777 suid/shared',
    ]);
    const target = join(state.path, 'suid-out');
    const copied = await cli(['cp', `${id}:suid`, target]);
    expect(copied.code).toBe(0);
    expect(lstatSync(join(target, 'id')).mode & 0o6000).toBe(0);
    expect(lstatSync(join(target, 'shared')).mode & 0o6000).toBe(0);
    expect(lstatSync(join(target, 'id')).mode & 0o100).toBe(0o100);
  });

  it('names symlinks that leave the folder', async () => {
    await cli(['exec', id, 'mkdir -p away && ln -s ../../../etc away/up && ln -s inside away/ok']);
    const copied = await cli(['cp', `${id}:away`, join(state.path, 'away-out')]);
    expect(copied.stdout).toContain('1 symlink(s) point outside');
    expect(copied.stdout).toContain('up');
    expect(copied.stdout).not.toContain(': ok');
  });

  it('copies single files both ways', async () => {
    const hostFile = join(state.path, 'one.txt');
    writeFileSync(hostFile, 'one');
    await cli(['cp', hostFile, `${id}:single/`]);
    const back = join(state.path, 'one-back.txt');
    await cli(['cp', `${id}:single/one.txt`, back]);
    expect(readFileSync(back, 'utf8')).toBe('one');
  });

  it('deletes a folder only with -r', async () => {
    const plain = await cli(['files', 'rm', id, 'project']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('recursive');
    const recursive = await cli(['files', 'rm', id, 'project', '-r']);
    expect(recursive.stdout).toContain(`deleted project in ${id}`);
    const listed = await cli(['files', 'ls', id, '--json']);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((entry) => entry.name);
    expect(names).not.toContain('project');
  });

  it('rejects cp without exactly one sandbox side', async () => {
    const neither = await cli(['cp', 'a', 'b']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('Name exactly one side as <sandbox id>:<path>');
    const both = await cli(['cp', `${id}:a`, `${id}:b`]);
    expect(both.code).toBe(1);
    const missing = await cli(['cp', join(state.path, 'no-such'), `${id}:x`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not found');
  });
});

describe('sandbox files over HTTP', () => {
  let dir = '';
  let server: RunningServer;
  let acme: SandstackClient;
  let globex: SandstackClient;
  let acmeToken = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-files-http-'));
    server = await startServer({ stateDir: dir, port: 0, adminToken: ADMIN_TOKEN });
    const admin = new SandstackClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    for (const tenant of ['acme', 'globex']) {
      await admin.tenants.create({ id: tenant });
    }
    const tokenOf = async (tenant: string): Promise<string> =>
      (await admin.tenants.createToken(tenant)).secret;
    acmeToken = await tokenOf('acme');
    acme = new SandstackClient({ baseUrl: server.url, token: acmeToken });
    globex = new SandstackClient({ baseUrl: server.url, token: await tokenOf('globex') });
  });

  afterAll(async () => {
    const controller = server?.context.stack.controller;
    for (const record of controller?.list() ?? []) {
      await controller?.release(record.id);
    }
    await closeTestServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads, lists, downloads and deletes a folder', async () => {
    const sandbox = await acme.sandboxes.claim({});
    const folder = sampleFolder(dir);
    const archive = execFileSync('tar', ['-C', folder, '-cf', '-', '.']);
    const uploaded = await acme.sandboxes.uploadArchive(sandbox.id, 'up', archive);
    expect(uploaded.bytes).toBe(archive.byteLength);

    const entries = await acme.sandboxes.listFiles(sandbox.id, 'up/src');
    expect(entries.map((entry) => entry.name)).toEqual(['data.bin']);
    expect(entries[0]?.sizeBytes).toBe(5);
    expect(await acme.sandboxes.fileExists(sandbox.id, 'up/README')).toBe(true);

    const downloaded = await acme.sandboxes.downloadArchive(sandbox.id, 'up');
    const members = execFileSync('tar', ['-tf', '-'], { input: downloaded, encoding: 'utf8' });
    expect(members.trim().split('\n').sort()).toEqual([
      './',
      './README',
      './src/',
      './src/data.bin',
    ]);

    await acme.sandboxes.deleteFile(sandbox.id, 'up', { recursive: true });
    expect(await acme.sandboxes.fileExists(sandbox.id, 'up')).toBe(false);
    await acme.sandboxes.release(sandbox.id);
  });

  it("returns 404 for another tenant's sandbox", async () => {
    const sandbox = await acme.sandboxes.claim({});
    const calls: [string, () => Promise<unknown>][] = [
      ['list', () => globex.sandboxes.listFiles(sandbox.id, '.')],
      ['exists', () => globex.sandboxes.fileExists(sandbox.id, '.')],
      ['delete', () => globex.sandboxes.deleteFile(sandbox.id, 'x')],
      ['download', () => globex.sandboxes.downloadArchive(sandbox.id, '.')],
      ['upload', () => globex.sandboxes.uploadArchive(sandbox.id, '.', new Uint8Array(1024))],
    ];
    for (const [name, call] of calls) {
      const status = await call().then(
        () => 200,
        (error: unknown) => (isSandstackApiError(error) ? error.status : 0),
      );
      expect({ name, status }).toEqual({ name, status: 404 });
    }
    await acme.sandboxes.release(sandbox.id);
  });

  it('names a missing folder and a missing path query', async () => {
    const sandbox = await acme.sandboxes.claim({});
    const missing = await acme.sandboxes
      .listFiles(sandbox.id, 'nope')
      .catch((error: unknown) => error);
    expect(isSandstackApiError(missing) && missing.code).toBe('FILE_NOT_FOUND');
    const response = await fetch(`${server.url}/v1/sandboxes/${sandbox.id}/files/list`, {
      headers: { authorization: `Bearer ${acmeToken}` },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('path is missing');
    await acme.sandboxes.release(sandbox.id);
  });
});
