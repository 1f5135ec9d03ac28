/**
 * Group commit for warm claims: claims that arrive in the same turn of the event loop are
 * bound in one SQLite transaction. With `synchronous = FULL` each commit waits for the disk,
 * so a burst of claims would otherwise queue behind one fsync each.
 */
import type { SandboxStore, WarmBindRequest } from './controller-store.js';

/** Most claims bound in one transaction; a larger burst takes several turns. */
const MAX_BATCH = 1024;

interface Pending {
  request: WarmBindRequest;
  resolve: (id: string | undefined) => void;
  reject: (error: unknown) => void;
}

/** Queues warm binds and commits each turn's batch together. */
export class WarmBindQueue {
  readonly #store: SandboxStore;
  readonly #pending: Pending[] = [];
  #scheduled = false;

  constructor(store: SandboxStore) {
    this.#store = store;
  }

  /** Binds a ready sandbox to the request; resolves with its id, or undefined when none was ready. */
  bind(request: WarmBindRequest): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) {
      return;
    }
    this.#scheduled = true;
    // setImmediate runs after the microtasks of this turn, so claims started together by
    // Promise.all or by concurrent HTTP requests land in the same batch.
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending.splice(0, MAX_BATCH);
    if (this.#pending.length > 0) {
      this.#schedule();
    }
    let ids: (string | undefined)[];
    try {
      ids = this.#store.bindWarmBatch(batch.map((item) => item.request));
    } catch (error) {
      for (const item of batch) {
        item.reject(error);
      }
      return;
    }
    batch.forEach((item, index) => item.resolve(ids[index]));
  }
}
