/**
 * Modes of the state folder: it holds every tenant's run data, so the folder is created
 * 0700 and its database and input files 0600, whatever the umask.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger, LogMeta } from '../../src/core/logger.js';
import { openStack } from '../../src/server/stack.js';
import { snapshotInputs } from '../../src/workflows/inputs.js';
import { runCli } from '../helpers/cli.js';

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** A logger that keeps its warnings. */
function recordingLogger(): { logger: Logger; warnings: { message: string; meta?: LogMeta }[] } {
  const warnings: { message: string; meta?: LogMeta }[] = [];
  const logger: Logger = {
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (message, meta) => warnings.push({ message, ...(meta === undefined ? {} : { meta }) }),
    error: () => undefined,
    child: () => logger,
  };
  return { logger, warnings };
}

describe('state folder permissions', () => {
  let dir = '';
  let umask = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-state-modes-'));
    // The usual default, under which the folder used to come out world-readable.
    umask = process.umask(0o022);
  });

  afterAll(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    rmSync(join(dir, 'state'), { recursive: true, force: true });
  });

  it('creates a private state folder', async () => {
    const stateDir = join(dir, 'state');
    const { logger, warnings } = recordingLogger();
    const stack = await openStack({ stateDir, logger });
    try {
      expect(modeOf(stateDir)).toBe('700');
      expect(modeOf(join(stateDir, 'state.db'))).toBe('600');
      // SQLite removes the WAL file when the last connection closes.
      expect(modeOf(join(stateDir, 'state.db-wal'))).toBe('600');
      expect(warnings).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('tightens an existing state folder', async () => {
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { mode: 0o755 });
    chmodSync(stateDir, 0o755);
    writeFileSync(join(stateDir, 'state.db'), '', { mode: 0o644 });
    const { logger, warnings } = recordingLogger();
    const stack = await openStack({ stateDir, logger });
    await stack.close();
    expect(modeOf(stateDir)).toBe('700');
    expect(modeOf(join(stateDir, 'state.db'))).toBe('600');
    const changed = warnings.map((warning) => warning.meta);
    expect(changed).toContainEqual({ path: stateDir, oldMode: '0755', newMode: '0700' });
    expect(changed).toContainEqual({
      path: join(stateDir, 'state.db'),
      oldMode: '0644',
      newMode: '0600',
    });
  });

  it('tightens the state folder from sandbox commands', async () => {
    const stateDir = join(dir, 'state');
    mkdirSync(join(stateDir, 'sandboxes'), { recursive: true, mode: 0o755 });
    chmodSync(stateDir, 0o755);
    chmodSync(join(stateDir, 'sandboxes'), 0o755);
    const listed = await runCli(['--state-dir', stateDir, 'template', 'list']);
    expect(listed.code).toBe(0);
    expect(modeOf(stateDir)).toBe('700');
    expect(modeOf(join(stateDir, 'sandboxes'))).toBe('700');
    expect(listed.stderr).toContain('Removed group and other access to state');
  });

  it('snapshots inputs as private files', async () => {
    const source = join(dir, 'source');
    mkdirSync(join(source, 'folder'), { recursive: true });
    writeFileSync(join(source, 'notes.txt'), 'notes\n', { mode: 0o644 });
    writeFileSync(join(source, 'folder', 'a.txt'), 'a\n');
    const snapshot = join(dir, 'state', 'inputs', 'run');
    await snapshotInputs(
      [
        { name: 'notes', type: 'file', source: join(source, 'notes.txt') },
        { name: 'repo', type: 'directory', source: join(source, 'folder') },
      ],
      snapshot,
    );
    expect(modeOf(join(dir, 'state'))).toBe('700');
    expect(modeOf(snapshot)).toBe('700');
    expect(modeOf(join(snapshot, 'notes.file'))).toBe('600');
    expect(modeOf(join(snapshot, 'repo.tar'))).toBe('600');
    expect(modeOf(join(snapshot, 'inputs.json'))).toBe('600');
  });
});
