/**
 * Owners of sandbox templates and warm pools applied over HTTP. The controller keeps one
 * name space for each kind, so the server records which tenant an object belongs to: a
 * tenant reaches its own objects and the shared ones (no owner, such as those applied by the
 * admin without a namespace or with `sandstack apply` on the server's machine), and gets a
 * 404 for another tenant's.
 */
import type { SqliteDatabase } from '../../core/store.js';

/** Kinds of sandbox object that have an owner. */
export type OwnedKind = 'SandboxTemplate' | 'SandboxWarmPool';

/** Who a principal is, as ownership checks need it: a tenant id, or null for the admin. */
export type Viewer = string | null;

/** Owner rows of one server's SQLite file. */
export class SandboxOwners {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS sandbox_object_owners (
         kind TEXT NOT NULL, name TEXT NOT NULL, tenant TEXT NOT NULL, PRIMARY KEY (kind, name))`,
    );
  }

  /** Returns the owning tenant, or null for a shared object. */
  ownerOf(kind: OwnedKind, name: string): string | null {
    const row = this.#db
      .prepare('SELECT tenant FROM sandbox_object_owners WHERE kind = ? AND name = ?')
      .get(kind, name) as { tenant: string } | undefined;
    return row?.tenant ?? null;
  }

  /** Whether a viewer may see the object: the admin sees all, a tenant its own and shared ones. */
  visible(kind: OwnedKind, name: string, viewer: Viewer): boolean {
    const owner = this.ownerOf(kind, name);
    return viewer === null || owner === null || owner === viewer;
  }

  /** Records the owner of an object, or makes it shared when `tenant` is null. */
  set(kind: OwnedKind, name: string, tenant: string | null): void {
    if (tenant === null) {
      this.remove(kind, name);
      return;
    }
    this.#db
      .prepare(
        'INSERT INTO sandbox_object_owners (kind, name, tenant) VALUES (?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET tenant = excluded.tenant',
      )
      .run(kind, name, tenant);
  }

  remove(kind: OwnedKind, name: string): void {
    this.#db
      .prepare('DELETE FROM sandbox_object_owners WHERE kind = ? AND name = ?')
      .run(kind, name);
  }
}

/** One owner store per database, so its table is created once per process. */
const stores = new WeakMap<SqliteDatabase, SandboxOwners>();

/** Returns the owner store of a server's SQLite file. */
export function sandboxOwners(db: SqliteDatabase): SandboxOwners {
  let store = stores.get(db);
  if (store === undefined) {
    store = new SandboxOwners(db);
    stores.set(db, store);
  }
  return store;
}
