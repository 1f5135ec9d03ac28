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
  /** Number of requests per `verb plural`, for tests that check no polling happened. */
  requestCounts: Map<string, number>;
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
    case 'DELETE':
      return 'delete';
    default:
      return name === undefined ? 'list' : 'get';
  }
}

/**
 * Starts an HTTPS server on 127.0.0.1 that speaks the Kubernetes REST conventions the
 * JavaScript client uses for namespaced custom resources: create, get, list, replace,
 * replace status, delete and watch (newline-delimited JSON events, resumable from a
 * resourceVersion, 410 Gone when the version is older than the event log).
 */
export async function startFakeApiServer(options: FakeApiServerOptions): Promise<FakeApiServer> {
  const forbidden = new Set<string>();
  const requestCounts = new Map<string, number>();
  const watches = new Set<ServerResponse>();
  const user = options.user ?? 'system:serviceaccount:sandstack:sandstack';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = PATH.exec(url.pathname);
    if (match === null) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const [, group = '', version = '', namespace = '', plural = '', name, subresource] = match;
    const method = request.method ?? 'GET';
    const watch = url.searchParams.get('watch') === 'true';
    const verb = verbOf(method, name, watch);
    requestCounts.set(`${verb} ${plural}`, (requestCounts.get(`${verb} ${plural}`) ?? 0) + 1);
    if (forbidden.has(`${verb} ${plural}`)) {
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

  return {
    url: `https://127.0.0.1:${port}`,
    forbidden,
    requestCounts,
    close: async () => {
      for (const watch of watches) {
        watch.end();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
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
