import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConfig, requireContext } from './config.js';

describe('CLI config file', () => {
  let dir = '';
  let path = '';

  const write = (text: string): void => {
    writeFileSync(path, text);
    chmodSync(path, 0o600);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandstack-config-'));
    path = join(dir, 'config.yaml');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds no context named after Object.prototype keys', () => {
    write('contexts:\n  prod:\n    server: http://127.0.0.1:7420\n    token: t\n');
    const config = readConfig(path);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => requireContext(config, name, path)).toThrow(
        `Context "${name}" not found in ${path}; it has prod`,
      );
    }
  });

  it('rejects a server that is not an HTTP URL', () => {
    write('contexts:\n  odd:\n    server: file:///etc/passwd\n    token: t\n');
    expect(() => readConfig(path)).toThrow(/server must be an http:\/\/ or https:\/\/ URL/);
  });

  it('reads an HTTPS server', () => {
    write('contexts:\n  prod:\n    server: https://sandstack.example.com\n    token: t\n');
    expect(requireContext(readConfig(path), 'prod', path).server).toBe(
      'https://sandstack.example.com',
    );
  });
});
