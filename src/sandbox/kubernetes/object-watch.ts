import { Watch, type KubeConfig } from '@kubernetes/client-node';

import type { SandstackError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { statusCodeOf, toSandstackError } from './api-errors.js';
import type { ObjectMeta, ResourceRef } from './resources.js';
import { timerDelay } from '../timers.js';

/** An object of a namespaced custom resource, as the watch delivers it. */
export interface WatchedObject {
  metadata: ObjectMeta;
}

/** Options for {@link watchUntil}. */
export interface WatchUntilOptions<T extends WatchedObject> {
  kubeConfig: KubeConfig;
  namespace: string;
  resource: ResourceRef;
  /** The object as last seen, usually the reply to a create or patch call. */
  object: T;
  /** Reads the object again after a watch ends before the wait is over. */
  getObject: () => Promise<T>;
  timeoutMs: number;
  logger: Logger;
  /** Returns true once the object is in the awaited state; throws to end the wait with an error. */
  isDone: (object: T) => boolean;
  /** Error for an object deleted while waiting. */
  deletedError: (object: T) => SandstackError;
  /** Error for a wait that passed its deadline, given the last seen object. */
  timeoutError: (object: T) => SandstackError;
}

/**
 * Upper bound on watch restarts while waiting for one object. The API server closes watches
 * after a server-chosen timeout (minutes), so a healthy wait restarts a handful of times.
 */
const MAX_WATCH_RESTARTS = 100;

type WatchOutcome<T> =
  { kind: 'done'; object: T } | { kind: 'restart'; object: T } | { kind: 'deadline'; object: T };

/**
 * Waits until `isDone` accepts the object by watching it, restarting the watch from the last
 * seen resourceVersion when the server closes it.
 *
 * @throws {SandstackError} the error of `timeoutError` when the deadline passes, of
 *   `deletedError` when the object is deleted, of `isDone` when it throws, or the API's error
 *   when the watch is refused (401, 403, 404).
 */
export async function watchUntil<T extends WatchedObject>(
  options: WatchUntilOptions<T>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let object = options.object;

  for (let restart = 0; restart <= MAX_WATCH_RESTARTS; restart += 1) {
    if (options.isDone(object)) {
      return object;
    }
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      break;
    }

    const outcome = await watchOnce(options, object, remainingMs);
    if (outcome.kind === 'done') {
      return outcome.object;
    }
    if (outcome.kind === 'deadline') {
      object = outcome.object;
      break;
    }
    options.logger.debug('Watch ended, reading the object again', {
      resource: options.resource.plural,
      name: object.metadata.name,
    });
    object = await options.getObject();
  }
  throw options.timeoutError(object);
}

function watchOnce<T extends WatchedObject>(
  options: WatchUntilOptions<T>,
  start: T,
  remainingMs: number,
): Promise<WatchOutcome<T>> {
  const { namespace, resource } = options;
  const name = start.metadata.name ?? '';
  const path = `/apis/${resource.group}/${resource.version}/namespaces/${namespace}/${resource.plural}`;
  const query = {
    fieldSelector: `metadata.name=${name}`,
    resourceVersion: start.metadata.resourceVersion,
    allowWatchBookmarks: true,
  };

  return new Promise<WatchOutcome<T>>((resolve, reject) => {
    let latest = start;
    let settled = false;
    let abort: AbortController | undefined;
    const finish = (action: () => void): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      abort?.abort();
      action();
    };
    const timer = setTimeout(() => {
      finish(() => resolve({ kind: 'deadline', object: latest }));
    }, timerDelay(remainingMs));

    const onEvent = (type: string, received: unknown): void => {
      if (type === 'ERROR') {
        // 410 Gone means the resourceVersion is too old; a fresh read gives a new one.
        finish(() => resolve({ kind: 'restart', object: latest }));
        return;
      }
      if (type === 'BOOKMARK') {
        return;
      }
      const object = received as T;
      if (type === 'DELETED') {
        finish(() => reject(options.deletedError(object)));
        return;
      }
      latest = object;
      try {
        if (options.isDone(object)) {
          finish(() => resolve({ kind: 'done', object }));
        }
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const onDone = (error: unknown): void => {
      const code = statusCodeOf(error);
      if (code === 401 || code === 403 || code === 404) {
        const context = { verb: 'watch', resource, namespace };
        finish(() => reject(toSandstackError(error, context)));
        return;
      }
      finish(() => resolve({ kind: 'restart', object: latest }));
    };

    new Watch(options.kubeConfig)
      .watch(path, query, onEvent, onDone)
      .then((controller) => {
        abort = controller;
        if (settled) {
          controller.abort();
        }
      })
      .catch(onDone);
  });
}
