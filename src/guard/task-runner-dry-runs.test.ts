import { describe, expect, it } from 'vitest';
import { isTaskRunnerDryRun } from './dry-runs.js';
import { printsConfigOnly } from './ssh-forwards.js';
import { bashVerdict, simpleCommand } from '../../test/helpers/guard.js';

describe('isTaskRunnerDryRun', () => {
  it.each([
    ['make', '-n', 'release'],
    ['make', '--just-print', 'deploy-web'],
    ['just', '--dry-run', 'publish'],
    ['task', '--dry', 'deploy'],
  ])('reads %j as a dry run', (...argv) => {
    expect(isTaskRunnerDryRun(simpleCommand(...argv))).toBe(true);
  });

  it.each([
    ['make', 'release'],
    ['make', '-j4', 'release'],
    ['npm', '-n', 'publish'],
  ])('does not read %j as a dry run', (...argv) => {
    expect(isTaskRunnerDryRun(simpleCommand(...argv))).toBe(false);
  });

  it('allows a printed release target', async () => {
    const asked = 'What does make release-api run? Do not run it.';
    expect(await bashVerdict('make -n release-api', asked)).toBe('allow');
    expect(await bashVerdict('make release-api', asked)).not.toBe('allow');
  });
});

describe('printsConfigOnly', () => {
  it.each([
    ['ssh', '-G', 'bastion'],
    ['ssh', '-vG', 'bastion'],
    ['ssh', '-p', '2222', '-G', 'bastion'],
  ])('reads %j as a config print', (...argv) => {
    expect(printsConfigOnly(simpleCommand(...argv))).toBe(true);
  });

  it.each([
    ['ssh', 'bastion', 'uptime'],
    ['ssh', '-o', 'G', 'bastion'],
    ['ssh', '-p', 'G', 'bastion'],
  ])('does not read %j as a config print', (...argv) => {
    expect(printsConfigOnly(simpleCommand(...argv))).toBe(false);
  });
});
