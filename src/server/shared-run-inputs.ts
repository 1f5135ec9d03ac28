/**
 * Run inputs in the PostgreSQL database that several nodes share. The node that creates an
 * instance writes the input snapshot to its state folder and copies it here. A node that
 * runs the instance without the snapshot copies it back into its own state folder before
 * the first `env.INPUTS` call, so the run reads the same files on any node.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/private-files.js';
import type { SqlClient, SqlDatabase } from '../core/sql.js';
import type { RunInputs } from '../workflows/bindings/sandbox-binding.js';
import { openRunInputs } from '../workflows/inputs.js';

const MIGRATIONS = {
  sqlite: [],
  postgres: [
    `CREATE TABLE run_inputs (
       tenant TEXT NOT NULL, instance_id TEXT NOT NULL, file_name TEXT NOT NULL,
       content BYTEA NOT NULL, PRIMARY KEY (tenant, instance_id, file_name));`,
  ],
};

/** The file a snapshot is complete with; it is written last on a copy. */
const INDEX_FILE = 'inputs.json';

/** Copies run input snapshots between each node's state folder and the shared database. */
export class SharedRunInputs {
  readonly #sql: SqlClient;

  private constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Applies the schema migrations on `sql` and returns the store. */
  static async open(sql: SqlDatabase): Promise<SharedRunInputs> {
    await sql.migrate('run-inputs', MIGRATIONS);
    return new SharedRunInputs(sql);
  }

  /** Copies the snapshot in `dir` (the files `sandstack run` and the API write) to the database. */
  async save(tenant: string, instanceId: string, dir: string): Promise<void> {
    const names = await readdir(dir).catch(() => []);
    await this.#sql.transaction(async (tx) => {
      for (const name of names) {
        await tx.run(
          `INSERT INTO run_inputs (tenant, instance_id, file_name, content) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant, instance_id, file_name) DO UPDATE SET content = excluded.content`,
          [tenant, instanceId, name, await readFile(join(dir, name))],
        );
      }
    });
  }

  /**
   * Writes the stored snapshot into `dir` unless `dir` already has a complete one. Returns
   * quietly when the database has none, so the run sees no inputs, as on the creating node.
   */
  async restore(tenant: string, instanceId: string, dir: string): Promise<void> {
    const complete = await readFile(join(dir, INDEX_FILE)).then(
      () => true,
      () => false,
    );
    if (complete) {
      return;
    }
    const rows = await this.#sql.all<{ file_name: string; content: Buffer }>(
      'SELECT file_name, content FROM run_inputs WHERE tenant = ? AND instance_id = ?',
      [tenant, instanceId],
    );
    if (rows.length === 0) {
      return;
    }
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // The index goes last and by rename, so a crash mid-copy leaves no snapshot that
    // looks complete.
    const fileOptions = { mode: PRIVATE_FILE_MODE };
    for (const row of rows.filter((entry) => entry.file_name !== INDEX_FILE)) {
      await writeFile(join(dir, row.file_name), row.content, fileOptions);
    }
    const index = rows.find((entry) => entry.file_name === INDEX_FILE);
    if (index !== undefined) {
      await writeFile(join(dir, `${INDEX_FILE}.part`), index.content, fileOptions);
      await rename(join(dir, `${INDEX_FILE}.part`), join(dir, INDEX_FILE));
    }
  }
}

/**
 * Opens a run's inputs in `dir`, first copying them from `shared` when this node does not
 * have them. NOTE: the creating node copies the snapshot right after it creates the
 * instance, so a node that starts the instance within those milliseconds and reads an
 * input at once finds none.
 */
export function openSharedRunInputs(
  shared: SharedRunInputs | undefined,
  key: { tenant: string; instanceId: string },
  dir: string,
): RunInputs {
  const local = openRunInputs(dir);
  if (shared === undefined) {
    return local;
  }
  let restored: Promise<void> | undefined;
  const ready = (): Promise<void> => (restored ??= shared.restore(key.tenant, key.instanceId, dir));
  return {
    text: async (name) => {
      await ready();
      return local.text(name);
    },
    archive: async (name) => {
      await ready();
      return local.archive(name);
    },
  };
}
