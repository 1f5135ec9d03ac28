import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { ObjectStore } from './object-store.js';
import { StatusError, type StoredObject, type WatchEvent } from './object-store.js';

/** Options for {@link startFakeApiServer}. */
export interface FakeApiServerOptions {
  store: ObjectStore;
  /** Bearer token every request must carry; requests without it get 401. */
  token: string;
  /** TLS certificate and key the server presents. */
  tls: { cert: string; key: string };
  /** Service account name quoted in 403 messages. @default 'system:serviceaccount:sandstack:sandstack' */
  user?: string;
}

/** A running fake API server. */
export interface FakeApiServer {
  url: string;
  /** `verb plural` pairs that get 403, e.g. `create sandboxclaims`. Tests change it freely. */
  forbidden: Set<string>;
  /**
   * When set, only these `verb plural` pairs are allowed and every other request gets 403,
   * as with a service account bound to one Role.
   */
  allowed: Set<string> | undefined;
  /** Number of requests per `verb plural`, for tests that check no polling happened. */
  requestCounts: Map<string, number>;
  /** Ends every open watch, as the API server does when its watch timeout passes. */
  endWatches(): void;
  close(): Promise<void>;
}

const PATH =
  /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(status))?$/;

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new StatusError(400, 'BadRequest', `invalid JSON body: ${String(error)}`);
  }
}

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

function verbOf(method: string, name: string | undefined, watch: boolean): string {
  if (watch) {
    return 'watch';
  }
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return name === undefined ? 'list' : 'get';
  }
}

/**
 * Starts an HTTPS server on 127.0.0.1 that speaks the Kubernetes REST conventions the
 * JavaScript client uses for namespaced custom resources: create, get, list, replace,
 * replace status, JSON merge patch, delete and watch (newline-delimited JSON events, resumable from a
 * resourceVersion, 410 Gone when the version is older than the event log).
 */
export async function startFakeApiServer(options: FakeApiServerOptions): Promise<FakeApiServer> {
  const fake: FakeApiServer = {
    url: '',
    forbidden: new Set<string>(),
    allowed: undefined,
    requestCounts: new Map<string, number>(),
    close: () => Promise.resolve(),
    endWatches: () => {
      for (const watch of watches) {
        watch.end();
      }
    },
  };
  const { forbidden, requestCounts } = fake;
  const watches = new Set<ServerResponse>();
  const user = options.user ?? 'system:serviceaccount:sandstack:sandstack';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const discovery = discoveryDocument(url.pathname, options.store);
    if (discovery !== undefined) {
      send(response, 200, discovery);
      return;
    }
    const match = PATH.exec(url.pathname);
    if (match === null) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const [, group = '', version = '', namespace = '', plural = '', name, subresource] = match;
    const method = request.method ?? 'GET';
    const watch = url.searchParams.get('watch') === 'true';
    const verb = verbOf(method, name, watch);
    requestCounts.set(`${verb} ${plural}`, (requestCounts.get(`${verb} ${plural}`) ?? 0) + 1);
    if (
      forbidden.has(`${verb} ${plural}`) ||
      (fake.allowed !== undefined && !fake.allowed.has(`${verb} ${plural}`))
    ) {
      throw new StatusError(
        403,
        'Forbidden',
        `${plural}.${group} ${name === undefined ? '' : `"${name}" `}is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${group}" in the namespace "${namespace}"`,
        { group, kind: plural },
      );
    }
    const schema = options.store.schemaFor(group, version, plural);

    if (watch) {
      streamWatch(options.store, response, watches, { plural, namespace, query: url.searchParams });
      return;
    }
    if (method === 'GET' && name === undefined) {
      const items = options.store.list(plural, namespace);
      send(response, 200, {
        apiVersion: `${group}/${version}`,
        kind: `${schema.kind}List`,
        metadata: { resourceVersion: String(options.store.currentResourceVersion) },
        items,
      });
      return;
    }
    if (method === 'POST' && name === undefined) {
      send(response, 201, options.store.create(schema, namespace, await readJson(request)));
      return;
    }
    if (name === undefined) {
      throw new StatusError(405, 'MethodNotAllowed', `${method} is not supported on a collection`);
    }
    if (method === 'GET') {
      const found = options.store.get(plural, namespace, name);
      if (found === undefined) {
        throw new StatusError(404, 'NotFound', `${plural}.${group} "${name}" not found`, {
          name,
          group,
          kind: plural,
        });
      }
      send(response, 200, found);
      return;
    }
    if (method === 'PUT') {
      const body = await readJson(request);
      send(
        response,
        200,
        options.store.replace(schema, namespace, body, { status: subresource === 'status' }),
      );
      return;
    }
    if (method === 'PATCH' && subresource === undefined) {
      const contentType = request.headers['content-type']?.split(';')[0]?.trim();
      if (contentType !== 'application/merge-patch+json') {
        throw new StatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json (got ${contentType ?? 'none'})`,
        );
      }
      send(
        response,
        200,
        options.store.mergePatch(schema, namespace, name, await readJson(request)),
      );
      return;
    }
    if (method === 'DELETE') {
      const deleted = options.store.delete(plural, namespace, name);
      send(response, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Success',
        details: { name, group, kind: plural, uid: deleted.metadata.uid },
      });
      return;
    }
    throw new StatusError(405, 'MethodNotAllowed', `${method} is not supported`);
  };

  const server: Server = createServer(options.tls, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status =
        error instanceof StatusError ? error : new StatusError(500, 'InternalError', String(error));
      if (!response.headersSent) {
        send(response, status.code, status.toStatus());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  fake.url = `https://127.0.0.1:${port}`;
  fake.close = async () => {
    for (const watch of watches) {
      watch.end();
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}

/** Built-in kinds that `deploy/` uses, by group version, for discovery documents. */
const BUILT_IN_RESOURCES: Record<string, [plural: string, kind: string, namespaced: boolean][]> = {
  v1: [
    ['namespaces', 'Namespace', false],
    ['serviceaccounts', 'ServiceAccount', true],
    ['secrets', 'Secret', true],
    ['services', 'Service', true],
    ['configmaps', 'ConfigMap', true],
  ],
  'apps/v1': [
    ['deployments', 'Deployment', true],
    ['statefulsets', 'StatefulSet', true],
  ],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true],
    ['rolebindings', 'RoleBinding', true],
  ],
};

/**
 * Answers the discovery endpoints (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`)
 * for the built-in kinds `deploy/` uses and the served CRD versions, so that
 * `kubectl create --dry-run=client` can map kinds to resources.
 */
function discoveryDocument(path: string, store: ObjectStore): unknown {
  const groupVersions: Record<string, [string, string, boolean][]> = { ...BUILT_IN_RESOURCES };
  for (const schema of store.schemas()) {
    const key = `${schema.group}/${schema.version}`;
    groupVersions[key] = [...(groupVersions[key] ?? []), [schema.plural, schema.kind, true]];
  }
  if (path === '/version') {
    return { major: '1', minor: '33', gitVersion: 'v1.33.0-fake', platform: 'linux/amd64' };
  }
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  }
  if (path === '/apis') {
    const groups = new Map<string, string[]>();
    for (const key of Object.keys(groupVersions).filter((entry) => entry.includes('/'))) {
      const [group = '', version = ''] = key.split('/');
      groups.set(group, [...(groups.get(group) ?? []), version]);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0] ?? ''}`, version: versions[0] },
      })),
    };
  }
  const groupVersion = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
  const resources = groupVersion === undefined ? undefined : groupVersions[groupVersion];
  if (groupVersion === undefined || resources === undefined) {
    return undefined;
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: resources.map(([plural, kind, namespaced]) => ({
      name: plural,
      singularName: kind.toLowerCase(),
      namespaced,
      kind,
      verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'],
    })),
  };
}

function streamWatch(
  store: ObjectStore,
  response: ServerResponse,
  watches: Set<ServerResponse>,
  request: { plural: string; namespace: string; query: URLSearchParams },
): void {
  const nameSelector = /^metadata\.name=(.+)$/.exec(request.query.get('fieldSelector') ?? '')?.[1];
  const matches = (object: StoredObject): boolean =>
    object.metadata.namespace === request.namespace &&
    (nameSelector === undefined || object.metadata.name === nameSelector);
  const write = (event: WatchEvent): void => {
    if (event.plural === request.plural && matches(event.object)) {
      response.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
    }
  };

  response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const since = request.query.get('resourceVersion');
  if (since === null || since === '' || since === '0') {
    for (const object of store.list(request.plural, request.namespace).filter(matches)) {
      response.write(`${JSON.stringify({ type: 'ADDED', object })}\n`);
    }
  } else {
    const backlog = store.eventsSince(Number(since));
    if (backlog === undefined) {
      const gone = new StatusError(
        410,
        'Expired',
        `too old resource version: ${since} (${store.currentResourceVersion})`,
      );
      response.end(`${JSON.stringify({ type: 'ERROR', object: gone.toStatus() })}\n`);
      return;
    }
    backlog.forEach(write);
  }

  watches.add(response);
  store.events.on('change', write);
  response.on('close', () => {
    watches.delete(response);
    store.events.off('change', write);
  });
}
