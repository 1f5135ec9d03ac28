import type { SandstackError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SandboxRecord, SandboxStore } from './controller-store.js';
import { endErrorFor, expiryOf } from './lifetime.js';
import type { SandboxInstance, SandboxTemplate } from './types.js';
import { MAX_TIMER_DELAY_MS } from './timers.js';

/** Interval of the check that ends sandboxes past their expiry, in milliseconds. */
const EXPIRY_CHECK_MS = 60_000;

/** Controller state and operations that {@link ExpiryScheduler} uses. */
export interface ExpiryHost {
  store: SandboxStore;
  logger: Logger;
  /** Sandboxes this process has started or attached, by id. */
  live: Map<string, SandboxInstance>;
  /** Returns the named template, or `default` when it no longer exists. */
  templateOf(name: string): SandboxTemplate;
  release(id: string): Promise<unknown>;
  /** Deletes SandboxClaim objects whose retention is over. */
  reapClaims(now: number): void;
}

/**
 * Ends claimed sandboxes when their time is up: the template's lifetime, or an earlier claim
 * shutdownTime. Sandboxes claimed in this process get a timer each. A periodic check covers
 * the rest, such as sandboxes claimed by processes that have exited.
 */
export class ExpiryScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly interval: NodeJS.Timeout;

  constructor(private readonly host: ExpiryHost) {
    this.interval = setInterval(() => void this.expireDue(), EXPIRY_CHECK_MS);
    this.interval.unref();
  }

  /** Returns when a sandbox claimed at `claimedAt` expires: its lifetime or an earlier shutdownTime. */
  expiresAtFor(claim: {
    template: SandboxTemplate;
    shutdownTime: Date | undefined;
    claimedAt: number;
  }): number {
    return expiryOf({
      template: claim.template,
      record: { claimedAt: claim.claimedAt, createdAt: claim.claimedAt, expiresAt: null },
      shutdownTime: claim.shutdownTime,
    }).expiresAt;
  }

  /** Starts the timer of a just-claimed sandbox whose expiry is already stored. */
  track(id: string, expiresAt: number): void {
    this.schedule(id, expiresAt);
  }

  /** Stops a sandbox's timer, because it is being released. */
  clear(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  /** Stops every timer and the periodic check. */
  close(): void {
    clearInterval(this.interval);
    for (const timer of this.timers.values()) {
      clearTimeout(timer);
    }
    this.timers.clear();
  }

  /**
   * Ends claimed sandboxes past their lifetime or their claim's shutdownTime, and deletes
   * SandboxClaim objects whose retention ran out.
   */
  async expireDue(): Promise<void> {
    for (const record of this.host.store.list({})) {
      if (record.state === 'claimed' && this.isExpired(record)) {
        await this.end(record);
      }
    }
    this.host.reapClaims(Date.now());
  }

  /**
   * Destroys a sandbox whose time is up, storing why, so its running command and later
   * calls fail with an error that names the limit.
   */
  async end(record: SandboxRecord): Promise<void> {
    const template = this.host.templateOf(record.template);
    const reason = expiryOf({ template, record }).reason;
    this.host.store.setEndReason(record.id, reason);
    const error = endErrorFor({ ...record, endReason: reason }, template);
    this.host.logger.info('Destroying expired sandbox', { sandboxId: record.id, reason });
    const sandbox = this.host.live.get(record.id);
    if (error !== undefined && sandbox !== undefined && 'markEnding' in sandbox) {
      (sandbox as { markEnding(error: SandstackError): void }).markEnding(error);
    }
    await this.host.release(record.id).catch((releaseError: unknown) => {
      this.host.logger.error('Expired sandbox release failed', {
        sandboxId: record.id,
        error: String(releaseError),
      });
    });
  }

  /** Recomputes a claimed sandbox's expiry after its claim's shutdownTime changed. */
  reschedule(id: string, shutdownTime: Date | undefined): void {
    const record = this.host.store.get(id);
    if (record?.state !== 'claimed') {
      return;
    }
    const template = this.host.templateOf(record.template);
    const { expiresAt } = expiryOf({
      template,
      record: { ...record, expiresAt: null },
      shutdownTime,
    });
    this.host.store.setClaimFields(id, { expiresAt, claimName: record.claimName });
    clearTimeout(this.timers.get(id));
    this.schedule(id, expiresAt);
  }

  private schedule(id: string, expiresAt: number): void {
    const delayMs = expiresAt - Date.now();
    // A timer cannot wait longer than MAX_TIMER_DELAY_MS, so the periodic check covers later times.
    if (delayMs > MAX_TIMER_DELAY_MS) {
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        const record = this.host.store.get(id);
        if (record?.state === 'claimed') {
          void this.end(record);
        }
      },
      Math.max(0, delayMs),
    );
    timer.unref();
    this.timers.set(id, timer);
  }

  isExpired(record: SandboxRecord): boolean {
    const template = this.host.templateOf(record.template);
    return Date.now() >= expiryOf({ template, record }).expiresAt;
  }
}
