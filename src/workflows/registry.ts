/**
 * The workflow registry: each deployed version is stored by the SHA-256 of its bundle, so
 * an instance can always load exactly the code it started on.
 */
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { SandstackError } from '../core/errors.js';
import { isValidName } from '../core/ids.js';
import type { WorkflowBundle } from './bundle.js';
import type { ParamsManifest, VersionRecord, WorkflowStore } from './stores/store.js';

/** Result of {@link WorkflowRegistry.deploy}. */
export interface DeployResult {
  workflow: string;
  /** Bundle hash; the version id that instances are pinned to. */
  version: string;
  className: string;
  /** False when this exact bundle was already deployed under the name. */
  created: boolean;
}

/** Checks a tenant or workflow name, naming the option when it is invalid. */
export function assertValidName(value: string, label: string): void {
  if (!isValidName(value)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid ${label} "${value}"; use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
}

/** Stores workflow versions per tenant and name. */
export class WorkflowRegistry {
  readonly #store: WorkflowStore;
  readonly #clock: Clock;

  constructor(store: WorkflowStore, clock: Clock = systemClock) {
    this.#store = store;
    this.#clock = clock;
  }

  /**
   * Stores a bundle as a version of `tenant`'s workflow `name`; the newest deployment is the
   * one new instances start on. A deploy of a stored bundle replaces its `manifest`.
   *
   * @throws SandstackError `INVALID_ARGUMENT` for an invalid tenant or workflow name.
   */
  async deploy(
    tenant: string,
    name: string,
    bundle: WorkflowBundle,
    manifest?: ParamsManifest,
  ): Promise<DeployResult> {
    assertValidName(tenant, 'tenant');
    assertValidName(name, 'workflow name');
    const created = await this.#store.saveVersion({
      tenant,
      workflow: name,
      hash: bundle.hash,
      className: bundle.className,
      code: bundle.code,
      createdAtMs: this.#clock.now(),
      ...(manifest === undefined ? {} : { manifest }),
    });
    return { workflow: name, version: bundle.hash, className: bundle.className, created };
  }

  /**
   * Returns the version new instances of `name` start on.
   *
   * @throws SandstackError `NOT_FOUND` when the tenant never deployed `name`.
   */
  async latest(tenant: string, name: string): Promise<VersionRecord> {
    const version = await this.#store.latestVersion(tenant, name);
    if (version === undefined) {
      throw new SandstackError('NOT_FOUND', `Workflow "${name}" not found for tenant "${tenant}"`, {
        remedy: {
          cli: 'deploy it with "sandstack workflow deploy"',
          http: 'deploy it with POST /v1/workflows',
        },
      });
    }
    return version;
  }

  /**
   * Returns one stored version.
   *
   * @throws SandstackError `NOT_FOUND` when the version is not stored for this tenant.
   */
  async get(tenant: string, name: string, hash: string): Promise<VersionRecord> {
    const version = await this.#store.getVersion(tenant, name, hash);
    if (version === undefined) {
      throw new SandstackError(
        'NOT_FOUND',
        `Version "${hash}" of workflow "${name}" not found for tenant "${tenant}"`,
      );
    }
    return version;
  }

  /** Lists the tenant's versions, newest first. */
  list(tenant: string, name?: string): Promise<Omit<VersionRecord, 'code'>[]> {
    return this.#store.listVersions(tenant, name);
  }
}
