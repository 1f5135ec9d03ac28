import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { lookup as dnsLookup } from 'node:dns/promises';
import { connect, isIP, type Server, type Socket } from 'node:net';
import { isMetadataAddress, isPrivateAddress } from '../../core/addresses.js';

/** Port of the egress proxy inside a sandbox's network namespace. */
export const EGRESS_PROXY_PORT = 3128;

/** Default size limit of one sandbox's egress log. */
export const DEFAULT_MAX_EGRESS_LOG_BYTES = 1024 * 1024;

/**
 * Longest host name kept in a log record. DNS names have at most 253 characters, so a
 * longer one is truncated and ends with `...`.
 */
const MAX_LOGGED_HOST_CHARS = 253;

/** Method of the record that marks where the log reached its size limit. */
export const EGRESS_LOG_LIMIT_METHOD = 'LOG-LIMIT';

/** One connection attempt the proxy allowed or refused. */
export interface EgressRecord {
  time: string;
  method: string;
  host: string;
  port: number;
  allowed: boolean;
  reason: string;
}

/** Options for {@link EgressProxy}. */
export interface EgressProxyOptions {
  /** Domain names the sandbox may reach; `*.example.com` matches every subdomain. */
  allow: readonly string[];
  /** File that receives one JSON line ({@link EgressRecord}) per attempt. */
  logPath: string;
  /**
   * Size limit of the log file, which lives on the host outside the sandbox's disk limit.
   * Once the next record would pass it, one record with method `LOG-LIMIT` is written and
   * later attempts are counted but not logged. @default 1048576 (1 MiB)
   */
  maxLogBytes?: number;
  /** Resolves a domain name to one address. @default the host's resolver (`dns.lookup`) */
  lookup?: (host: string) => Promise<string>;
  /**
   * Lets allowed names resolve to loopback and private addresses, for tests against local
   * servers. Cloud metadata addresses stay refused. @default false
   */
  allowPrivateAddresses?: boolean;
}

/**
 * An HTTP proxy that is a sandbox's only way out. Plain HTTP requests and CONNECT tunnels
 * (HTTPS) to allowed domain names pass. Raw IP addresses, other names, and names that resolve
 * to private or metadata addresses get 403. Every attempt is appended to the log.
 */
export class EgressProxy {
  private readonly http = createServer((req, res) => void this.forward(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly maxLogBytes: number;
  /** Bytes in the log file, counted from its size when the proxy started. */
  private logBytes: number;
  /** Attempts not logged because the log reached its size limit. */
  private unloggedAttempts = 0;

  constructor(
    private readonly listener: Server,
    private readonly options: EgressProxyOptions,
  ) {
    this.maxLogBytes = options.maxLogBytes ?? DEFAULT_MAX_EGRESS_LOG_BYTES;
    this.logBytes = existsSync(options.logPath) ? statSync(options.logPath).size : 0;
    // The proxy does not keep its process alive, so a CLI command exits once its work is done.
    // The next process that attaches to the sandbox starts the proxy again.
    listener.unref();
    this.http.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.tunnel(req, socket, head);
    });
    listener.on('connection', (socket: Socket) => {
      this.track(socket);
      this.http.emit('connection', socket);
    });
  }

  /** Attempts that were not logged because the log reached its size limit. */
  get unlogged(): number {
    return this.unloggedAttempts;
  }

  /** Stops accepting connections and closes the open ones. */
  close(): void {
    this.listener.close();
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('sandstack egress proxy: send absolute URLs (set http_proxy)\n');
      return;
    }
    if (url.protocol !== 'http:') {
      res.writeHead(400).end('sandstack egress proxy: use CONNECT for HTTPS\n');
      return;
    }
    const port = Number(url.port || 80);
    // URL keeps the brackets of an IPv6 literal in hostname, and isIP() wants them gone.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const decision = await this.decide(req.method ?? 'GET', host, port);
    if (decision.address === undefined) {
      res.writeHead(403).end(`sandstack egress proxy: ${decision.reason}\n`);
      return;
    }
    const upstream = request(
      {
        host: decision.address,
        port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, host: url.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('socket', (socket) => socket.unref());
    upstream.on('error', (error) => res.writeHead(502).end(`upstream failed: ${error.message}\n`));
    req.pipe(upstream);
  }

  private async tunnel(req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    const target = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    if (target === null) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const [, host = '', portText = '0'] = target;
    const decision = await this.decide('CONNECT', host, Number(portText));
    if (decision.address === undefined) {
      client.end(`HTTP/1.1 403 Forbidden\r\n\r\nsandstack egress proxy: ${decision.reason}\n`);
      return;
    }
    const upstream = connect(Number(portText), decision.address);
    this.track(upstream);
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => upstream.destroy());
  }

  /** Decides one attempt and logs it; returns the address to connect to when allowed. */
  private async decide(
    method: string,
    host: string,
    port: number,
  ): Promise<{ address?: string; reason: string }> {
    const decision = await this.check(host.toLowerCase());
    this.log({
      time: new Date().toISOString(),
      method,
      host: shortHost(host),
      port,
      allowed: decision.address !== undefined,
      reason: decision.reason,
    });
    return decision;
  }

  /**
   * Appends one record unless the log reached its size limit. The record that would pass the
   * limit is replaced by a `LOG-LIMIT` record, so the file ends at most one short line past it.
   */
  private log(record: EgressRecord): void {
    if (this.unloggedAttempts > 0) {
      this.unloggedAttempts += 1;
      return;
    }
    let line = `${JSON.stringify(record)}\n`;
    if (this.logBytes + Buffer.byteLength(line) > this.maxLogBytes) {
      this.unloggedAttempts = 1;
      const marker: EgressRecord = {
        time: record.time,
        method: EGRESS_LOG_LIMIT_METHOD,
        host: '',
        port: 0,
        allowed: false,
        reason: `The egress log reached its limit of ${this.maxLogBytes} bytes; later attempts are not logged`,
      };
      line = `${JSON.stringify(marker)}\n`;
    }
    appendFileSync(this.options.logPath, line);
    this.logBytes += Buffer.byteLength(line);
  }

  private async check(host: string): Promise<{ address?: string; reason: string }> {
    const loggedHost = shortHost(host);
    if (isIP(host) !== 0) {
      return { reason: `raw IP address ${loggedHost} refused; use an allowed domain name` };
    }
    if (!isAllowedHost(host, this.options.allow)) {
      return { reason: `${loggedHost} is not in the template's egress allowlist` };
    }
    let address: string;
    try {
      address = await (this.options.lookup ?? defaultLookup)(host);
    } catch (error) {
      return { reason: `${loggedHost} did not resolve: ${(error as Error).message}` };
    }
    if (isMetadataAddress(address)) {
      return {
        reason: `${loggedHost} resolves to the metadata address ${address}, which is refused`,
      };
    }
    if (isPrivateAddress(address) && this.options.allowPrivateAddresses !== true) {
      return {
        reason: `${loggedHost} resolves to the private address ${address}, which is refused`,
      };
    }
    return { address, reason: 'allowed' };
  }

  private track(socket: Socket): void {
    // A peer that resets its connection is normal for a proxy, not a fault of this process.
    socket.on('error', () => socket.destroy());
    socket.unref();
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

/** Returns whether a host name matches an allowlist entry (`example.com` or `*.example.com`). */
export function isAllowedHost(host: string, allow: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allow.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) : name === pattern;
  });
}

/** Reads the attempts a sandbox's proxy recorded, oldest first. */
export function readEgressLog(logPath: string): EgressRecord[] {
  if (!existsSync(logPath)) {
    return [];
  }
  return readFileSync(logPath, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EgressRecord);
}

function shortHost(host: string): string {
  return host.length <= MAX_LOGGED_HOST_CHARS ? host : `${host.slice(0, MAX_LOGGED_HOST_CHARS)}...`;
}

async function defaultLookup(host: string): Promise<string> {
  return (await dnsLookup(host)).address;
}
