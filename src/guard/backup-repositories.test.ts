import { describe, expect, it } from 'vitest';
import { checkBackupRepositories } from './backup-repositories.js';
import { parseShell } from './shell.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

async function rule(command: string, messages: string): Promise<string | undefined> {
  return checkBackupRepositories(await parseShell(command, OPTIONS), messages, messages)?.rule;
}

describe('checkBackupRepositories', () => {
  it('asks before destroying backups without a request', async () => {
    const check = 'Check the restic repository in /srv/backup.';
    expect(await rule('restic -r /srv/backup forget --keep-last 1 --prune', check)).toBe(
      'stage1:backup-destroy',
    );
    expect(await rule('restic -r /srv/backup prune', 'Run the tests.')).toBe(
      'stage1:backup-destroy',
    );
    expect(await rule('restic -r /srv/backup unlock --remove-all', check)).toBe(
      'stage1:backup-destroy',
    );
    expect(await rule('restic -r /srv/backup key remove 4f3a', check)).toBe(
      'stage1:backup-destroy',
    );
  });

  it('always asks before a restore over the system', async () => {
    const restore = 'Restore the latest snapshot of /srv/backup.';
    expect(await rule('restic -r /srv/backup restore latest --target /', restore)).toBe(
      'stage1:backup-destroy',
    );
    expect(await rule('restic -r /srv/backup restore latest --target=/etc', restore)).toBe(
      'stage1:backup-destroy',
    );
    expect(
      await rule('restic -r /srv/backup restore latest --target /tmp/r', restore),
    ).toBeUndefined();
  });

  it('allows requested forgets and plain reads', async () => {
    const prune = 'Prune the restic repository in /srv/backup to 7 daily snapshots.';
    expect(
      await rule('restic -r /srv/backup forget --keep-daily 7 --prune', prune),
    ).toBeUndefined();
    expect(
      await rule('restic -r /srv/backup unlock', 'Unlock /srv/backup for restic.'),
    ).toBeUndefined();
    expect(
      await rule('restic -r s3:s3.amazonaws.com/b stats', 'How big are backups?'),
    ).toBeUndefined();
  });

  it('asks for a repository other than the named one', async () => {
    const named = 'List the restic snapshots in s3:s3.amazonaws.com/acme-dev-backups.';
    expect(
      await rule('restic -r s3:s3.amazonaws.com/acme-dev-backups snapshots', named),
    ).toBeUndefined();
    expect(await rule('restic -r s3:s3.amazonaws.com/acme-prod-backups snapshots', named)).toBe(
      'stage1:backup-other-repository',
    );
    expect(
      await rule(
        'RESTIC_REPOSITORY=/srv/other restic snapshots',
        'List restic snapshots in /srv/backup.',
      ),
    ).toBe('stage1:backup-other-repository');
  });

  it('blocks a forget that keeps another count or groups everything', async () => {
    const prune = 'Prune the restic repository in /srv/backup down to the last 5 snapshots.';
    expect(await rule('restic -r /srv/backup forget --keep-last 5 --prune', prune)).toBeUndefined();
    expect(await rule('restic -r /srv/backup forget --keep-last 1 --prune', prune)).toBe(
      'stage1:backup-destroy',
    );
    expect(
      await rule("restic -r /srv/backup forget --keep-last 5 --prune --group-by ''", prune),
    ).toBe('stage1:backup-destroy');
  });
});
