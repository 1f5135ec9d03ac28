import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRunInputs, resolveInputs, type WorkflowManifest } from './inputs.js';

describe('resolveInputs defaults', () => {
  let root = '';
  let workflowDir = '';

  const manifest = (fallback: string): WorkflowManifest =>
    ({
      name: 'inputs-test',
      inputs: { data: { type: 'file', default: fallback } },
    }) as WorkflowManifest;

  const resolveWith = (fallback: string, params: Record<string, unknown> = {}) =>
    resolveInputs({ manifest: manifest(fallback), manifestDir: workflowDir, params, cwd: root });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sandstack-inputs-'));
    workflowDir = join(root, 'workflow');
    mkdirSync(join(workflowDir, 'data'), { recursive: true });
    writeFileSync(join(workflowDir, 'data', 'inside.txt'), 'inside');
    writeFileSync(join(root, 'outside.txt'), 'outside');
    symlinkSync(join(root, 'outside.txt'), join(workflowDir, 'link.txt'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('takes a default inside the folder', async () => {
    const [input] = await resolveWith('data/inside.txt');
    expect(input?.source).toBe(join(workflowDir, 'data', 'inside.txt'));
  });

  it('rejects a default that climbs out', async () => {
    await expect(resolveWith('../outside.txt')).rejects.toThrow(
      /the default "\.\.\/outside\.txt" in sandstack\.json leads outside the workflow's folder/,
    );
  });

  it('rejects a default symlink leading out', async () => {
    await expect(resolveWith('link.txt')).rejects.toThrow(/leads outside the workflow's folder/);
  });

  it('rejects an absolute default elsewhere', async () => {
    await expect(resolveWith(join(root, 'outside.txt'))).rejects.toThrow(
      /pass the path yourself with --params/,
    );
  });

  it('takes a param that points anywhere', async () => {
    const [input] = await resolveWith('../outside.txt', { data: join(root, 'outside.txt') });
    expect(input?.source).toBe(join(root, 'outside.txt'));
  });
});

describe('openRunInputs names', () => {
  let snapshot = '';

  beforeEach(() => {
    snapshot = mkdtempSync(join(tmpdir(), 'sandstack-run-inputs-'));
    writeFileSync(
      join(snapshot, 'inputs.json'),
      JSON.stringify({ notes: { type: 'file', fileName: 'notes.txt' } }),
    );
    writeFileSync(join(snapshot, 'notes.file'), 'hello');
  });

  afterEach(() => {
    rmSync(snapshot, { recursive: true, force: true });
  });

  it('reads a declared input', async () => {
    expect(await openRunInputs(snapshot).text('notes')).toBe('hello');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'reports %s as not found',
    async (name) => {
      const inputs = openRunInputs(snapshot);
      await expect(inputs.text(name)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(inputs.archive(name)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    },
  );
});
