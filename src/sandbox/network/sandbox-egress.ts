import type { Server } from 'node:net';
import { join } from 'node:path';
import { isSandstackError } from '../../core/errors.js';
import type { SandboxTemplate } from '../types.js';
import {
  DEFAULT_MAX_EGRESS_LOG_BYTES,
  EGRESS_PROXY_PORT,
  EgressProxy,
  type EgressProxyOptions,
} from './egress-proxy.js';
import { PORT_IN_USE, createNetns, deleteNetns, listenInNetns } from './netns.js';

/**
 * Settings of the egress proxy of templates with `network.egress: 'proxy'`: the resolver,
 * whether allowed names may resolve to private addresses (for tests against local servers)
 * and the size limit of the egress log.
 */
export type EgressSettings = Pick<
  EgressProxyOptions,
  'lookup' | 'allowPrivateAddresses' | 'maxLogBytes'
>;

/**
 * File where a sandbox's egress proxy records every connection attempt. It sits in the
 * sandbox's state folder on the host, beside the writable layer's image and outside it, so
 * commands in the sandbox cannot reach it. Its size limit comes out of the disk limit
 * instead (see {@link egressLogLimit}).
 */
export function egressLogPath(stateDir: string): string {
  return join(stateDir, 'egress.log');
}

/**
 * Returns the size limit of a sandbox's egress log in bytes, 0 without egress. The log
 * counts against the sandbox's disk limit, so the writable layer is smaller by this much.
 * It is the settings' `maxLogBytes`, but at most a quarter of `resources.diskBytes`, so a
 * small disk limit keeps most of its room for files.
 */
export function egressLogLimit(template: SandboxTemplate, settings: EgressSettings): number {
  if (!hasEgress(template)) {
    return 0;
  }
  const max = settings.maxLogBytes ?? DEFAULT_MAX_EGRESS_LOG_BYTES;
  return Math.min(max, Math.floor(template.resources.diskBytes / 4));
}

/** Returns whether a template's sandboxes reach the network through the egress proxy. */
export function hasEgress(template: SandboxTemplate): boolean {
  return template.network.egress === 'proxy';
}

/**
 * Gives a sandbox of a `proxy` template its own network namespace, named after the sandbox,
 * with only a loopback interface and the egress proxy listening on it. Returns undefined for
 * templates without network, and when another live process already runs this sandbox's
 * proxy (such as a server holding the claim), because commands from here go through it.
 * @throws SandstackError `SANDBOX_FAILED` when the namespace or the listener cannot be made
 */
export async function startEgress(
  id: string,
  template: SandboxTemplate,
  options: { stateDir: string; settings: EgressSettings },
): Promise<EgressProxy | undefined> {
  const { network } = template;
  if (network.egress !== 'proxy') {
    return undefined;
  }
  await createNetns(id);
  let listener: Server;
  try {
    listener = await listenInNetns(id, EGRESS_PROXY_PORT);
  } catch (error) {
    if (isSandstackError(error) && error.details?.reason === PORT_IN_USE) {
      return undefined;
    }
    throw error;
  }
  return new EgressProxy(listener, {
    ...options.settings,
    maxLogBytes: egressLogLimit(template, options.settings),
    allow: network.allow,
    logPath: egressLogPath(options.stateDir),
  });
}

/** Closes a sandbox's proxy, when this process runs it, and deletes its network namespace. */
export async function stopEgress(id: string, proxy: EgressProxy | undefined): Promise<void> {
  proxy?.close();
  await deleteNetns(id);
}

/** Environment that points HTTP clients in a sandbox with egress at its proxy. */
export function proxyEnv(template: SandboxTemplate): Record<string, string> {
  if (!hasEgress(template)) {
    return {};
  }
  const url = `http://127.0.0.1:${EGRESS_PROXY_PORT}`;
  return { http_proxy: url, https_proxy: url, HTTP_PROXY: url, HTTPS_PROXY: url };
}
