import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SandstackError } from '../core/errors.js';
import { isValidName } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { ObjectCondition } from './claim-objects.js';
import type { SandboxRecord, SandboxStore, SnapshotRecord } from './controller-store.js';
import type { SandboxInstance, SandboxTemplate } from './types.js';

/**
 * Splits a snapshot reference: `<tenant>/<name>` names one tenant's snapshot, and a bare
 * name the only snapshot of that name.
 */
export function parseSnapshotRef(ref: string): { tenant: string | undefined; name: string } {
  const slash = ref.indexOf('/');
  return slash === -1
    ? { tenant: undefined, name: ref }
    : { tenant: ref.slice(0, slash), name: ref.slice(slash + 1) };
}

/** Controller state and operations that {@link SandboxCheckpoints} uses. */
export interface CheckpointHost {
  store: SandboxStore;
  logger: Logger;
  /** Folder that contains one folder per snapshot. */
  snapshotRoot: string;
  /** Returns a claimed sandbox, re-attached if needed, or undefined. */
  get(id: string): Promise<{ sandbox: SandboxInstance; record: SandboxRecord } | undefined>;
  listTemplates(): SandboxTemplate[];
}

/**
 * Suspend, resume and snapshots of claimed sandboxes, with their records: the operating mode
 * of each sandbox and the snapshots new sandboxes can start from.
 */
export class SandboxCheckpoints {
  constructor(private readonly host: CheckpointHost) {}

  /**
   * Checkpoints a claimed sandbox's processes to disk and stops them.
   * @throws SandstackError `SANDBOX_NOT_FOUND`, or `CHECKPOINT_UNSUPPORTED` on bubblewrap
   */
  async suspend(id: string): Promise<SandboxRecord> {
    const { sandbox } = await this.require(id);
    await sandbox.suspend();
    return this.setMode(id, 'Suspended');
  }

  /**
   * Restores a suspended sandbox's processes; they continue where they stopped.
   * @throws SandstackError `SANDBOX_NOT_FOUND`, or `CHECKPOINT_UNSUPPORTED` on bubblewrap
   */
  async resume(id: string): Promise<SandboxRecord> {
    const { sandbox } = await this.require(id);
    await sandbox.resume();
    return this.setMode(id, 'Running');
  }

  /**
   * Takes a named snapshot of a claimed sandbox, which keeps running (or stays suspended).
   * @throws SandstackError `INVALID_ARGUMENT` for a bad name, `ALREADY_EXISTS` for a taken
   *   one, `SANDBOX_NOT_FOUND`, or `CHECKPOINT_UNSUPPORTED` on bubblewrap
   */
  async snapshot(id: string, name: string): Promise<SnapshotRecord> {
    if (!isValidName(name)) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Snapshot name "${name}" is invalid; use 1-63 letters, digits, ".", "_" or "-"`,
      );
    }
    const { sandbox, record } = await this.require(id);
    // Names are unique per tenant, so this error reveals only the tenant's own names.
    if (this.host.store.getSnapshot(record.tenant, name) !== undefined) {
      throw new SandstackError(
        'ALREADY_EXISTS',
        `Snapshot "${name}" already exists; pick another name or delete it first`,
      );
    }
    // "@" cannot start a snapshot name, so these folders never meet the folders of
    // snapshots stored before names were per tenant, which sit directly in the root.
    const dir = join(this.host.snapshotRoot, `@${record.tenant ?? ''}`, name);
    // A folder without a record is what a snapshot cut short left behind.
    rmSync(dir, { recursive: true, force: true });
    let info;
    try {
      info = await sandbox.snapshot(dir);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const snapshot: SnapshotRecord = {
      name,
      tenant: record.tenant,
      sandboxId: id,
      template: record.template,
      runtime: record.runtime,
      dir,
      imageBytes: info.imageBytes,
      filesBytes: info.filesBytes,
      createdAt: Date.now(),
    };
    this.host.store.insertSnapshot(snapshot);
    this.host.logger.info('Sandbox snapshot taken', {
      sandboxId: id,
      snapshot: name,
      pausedMs: info.pausedMs,
    });
    return snapshot;
  }

  /**
   * Returns the stored snapshot that a reference names: `<tenant>/<name>`, or a bare name
   * that only one tenant's snapshot has.
   * @throws SandstackError `SNAPSHOT_NOT_FOUND`, or `INVALID_ARGUMENT` for a bare name that
   *   several tenants use
   */
  getSnapshot(ref: string): SnapshotRecord {
    const snapshot = this.find(ref);
    const { name } = parseSnapshotRef(ref);
    if (snapshot === undefined || !existsSync(snapshot.dir)) {
      // No list of names: this message can reach a tenant over HTTP, and snapshots belong
      // to tenants.
      throw new SandstackError(
        'SNAPSHOT_NOT_FOUND',
        `Snapshot "${name}" not found; list snapshots with "sandstack sandbox snapshots" (GET /v1/sandboxes/snapshots)`,
        {
          remedy: {
            cli: `take one with "sandstack sandbox snapshot <id> --name ${name}"`,
            http: `take one with POST /v1/sandboxes/{id}/snapshot and the name "${name}"`,
          },
        },
      );
    }
    return snapshot;
  }

  /**
   * Deletes a snapshot and its files. Sandboxes started from it keep running. With `force`,
   * templates that name it do not stop the delete, and their claims then fail with
   * `SNAPSHOT_NOT_FOUND`.
   * @throws SandstackError `SNAPSHOT_NOT_FOUND`, or `INVALID_ARGUMENT` while a template names it
   */
  deleteSnapshot(ref: string, options: { force?: boolean } = {}): void {
    const snapshot = this.find(ref);
    if (snapshot === undefined) {
      this.getSnapshot(ref);
      return;
    }
    const users = this.templatesNaming(snapshot);
    if (users.length > 0 && options.force !== true) {
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Snapshot "${ref}" is named by template ${users.join(', ')}; remove the snapshot from the template first`,
        { details: { templates: users } },
      );
    }
    rmSync(snapshot.dir, { recursive: true, force: true });
    this.host.store.deleteSnapshot(snapshot.tenant, snapshot.name);
  }

  /**
   * Returns the names of the templates that start their sandboxes from the snapshot a
   * reference names; none for an unknown snapshot.
   * @throws SandstackError `INVALID_ARGUMENT` for an ambiguous name
   */
  templatesNamingSnapshot(ref: string): string[] {
    const snapshot = this.find(ref);
    return snapshot === undefined ? [] : this.templatesNaming(snapshot);
  }

  private templatesNaming(snapshot: SnapshotRecord): string[] {
    return this.host
      .listTemplates()
      .filter(
        (template) => template.snapshot !== undefined && this.names(template.snapshot, snapshot),
      )
      .map((template) => template.name);
  }

  /**
   * Finds the snapshot a reference names, or undefined.
   * @throws SandstackError `INVALID_ARGUMENT` for a bare name that several tenants use
   */
  private find(ref: string): SnapshotRecord | undefined {
    const { tenant, name } = parseSnapshotRef(ref);
    if (tenant !== undefined) {
      return this.host.store.getSnapshot(tenant, name);
    }
    const found = this.host.store.findSnapshots(name);
    if (found.length > 1) {
      // No tenant names: this message can reach a tenant through a shared template.
      throw new SandstackError(
        'INVALID_ARGUMENT',
        `Snapshot name "${name}" is ambiguous because several tenants have a snapshot of that name; name it as "<tenant>/${name}"`,
      );
    }
    return found[0];
  }

  /** Checks whether a reference names this snapshot, without raising for an ambiguous one. */
  private names(ref: string, snapshot: SnapshotRecord): boolean {
    const { tenant, name } = parseSnapshotRef(ref);
    if (name !== snapshot.name) {
      return false;
    }
    return tenant === undefined || tenant === (snapshot.tenant ?? '');
  }

  /** Returns the driver option that starts a template's sandboxes from its snapshot, if any. */
  createOptionsFor(template: SandboxTemplate): { snapshotDir?: string } {
    return template.snapshot === undefined
      ? {}
      : { snapshotDir: this.getSnapshot(template.snapshot).dir };
  }

  private async require(id: string): Promise<{ sandbox: SandboxInstance; record: SandboxRecord }> {
    const found = await this.host.get(id);
    if (found === undefined) {
      throw new SandstackError('SANDBOX_NOT_FOUND', `Sandbox "${id}" not found or not claimed`, {
        remedy: {
          cli: 'list sandboxes with "sandstack sandbox list"',
          http: 'list sandboxes with GET /v1/sandboxes',
        },
      });
    }
    return found;
  }

  private setMode(id: string, mode: SandboxRecord['operatingMode']): SandboxRecord {
    this.host.store.setOperatingMode(id, mode);
    this.host.logger.info(mode === 'Suspended' ? 'Sandbox suspended' : 'Sandbox resumed', {
      sandboxId: id,
    });
    const record = this.host.store.get(id);
    if (record === undefined) {
      throw new SandstackError('INTERNAL', `Sandbox "${id}" vanished from the store`);
    }
    return record;
  }
}

/**
 * Derives a sandbox's Ready and Suspended conditions with upstream's reasons: Ready is
 * `DependenciesReady` while it runs and `Suspended` while suspended; Suspended is
 * `PodTerminated` (True) once its processes are checkpointed and stopped, else
 * `NotSuspended` (False). Released sandboxes have no conditions.
 */
export function sandboxConditions(record: SandboxRecord): ObjectCondition[] {
  if (record.state === 'released') {
    return [];
  }
  const since = new Date(record.operatingModeChangedAt ?? record.createdAt).toISOString();
  if (record.operatingMode === 'Suspended') {
    return [
      modeCondition('Ready', 'False', 'Suspended', 'Sandbox is suspended', since),
      modeCondition(
        'Suspended',
        'True',
        'PodTerminated',
        'Processes are checkpointed to disk and stopped',
        since,
      ),
    ];
  }
  return [
    modeCondition('Ready', 'True', 'DependenciesReady', 'Sandbox is running', since),
    modeCondition('Suspended', 'False', 'NotSuspended', 'Sandbox is not suspended', since),
  ];
}

function modeCondition(
  type: 'Ready' | 'Suspended',
  status: ObjectCondition['status'],
  reason: string,
  message: string,
  lastTransitionTime: string,
): ObjectCondition {
  return { type, status, reason, message, lastTransitionTime };
}
